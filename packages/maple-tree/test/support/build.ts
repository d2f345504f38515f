// Test support: builds maple trees bottom-up, straight into the node arena, from a sorted list of
// non-NULL ranges. It fills the gaps with NULL ranges (never two adjacent), packs leaves (a leaf
// other than the last never ends in NULL), stacks internal nodes above them with parent links,
// parent slots, data ends, pivots, gaps (allocation trees) and the height, following arena.ts.
// The fill of every node is chosen by the caller or at random, so the read side can be tested on
// trees of any height and shape before (and independently of) the write side.
// Pins an internal: it writes the arena's node words (arena.ts layout) directly.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import { MT_FLAGS_ALLOC_RANGE } from "@maplemm/maple-tree/kernel";
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
} from "../../src/core/arena.js";
import { entryOf } from "../../src/core/entry-table.js";
import { MapleTreeCore } from "../../src/core/tree.js";
import type { Rng } from "./seed.js";

export { Rng, testSeed } from "./seed.js";

/** A range of the tree. `value` null is a NULL range. */
export interface Range {
  first: number;
  last: number;
  value: unknown;
}

/** How full to make the nodes of one level (1..slots). Called once per node. */
export type FillFn = (level: number, slots: number) => number;

/** Options of {@link buildTree}. */
export interface BuildOptions {
  /** Tree flags (MT_FLAGS_ALLOC_RANGE builds arange internal nodes with gaps). */
  flags?: number;
  /** Slots per node; default full (16, or 10 for arange internal nodes). Level 0 = leaves. */
  fill?: FillFn;
  /** Build a leaf even for a lone [0, 0] entry (the kernel does for XA_ZERO_ENTRY). */
  forceNodes?: boolean;
}

/** Checks `entries` (sorted, non-overlapping, non-NULL, valid indices) and adds the NULL gaps. */
export function partition(entries: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const r of entries) {
    if (r.value === null || r.value === undefined)
      throw new Error("build: entries must be non-NULL");
    if (!(Number.isInteger(r.first) && Number.isInteger(r.last) && r.first <= r.last)) {
      throw new Error(`build: bad range [${r.first}, ${r.last}]`);
    }
    if (r.first < next || r.last > MAX_INDEX) throw new Error(`build: overlap at ${r.first}`);
    if (r.first > next) out.push({ first: next, last: r.first - 1, value: null });
    out.push({ first: r.first, last: r.last, value: r.value });
    next = r.last + 1;
  }
  if (next <= MAX_INDEX && (out.length === 0 || out[out.length - 1].last < MAX_INDEX)) {
    out.push({ first: next, last: MAX_INDEX, value: null });
  }
  return out;
}

/** One node of a level under construction. */
interface Built {
  id: number;
  max: number;
  gap: number;
}

/** Splits `count` items into node sizes by `fill`, keeping a leaf from ending in NULL. */
function chunk(
  count: number,
  slots: number,
  level: number,
  fill: FillFn,
  endsInNull: ((i: number) => boolean) | null,
): number[] {
  const sizes: number[] = [];
  let at = 0;
  while (at < count) {
    // Internal nodes take at least two children, so every level shrinks.
    const least = level > 0 ? 2 : 1;
    let size = Math.max(least, Math.min(slots, fill(level, slots)));
    size = Math.min(size, count - at);
    if (at + size < count && endsInNull?.(at + size - 1)) {
      // Items at size-2 and size are non-NULL (NULLs never touch): end one earlier or later.
      size = size > 1 ? size - 1 : size + 1;
    }
    sizes.push(size);
    at += size;
  }
  return sizes;
}

const full: FillFn = (_level, slots) => slots;

/**
 * Builds a tree holding `entries` (sorted, non-overlapping, non-NULL). No entries: the empty tree.
 * A lone [0, 0] entry: the direct root form (unless `forceNodes`, or the entry is XA_ZERO_ENTRY).
 */
