// Benchmark inputs and the peer, one definition for every bench of the repo: the seeded generator,
// the VMA-like range layout of docs/spec/perf-targets.md "Data (VMA-like ranges)" (ranges 1–32
// long, gaps 0–15, or 1024–4095 with p = 1/256), the draws a workload makes from it (query
// indices, shuffles, overwrite targets), and sorted-btree used as a range map the way its users
// would, so both structures answer the same questions in the same process.
//
// Two ways in: `makeData()` is the perf-targets data exactly (seed 20240601, 1e6 ranges from 4096,
// later draws continue the same generator); `makeLayout(n, seed)` is the same layout from 0 with
// its own seed, with draws from fresh seeds (the package micro-benchmarks and the shared-tree
// bench, whose tables were measured on it).

import sortedBtree from "sorted-btree";

// sorted-btree is CommonJS with `exports.default = BTree`: Node's ESM loader gives the exports
// object as the default import, Vite's interop (vitest bench) gives BTree itself.
const BTree = ((sortedBtree as unknown as { default?: unknown }).default ??
  sortedBtree) as typeof sortedBtree.default;

/** mulberry32 with its state visible, so a draw sequence can restart from a saved state. */
export class Mulberry32 {
  constructor(public state: number) {}

  /** A float in [0, 1). */
  next(): number {
    this.state |= 0;
    this.state = (this.state + 0x6d2b79f5) | 0;
    const a = this.state;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** mulberry32 as a function: a fast, seedable generator of floats in [0, 1). */
export function rng(seed: number): () => number {
  const g = new Mulberry32(seed);
  return () => g.next();
}

/** N non-overlapping ranges laid out like a VMA list; range i stores a value derived from i. */
export interface Layout {
  readonly starts: Float64Array;
  readonly lasts: Float64Array;
  /** One past the last range's end: queries are uniform over [0, span). */
  readonly span: number;
}

/** The perf-targets layout loop: `n` ranges from `at`, drawn from `rnd`. */
function layRanges(rnd: Mulberry32, n: number, at: number): Layout {
  const starts = new Float64Array(n);
  const lasts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const len = 1 + rnd.int(32);
    starts[i] = at;
    lasts[i] = at + len - 1;
    at += len + (rnd.int(256) === 0 ? 1024 + rnd.int(3072) : rnd.int(16));
  }
  return { starts, lasts, span: at };
}

/** `n` ranges from 0 with their own seed (the package benches' layout). */
export function makeLayout(n: number, seed = 1): Layout {
  return layRanges(new Mulberry32(seed), n, 0);
}

/** A Fisher–Yates shuffle of 0..n-1 with `int(i + 1)`. */
function fisherYates(rnd: Mulberry32, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** `count` integers uniform in [0, top), into `out` (a fresh array unless given). */
function uniformInts(rnd: Mulberry32, top: number, count: number, out?: Float64Array) {
  const q = out ?? new Float64Array(count);
  for (let i = 0; i < count; i++) q[i] = rnd.int(top);
  return q;
}

/**
 * `count` overwrite targets [mid(j), mid(j + 5)], j uniform in [0, jTop), mid the middle of a
 * range: one store covering six ranges.
 */
function coverSix(l: Layout, rnd: Mulberry32, jTop: number, count: number): Float64Array {
  const mid = (k: number) => Math.floor(((l.starts[k] as number) + (l.lasts[k] as number)) / 2);
  const t = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) {
    const j = rnd.int(jTop);
    t[2 * i] = mid(j);
    t[2 * i + 1] = mid(j + 5);
  }
  return t;
}

/** A permutation of 0..n-1 from its own seed. */
export function shuffled(n: number, seed: number): Int32Array {
  return fisherYates(new Mulberry32(seed), n);
}

/** `count` query indices uniform over the layout's span. */
export function queries(layout: Layout, count: number, seed: number): Float64Array {
  return uniformInts(new Mulberry32(seed), layout.span, count);
}

/** `count` query indices uniform over the layout's span, in a SharedArrayBuffer (for workers). */
export function sharedQueries(layout: Layout, count: number, seed: number): Float64Array {
  const q = new Float64Array(new SharedArrayBuffer(count * 8));
  return uniformInts(new Mulberry32(seed), layout.span, count, q);
}

/** Overwrite targets over the whole layout, from their own seed (j below n - 6). */
export function layoutOverwriteTargets(layout: Layout, count: number, seed: number): Float64Array {
  return coverSix(layout, new Mulberry32(seed), layout.starts.length - 6, count);
}

/** "1e5" for 100000: the tables' spelling of a size. */
export function sizeName(n: number): string {
  return n.toExponential(0).replace("+", "");
}

// ---- the perf-targets data ---------------------------------------------------------------------

/** The 1e6-range layout of perf-targets.md and the generator state right after it. */
export interface PeersData {
  readonly S: Float64Array;
  readonly L: Float64Array;
  /** Generator state after the layout: every later draw starts here. */
  readonly after: number;
}

export const SEED = 20240601;
export const LAYOUT_N = 1e6;

/** Lays out the ranges (once per process: 2 × 8 MB). */
export function makeData(): PeersData {
  const rnd = new Mulberry32(SEED);
  const l = layRanges(rnd, LAYOUT_N, 4096);
  return { S: l.starts, L: l.lasts, after: rnd.state };
}

/** A generator continuing from right after the layout. */
export function drawsAfterLayout(d: PeersData): Mulberry32 {
  return new Mulberry32(d.after);
}

/** `count` query indices `int(L[n - 1] + 1)` for a tree of the first `n` ranges. */
export function queryIndices(d: PeersData, n: number, count: number): Float64Array {
  return uniformInts(drawsAfterLayout(d), (d.L[n - 1] as number) + 1, count);
}

/** The perf-targets shuffle of 0..n-1. */
export function shuffle(d: PeersData, n: number): Int32Array {
  return fisherYates(drawsAfterLayout(d), n);
}

/** Overwrite targets over the first `n` ranges: [mid(j), mid(j + 5)] for `count` random j. */
export function overwriteTargets(d: PeersData, n: number, count: number): Float64Array {
  return coverSix({ starts: d.S, lasts: d.L, span: 0 }, drawsAfterLayout(d), n - 5, count);
}

// ---- the peer ----------------------------------------------------------------------------------

interface SbRange {
  last: number;
  value: number;
}

type SbTree = InstanceType<typeof BTree<number, SbRange>>;

/** A naive lowest-gap search: the lowest index >= `min` starting `size` free indices. */
export type GapWalk = (min: number, size: number) => number;

/**
 * The naive lowest-gap walks a sorted-btree user would write over `tree` (key = first index,
 * value = `{ last }`): the floor lookup, then an in-order walk from `min` until a gap of `size`
 * fits, through each of sorted-btree's walking APIs. They answer alike; benches time them and keep
 * the fastest, so the peer is not held back by the API picked. `max` bounds the walk (MAX_INDEX).
 */
export function sortedBtreeGapWalks(
  tree: SbTree,
  max: number,
): Record<"forRange" | "editRange" | "nextHigherPair" | "entries", GapWalk> {
  const pair: [number, SbRange] = [0, { last: 0, value: 0 }];
  const reused: (number | SbRange)[] = [];
  const floor = (min: number) => {
    const f = tree.getPairOrNextLower(min, pair);
    return f && f[1].last >= min ? f[1].last + 1 : min;
  };
  // The callback walks' state, made once so a query allocates nothing.
  const state = { at: 0, size: 0, found: -1 };
  const stop = { break: true };
  const onRange = (k: number, v: SbRange) => {
    if (k - state.at >= state.size) {
      state.found = state.at;
      return stop;
    }
    state.at = v.last + 1;
    return undefined;
  };
  const begin = (min: number, size: number) => {
    state.at = floor(min);
    state.size = size;
    state.found = -1;
  };
  const result = () => (state.found >= 0 ? state.found : state.at);
  return {
    forRange: (min, size) => {
      begin(min, size);
      tree.forRange(min + 1, max, true, onRange);
      return result();
    },
    editRange: (min, size) => {
      begin(min, size);
      tree.editRange(min + 1, max, true, onRange);
      return result();
    },
    nextHigherPair: (min, size) => {
      let at = floor(min);
      let key = min;
      for (;;) {
        const p = tree.nextHigherPair(key, pair);
        if (p === undefined || p[0] - at >= size) return at;
        at = p[1].last + 1;
        key = p[0];
      }
    },
    entries: (min, size) => {
      let at = floor(min);
      const it = tree.entries(min + 1, reused);
      for (;;) {
        const r = it.next();
        if (r.done) return at;
        if ((r.value[0] as number) - at >= size) return at;
        at = (r.value[1] as SbRange).last + 1;
      }
    },
  };
}

/** sorted-btree as a range map: BTree<start, {last, value}>, floor lookup by getPairOrNextLower. */
export class SortedBtreeRangeMap {
  readonly tree = new BTree<number, SbRange>(undefined, (a, b) => a - b);
  private readonly pair: [number, SbRange] = [0, { last: 0, value: 0 }];

