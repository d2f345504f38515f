// Read-side benchmarks (vitest bench): point loads and the iteration paths of both faces, on one
// VMA-like layout of 1e5 ranges, each against sorted-btree doing the same. The comparison table
// with ratios over rounds is bench/report.ts; this file is for quick profiling of one path.
//
// Run: pnpm vitest bench --run --project @maplemm/maple-tree bench/reads.bench.ts

import { makeLayout, queries } from "@maplemm/bench-kit/workloads";
import sortedBtree from "sorted-btree";
import { bench, describe } from "vitest";
import { MAX_INDEX } from "../src/core/index-space.js";
import { MA_STATE } from "../src/core/state.js";
import { MapleTree } from "../src/face/maple-tree.js";
import { mas_find } from "../src/read/find.js";
import { mt_for_each_range } from "../src/read/iterate.js";
import { mtree_load } from "../src/read/walk.js";
import { mtree_store_range } from "../src/write/normal.js";

// sorted-btree is CommonJS with `exports.default = BTree`: Node's ESM loader gives the exports
// object as the default import, Vite's interop (vitest) gives BTree itself.
const BTree = ((sortedBtree as unknown as { default?: unknown }).default ??
  sortedBtree) as typeof sortedBtree.default;
interface SbRange {
  last: number;
  value: number;
}

const N = 1e5;
const layout = makeLayout(N, 3);
const q = queries(layout, 1 << 14, 2);
const tree = new MapleTree<number>();
const sb = new BTree<number, SbRange>(undefined, (a, b) => a - b);
const pair: [number, SbRange] = [0, { last: 0, value: 0 }];
/** sorted-btree as a range map: the floor pair, if its range holds `i`. */
function sbGet(i: number): number | undefined {
  const p = sb.getPairOrNextLower(i, pair);
  return p && p[1].last >= i ? p[1].value : undefined;
}
for (let i = 0; i < N; i++) {
  mtree_store_range(tree.mt, layout.starts[i] as number, layout.lasts[i] as number, i);
  sb.set(layout.starts[i] as number, { last: layout.lasts[i] as number, value: i });
}

describe("point load, random index, N = 1e5", () => {
  bench("mtree_load", () => {
    let sum = 0;
    for (let k = 0; k < q.length; k++) {
      const v = mtree_load(tree.mt, q[k] as number);
      if (v !== null) sum += v as number;
    }
    if (sum < 0) throw new Error("unreachable");
  });
  bench("sorted-btree getPairOrNextLower", () => {
    let sum = 0;
    for (let k = 0; k < q.length; k++) {
      const v = sbGet(q[k] as number);
      if (v !== undefined) sum += v;
    }
    if (sum < 0) throw new Error("unreachable");
  });
});

describe("full ordered iteration, N = 1e5", () => {
  bench("MapleTree.forEach", () => {
    let sum = 0;
    tree.forEach((v, first) => {
      sum += v + first;
    });
    if (sum < 0) throw new Error("unreachable");
  });
  bench("mt_for_each_range", () => {
    let sum = 0;
    mt_for_each_range(tree.mt, 0, MAX_INDEX, (v, first) => {
      sum += (v as number) + first;
    });
    if (sum < 0) throw new Error("unreachable");
  });
  bench("mas_find loop", () => {
    let sum = 0;
    const mas = MA_STATE(tree.mt, 0, 0);
    for (let v = mas_find(mas, MAX_INDEX); v !== null; v = mas_find(mas, MAX_INDEX)) {
      sum += (v as number) + mas.index;
    }
    if (sum < 0) throw new Error("unreachable");
  });
  bench("MapleTree for-of", () => {
    let sum = 0;
    for (const e of tree) sum += e.value + e.first;
    if (sum < 0) throw new Error("unreachable");
  });
  bench("MapleTree.entriesReverse", () => {
    let sum = 0;
    for (const e of tree.entriesReverse()) sum += e.value + e.first;
    if (sum < 0) throw new Error("unreachable");
  });
  bench("sorted-btree forEachPair", () => {
    let sum = 0;
    sb.forEachPair((k, v) => {
      sum += v.value + k;
    });
    if (sum < 0) throw new Error("unreachable");
  });
  bench("sorted-btree entries()", () => {
    let sum = 0;
    for (const [k, v] of sb.entries()) sum += v.value + k;
    if (sum < 0) throw new Error("unreachable");
  });
});
