// The torture harness of the shared-memory maple tree: the main thread is the one
// writer, rewriting a SharedMapleTree through writeAsync()/write() and the kernel layer inside
// them (random, spanning and exact-fit stores, inserts, erases; grow and shrink phases so that
// splits, rebalances and height changes keep happening), while reader workers
// (../fixtures/shared-tree-reader.mjs) walk, find, iterate and query gaps lock-free. Every value
// stored is a fresh id with a ledger row (support/shared-ledger.mjs), so readers can prove each
// range they see existed. Mode "early" hands retired nodes to a reclaimer that frees at once (no
// grace period): the readers must catch it.
import { Worker } from "node:worker_threads";
import { immediateReclaimer, SharedMapleTree } from "@maplemm/maple-tree";
import { ENOMEM, MT_FLAGS_ALLOC_RANGE, mt_validate } from "@maplemm/maple-tree/kernel";
import { type GpCookie, SharedRcu } from "@maplemm/rcu";
import { C_ERRORS, C_READY, C_STOP, rng } from "./shared-ledger.mjs";
import { LedgerWriter, TortureWriter } from "./shared-torture-writer.js";

export interface SharedTortureOptions {
  readonly ms: number;
  readonly seed: number;
  /** An allocation tree (MT_FLAGS_ALLOC_RANGE) rather than a normal one. */
  readonly alloc: boolean;
  /** "correct": retire through the RCU domain; "early": free at once (must be caught). */
  readonly mode: "correct" | "early";
  /** Reader workers (half walkers, half iterators). Default 2. */
  readonly readers?: number;
  /** Node capacity of the arena (default 2^16, ample; small ones make stores fail with -ENOMEM). */
  readonly capacity?: number;
  /**
   * false: hand retired nodes to the domain without its `poll`, so they come back only from the
   * event loop (the writer's awaits) and a small arena really runs out (default true).
   */
  readonly poll?: boolean;
  /** Chance per in-section pause that a reader lingers 20-200 us. Default 0.002. */
  readonly dwell?: number;
}

export interface ReaderCounts {
  walk: number;
  hold: number;
  carry: number;
  find: number;
  load: number;
  iterate: number;
  gap: number;
  gapFound: number;
  ranges: number;
  /** Sections (walk, find, iterate) that read more than one version. */
  mixed: number;
}

export interface SharedTortureResult {
  /** Writer ops by kind, and write sections. */
  ops: Record<string, number>;
  sections: number;
  /** Ids handed out (values stored or tried); `exhausted` when the ledger ran out first. */
  ids: number;
  exhausted: boolean;
  /** Write sections that ended at each tree height (index = height). */
  heights: number[];
  /** Grow / shrink phases the writer went through (it switches at a size target). */
  phases: number;
  /** Times the height differed from the previous section's. */
  heightChanges: number;
  maxRanges: number;
  /** Sections that hit -ENOMEM and waited for a barrier. */
  enomem: number;
  reads: ReaderCounts;
  /** Read sections that saw more than one version, by op. */
  mixedBy: Record<string, number>;
  /** Reader inconsistencies and the first few descriptions. */
  errors: number;
  /** Readers that never came back from the tree after the stop (terminated). */
  hung: number;
  notes: string[];
  /** Inconsistencies the writer found (size drift, validation, final contents). */
  writerErrors: string[];
  gps: number;
}

const READER_URL = new URL("../fixtures/shared-tree-reader.mjs", import.meta.url);
/** Node capacity of the arena: the tree peaks near 2,500 nodes, the rest waits for grace periods. */
const CAPACITY = 1 << 16;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How long a reader may take to report after the stop before it counts as hung. */
const HANG_MS = 5000;

/** What a reader worker reports when it stops. */
interface ReaderReport {
  counts: ReaderCounts;
  mixedBy: Record<string, number>;
  errors: number;
}

