// Part 1 of the shared-tree benchmark: reader throughput. The main thread owns a
// SharedMapleTree of 1e5 VMA-like ranges; 1 or 2 reader workers (shared-bench-reader.mjs) run
// random point lookups for a fixed window while the main thread either idles or writes (random
// stores that split a range and merge it back, one write section each, yielding to the event loop
// every few hundred stores so the domain's grace periods run and retired nodes come back). A
// control writer makes the same stores into a local RCU-mode tree: the same CPU load on the
// machine with nothing shared, which separates CPU contention from the cost of sharing. Every
// configuration is measured in rounds with the order rotated; the table keeps medians over rounds.

import { Worker } from "node:worker_threads";
import { markdownTable, median, rate } from "@maplemm/bench-kit/harness";
import {
  type Layout,
  makeLayout,
  rng,
  sharedQueries,
  sizeName,
} from "@maplemm/bench-kit/workloads";
import { MapleTree, SharedMapleTree } from "@maplemm/maple-tree";
import { mt_validate, mtree_store_range } from "@maplemm/maple-tree/kernel";
import type { SharedRcu } from "@maplemm/rcu";

// From tools/bench (run through tsx) and tools/dist (the esbuild bundle) alike.
const READER_URL = new URL("../bench/shared-bench-reader.mjs", import.meta.url);
const STOP = 0;
const STARTED = 1;
/** Stores between two yields to the event loop (where the domain's grace periods advance). */
const WRITE_CHUNK = 256;
/** Ranges stored per write section while building (their retired nodes wait for a barrier). */
const BUILD_CHUNK = 4096;

export type ReadMode = "get" | "batch" | "local";

interface Config {
  mode: ReadMode;
  readers: number;
  /** None, or the main thread storing into the shared tree, or (a control: the same CPU load,
   *  nothing shared) into a local RCU-mode MapleTree of the same layout. */
  writer: "none" | "shared" | "local";
}

/** What the writer stores into: the shared tree, or the local control tree. */
interface RangeStore {
  setRange(first: number, last: number, value: number): unknown;
}

interface Done {
  type: "done";
  lookups: number;
  ms: number;
  sum: number;
}

/**
 * Nodes a tree of `n` layout ranges needs (leaves hold 10–16 ranges, appends pack 15), plus
 * `slack` for nodes retired by writes that wait for their grace period before reuse.
 */
export function capacityFor(n: number, slack: number): number {
  return Math.ceil(n / 5) + slack;
}

/** Stores `layout` into `tree` (range i -> i) in write sections of BUILD_CHUNK ranges. */
export async function buildShared(tree: SharedMapleTree, domain: SharedRcu, l: Layout) {
  const n = l.starts.length;
  for (let from = 0; from < n; from += BUILD_CHUNK) {
    const to = Math.min(n, from + BUILD_CHUNK);
    tree.write((mt) => {
      for (let i = from; i < to; i++) {
        mtree_store_range(mt, l.starts[i] as number, l.lasts[i] as number, i);
      }
    });
    // RCU mode retires every replaced node: let them come back before the next chunk.
    await domain.barrier();
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The writer: for `ms` milliseconds, pick a random range j, store its middle third (or all of it,
 * when shorter than 3) with entry n + j, then store range j back whole with entry j. Each store is
 * one write section (`setRange`); the tree's shape stays that of the layout. Returns writes/s.
 */
async function writeFor(tree: RangeStore, l: Layout, ms: number, r: () => number) {
  const n = l.starts.length;
  let writes = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  while (performance.now() < end) {
    for (let c = 0; c < WRITE_CHUNK; c += 2) {
      const j = Math.floor(r() * n);
      const first = l.starts[j] as number;
      const last = l.lasts[j] as number;
      const third = Math.floor((last - first + 1) / 3);
      tree.setRange(first + third, last - third, n + j);
      tree.setRange(first, last, j);
    }
    writes += WRITE_CHUNK;
    await tick();
  }
  return (writes * 1000) / (performance.now() - t0);
}

function nextDone(w: Worker): Promise<Done> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== "done") return;
      w.off("message", onMessage);
      w.off("error", reject);
      resolve(m as Done);
    };
    w.on("message", onMessage);
    w.once("error", reject);
  });
}

async function startWorkers(
  rcu: SharedRcu,
  tree: SharedMapleTree,
  queries: Float64Array,
  ctl: Int32Array,
  n: number,
  kind: "shared" | "local",
): Promise<Worker[]> {
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let id = 0; id < n; id++) {
    const w = new Worker(READER_URL, {
      workerData: {
        rcu: rcu.memory ?? rcu.buffer,
        handle: tree.handle,
        queries: queries.buffer,
        ctl: ctl.buffer,
        id,
        kind,
      },
    });
    rcu.watchWorker(w);
    ready.push(
      new Promise((resolve, reject) => {
        w.once("message", () => resolve());
        w.once("error", reject);
      }),
    );
    workers.push(w);
  }
  await Promise.all(ready);
  return workers;
}

