// Part 3 of the shared-tree benchmark: where a shared `get()` spends its time over a
// local lookup. Each tree kind runs in its own child process (the same bundle, BREAKDOWN_CHILD
// set), so `mtree_load` only ever sees one kind of tree and its inline caches stay monomorphic,
// as in a reader worker; part 2 runs every kind in one process, as the issue asks. The shared
// child peels the lookup apart step by step: the bare descent inside one section, then a read
// section per lookup, then the version check, the full root sync, the `read()` wrapper and
// finally `get()` itself. Rows are ns per lookup and the ratio to the local `get()` of the same
// round (a fresh pair of child processes per round), medians over rounds.

import { execFile } from "node:child_process";
import { markdownTable, measureRounds, median, type NamedSide } from "@maplemm/bench-kit/harness";
import { makeLayout, sharedQueries, sizeName } from "@maplemm/bench-kit/workloads";
import { MapleTree, SharedMapleTree } from "@maplemm/maple-tree";
import { type MapleTreeCore, mtree_load, mtree_store_range } from "@maplemm/maple-tree/kernel";
import type { SharedRcu } from "@maplemm/rcu";
import { getSide, loadSide } from "./shared-bench-lookup.js";
import { buildShared, capacityFor } from "./shared-bench-throughput.js";

const QUERIES = 1 << 16;
/** Marks the child's one result line on stdout. */
const MARK = "BREAKDOWN ";

type Kind = "local" | "shared";

interface ChildResult {
  names: string[];
  ns: number[];
}

function localSides(n: number, q: Float64Array): NamedSide[] {
  const l = makeLayout(n, 1);
  const t = new MapleTree<number>();
  for (let i = 0; i < n; i++)
    mtree_store_range(t.mt, l.starts[i] as number, l.lasts[i] as number, i);
  return [
    loadSide("local MapleTree: mtree_load", t.mt, q),
    getSide("local MapleTree: get()", t, q),
  ];
}

