// Inputs of the shared-tree benchmark: deterministic VMA-like range layouts and random
// query indices — the same shape as packages/maple-tree/bench/workloads.ts (ranges 1–32 long,
// gaps 0–15, rarely 1024–4095), so the numbers compare with the maple-tree README's tables. Queries
// live in a SharedArrayBuffer so reader workers use exactly the indices the main thread uses.

/** mulberry32: a fast, seedable generator of floats in [0, 1). */
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

/** N non-overlapping ranges laid out like a VMA list; range i stores the entry i. */
export interface Layout {
  readonly starts: Float64Array;
  readonly lasts: Float64Array;
  /** One past the last range's end: queries are uniform over [0, span). */
  readonly span: number;
}

/** Ranges 1–32 long separated by gaps of 0–15 (1024–4095 with p = 1/256). */
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

/** `count` query indices uniform over the layout's span, in a SharedArrayBuffer (for workers). */
export function sharedQueries(layout: Layout, count: number, seed: number): Float64Array {
  const r = rng(seed);
  const q = new Float64Array(new SharedArrayBuffer(count * 8));
  for (let i = 0; i < count; i++) q[i] = Math.floor(r() * layout.span);
  return q;
}

/** "1e5" for 100000: the table's spelling of a size. */
export function sizeName(n: number): string {
  return n.toExponential(0).replace("+", "");
}

/**
 * Nodes a tree of `n` layout ranges needs (leaves hold 10–16 ranges, appends pack 15), plus
 * `slack` for nodes retired by writes that wait for their grace period before reuse.
 */
export function capacityFor(n: number, slack: number): number {
  return Math.ceil(n / 5) + slack;
}
