// Gap search and the allocators built on it (kernel mas_empty_area, mas_empty_area_rev,
// mtree_alloc_range, mtree_alloc_rrange, mas_alloc_cyclic, mtree_alloc_cyclic;
// docs/spec/maple-tree.md §2, §3, §4.6).
//
// A "gap" is a NULL range. In an allocation tree every arange internal node records, per child,
// the largest gap below it (`arena.gaps`, kept by the write side in write/gap-bookkeeping.ts), so a search only
// enters children whose largest gap is big enough: the lowest (highest) window of `size` indices in
// [min, max] is found in O(log n). Only the children holding `min` (or `max`) can disappoint, since
// their gap may lie outside the window; every other child entered is sure to hold an answer.
// On a tree without gap words (flags 0) the same search enters every child: correct but O(n),
// which is why the kernel (and our allocators) require MT_FLAGS_ALLOC_RANGE.

import {
  M_END as M_END_,
  M_TYPE as M_TYPE_,
  META as META_,
  NODE_LEAF as NODE_LEAF_,
  STRIDE as STRIDE_,
} from "../core/arena.js";
import { slotMax, slotMin } from "../core/descend.js";
import { EBUSY, EINVAL } from "../core/errors.js";
import { isIndex, MAX_INDEX, mt_is_reserved } from "../core/index-space.js";
import { MA_STATE, type MaState, mas_reset, mas_set_err } from "../core/state.js";
import { type MapleTreeCore, MT_FLAGS_ALLOC_WRAPPED } from "../core/tree.js";
import { mas_destroy, mas_insert, mas_nomem } from "../write/advanced.js";
import { GFP_KERNEL, type Gfp } from "../write/alloc.js";
import type { Ref } from "./iterate.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const M_END = M_END_;
const M_TYPE = M_TYPE_;
const META = META_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;

/**
 * Positions `mas` on leaf slot `off` of `node` (bounds [min, max], data end `end`), as
 * descendToLeaf would for an index inside that slot: the window the search found lies there.
 */
function foundAt(mas: MaState, node: number, min: number, max: number, off: number, end: number) {
  mas.node = node;
  mas.min = min;
  mas.max = max;
  mas.offset = off;
  mas.end = end;
}

/**
 * Lowest NULL slot of the subtree of `node` (bounds [min, max], `level` 1 for a leaf) holding
 * `size` indices of [from, to]. On success positions `mas` on it (foundAt) with `mas.index` the
 * window's first index. The recursion keeps each level's bounds on the stack and allocates nothing.
 * Mirror of {@link highest}, kept apart: one search with a direction flag measured 5-11 % slower
 * on the lowest-gap workload (docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
 */
function lowest(
  mas: MaState,
  node: number,
  min: number,
  max: number,
  level: number,
  from: number,
  to: number,
  size: number,
): boolean {
  const arena = mas.tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const gaps = arena.gaps;
  const base = node * STRIDE;
  const leaf = level === 1;
  const end = arena.meta[node * META + M_END];
  // The node's slot line (and gap line) are loaded before the pivot scan, so their cache misses
  // overlap with the meta and pivot ones (docs/reports/2026-12-08-read-speed.md "Lowest gap").
  const slot0 = slots[base];
  const gap0 = gaps === null ? 0 : gaps[base];
  let off = 0;
  while (off < end && pivots[base + off] < from) off++;
  let lo = off > 0 ? pivots[base + off - 1] + 1 : min;
  for (; off <= end; off++) {
    if (lo > to) return false;
    const hi = off < end ? pivots[base + off] : max;
    const slot = off === 0 ? slot0 : slots[base + off];
    if (leaf) {
      if (slot === 0) {
        const s = Math.max(lo, from);
        const e = Math.min(hi, to);
        if (e >= s && e - s + 1 >= size) {
          foundAt(mas, node, min, max, off, end);
          mas.index = s;
          return true;
        }
      }
    } else if (
      (gaps === null || (off === 0 ? gap0 : gaps[base + off]) >= size) &&
      lowest(mas, slot, lo, hi, level - 1, from, to, size)
    ) {
      return true;
    }
    lo = hi + 1;
  }
  return false;
}

/**
 * Highest NULL slot of the subtree of `node` holding `size` indices of [from, to]; as
 * {@link lowest}, with `mas.last` the window's last index. Mirror of {@link lowest}, kept apart
 * for the speed measured there.
 */
