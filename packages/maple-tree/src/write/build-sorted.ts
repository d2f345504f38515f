// Building a tree from a list of ranges at once (`MapleTree.from`). Sorted, non-overlapping input
// is built directly, bottom-up, with no walk per entry: the slots (each range, and a NULL slot for
// each hole between ranges) are laid out in order, cut into leaves of equal fill (never ending a
// leaf but the last in NULL), and each level of parents is cut the same way from the level below,
// with pivots, parent links and, in allocation trees, the largest-gap words. Any other input is
// stored range by range in the given order (`mtree_store_range`: later ranges overwrite earlier
// ones). Bad input throws before anything is built.

import {
  M_END,
  M_GAP,
  M_PARENT,
  M_PSLOT,
  META,
  NODE_ARANGE,
  NODE_LEAF,
  NODE_RANGE,
  type NodeArena,
  RANGE64_SLOTS,
  STRIDE,
  slotsOf,
} from "../core/arena.js";
import { ENOMEM, MapleError } from "../core/errors.js";
import { describeValue, isIndex, MAX_INDEX } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";
import { checkIndex, checkValue, fail } from "../face/args.js";
import { mtree_store_range } from "./normal.js";

/** One range of the input of {@link mt_build}. */
export interface RangeInput<T> {
  readonly first: number;
  readonly last: number;
  readonly value: T;
}

/**
 * Checks every element of `ranges` (an object with integer `first <= last` in 0..MAX_INDEX and a
 * `value` that is neither null nor undefined), throwing `MapleError("EINVAL")` that names the
 * element and field. Returns the slots a leaf level of them needs (each range, and a NULL before
 * each hole and after the last) when they are sorted and do not overlap, else -1.
 */
export function checkRanges(where: string, ranges: ArrayLike<RangeInput<unknown>>): number {
  let sorted = true;
  let prevLast = -1;
  let slots = 0;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as RangeInput<unknown>;
    if (typeof r !== "object" || r === null) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: ranges[${i}] must be an object { first, last, value }, got ${describeValue(r)}`,
      );
    }
    const f = r.first;
    const l = r.last;
    if (!isIndex(f)) checkIndex(where, `ranges[${i}].first`, f);
    if (!isIndex(l)) checkIndex(where, `ranges[${i}].last`, l);
    if (f > l) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: ranges[${i}] is inverted: first ${f} > last ${l}`,
      );
    }
    const v = r.value;
    if (v === null || v === undefined) checkValue(`${where} ranges[${i}]`, v);
    if (f <= prevLast) sorted = false;
    slots += f > prevLast + 1 ? 2 : 1;
    prevLast = l;
  }
  return sorted ? (prevLast < MAX_INDEX ? slots + 1 : slots) : -1;
}

/**
 * Fills the empty tree `mt` with `ranges` (kernel-layer twin of `MapleTree.from`): sorted,
 * non-overlapping input is built bottom-up with no walk per entry (what the kernel's bulk mode,
 * `mas_expected_entries` + ascending `mas_store`, is for); other input is stored in order with
 * `mtree_store_range`. Throws `MapleError("EINVAL")` naming a bad element (nothing is built) and
 * `MapleError("ENOMEM")` when the arena cannot hold the tree (the tree may then hold a prefix of
 * the ranges: discard it).
 */
export function mt_build<T>(
  mt: MapleTreeCore,
  ranges: Iterable<RangeInput<T>>,
  where: string,
): void {
  if (mt.rootNode !== 0 || mt.rootEntry !== null) {
    throw new MapleError("EINVAL", `maple-tree/${where}: the tree is not empty`);
  }
  const list = toList(where, ranges);
  const slots = checkRanges(where, list);
  if (slots > 0 && list.length > 1) {
    if (buildSorted(mt, list, slots) !== 0) fail(where, -ENOMEM, `${list.length} ranges`);
    return;
  }
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as RangeInput<T>;
    const ret = mtree_store_range(mt, r.first, r.last, r.value);
    if (ret !== 0) fail(where, ret, `ranges[${i}] [${r.first}, ${r.last}]`);
  }
}

