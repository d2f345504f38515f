// Iteration: the advanced API's mas_for_each / mas_for_each_rev as generators, and the normal
// API's reads that manage their own state: mt_find, mt_find_after, mt_next, mt_prev and the
// mt_for_each generator (docs/spec/maple-tree.md §3, api.md "Kernel layer"). The normal API hides
// XA_ZERO_ENTRY; the advanced API returns it raw.

import {
  isIndex as isIndex_,
  MAX_INDEX as MAX_INDEX_,
  XA_ZERO_ENTRY as XA_ZERO_ENTRY_,
} from "../core/index-space.js";
import { MaState, mas_set } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { mas_find as mas_find_, mas_find_rev as mas_find_rev_ } from "./find.js";
import { mas_next } from "./next.js";
import { mas_prev } from "./prev.js";
import {
  nextSlot as nextSlot_,
  positionFresh as positionFresh_,
  type RangeVisitor,
  scanRanges as scanRanges_,
} from "./step.js";
import {
  borrowReadState as borrowReadState_,
  rangeWalk as rangeWalk_,
  releaseReadState as releaseReadState_,
  stateWalk as stateWalk_,
} from "./walk.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const isIndex = isIndex_;
const MAX_INDEX = MAX_INDEX_;
const XA_ZERO_ENTRY = XA_ZERO_ENTRY_;
const mas_find = mas_find_;
const mas_find_rev = mas_find_rev_;
const nextSlot = nextSlot_;
const positionFresh = positionFresh_;
const scanRanges = scanRanges_;
const borrowReadState = borrowReadState_;
const rangeWalk = rangeWalk_;
const releaseReadState = releaseReadState_;
const stateWalk = stateWalk_;

/** An out-parameter box, the port of a C `unsigned long *` argument (api.md). */
export interface Ref<T> {
  value: T;
}

/**
 * Kernel `mas_for_each(mas, entry, max)`: yields `mas_find(mas, max)` until it returns null.
 * While the body runs, `mas.index`/`mas.last` are the yielded entry's range. XA_ZERO_ENTRY is
 * yielded, not a stop. A non-RCU tree written during the loop needs the caller to `mas_pause`.
 */
export function* mas_for_each(mas: MaState, max: number): Generator<unknown, void, undefined> {
  for (;;) {
    const entry = mas_find(mas, max);
    if (entry === null) return;
    yield entry;
  }
}

/** Kernel `mas_for_each_rev(mas, entry, min)`: yields `mas_find_rev(mas, min)` until null. */
export function* mas_for_each_rev(mas: MaState, min: number): Generator<unknown, void, undefined> {
  for (;;) {
    const entry = mas_find_rev(mas, min);
    if (entry === null) return;
    yield entry;
  }
}

/**
 * Kernel `mt_find()`: the first entry at or after `indexp.value` in a range starting at or below
 * `max`; the range holding `indexp.value` counts even when it starts before it. NULL ranges and
 * XA_ZERO_ENTRY are skipped. On success `indexp.value` becomes one past the range's last index
 * (0 after MAX_INDEX); on failure it is left alone. Returns null at once when
 * `indexp.value > max`, and for an index or `max` that is not an integer in `0..MAX_INDEX`.
 */
export function mt_find(mt: MapleTreeCore, indexp: Ref<number>, max: number): unknown {
  const start = indexp.value;
  if (!isIndex(start) || !isIndex(max) || start > max) return null;
  const mas = borrowReadState(mt, start);
  const entry = findFrom(mas, max);
  if (entry !== null) indexp.value = mas.last === MAX_INDEX ? 0 : mas.last + 1;
  releaseReadState(mas);
  return entry;
}

/** The body of mt_find on a state at status start: walk, then step over NULL and ZERO ranges. */
function findFrom(mas: MaState, max: number): unknown {
  const entry = stateWalk(mas);
  if (entry !== null && entry !== XA_ZERO_ENTRY) return entry;
  return findOnward(mas, max);
}

/** mt_find's forward loop from a positioned state: the next real entry starting at or below max. */
function findOnward(mas: MaState, max: number): unknown {
  while (mas.status === "active" && mas.last < max) {
    const entry = nextSlot(mas, max, false);
    if (entry !== null && entry !== XA_ZERO_ENTRY) return entry;
  }
  return null;
}