  /**
   * A map of the first `n` ranges (in `order` when given), range i holding `i + base`: the
   * peer's side of a build, a plain `set` loop as its users would write it.
   */
  static fill(
    starts: Float64Array,
    lasts: Float64Array,
    n: number,
    base: number,
    order?: Int32Array,
  ): SortedBtreeRangeMap {
    const m = new SortedBtreeRangeMap();
    const t = m.tree;
    for (let k = 0; k < n; k++) {
      const i = order ? (order[k] as number) : k;
      t.set(starts[i] as number, { last: lasts[i] as number, value: i + base });
    }
    return m;
  }

  /** Stores `value` over [first, last], trimming or splitting what it overlaps. */
  store(first: number, last: number, value: number): void {
    const t = this.tree;
    const left = t.getPairOrNextLower(first, this.pair);
    if (left && left[1].last >= first) {
      const [start, r] = left;
      if (r.last > last) t.set(last + 1, { last: r.last, value: r.value });
      if (start < first) t.set(start, { last: first - 1, value: r.value });
      else t.delete(start);
    }
    const right = t.getPairOrNextLower(last, this.pair);
    if (right && right[0] > first && right[1].last > last) {
      const [start, r] = right;
      t.delete(start);
      t.set(last + 1, { last: r.last, value: r.value });
    }
    t.deleteRange(first, last, true);
    t.set(first, { last, value });
  }

  /** The value of the range holding `i`, or undefined. */
  get(i: number): number | undefined {
    const p = this.tree.getPairOrNextLower(i, this.pair);
    return p && p[1].last >= i ? p[1].value : undefined;
  }
}
