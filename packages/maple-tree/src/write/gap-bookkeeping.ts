// Gap bookkeeping of allocation trees (MT_FLAGS_ALLOC_RANGE): every arange node keeps, per child,
// the size of the largest NULL run below it (`gaps[]`) and the offset of its largest (M_GAP), as
// the kernel's `ma_gaps` / `meta.gap` (docs/spec/maple-tree.md §1.4 "Gap tracking"). Leaves keep
// no gaps; theirs is computed when a parent needs it (kernel `mas_leaf_max_gap`).

import {
  M_END as M_END_,
  M_GAP as M_GAP_,
  M_PARENT as M_PARENT_,
  M_PSLOT as M_PSLOT_,
  M_TYPE as M_TYPE_,
  META as META_,
  NODE_LEAF as NODE_LEAF_,
  STRIDE as STRIDE_,
} from "../core/arena.js";
import type { MapleTreeCore } from "../core/tree.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
const M_END = M_END_;
const M_GAP = M_GAP_;
const M_PARENT = M_PARENT_;
const M_PSLOT = M_PSLOT_;
const M_TYPE = M_TYPE_;
const META = META_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;

/** Kernel `mas_leaf_max_gap()`: the largest NULL range (in indices) of leaf `node` on [min, max]. */
export function leafMaxGap(tree: MapleTreeCore, node: number, min: number, max: number): number {
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const base = node * STRIDE;
  const end = arena.meta[node * META + M_END];
  let best = 0;
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? pivots[base + i] : max;
    if (slots[base + i] === 0 && hi - lo + 1 > best) best = hi - lo + 1;
    lo = hi + 1;
  }
  return best;
}

/** Largest gap recorded in arange node `node`; also refreshes its M_GAP offset. */
function refreshMaxGap(tree: MapleTreeCore, node: number): number {
  const arena = tree.arena;
  const gaps = arena.gaps as Float64Array;
  const base = node * STRIDE;
  const end = arena.meta[node * META + M_END];
  let best = 0;
  let off = 0;
  for (let i = 0; i <= end; i++) {
    if (gaps[base + i] > best) {
      best = gaps[base + i];
      off = i;
    }
  }
  arena.meta[node * META + M_GAP] = off;
  return best;
}

/** The largest gap below node `node` on [min, max] (computed for a leaf, recorded otherwise). */
export function nodeGap(tree: MapleTreeCore, node: number, min: number, max: number): number {
  if (tree.arena.meta[node * META + M_TYPE] === NODE_LEAF) return leafMaxGap(tree, node, min, max);
  return refreshMaxGap(tree, node);
}

/**
 * Recomputes the gaps of `node` (on [min, max]) from its children, then, unless `onlyNode`,
 * carries the change up through the parents until a recorded gap is already right (kernel
 * `mas_update_gap` / `mas_parent_gap`). No-op for trees without gaps.
 */
export function updateGapsFrom(
  tree: MapleTreeCore,
  node: number,
  min: number,
  max: number,
  onlyNode = false,
): void {
  const arena = tree.arena;
  const gaps = arena.gaps;
  if (gaps === null) return;
  const meta = arena.meta;
  const pivots = arena.pivots;
  let g: number;
  if (meta[node * META + M_TYPE] === NODE_LEAF) {
    g = leafMaxGap(tree, node, min, max);
  } else {
    const base = node * STRIDE;
    const end = meta[node * META + M_END];
    let lo = min;
    for (let i = 0; i <= end; i++) {
      const hi = i < end ? pivots[base + i] : max;
      gaps[base + i] = nodeGap(tree, arena.slots[base + i], lo, hi);
      lo = hi + 1;
    }
    for (let i = end + 1; i < STRIDE; i++) gaps[base + i] = 0;
    g = refreshMaxGap(tree, node);
  }
  if (onlyNode) return;
  let child = node;
  let parent = meta[child * META + M_PARENT];
  while (parent !== 0) {
    const at = parent * STRIDE + meta[child * META + M_PSLOT];
    if (gaps[at] === g) return;
    gaps[at] = g;
    g = refreshMaxGap(tree, parent);
    child = parent;
    parent = meta[child * META + M_PARENT];
  }
}