function toList<T>(where: string, ranges: Iterable<RangeInput<T>>): ArrayLike<RangeInput<T>> {
  if (Array.isArray(ranges)) return ranges;
  if (
    ranges === null ||
    typeof (ranges as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function"
  ) {
    throw new MapleError(
      "EINVAL",
      `maple-tree/${where}: ranges must be an iterable of { first, last, value }, got ${describeValue(ranges)}`,
    );
  }
  return Array.from(ranges);
}

/** Leaves (or parents) a level of `n` items needs when each node holds at most `cap`. */
const nodesFor = (n: number, cap: number): number => Math.ceil(n / cap);

/**
 * Most leaves `LeafWriter` cuts `n` slots into: equal fill, and at most one slot short per leaf
 * (a cut before a NULL), each 16 slots short adding a leaf.
 */
const leavesAtMost = (n: number): number =>
  Math.ceil(((nodesFor(n, RANGE64_SLOTS) + 1) * 16) / 15) + 1;

/** Nodes of the whole tree over `leaves` leaves: each level of parents until one (the root). */
function countNodes(leaves: number, fanout: number): number {
  let total = leaves;
  for (let level = leaves; level > 1; ) {
    level = nodesFor(level, fanout);
    total += level;
  }
  return total;
}

/**
 * Builds `mt` (empty) bottom-up from sorted, non-overlapping `list` (at least 2 ranges) of
 * `slots` leaf slots. Returns 0, or -ENOMEM with nothing built when the arena cannot hold it.
 */
function buildSorted(
  mt: MapleTreeCore,
  list: ArrayLike<RangeInput<unknown>>,
  slots: number,
): number {
  const fanout = slotsOf(mt.isAlloc ? NODE_ARANGE : NODE_RANGE);
  const most = leavesAtMost(slots);
  if (!mt.arena.reserve(countNodes(most, fanout))) return -ENOMEM;
  let level = newLevel(most);
  fillLeaves(mt, list, slots, level);
  let height = 1;
  while (level.n > 1) {
    level = buildParents(mt, level, fanout);
    height++;
  }
  mt.rootNode = level.ids[0];
  mt.height = height;
  mt.generation++;
  return 0;
}

/** One level of nodes: ids, the max of each, and (allocation trees) the largest gap below each. */
interface Level {
  n: number;
  ids: Int32Array;
  maxes: Float64Array;
  gaps: Float64Array;
}

function newLevel(size: number): Level {
  return {
    n: 0,
    ids: new Int32Array(size),
    maxes: new Float64Array(size),
    gaps: new Float64Array(size),
  };
}

/**
 * Writes the slots of `list` (each range, a NULL before each hole and after the last range), in
 * order, straight into leaves of equal fill (at most 16 each), recording each leaf in `lv`. A leaf
 * that would end in NULL is closed before that NULL, which opens the next leaf, so no leaf but the
 * last ends in NULL. One loop with its state in locals: this is the whole cost of a build.
 */
function fillLeaves(
  mt: MapleTreeCore,
  list: ArrayLike<RangeInput<unknown>>,
  n: number,
  lv: Level,
): void {
  const arena = mt.arena;
  const { pivots, slots } = arena;
  const entries = mt.entries;
  const alloc = mt.isAlloc;
  let left = nodesFor(n, RANGE64_SLOTS);
  let rem = n;
  let id = 0;
  let base = 0;
  let fill = 0;
  let take = 0;
  let lo = 0;
  let gap = 0;
  let i = 0; // the next range
  let next = 0; // the first index no slot covers yet
  while (rem > 0) {
    let hi = MAX_INDEX; // past the last range: the NULL tail
    let word = 0;
    if (i < list.length) {
      const r = list[i] as RangeInput<unknown>;
      if (r.first > next)
        hi = r.first - 1; // the hole before it
      else {
        hi = r.last;
        word = entries.word(r.value);
        i++;
      }
      next = hi + 1;
    }
    if (word === 0 && fill === take - 1 && fill !== 0 && rem > 1) {
      closeLeaf(lv, arena, id, fill, lo, gap);
      fill = 0;
      left--;
    }
    if (fill === 0) {
      if (rem > left * RANGE64_SLOTS) left++;
      take = Math.ceil(rem / left);
      id = arena.alloc(NODE_LEAF);
      base = id * STRIDE;
      gap = 0;
    }
    pivots[base + fill] = hi;
    slots[base + fill] = word;
    fill++;
    rem--;
    if (alloc && word === 0 && hi - lo + 1 > gap) gap = hi - lo + 1;
    lo = hi + 1;
    if (fill === take) {
      closeLeaf(lv, arena, id, fill, lo, gap);
      fill = 0;
      left--;
    }
  }
}

/** Ends leaf `id` of `fill` slots: its last slot's bound goes to the parent, not into the leaf. */
function closeLeaf(
  lv: Level,
  arena: NodeArena,
  id: number,
  fill: number,
  lo: number,
  gap: number,
): void {
  lv.ids[lv.n] = id;
  lv.maxes[lv.n] = lo - 1;
  lv.gaps[lv.n] = gap;
  lv.n++;
  arena.pivots[id * STRIDE + fill - 1] = 0;
  arena.meta[id * META + M_END] = fill - 1;
}

/** Cuts a level into parents of equal fill, linking children and setting pivots and gaps. */
function buildParents(mt: MapleTreeCore, below: Level, fanout: number): Level {
  const arena = mt.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const gapWords = arena.gaps;
  const type = mt.isAlloc ? NODE_ARANGE : NODE_RANGE;
  const n = below.n;
  let left = nodesFor(n, fanout);
  const out = newLevel(left);
  let s = 0;
  while (s < n) {
    const take = Math.ceil((n - s) / left);
    const id = arena.alloc(type);
    const base = id * STRIDE;
    let best = 0;
    let bestOff = 0;
    for (let i = 0; i < take; i++) {
      const child = below.ids[s + i];
      if (i < take - 1) pivots[base + i] = below.maxes[s + i];
      slots[base + i] = child;
      meta[child * META + M_PARENT] = id;
      meta[child * META + M_PSLOT] = i;
      if (gapWords !== null) {
        const g = below.gaps[s + i];
        gapWords[base + i] = g;
        if (g > best) {
          best = g;
          bestOff = i;
        }
      }
    }
    meta[id * META + M_END] = take - 1;
    if (gapWords !== null) meta[id * META + M_GAP] = bestOff;
    out.ids[out.n] = id;
    out.maxes[out.n] = below.maxes[s + take - 1];
    out.gaps[out.n] = best;
    out.n++;
    s += take;
    left--;
  }
  return out;
}