export function buildTree(entries: readonly Range[], options: BuildOptions = {}): MapleTreeCore {
  const flags = options.flags ?? 0;
  const tree = new MapleTreeCore(flags);
  const ranges = partition(entries);
  if (entries.length === 0) return tree;
  if (
    entries.length === 1 &&
    entries[0].first === 0 &&
    entries[0].last === 0 &&
    !options.forceNodes &&
    entries[0].value !== XA_ZERO_ENTRY
  ) {
    tree.rootEntry = entries[0].value;
    return tree;
  }
  const fill = options.fill ?? full;
  const alloc = (flags & MT_FLAGS_ALLOC_RANGE) !== 0;
  const innerType = alloc ? NODE_ARANGE : NODE_RANGE;
  const leafSizes = chunk(ranges.length, RANGE64_SLOTS, 0, fill, (i) => ranges[i].value === null);
  // Reserve once: leaves plus an upper bound on the internal nodes.
  if (!tree.arena.reserve(leafSizes.length * 2 + 64)) throw new Error("build: arena too small");
  const arena = tree.arena;
  const values = tree.entries;

  let level: Built[] = [];
  let at = 0;
  for (const size of leafSizes) {
    const id = arena.alloc(NODE_LEAF);
    let gap = 0;
    for (let i = 0; i < size; i++) {
      const r = ranges[at + i];
      if (i < size - 1) arena.pivots[id * STRIDE + i] = r.last;
      if (r.value === null) gap = Math.max(gap, r.last - r.first + 1);
      else arena.slots[id * STRIDE + i] = values.word(r.value);
    }
    arena.meta[id * META + M_END] = size - 1;
    at += size;
    level.push({ id, max: ranges[at - 1].last, gap });
  }
  let height = 1;
  while (level.length > 1) {
    const sizes = chunk(level.length, slotsOf(innerType), height, fill, null);
    const up: Built[] = [];
    let k = 0;
    for (const size of sizes) {
      const id = arena.alloc(innerType);
      let gap = 0;
      let gapAt = 0;
      for (let i = 0; i < size; i++) {
        const child = level[k + i];
        arena.slots[id * STRIDE + i] = child.id;
        if (i < size - 1) arena.pivots[id * STRIDE + i] = child.max;
        arena.meta[child.id * META + M_PARENT] = id;
        arena.meta[child.id * META + M_PSLOT] = i;
        if (alloc && arena.gaps) arena.gaps[id * STRIDE + i] = child.gap;
        if (child.gap > gap) {
          gap = child.gap;
          gapAt = i;
        }
      }
      arena.meta[id * META + M_END] = size - 1;
      if (alloc) arena.meta[id * META + M_GAP] = gapAt;
      k += size;
      up.push({ id, max: level[k - 1].max, gap });
    }
    level = up;
    height++;
  }
  tree.rootNode = level[0].id;
  tree.height = height;
  return tree;
}

/** Random fill between `lo` and the node's slot count. */
export function randomFill(rng: Rng, lo = 7): FillFn {
  return (_level, slots) => rng.int(Math.min(lo, slots), slots);
}

/** `n` random non-NULL ranges, sorted, with random gaps (or none), within `0..span`. */
export function randomEntries(rng: Rng, n: number, span = 1e6, touch = 0.3): Range[] {
  const out: Range[] = [];
  let at = rng.int(0, 3);
  const step = Math.max(2, Math.floor(span / Math.max(1, n)));
  for (let i = 0; i < n; i++) {
    if (!rng.chance(touch)) at += rng.int(1, step);
    const len = rng.int(0, step);
    if (at + len > MAX_INDEX) break;
    out.push({ first: at, last: at + len, value: rng.chance(0.05) ? XA_ZERO_ENTRY : `v${at}` });
    at += len + 1;
  }
  return out;
}

/** Reads every range of a node tree back from the arena (leaf order), for builder self-checks. */
export function rangesOf(tree: MapleTreeCore): Range[] {
  const out: Range[] = [];
  const arena = tree.arena;
  const walk = (node: number, min: number, max: number, depth: number): void => {
    const end = arena.meta[node * META + M_END];
    for (let i = 0; i <= end; i++) {
      const lo = i > 0 ? arena.pivots[node * STRIDE + i - 1] + 1 : min;
      const hi = i < end ? arena.pivots[node * STRIDE + i] : max;
      const slot = arena.slots[node * STRIDE + i];
      if (depth === tree.height - 1) {
        out.push({ first: lo, last: hi, value: entryOf(tree.entries.values, slot as number) });
      } else walk(slot, lo, hi, depth + 1);
    }
  };
  if (tree.rootNode !== 0) walk(tree.rootNode, 0, MAX_INDEX, 0);
  return out;
}
