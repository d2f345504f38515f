// Test support for the write side: an in-order walk that reads a tree's ranges straight from the
// arena (independent of the read API), compared with the model of range-model.ts.
// Pins an internal: treeRanges reads the arena (arena.ts layout) so as not to trust the read API.

import { MAX_INDEX } from "@maplemm/maple-tree";
import type { MapleTreeCore } from "@maplemm/maple-tree/kernel";
import { M_END, M_TYPE, META, NODE_LEAF, STRIDE } from "../../src/core/arena.js";
import { entryOf } from "../../src/core/entry-table.js";
import type { Range, RangeModel } from "./range-model.js";
import { Rng } from "./seed.js";

export { type Range, RangeModel } from "./range-model.js";

/** Every range of `mt` in index order, NULL ranges included (an empty tree gives []). */
export function treeRanges(mt: MapleTreeCore): Range[] {
  const out: Range[] = [];
  if (mt.rootNode === 0) {
    if (mt.rootEntry !== null) out.push({ first: 0, last: 0, value: mt.rootEntry });
    return out;
  }
  const walk = (node: number, min: number, max: number): void => {
    const a = mt.arena;
    const end = a.meta[node * META + M_END];
    const leaf = a.meta[node * META + M_TYPE] === NODE_LEAF;
    let lo = min;
    for (let i = 0; i <= end; i++) {
      const hi = i < end ? a.pivots[node * STRIDE + i] : max;
      const s = a.slots[node * STRIDE + i];
      if (leaf) out.push({ first: lo, last: hi, value: entryOf(mt.entries.values, s) });
      else walk(s, lo, hi);
      lo = hi + 1;
    }
  };
  walk(mt.rootNode, 0, MAX_INDEX);
  return out;
}

/** The non-NULL ranges of `mt` in index order. */
export function treeEntries(mt: MapleTreeCore): Range[] {
  return treeRanges(mt).filter((r) => r.value !== null);
}

/** The entry at `index` read from the arena (null if none). */
export function treeLoad(mt: MapleTreeCore, index: number): unknown {
  for (const r of treeRanges(mt)) if (r.first <= index && index <= r.last) return r.value;
  return null;
}

/** Throws a readable error when the tree's non-NULL ranges differ from the model's. */
export function expectSameContents(mt: MapleTreeCore, model: RangeModel, where = ""): void {
  const got = treeEntries(mt);
  const want = model.ranges;
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const w = want[i];
    if (
      g === undefined ||
      w === undefined ||
      g.first !== w.first ||
      g.last !== w.last ||
      g.value !== w.value
    ) {
      const fmt = (r: Range | undefined): string =>
        r === undefined ? "none" : `[${r.first}-${r.last}]=${String(r.value)}`;
      throw new Error(
        `${where}: range ${i} differs: tree ${fmt(g)}, model ${fmt(w)} (tree ${got.length}, model ${want.length} ranges)`,
      );
    }
  }
}

/** A seeded `() => number` in [0, 1), so random tests replay from SEED (seed.ts's Rng). */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}