/**
 * Kernel `mt_find_after()`: null when `indexp.value` is 0 (how a loop whose index wrapped past
 * MAX_INDEX stops), else {@link mt_find}.
 */
export function mt_find_after(mt: MapleTreeCore, indexp: Ref<number>, max: number): unknown {
  if (indexp.value === 0) return null;
  return mt_find(mt, indexp, max);
}

/**
 * Kernel `mt_next()`: the first non-NULL entry after the range that contains `index`, in a range
 * starting at or below `max` (`mas_next` on a fresh state). Returns XA_ZERO_ENTRY raw, like the
 * kernel. Bad arguments give null.
 */
export function mt_next(mt: MapleTreeCore, index: number, max: number): unknown {
  return oneStep(mt, index, max, true);
}

/**
 * Kernel `mt_prev()`: the first non-NULL entry before the range that contains `index`, in a
 * range ending at or above `min` (`mas_prev` on a fresh state). Bad arguments give null.
 */
export function mt_prev(mt: MapleTreeCore, index: number, min: number): unknown {
  return oneStep(mt, index, min, false);
}

/**
 * mt_next / mt_prev: one mas_next (`forward`) or mas_prev on the tree's borrowed read state. A
 * flag, not the step function as an argument: each caller passes a constant, so both calls stay
 * direct (mm's vma-tree calls mt_prev per lookup).
 */
function oneStep(mt: MapleTreeCore, index: number, limit: number, forward: boolean): unknown {
  if (!isIndex(index) || !isIndex(limit)) return null;
  const mas = borrowReadState(mt, index);
  const entry = forward ? mas_next(mas, limit) : mas_prev(mas, limit);
  releaseReadState(mas);
  return entry;
}

/**
 * Kernel `mt_for_each(mt, entry, index, max)`: yields `[entry, index]` for every entry from
 * `start` up to ranges starting at or below `max`, skipping XA_ZERO_ENTRY, where `index` is what
 * the C loop variable holds in the body: one past the entry's last index (0 after MAX_INDEX).
 * Each step is an independent `mt_find`, so writes between steps are safe.
 */
export function* mt_for_each(
  mt: MapleTreeCore,
  start: number,
  max: number,
): Generator<[unknown, number], void, undefined> {
  if (!isIndex(start) || !isIndex(max) || start > max) return;
  // The kernel runs a fresh mt_find per step (O(height)). A private state that follows the loop
  // gives the same answers in O(1) per step while the tree is unchanged; after any write (or a
  // node death) the step is a fresh mt_find from the loop index, exactly as in the kernel.
  const mas = new MaState(mt, start, start);
  let entry = findFrom(mas, max);
  while (entry !== null) {
    const index = mas.last === MAX_INDEX ? 0 : mas.last + 1;
    yield [entry, index];
    // mt_find_after stops on a wrapped index; mt_find on an index beyond max.
    if (index === 0 || index > max) return;
    if (mas.status === "active" && positionFresh(mas)) {
      entry = findOnward(mas, max);
    } else {
      mas_set(mas, index);
      entry = findFrom(mas, max);
    }
  }
}

/**
 * Not a kernel function: the allocation-free bulk form of {@link mt_for_each} for callers that
 * want speed (the idiomatic layer). Calls `fn(entry, first, last)` for every range holding a real
 * entry (XA_ZERO_ENTRY skipped) from the one containing `start` up to the last one starting at or
 * below `max`; `fn` returning `false` stops the scan. Writes from `fn` are allowed: the scan then
 * continues as mt_find from one past the range just reported. Bad arguments visit nothing.
 */
export function mt_for_each_range(
  mt: MapleTreeCore,
  start: number,
  max: number,
  fn: RangeVisitor,
): void {
  if (!isIndex(start) || !isIndex(max) || start > max) return;
  if (mt.rootNode === 0) {
    const root = mt.rootEntry;
    if (start === 0 && root !== null && root !== XA_ZERO_ENTRY) fn(root, 0, 0);
    return;
  }
  const mas = new MaState(mt, start, start);
  rangeWalk(mas, start);
  scanRanges(mas, max, fn);
}
