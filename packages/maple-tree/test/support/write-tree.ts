// Test support for the write side: builders and structural probes (leaves, node counts) read
// straight from the arena, and a reclaimer that holds frees until told to run them.
// Pins an internal: its probes read the arena's node words (arena.ts layout).

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  type MapleTreeCore,
  mtree_store_range,
  type TreeOptions,
} from "@maplemm/maple-tree/kernel";
import { M_END, M_PARENT, M_TYPE, META, NODE_LEAF, STRIDE } from "../../src/core/arena.js";
import { descendToLeaf } from "../../src/core/descend.js";
import { entryOf } from "../../src/core/entry-table.js";
import { MaState } from "../../src/core/state.js";

export { QueueReclaimer } from "./reclaim.js";

/** A leaf as seen from the tree: id, bounds and data end. */
export interface LeafInfo {
  node: number;
  min: number;
  max: number;
  end: number;
  parent: number;
}

/** The leaves of `mt` in index order. */
export function leaves(mt: MapleTreeCore): LeafInfo[] {
  const out: LeafInfo[] = [];
  if (mt.rootNode === 0) return out;
  const a = mt.arena;
  const walk = (node: number, min: number, max: number): void => {
    const end = a.meta[node * META + M_END];
    if (a.meta[node * META + M_TYPE] === NODE_LEAF) {
      out.push({ node, min, max, end, parent: a.meta[node * META + M_PARENT] });
      return;
    }
    let lo = min;
    for (let i = 0; i <= end; i++) {
      const hi = i < end ? a.pivots[node * STRIDE + i] : max;
      walk(a.slots[node * STRIDE + i], lo, hi);
      lo = hi + 1;
    }
  };
  walk(mt.rootNode, 0, MAX_INDEX);
  return out;
}

/** Data end of node `id`. */
export function endOf(mt: MapleTreeCore, id: number): number {
  return mt.arena.meta[id * META + M_END];
}

/** The entry at `index`, read with the shared descent (fast; no read API needed). */
export function loadAt(mt: MapleTreeCore, index: number): unknown {
  if (mt.rootNode === 0) return index === 0 ? mt.rootEntry : null;
  const h = descendToLeaf(new MaState(mt, index, index), index);
  return entryOf(mt.entries.values, h);
}

/** A tree holding value entry i over [i*step, i*step + len] for i in 0..n-1, stored in order. */
export function sequentialTree(
  n: number,
  step = 10,
  len = 5,
  flags = 0,
  options: TreeOptions = {},
): MapleTreeCore {
  const mt = DEFINE_MTREE(flags, options);
  for (let i = 0; i < n; i++) {
    if (mtree_store_range(mt, i * step, i * step + len, i) !== 0)
      throw new Error(`store ${i} failed`);
  }
  return mt;
}