function highest(
  mas: MaState,
  node: number,
  min: number,
  max: number,
  level: number,
  from: number,
  to: number,
  size: number,
): boolean {
  const arena = mas.tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const gaps = arena.gaps;
  const base = node * STRIDE;
  const leaf = level === 1;
  const end = arena.meta[node * META + M_END];
  // The node's slot line (and gap line) are loaded before the pivot scan, so their cache misses
  // overlap with the meta and pivot ones (docs/reports/2026-12-08-read-speed.md "Lowest gap").
  const slot0 = slots[base];
  const gap0 = gaps === null ? 0 : gaps[base];
  let off = 0;
  while (off < end && pivots[base + off] < to) off++;
  let hi = off < end ? pivots[base + off] : max;
  for (; off >= 0; off--) {
    if (hi < from) return false;
    const lo = off > 0 ? pivots[base + off - 1] + 1 : min;
    const slot = off === 0 ? slot0 : slots[base + off];
    if (leaf) {
      if (slot === 0) {
        const s = Math.max(lo, from);
        const e = Math.min(hi, to);
        if (e >= s && e - s + 1 >= size) {
          foundAt(mas, node, min, max, off, end);
          mas.last = e;
          return true;
        }
      }
    } else if (
      (gaps === null || (off === 0 ? gap0 : gaps[base + off]) >= size) &&
      highest(mas, slot, lo, hi, level - 1, from, to, size)
    ) {
      return true;
    }
    hi = lo - 1;
  }
  return false;
}

/** The kernel's argument checks of mas_empty_area(_rev): 0 when fine, else -EINVAL. */
function areaArgs(min: unknown, max: unknown, size: unknown): number {
  if (!isIndex(min) || !isIndex(max) || !isIndex(size)) return -EINVAL;
  if (min > max || size === 0 || max - min < size - 1) return -EINVAL;
  return 0;
}

/**
 * Kernel `mas_sparse_area()`: the answer for a tree without nodes. An empty tree is one big gap;
 * a direct root entry occupies index 0, so `min` 0 becomes 1 (-EBUSY if the window no longer fits).
 */
function sparseArea(mas: MaState, min: number, max: number, size: number, fwd: boolean): number {
  const tree = mas.tree;
  let lo = min;
  if (tree.rootEntry !== null) {
    mas.status = "root";
    if (lo === 0) {
      lo = 1;
      if (lo > max || max - lo < size - 1) return -EBUSY;
    }
  } else {
    mas.status = "none";
  }
  mas.node = 0;
  if (fwd) {
    mas.index = lo;
    mas.last = lo + size - 1;
  } else {
    mas.last = max;
    mas.index = max - size + 1;
  }
  return 0;
}

function searchTree(mas: MaState, min: number, max: number, size: number, fwd: boolean): number {
  const tree = mas.tree;
  const height = tree.height;
  const ok = fwd
    ? lowest(mas, tree.rootNode, 0, MAX_INDEX, height, min, max, size)
    : highest(mas, tree.rootNode, 0, MAX_INDEX, height, min, max, size);
  if (!ok) {
    mas_set_err(mas, -EBUSY);
    return -EBUSY;
  }
  // Positioned exactly as descendToLeaf(mas, mas.index) would be: the window lies in the slot
  // `lowest`/`highest` stopped at, on a leaf (all leaves are at depth height - 1).
  mas.status = "active";
  mas.depth = height - 1;
  mas.err = 0;
  mas.generation = tree.generation;
  if (fwd) mas.last = mas.index + size - 1;
  else mas.index = mas.last - size + 1;
  return 0;
}

/**
 * Is `mas` positioned on a leaf of its tree that no write has changed since (status "active")?
 * Then a gap search resumes from there, as the kernel's does from any status but start.
 */
function resumable(mas: MaState): boolean {
  const tree = mas.tree;
  const node = mas.node;
  return (
    mas.status === "active" &&
    node !== 0 &&
    mas.generation === tree.generation &&
    node < tree.arena.top &&
    tree.arena.meta[node * META + M_TYPE] === NODE_LEAF &&
    tree.nodeLive(node)
  );
}

