// The data of docs/spec/perf-targets.md "Data (VMA-like ranges)", exactly as defined there: one
// seeded generator lays out 1e6 ranges (first S[i], last L[i], value i + 1); every other draw a
// workload needs (query indices, shuffles, overwrite targets) continues that same generator from
// the state it had right after the layout.

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

/** The 1e6-range layout and the generator state right after it. */
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
  const S = new Float64Array(LAYOUT_N);
  const L = new Float64Array(LAYOUT_N);
  let at = 4096;
  for (let i = 0; i < LAYOUT_N; i++) {
    const len = 1 + rnd.int(32);
    S[i] = at;
    L[i] = at + len - 1;
    at = L[i] + 1 + (rnd.int(256) === 0 ? 1024 + rnd.int(3072) : rnd.int(16));
  }
  return { S, L, after: rnd.state };
}

/** A generator continuing from right after the layout. */
export function drawsAfterLayout(d: PeersData): Mulberry32 {
  return new Mulberry32(d.after);
}

/** `count` query indices `int(L[n - 1] + 1)` for a tree of the first `n` ranges. */
export function queryIndices(d: PeersData, n: number, count: number): Float64Array {
  const rnd = drawsAfterLayout(d);
  const top = (d.L[n - 1] as number) + 1;
  const q = new Float64Array(count);
  for (let i = 0; i < count; i++) q[i] = rnd.int(top);
  return q;
}

/** A Fisher–Yates shuffle of 0..n-1 with `int(i + 1)`. */
export function shuffle(d: PeersData, n: number): Int32Array {
  const rnd = drawsAfterLayout(d);
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

/** Overwrite targets over the first `n` ranges: [mid(j), mid(j + 5)] for `count` random j. */
export function overwriteTargets(d: PeersData, n: number, count: number): Float64Array {
  const rnd = drawsAfterLayout(d);
  const mid = (k: number) => Math.floor(((d.S[k] as number) + (d.L[k] as number)) / 2);
  const t = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) {
    const j = rnd.int(n - 5);
    t[2 * i] = mid(j);
    t[2 * i + 1] = mid(j + 5);
  }
  return t;
}
