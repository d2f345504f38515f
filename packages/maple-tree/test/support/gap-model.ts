import { MAX_INDEX } from "@maplemm/maple-tree";
// Test support for gap search: the lowest / highest window of `size` empty indices inside
// [min, max], computed straight from a sorted list of occupied ranges (the model's answer that
// mas_empty_area / mas_empty_area_rev must reproduce).

/** An occupied range (any non-NULL entry, XA_ZERO_ENTRY included). */
export interface Occupied {
  first: number;
  last: number;
}

/** The empty ranges between `ranges` (sorted, non-overlapping), over 0..MAX_INDEX. */
export function emptyRanges(ranges: readonly Occupied[]): Occupied[] {
  const out: Occupied[] = [];
  let next = 0;
  for (const r of ranges) {
    if (r.first > next) out.push({ first: next, last: r.first - 1 });
    next = r.last + 1;
  }
  if (next <= MAX_INDEX && (ranges.length === 0 || next > 0)) {
    out.push({ first: next, last: MAX_INDEX });
  }
  return out;
}

/** First index of the lowest window, or -1. */
export function modelLowest(
  ranges: readonly Occupied[],
  min: number,
  max: number,
  size: number,
): number {
  for (const g of emptyRanges(ranges)) {
    const s = Math.max(g.first, min);
    const e = Math.min(g.last, max);
    if (s > max) break;
    if (e >= s && e - s + 1 >= size) return s;
  }
  return -1;
}

/** First index of the highest window, or -1. */
export function modelHighest(
  ranges: readonly Occupied[],
  min: number,
  max: number,
  size: number,
): number {
  const gaps = emptyRanges(ranges);
  for (let i = gaps.length - 1; i >= 0; i--) {
    const g = gaps[i] as Occupied;
    const s = Math.max(g.first, min);
    const e = Math.min(g.last, max);
    if (e < min) break;
    if (e >= s && e - s + 1 >= size) return e - size + 1;
  }
  return -1;
}