/**
 * Kernel `mas_empty_area()`: finds the lowest window of `size` empty indices inside [min, max].
 * Returns 0 with `mas.index`/`mas.last` the window (status "active" on the leaf holding it;
 * "none"/"root" for a tree without nodes), -EBUSY when there is none (state in error), or -EINVAL
 * (`min > max`, `size` 0, `max - min < size - 1`, or a non-index argument; the state is untouched).
 * From status start (and pause, none, root, error, overflow, underflow) it searches all of
 * [min, max]; from an active state it resumes as the kernel's does, at slot `offset - 2` of the
 * current leaf (or after the leaf when `offset < 2`), so windows below that are not considered:
 * call `mas_reset` / `mas_set` first for a fresh search. O(log n) on allocation trees
 * (MT_FLAGS_ALLOC_RANGE), O(n) on others.
 */
export function mas_empty_area(mas: MaState, min: number, max: number, size: number): number {
  // Mirrors mas_empty_area_rev as the kernel's two functions do: the shared steps are areaArgs,
  // sparseArea and searchTree; what is left differs in the resume point of each direction.
  const bad = areaArgs(min, max, size);
  if (bad !== 0) return bad;
  if (mas.tree.rootNode === 0) return sparseArea(mas, min, max, size, true);
  let lo = min;
  if (resumable(mas)) {
    // The kernel continues its walk there (mas->offset -= 2, else mas_skip_node).
    const from =
      mas.offset >= 2
        ? slotMin(mas.tree.arena.pivots, mas.node, mas.offset - 2, mas.min)
        : mas.max === MAX_INDEX
          ? -1
          : mas.max + 1;
    if (from < 0 || from > max || max - Math.max(from, min) < size - 1) {
      mas_set_err(mas, -EBUSY);
      return -EBUSY;
    }
    lo = Math.max(from, min);
  }
  return searchTree(mas, lo, max, size, true);
}

/**
 * Kernel `mas_empty_area_rev()`: finds the highest window of `size` empty indices inside
 * [min, max] (`last` as high as possible). Returns and positions as {@link mas_empty_area}.
 * From an active state it resumes below the current position, at slot `offset - 2` of the current
 * leaf (or below the leaf when `offset < 2`): repeated calls without a reset visit the windows
 * downwards, one gap at a time.
 */
export function mas_empty_area_rev(mas: MaState, min: number, max: number, size: number): number {
  // The mirror of mas_empty_area (see there).
  const bad = areaArgs(min, max, size);
  if (bad !== 0) return bad;
  if (mas.tree.rootNode === 0) return sparseArea(mas, min, max, size, false);
  let hi = max;
  if (resumable(mas)) {
    // The kernel continues its walk there (mas->offset -= 2, else mas_rewind_node).
    const to =
      mas.offset >= 2
        ? slotMax(mas.tree.arena.pivots, mas.node, mas.offset - 2, mas.end, mas.max)
        : mas.min - 1;
    if (to < min || Math.min(to, max) - min < size - 1) {
      mas_set_err(mas, -EBUSY);
      return -EBUSY;
    }
    hi = Math.min(to, max);
  }
  return searchTree(mas, min, hi, size, false);
}

/** Options of `findGap` and `allocate` on both faces (`MapleTree`, `SharedMapleTree`). */
export interface GapOptions {
  /** Lowest index the window may use. Default 0. */
  min?: number;
  /** Highest index the window may use. Default MAX_INDEX. */
  max?: number;
  /** Take the highest window (kernel `mas_empty_area_rev`) instead of the lowest. Default false. */
  highest?: boolean;
}

function allocArgs(mt: MapleTreeCore, entry: unknown): boolean {
  return mt.isAlloc && entry !== undefined && !mt_is_reserved(entry);
}

function allocRange(
  mt: MapleTreeCore,
  startp: Ref<number>,
  entry: unknown,
  size: number,
  min: number,
  max: number,
  gfp: Gfp,
  fwd: boolean,
): number {
  if (!allocArgs(mt, entry)) return -EINVAL;
  const bad = areaArgs(min, max, size);
  if (bad !== 0) return bad;
  const mas = MA_STATE(mt, min, min);
  const held = mt.locked;
  mt.locked = true;
  let ret: number;
  for (;;) {
    // The search runs again after mas_nomem: in the kernel it may have dropped the lock.
    ret = fwd ? mas_empty_area(mas, min, max, size) : mas_empty_area_rev(mas, min, max, size);
    if (ret !== 0) break;
    mas_insert(mas, entry);
    if (mas_nomem(mas, gfp)) continue;
    if (mas.status === "error") ret = mas.err;
    else startp.value = mas.index;
    break;
  }
  mt.locked = held;
  mas_destroy(mas);
  return ret;
}