/** Runs one torture session; see the file header. */
export async function runSharedTorture(o: SharedTortureOptions): Promise<SharedTortureResult> {
  const nReaders = o.readers ?? 2;
  const rand = rng(o.seed);
  // Ids are never reused: size the ledger for the run (measured: up to ~200 k ids per second;
  // a run that runs out stops writing early, which the op counts then show).
  const L = new LedgerWriter(Math.min(1 << 23, Math.max(1 << 20, Math.ceil(o.ms * 400))));
  const rcu = SharedRcu.create({ maxThreads: nReaders + 4, stallMs: 10_000 });
  rcu.register();
  const tree = SharedMapleTree.create({
    domain: rcu,
    capacity: o.capacity ?? CAPACITY,
    flags: o.alloc ? MT_FLAGS_ALLOC_RANGE : 0,
    poison: true,
    ...(o.mode === "early" ? { reclaimer: immediateReclaimer } : {}),
    ...(o.mode === "correct" && o.poll === false
      ? {
          reclaimer: {
            defer: (free: () => void) => rcu.defer(free),
            getState: () => rcu.getState(),
            pollState: (c: number) => rcu.pollState(c as GpCookie),
          },
        }
      : {}),
  });
  const W = new TortureWriter(L, rand, o.alloc);
  const writerErrors: string[] = [];

  const workers: Worker[] = [];
  const notes: string[] = [];
  const results: Promise<ReaderReport>[] = [];
  for (let r = 0; r < nReaders; r++) {
    const w = new Worker(READER_URL, {
      workerData: {
        rcu: rcu.memory ?? rcu.buffer,
        handle: tree.handle,
        ctl: L.ctl,
        rows: L.rows,
        seed: (rand() * 2 ** 32) >>> 0,
        index: r,
        role: r % 2 === 0 ? "walker" : "iterator",
        dwell: o.dwell ?? 0.002,
      },
    });
    rcu.watchWorker(w);
    workers.push(w);
    results.push(
      new Promise((resolve, reject) => {
        w.on("message", (m: { note?: string } & ReaderReport) => {
          if (m.note !== undefined) notes.push(m.note);
          else resolve(m);
        });
        w.once("error", reject);
        w.once("exit", (c) => reject(new Error(`reader exited early with code ${c}`)));
      }),
    );
  }
  // Reader failures surface when awaited below; until then they must not count as unhandled.
  for (const p of results) p.catch(() => {});

  const heights: number[] = [];
  let height = -1;
  let heightChanges = 0;
  let maxRanges = 0;
  let sections = 0;
  let enomem = 0;
  try {
    while (Atomics.load(L.ctl, C_READY) < nReaders) await tick();
    // A slow machine gets up to 3x the time to finish one grow and one shrink phase, so that the
    // run always covers splits, rebalances and height changes.
    const start = performance.now();
    const running = (): boolean => {
      const t = performance.now() - start;
      return t < o.ms || (W.phases < 2 && t < 3 * o.ms);
    };
    while (running() && !W.exhausted) {
      const n = 1 + ((rand() * 24) | 0);
      const how = rand();
      let ret: number;
      if (how < 0.04) {
        ret = W.idiomatic(tree);
      } else {
        try {
          ret =
            how < 0.3
              ? tree.write((mt) => W.batch(mt, n))
              : await tree.writeAsync((mt) => W.batch(mt, n));
        } finally {
          L.endSection();
        }
      }
      sections++;
      const h = tree.height;
      heights[h] = (heights[h] ?? 0) + 1;
      if (height !== -1 && h !== height) heightChanges++;
      height = h;
      if (L.ranges > maxRanges) maxRanges = L.ranges;
      if (tree.size !== L.ranges && writerErrors.length < 20) {
        writerErrors.push(`after section ${sections}: size ${tree.size}, ledger ${L.ranges}`);
      }
      if ((sections & 1023) === 0) {
        try {
          tree.write(mt_validate);
        } catch (e) {
          if (writerErrors.length < 20) writerErrors.push(`validate: ${(e as Error).message}`);
        }
      }
      if (ret === -ENOMEM) {
        enomem++;
        await rcu.barrier();
      } else if ((sections & 7) === 0) {
        await tick(); // lets the domain's timers run grace periods and frees
      }
    }
  } catch (e) {
    // Freeing without a grace period may break the writer too; that counts as caught.
    if (o.mode !== "early") throw e;
    writerErrors.push(`writer threw ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    Atomics.store(L.ctl, C_STOP, 1);
  }
  // A reader that does not report within HANG_MS of the stop is stuck inside the tree (a loop
  // in a broken version): it is terminated and counted as hung.
  let hung = 0;
  const rs: ReaderReport[] = [];
  try {
    for (const p of results) {
      const r = await Promise.race([p, sleep(HANG_MS).then(() => null)]);
      if (r === null) hung++;
      else rs.push(r);
    }
  } finally {
    for (const w of workers) await w.terminate();
  }
  await rcu.barrier();
  if (o.mode === "correct") {
    tree.write((mt) => L.check(mt, writerErrors));
    if (tree.size !== L.ranges) writerErrors.push(`final: size ${tree.size}, ledger ${L.ranges}`);
  }
  rcu.unregister();

  const reads: ReaderCounts = {
    walk: 0,
    hold: 0,
    carry: 0,
    find: 0,
    load: 0,
    iterate: 0,
    gap: 0,
    gapFound: 0,
    ranges: 0,
    mixed: 0,
  };
  const errors = Atomics.load(L.ctl, C_ERRORS);
  const mixedBy: Record<string, number> = {};
  for (const r of rs) {
    for (const [k, n] of Object.entries(r.mixedBy)) mixedBy[k] = (mixedBy[k] ?? 0) + n;
    for (const k of Object.keys(reads) as (keyof ReaderCounts)[]) reads[k] += r.counts[k];
  }
  return {
    ops: W.ops,
    sections,
    ids: L.ids,
    exhausted: W.exhausted,
    heights: Array.from(heights, (x) => x ?? 0),
    phases: W.phases,
    heightChanges,
    maxRanges,
    enomem,
    reads,
    mixedBy,
    errors,
    hung,
    notes,
    writerErrors,
    gps: rcu.stats.gps,
  };
}