/** One window of one configuration: per-reader lookups/s and writes/s (0 without a writer). */
async function window(
  cfg: Config,
  workers: { shared: readonly Worker[]; local: readonly Worker[] },
  ctl: Int32Array,
  targets: { shared: RangeStore; local: RangeStore },
  l: Layout,
  ms: number,
  r: () => number,
): Promise<{ perReader: number[]; writes: number }> {
  const active = workers[cfg.mode === "local" ? "local" : "shared"].slice(0, cfg.readers);
  Atomics.store(ctl, STOP, 0);
  Atomics.store(ctl, STARTED, 0);
  const done = active.map(nextDone);
  for (const w of active) w.postMessage({ type: "run", mode: cfg.mode });
  while (Atomics.load(ctl, STARTED) < active.length) await tick();
  let writes = 0;
  if (cfg.writer !== "none") writes = await writeFor(targets[cfg.writer], l, ms, r);
  else await sleep(ms);
  Atomics.store(ctl, STOP, 1);
  const results = await Promise.all(done);
  return { perReader: results.map((d) => (d.lookups * 1000) / d.ms), writes };
}

const MODE_NAMES = {
  get: "get()",
  batch: "read() x64 mtree_load",
  local: "control: private local MapleTree.get()",
} as const;

const WRITER_NAMES = {
  none: "no writer",
  shared: "writer",
  local: "writer on a local tree (CPU load only)",
} as const;

function configName(c: Config): string {
  return `${MODE_NAMES[c.mode]}, ${c.readers} reader${c.readers === 1 ? "" : "s"}, ${WRITER_NAMES[c.writer]}`;
}

/** Runs part 1 and returns its markdown table. */
export async function readerThroughput(
  rcu: SharedRcu,
  opts: { rounds: number; windowMs: number; n: number },
): Promise<string> {
  const layout = makeLayout(opts.n, 1);
  // Slack: a second of writes retires a few hundred thousand nodes before their grace periods end.
  const tree = SharedMapleTree.create({ domain: rcu, capacity: capacityFor(opts.n, 1 << 20) });
  await buildShared(tree, rcu, layout);
  const queries = sharedQueries(layout, 1 << 16, 2);
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  const workers = {
    shared: await startWorkers(rcu, tree, queries, ctl, 2, "shared"),
    local: await startWorkers(rcu, tree, queries, ctl, 2, "local"),
  };
  const local = new MapleTree<number>({ rcu: true });
  for (let i = 0; i < opts.n; i++) {
    local.setRange(layout.starts[i] as number, layout.lasts[i] as number, i);
  }
  const targets = { shared: tree, local };
  const configs: Config[] = [
    { mode: "get", readers: 0, writer: "shared" },
    { mode: "get", readers: 0, writer: "local" },
  ];
  for (const mode of ["get", "batch"] as const) {
    for (const readers of [1, 2]) {
      for (const writer of ["none", "shared", "local"] as const) {
        if (writer !== "local" || mode === "get") configs.push({ mode, readers, writer });
      }
    }
  }
  for (const readers of [1, 2]) configs.push({ mode: "local", readers, writer: "none" });
  const r = rng(3);
  try {
    // Warm-up: every configuration once, short, discarded.
    for (const c of configs) await window(c, workers, ctl, targets, layout, opts.windowMs / 4, r);
    const got = configs.map(() => ({
      perReader: [[], []] as number[][],
      total: [] as number[],
      writes: [] as number[],
    }));
    for (let round = 0; round < opts.rounds; round++) {
      for (let k = 0; k < configs.length; k++) {
        const i = (k + round) % configs.length;
        const c = configs[i] as Config;
        const res = await window(c, workers, ctl, targets, layout, opts.windowMs, r);
        const g = got[i] as (typeof got)[number];
        for (let w = 0; w < res.perReader.length; w++) {
          (g.perReader[w] as number[]).push(res.perReader[w] as number);
        }
        g.total.push(res.perReader.reduce((a, b) => a + b, 0));
        g.writes.push(res.writes);
        await rcu.barrier();
      }
    }
    tree.write(mt_validate);
    const rows = configs.map((c, i) => {
      const g = got[i] as (typeof got)[number];
      const per = [0, 1].map((w) =>
        w < c.readers ? `${rate(median(g.perReader[w] as number[]))}/s` : "—",
      );
      return [
        configName(c),
        ...per,
        c.readers > 0 ? `${rate(median(g.total))}/s` : "—",
        c.writer !== "none" ? `${rate(median(g.writes))}/s` : "—",
      ];
    });
    return markdownTable(
      [
        `configuration (N = ${sizeName(opts.n)} ranges)`,
        "reader 1",
        "reader 2",
        "total lookups",
        "writes",
      ],
      rows,
    );
  } finally {
    const all = [...workers.shared, ...workers.local];
    for (const w of all) w.postMessage({ type: "exit" });
    await Promise.all(all.map((w) => new Promise((resolve) => w.once("exit", resolve))));
  }
}
