// Gap metadata of allocation trees as the kernel keeps it: a node built from a big node records
// its children's largest gaps and the offset of the largest (`mab_mas_cp`: ties go to the highest
// offset, 0 when every gap is 0); a change below is carried up one parent at a time, moving the
// recorded offset only when it must (`mas_update_gap`, `mas_parent_gap`, `ma_max_gap`). The
// offset is history-dependent, so it is kept by the same rules, not recomputed.

import { M_END, M_GAP, M_PARENT, M_PSLOT, M_TYPE, META, NODE_LEAF, STRIDE } from "../core/arena.js";
import type { MapleTreeCore } from "../core/tree.js";
import { leafMaxGap } from "./gap-bookkeeping.js";

/** Kernel `mas_max_gap()`: a leaf's largest gap, or an internal node's recorded one. */
export function maxGapOf(tree: MapleTreeCore, node: number, min: number, max: number): number {
  const meta = tree.arena.meta;
  if (meta[node * META + M_TYPE] === NODE_LEAF) return leafMaxGap(tree, node, min, max);
  return (tree.arena.gaps as Float64Array)[node * STRIDE + meta[node * META + M_GAP]];
}

/**
 * The gaps of internal node `node` on [min, max], freshly built (kernel `mab_mas_cp` with
 * `mab_set_b_end` / `mas_mab_cp` having filled the big node's gaps from the children).
 */
export function freshGaps(tree: MapleTreeCore, node: number, min: number, max: number): void {
  const arena = tree.arena;
  const gaps = arena.gaps;
  if (gaps === null) return;
  const meta = arena.meta;
  const base = node * STRIDE;
  const end = meta[node * META + M_END];
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? arena.pivots[base + i] : max;
    gaps[base + i] = maxGapOf(tree, arena.slots[base + i], lo, hi);
    lo = hi + 1;
  }
  for (let i = end + 1; i < STRIDE; i++) gaps[base + i] = 0;
  let best = 0;
  let off = 0;
  for (let j = end; j >= 0; j--) {
    if (gaps[base + j] > best) {
      best = gaps[base + j];
      off = j;
    }
  }
  meta[node * META + M_GAP] = off;
}

/** Kernel `ma_max_gap()`: the largest gap of `node` and (in `meta`) its offset, highest first. */
function maMaxGap(gaps: Float64Array, meta: Int32Array, node: number): number {
  const base = node * STRIDE;
  const end = meta[node * META + M_END];
  let best = 0;
  let off = end;
  for (let i = end; i >= 0; i--) {
    if (gaps[base + i] > best) {
      best = gaps[base + i];
      off = i;
    }
  }
  meta[node * META + M_GAP] = off;
  return best;
}

/** Kernel `mas_parent_gap()`: child `offset` of `parent` now has largest gap `g`; carry it up. */
function parentGap(tree: MapleTreeCore, parent: number, offset: number, g: number): void {
  const gaps = tree.arena.gaps as Float64Array;
  const meta = tree.arena.meta;
  let p = parent;
  let off = offset;
  let value = g;
  for (;;) {
    const metaOff = meta[p * META + M_GAP];
    const metaGap = gaps[p * STRIDE + metaOff];
    gaps[p * STRIDE + off] = value;
    if (metaGap === value) return;
    if (off !== metaOff) {
      if (metaGap > value) return;
      meta[p * META + M_GAP] = off;
    } else if (value < metaGap) {
      value = maMaxGap(gaps, meta, p);
    }
    const up = meta[p * META + M_PARENT];
    if (up === 0) return;
    off = meta[p * META + M_PSLOT];
    p = up;
  }
}

/**
 * Kernel `mas_update_gap()`: node `node` on [min, max] changed; if its largest gap differs from
 * what its parent records, carry the change up.
 */
export function updateGap(tree: MapleTreeCore, node: number, min: number, max: number): void {
  const gaps = tree.arena.gaps;
  if (gaps === null) return;
  const meta = tree.arena.meta;
  const parent = meta[node * META + M_PARENT];
  if (parent === 0) return;
  const g = maxGapOf(tree, node, min, max);
  const ps = meta[node * META + M_PSLOT];
  if (gaps[parent * STRIDE + ps] !== g) parentGap(tree, parent, ps, g);
}