/**
 * Kernel `mtree_alloc_range()`: stores `entry` in the lowest window of `size` empty indices inside
 * [min, max] and sets `startp.value` to its first index. Returns 0, -EBUSY (no window), -EINVAL
 * (not an allocation tree, `entry` undefined or reserved, bad min/max/size) or -ENOMEM; on an
 * error nothing changes and `startp` is untouched.
 */
export function mtree_alloc_range(
  mt: MapleTreeCore,
  startp: Ref<number>,
  entry: unknown,
  size: number,
  min: number,
  max: number,
  gfp: Gfp = GFP_KERNEL,
): number {
  // The kernel's signature, twice (mtree_alloc_rrange); the body is the shared allocRange.
  return allocRange(mt, startp, entry, size, min, max, gfp, true);
}

/**
 * Kernel `mtree_alloc_rrange()`: as {@link mtree_alloc_range}, but the highest window (its last
 * index as high as possible, at most `max`).
 */
export function mtree_alloc_rrange(
  mt: MapleTreeCore,
  startp: Ref<number>,
  entry: unknown,
  size: number,
  min: number,
  max: number,
  gfp: Gfp = GFP_KERNEL,
): number {
  // The kernel's signature, twice (mtree_alloc_range); the body is the shared allocRange.
  return allocRange(mt, startp, entry, size, min, max, gfp, false);
}

/**
 * Kernel `mas_alloc_cyclic()`: stores `entry` at the first empty index at or above
 * `max(range_lo, next.value)` and at most `range_hi`, wrapping to search from `range_lo` when
 * there is none. Sets `startp.value` to the index and `next.value` to the one after it; when that
 * wraps past MAX_INDEX to 0, sets MT_FLAGS_ALLOC_WRAPPED. Returns 0, 1 (the search wrapped, or
 * this is the first allocation since the flag was set, which clears it), -EBUSY, -EINVAL or
 * -ENOMEM. The caller holds the lock; the tree must be an allocation tree.
 */
export function mas_alloc_cyclic(
  mas: MaState,
  startp: Ref<number>,
  entry: unknown,
  range_lo: number,
  range_hi: number,
  next: Ref<number>,
  gfp: Gfp = GFP_KERNEL,
): number {
  const mt = mas.tree;
  if (!allocArgs(mt, entry) || !isIndex(next.value)) return -EINVAL;
  const bad = areaArgs(range_lo, range_hi, 1);
  if (bad !== 0) return bad;
  const from = Math.max(range_lo, next.value);
  mas_reset(mas);
  let ret = mas_empty_area(mas, from, range_hi, 1);
  if (ret === 0 && (mt.flags & MT_FLAGS_ALLOC_WRAPPED) !== 0) {
    mt.flags &= ~MT_FLAGS_ALLOC_WRAPPED;
    ret = 1;
  }
  if (ret < 0 && from > range_lo) {
    mas_reset(mas);
    ret = mas_empty_area(mas, range_lo, range_hi, 1);
    if (ret === 0) ret = 1;
  }
  if (ret < 0) return ret;
  const index = mas.index;
  for (;;) {
    mas_insert(mas, entry);
    if (!mas_nomem(mas, gfp)) break;
    mas.index = index;
    mas.last = index;
  }
  mas_destroy(mas);
  if (mas.status === "error") return mas.err;
  startp.value = index;
  if (index === MAX_INDEX) {
    next.value = 0;
    mt.flags |= MT_FLAGS_ALLOC_WRAPPED;
  } else {
    next.value = index + 1;
  }
  return ret;
}

/** Kernel `mtree_alloc_cyclic()`: {@link mas_alloc_cyclic} under the tree lock. */
export function mtree_alloc_cyclic(
  mt: MapleTreeCore,
  startp: Ref<number>,
  entry: unknown,
  range_lo: number,
  range_hi: number,
  next: Ref<number>,
  gfp: Gfp = GFP_KERNEL,
): number {
  const mas = MA_STATE(mt, range_lo, range_lo);
  const held = mt.locked;
  mt.locked = true;
  const ret = mas_alloc_cyclic(mas, startp, entry, range_lo, range_hi, next, gfp);
  mt.locked = held;
  return ret;
}
