// Part 2 of the shared-tree benchmark: what a lookup costs in shared mode against the
// single-thread tree, in one process and one thread, no writer anywhere. The same 65536 random
// point lookups run on
//   - a local MapleTree: `get()` and kernel `mtree_load` (the baselines);
//   - a local tree whose arena is `shared: true` (SharedArrayBuffer node arrays, no protocol): the
//     arena's own cost, separated from the read protocol's;
//   - a SharedMapleTree: `get()` (one read section per lookup), `read()` around 64 `mtree_load`s,
//     and one `read()` around the whole run (the protocol's atomic loads without section costs);
//   - an empty read section per lookup, alone: the section floor (rcu.md §4.3).
// Target: shared <= 2x local.

import {
  markdownTable,
  measureRounds,
  median,
  medianRatio,
  type NamedSide,
  type RoundTimes,
} from "@maplemm/bench-kit/harness";
import { type Layout, makeLayout, sharedQueries, sizeName } from "@maplemm/bench-kit/workloads";
import { MapleTree, SharedMapleTree } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  type MapleTreeCore,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import type { SharedRcu } from "@maplemm/rcu";
import { buildShared, capacityFor } from "./shared-bench-throughput.js";

/** Lookups per read section in the batched side. */
const BATCH = 64;
const QUERIES = 1 << 16;

function storeLayout(mt: MapleTreeCore, l: Layout): void {
  const n = l.starts.length;
  for (let i = 0; i < n; i++) mtree_store_range(mt, l.starts[i] as number, l.lasts[i] as number, i);
}

export function loadSide(name: string, mt: MapleTreeCore, q: Float64Array): NamedSide {
  return {
    name,
    run: () => {
      let s = 0;
      for (let k = 0; k < q.length; k++) {
        const v = mtree_load(mt, q[k] as number);
        if (v !== null) s = (s + (v as number)) | 0;
      }
      return s;
    },
  };
}

export function getSide(
  name: string,
  t: { get(i: number): number | undefined },
  q: Float64Array,
): NamedSide {
  return {
    name,
    run: () => {
      let s = 0;
      for (let k = 0; k < q.length; k++) {
        const v = t.get(q[k] as number);
        if (v !== undefined) s = (s + v) | 0;
      }
      return s;
    },
  };
}

function batchSide(t: SharedMapleTree, q: Float64Array): NamedSide {
  // One closure for every section: a closure per section would allocate on the hot path.
  let at = 0;
  const body = (mt: MapleTreeCore) => {
    let s = 0;
    for (let k = at; k < at + BATCH; k++) {
      const v = mtree_load(mt, q[k] as number);
      if (v !== null) s = (s + (v as number)) | 0;
    }
    return s;
  };
  return {
    name: `shared: read() around ${BATCH} mtree_load`,
    run: () => {
      let s = 0;
      for (at = 0; at < q.length; at += BATCH) s = (s + t.read(body)) | 0;
      return s;
    },
  };
}

function wholeSide(t: SharedMapleTree, q: Float64Array): NamedSide {
  const body = (mt: MapleTreeCore) => {
    let s = 0;
    for (let k = 0; k < q.length; k++) {
      const v = mtree_load(mt, q[k] as number);
      if (v !== null) s = (s + (v as number)) | 0;
    }
    return s;
  };
  return { name: `shared: one read() around all ${QUERIES}`, run: () => t.read(body) };
}

function sectionSide(rcu: SharedRcu, q: Float64Array): NamedSide {
  return {
    name: "SharedRcu readLock+readUnlock alone (floor)",
    run: () => {
      let s = 0;
      for (let k = 0; k < q.length; k++) {
        rcu.readLock();
        s = (s + k) | 0;
        rcu.readUnlock();
      }
      return s;
    },
  };
}

/** Rows of one tree size: [side, Mlookups/s, ns/lookup, x local mtree_load, x local get()]. */
async function oneSize(
  rcu: SharedRcu,
  n: number,
  rounds: number,
  timeMs: number,
): Promise<{ rows: string[][]; times: RoundTimes; sides: NamedSide[] }> {
  const layout = makeLayout(n, 1);
  const q = sharedQueries(layout, QUERIES, 2);
  const local = new MapleTree<number>();
  storeLayout(local.mt, layout);
  const arena = DEFINE_MTREE(0, { shared: true, capacity: capacityFor(n, 1024) });
  storeLayout(arena, layout);
  const shared = SharedMapleTree.create({ domain: rcu, capacity: capacityFor(n, 1 << 16) });
  await buildShared(shared, rcu, layout);
  const sides: NamedSide[] = [
    loadSide("local MapleTree: mtree_load", local.mt, q),
    getSide("local MapleTree: get()", local, q),
    loadSide("local tree, shared: true arena: mtree_load", arena, q),
    getSide("shared: get() (a read section each)", shared, q),
    batchSide(shared, q),
    wholeSide(shared, q),
    sectionSide(rcu, q),
  ];
  // The section-alone side answers another question (its checksum is its own).
  const groups = sides.map((_, i) => (i === sides.length - 1 ? 1 : 0));
  const times = await measureRounds(`lookups N = ${sizeName(n)}`, sides, rounds, timeMs, groups);
  const rows = sides.map((side, i) => {
    const ms = median(times[i] as number[]);
    const ns = (ms * 1e6) / QUERIES;
    const vsLoad = i === 0 ? "1" : medianRatio(times, i, 0).toFixed(2);
    const vsGet = i === 1 ? "1" : medianRatio(times, i, 1).toFixed(2);
    return [
      `N = ${sizeName(n)}: ${side.name}`,
      (QUERIES / ms / 1000).toFixed(2),
      ns.toFixed(1),
      `${vsLoad}×`,
      `${vsGet}×`,
    ];
  });
  return { rows, times, sides };
}

/** Runs part 2 for every size and returns its markdown table. */
export async function lookupCost(
  rcu: SharedRcu,
  opts: { rounds: number; timeMs: number; sizes: readonly number[] },
): Promise<string> {
  const rows: string[][] = [];
  for (const n of opts.sizes) rows.push(...(await oneSize(rcu, n, opts.rounds, opts.timeMs)).rows);
  return markdownTable(
    ["tree size: lookup side", "M lookups/s", "ns/lookup", "× local mtree_load", "× local get()"],
    rows,
  );
}