/** A get() with the section inlined: what the breakdown's "sketch" row measures. */
function inlinedGet(rcu: SharedRcu, t: SharedMapleTree, index: number): number | undefined {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad index ${index}`);
  const mt = t.mt;
  rcu.readLock();
  try {
    if (t.generation !== mt.generation) mt.syncFromShared();
    const e = mtree_load(mt, index);
    return e === null ? undefined : (e as number);
  } finally {
    rcu.readUnlock();
  }
}

async function sharedSides(rcu: SharedRcu, n: number, q: Float64Array): Promise<NamedSide[]> {
  const l = makeLayout(n, 1);
  const t = SharedMapleTree.create({ domain: rcu, capacity: capacityFor(n, 1 << 16) });
  await buildShared(t, rcu, l);
  const mt = t.mt;
  const all = (m: MapleTreeCore) => {
    let s = 0;
    for (let k = 0; k < q.length; k++) {
      const v = mtree_load(m, q[k] as number);
      if (v !== null) s = (s + (v as number)) | 0;
    }
    return s;
  };
  let index = 0;
  const one = (m: MapleTreeCore) => mtree_load(m, index);
  // Each row adds one step to the one before and writes its whole loop out, so what a row times
  // is exactly the steps its name lists (the rows differ in a line or two on purpose).
  return [
    { name: "shared: descent only (one read() around all)", run: () => t.read(all) },
    {
      // Reads this thread's last synced root: valid only because nothing writes in this process.
      name: "+ a read section per lookup (readLock/readUnlock)",
      run: () => {
        let s = 0;
        for (let k = 0; k < q.length; k++) {
          rcu.readLock();
          const v = mtree_load(mt, q[k] as number);
          rcu.readUnlock();
          if (v !== null) s = (s + (v as number)) | 0;
        }
        return s;
      },
    },
    {
      name: "+ version check (syncFromShared: one Atomics.load; the root only when it moved)",
      run: () => {
        let s = 0;
        for (let k = 0; k < q.length; k++) {
          rcu.readLock();
          mt.syncFromShared();
          const v = mtree_load(mt, q[k] as number);
          rcu.readUnlock();
          if (v !== null) s = (s + (v as number)) | 0;
        }
        return s;
      },
    },
    {
      name: "(for comparison) full root sync every section, no version check",
      run: () => {
        let s = 0;
        for (let k = 0; k < q.length; k++) {
          rcu.readLock();
          mt.syncedGeneration = Number.NaN;
          mt.syncFromShared();
          const v = mtree_load(mt, q[k] as number);
          rcu.readUnlock();
          if (v !== null) s = (s + (v as number)) | 0;
        }
        return s;
      },
    },
    {
      name: "read(fn) per lookup, one closure reused",
      run: () => {
        let s = 0;
        for (let k = 0; k < q.length; k++) {
          index = q[k] as number;
          const v = t.read(one);
          if (v !== null) s = (s + (v as number)) | 0;
        }
        return s;
      },
    },
    {
      // What get() could cost: the same steps with no closure per call and the version check.
      name: "sketch: get() inlined (index check, try/finally, version check, no closure)",
      run: () => {
        let s = 0;
        for (let k = 0; k < q.length; k++) {
          const v = inlinedGet(rcu, t, q[k] as number);
          if (v !== undefined) s = (s + v) | 0;
        }
        return s;
      },
    },
    {
      name: "get() as shipped",
      run: () => {
        let s = 0;
        for (let k = 0; k < q.length; k++) {
          const v = t.get(q[k] as number);
          if (v !== undefined) s = (s + v) | 0;
        }
        return s;
      },
    },
  ];
}

/** The child's side: measures one kind at one size and prints one result line. */
export async function breakdownChild(
  rcu: SharedRcu,
  spec: string,
  rounds: number,
  timeMs: number,
): Promise<void> {
  const [kind, size] = spec.split(":");
  const n = Number(size);
  const q = sharedQueries(makeLayout(n, 1), QUERIES, 2);
  const sides = kind === "local" ? localSides(n, q) : await sharedSides(rcu, n, q);
  const times = await measureRounds(`breakdown ${spec}`, sides, rounds, timeMs);
  const result: ChildResult = {
    names: sides.map((s) => s.name),
    ns: times.map((t) => (median(t) * 1e6) / QUERIES),
  };
  console.log(MARK + JSON.stringify(result));
}

function runChild(kind: Kind, n: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, process.argv[1] as string],
      { env: { ...process.env, BREAKDOWN_CHILD: `${kind}:${n}` }, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`breakdown child ${kind}:${n} failed: ${err.message}\n${stderr}`));
          return;
        }
        const line = stdout.split("\n").find((s) => s.startsWith(MARK));
        if (line === undefined) reject(new Error(`breakdown child ${kind}:${n}: no result`));
        else resolve(JSON.parse(line.slice(MARK.length)) as ChildResult);
      },
    );
  });
}

/**
 * Runs part 3 and returns its markdown table. Per size and round, a local child and a shared
 * child run back to back (one round each), and every shared step is divided by the local get()
 * of the same round, so load that hits a whole round cancels; the table keeps medians.
 */
export async function lookupBreakdown(sizes: readonly number[], rounds: number): Promise<string> {
  const head = ["step (each process one tree kind)"];
  const columns: { names: string[]; ns: number[][]; ratios: number[][] }[] = [];
  for (const n of sizes) {
    let col: (typeof columns)[number] | null = null;
    for (let r = 0; r < rounds; r++) {
      const local = await runChild("local", n);
      const shared = await runChild("shared", n);
      const ns = [...local.ns, ...shared.ns];
      col ??= {
        names: [...local.names, ...shared.names],
        ns: ns.map(() => []),
        ratios: ns.map(() => []),
      };
      const base = local.ns[1] as number;
      for (let i = 0; i < ns.length; i++) {
        (col.ns[i] as number[]).push(ns[i] as number);
        (col.ratios[i] as number[]).push((ns[i] as number) / base);
      }
    }
    if (col !== null) columns.push(col);
    head.push(`N = ${sizeName(n)} ns`, "× local get()");
  }
  const first = columns[0];
  if (first === undefined) return "";
  const rows = first.names.map((name, i) => {
    const row = [name];
    for (const c of columns) {
      row.push(
        median(c.ns[i] as number[]).toFixed(1),
        `${median(c.ratios[i] as number[]).toFixed(2)}×`,
      );
    }
    return row;
  });
  return markdownTable(head, rows);
}
