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
  RANGE64_SLOTS,
  STRIDE,
  slotsOf,
} from "./arena.js";
import { checkIndex, checkValue, fail } from "./args.js";
import { describeValue, isIndex, MAX_INDEX } from "./entry.js";
import { ENOMEM, MapleError } from "./errors.js";
import { mtree_store_range } from "./mtree.js";
import type { MapleTreeCore } from "./tree.js";

/** One range of the input of {@link mt_build}. */
export interface RangeInput<T> {
  readonly first: number;
  readonly last: number;
  readonly value: T;
}

/**
 * Checks every element of `ranges` (an object with integer `first <= last` in 0..MAX_INDEX and a
 * `value` that is neither null nor undefined), throwing `MapleError("EINVAL")` that names the
 * element and field. Returns whether the ranges are sorted and do not overlap.
 */
export function checkRanges(where: string, ranges: ArrayLike<RangeInput<unknown>>): boolean {
  let sorted = true;
  let prevLast = -1;
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
    prevLast = l;
  }
  return sorted;
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
  const sorted = checkRanges(where, list);
  if (sorted && list.length > 1) {
    if (buildSorted(mt, list) !== 0) fail(where, -ENOMEM, `${list.length} ranges`);
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

/** The slots of sorted input in order: upper bound and entry word of each (holes as NULL). */
interface SlotRun {
  his: Float64Array;
  /** 0 for a hole; until `fillWords`, 1 for a range. */
  words: Int32Array;
  n: number;
}

/** Lays out the slots: a NULL slot before each range that does not start where the last ended. */
function layOut(list: ArrayLike<RangeInput<unknown>>): SlotRun {
  let n = 0;
  let next = 0; // first index not yet covered
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as RangeInput<unknown>;
    if (r.first > next) n++;
    n++;
    next = r.last + 1;
  }
  if (next <= MAX_INDEX) n++;
  const his = new Float64Array(n);
  const words = new Int32Array(n);
  let s = 0;
  next = 0;
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as RangeInput<unknown>;
    if (r.first > next) his[s++] = r.first - 1; // words[s] stays 0: NULL
    his[s] = r.last;
    words[s++] = 1;
    next = r.last + 1;
  }
  if (next <= MAX_INDEX) his[s++] = MAX_INDEX;
  return { his, words, n };
}

/** Gives each range slot its entry word (the entry table changes only once the nodes are reserved). */
function fillWords(mt: MapleTreeCore, run: SlotRun, list: ArrayLike<RangeInput<unknown>>): void {
  const entries = mt.entries;
  const words = run.words;
  let i = 0;
  for (let s = 0; s < run.n; s++) {
    if (words[s] !== 0) words[s] = entries.word((list[i++] as RangeInput<unknown>).value);
  }
}

/** Leaves (or parents) a level of `n` items needs when each node holds at most `cap`. */
const nodesFor = (n: number, cap: number): number => Math.ceil(n / cap);

/**
 * The slot count of each leaf: equal fill, at most 16, and a leaf other than the last never ends
 * in NULL (the NULL then starts the next leaf).
 */
function cutLeaves(run: SlotRun): number[] {
  const { words, n } = run;
  const takes: number[] = [];
  let left = nodesFor(n, RANGE64_SLOTS);
  let s = 0;
  while (s < n) {
    if (n - s > left * RANGE64_SLOTS) left++;
    let take = Math.ceil((n - s) / left);
    if (s + take < n && words[s + take - 1] === 0) take--;
    takes.push(take);
    s += take;
    left--;
  }
  return takes;
}

/** Nodes of the whole tree: the leaves, then each level of parents until one (the root). */
function countNodes(leaves: number, fanout: number): number {
  let total = leaves;
  for (let level = leaves; level > 1; ) {
    level = nodesFor(level, fanout);
    total += level;
  }
  return total;
}

/**
 * Builds `mt` (empty) bottom-up from sorted, non-overlapping `list` (at least 2 ranges).
 * Returns 0, or -ENOMEM with nothing built when the arena cannot hold the nodes.
 */
function buildSorted(mt: MapleTreeCore, list: ArrayLike<RangeInput<unknown>>): number {
  const fanout = slotsOf(mt.isAlloc ? NODE_ARANGE : NODE_RANGE);
  const run = layOut(list);
  const takes = cutLeaves(run);
  if (!mt.arena.reserve(countNodes(takes.length, fanout))) return -ENOMEM;
  fillWords(mt, run, list);
  let level = buildLeaves(mt, run, takes);
  let height = 1;
  while (level.ids.length > 1) {
    level = buildParents(mt, level, fanout);
    height++;
  }
  mt.rootNode = level.ids[0] as number;
  mt.height = height;
  mt.generation++;
  return 0;
}

/** One level of nodes: ids, the max of each, and (allocation trees) the largest gap below each. */
interface Level {
  ids: number[];
  maxes: number[];
  gaps: number[];
}

/** Writes the leaves `cutLeaves` planned. */
function buildLeaves(mt: MapleTreeCore, run: SlotRun, takes: number[]): Level {
  const arena = mt.arena;
  const { his, words } = run;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const alloc = mt.isAlloc;
  const out: Level = { ids: [], maxes: [], gaps: [] };
  let s = 0;
  let lo = 0;
  for (let j = 0; j < takes.length; j++) {
    const take = takes[j] as number;
    const id = arena.alloc(NODE_LEAF);
    const base = id * STRIDE;
    let gap = 0;
    for (let i = 0; i < take; i++) {
      const hi = his[s + i] as number;
      const w = words[s + i] as number;
      if (i < take - 1) pivots[base + i] = hi;
      slots[base + i] = w;
      if (alloc && w === 0 && hi - lo + 1 > gap) gap = hi - lo + 1;
      lo = hi + 1;
    }
    meta[id * META + M_END] = take - 1;
    s += take;
    out.ids.push(id);
    out.maxes.push(lo - 1);
    out.gaps.push(gap);
  }
  return out;
}

/** Cuts a level into parents of equal fill, linking children and setting pivots and gaps. */
function buildParents(mt: MapleTreeCore, below: Level, fanout: number): Level {
  const arena = mt.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const gapWords = arena.gaps;
  const type = mt.isAlloc ? NODE_ARANGE : NODE_RANGE;
  const n = below.ids.length;
  const out: Level = { ids: [], maxes: [], gaps: [] };
  let left = nodesFor(n, fanout);
  let s = 0;
  while (s < n) {
    const take = Math.ceil((n - s) / left);
    const id = arena.alloc(type);
    const base = id * STRIDE;
    let best = 0;
    let bestOff = 0;
    for (let i = 0; i < take; i++) {
      const child = below.ids[s + i] as number;
      if (i < take - 1) pivots[base + i] = below.maxes[s + i] as number;
      slots[base + i] = child;
      meta[child * META + M_PARENT] = id;
      meta[child * META + M_PSLOT] = i;
      if (gapWords !== null) {
        const g = below.gaps[s + i] as number;
        gapWords[base + i] = g;
        if (g > best) {
          best = g;
          bestOff = i;
        }
      }
    }
    meta[id * META + M_END] = take - 1;
    if (gapWords !== null) meta[id * META + M_GAP] = bestOff;
    out.ids.push(id);
    out.maxes.push(below.maxes[s + take - 1] as number);
    out.gaps.push(best);
    s += take;
    left--;
  }
  return out;
}
