// Benchmark inputs and the peer: deterministic VMA-like range layouts (docs/reports/2026-11-25-peers-bench.md
// "What was measured") and sorted-btree used as a range map the way its users would, so both
// structures answer the same questions in the same process. Every workload returns a checksum that
// the report compares across implementations.

import sortedBtree from "sorted-btree";

// sorted-btree is CommonJS with `exports.default = BTree`; from ESM its default import is the
// whole exports object.
const BTree = sortedBtree.default;

/** mulberry32: a fast, seedable generator of floats in [0, 1) for inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** N ranges laid out like a VMA list: length 1–32, gap 0–15, or 1024–4095 with p = 1/256. */
export interface Layout {
  starts: Float64Array;
  lasts: Float64Array;
  /** One past the last range's end. */
  span: number;
}

export function makeLayout(n: number, seed = 1): Layout {
  const r = rng(seed);
  const starts = new Float64Array(n);
  const lasts = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(r() * 32);
    starts[i] = at;
    lasts[i] = at + len - 1;
    const gap = r() < 1 / 256 ? 1024 + Math.floor(r() * 3072) : Math.floor(r() * 16);
    at += len + gap;
  }
  return { starts, lasts, span: at };
}

/** A permutation of 0..n-1 (Fisher–Yates). */
export function shuffled(n: number, seed: number): Int32Array {
  const r = rng(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** `count` query indices uniform over the layout's span. */
export function queries(layout: Layout, count: number, seed: number): Float64Array {
  const r = rng(seed);
  const q = new Float64Array(count);
  for (let i = 0; i < count; i++) q[i] = Math.floor(r() * layout.span);
  return q;
}

/** Overwrite targets: [middle of range j, middle of range j+5], as in the 2026-11-25 peers-bench report (d). */
export function overwriteTargets(layout: Layout, count: number, seed: number): Float64Array {
  const r = rng(seed);
  const n = layout.starts.length;
  const t = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const j = Math.floor(r() * (n - 6));
    const mid = (k: number) =>
      Math.floor(((layout.starts[k] as number) + (layout.lasts[k] as number)) / 2);
    t[2 * i] = mid(j);
    t[2 * i + 1] = mid(j + 5);
  }
  return t;
}

interface SbRange {
  last: number;
  value: number;
}

/** sorted-btree as a range map: BTree<start, {last, value}>, floor lookup by getPairOrNextLower. */
export class SortedBtreeRangeMap {
  readonly tree = new BTree<number, SbRange>(undefined, (a, b) => a - b);
  private readonly pair: [number, SbRange] = [0, { last: 0, value: 0 }];

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
