// Test support: a simple model of a range map (a sorted array of non-overlapping non-NULL ranges)
// that the random tests compare the tree against. Public entry points only (it needs none).

/** A range of the tree or model: [first, last] holds `value` (null = empty). */
export interface Range {
  first: number;
  last: number;
  value: unknown;
}

/** A reference range map: sorted, non-overlapping, non-NULL ranges; NULL ranges implied. */
export class RangeModel {
  ranges: Range[] = [];

  /** Index of the first range whose last >= index. */
  private lowerBound(index: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.ranges[mid] as Range).last < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The range holding `index`, or null. */
  find(index: number): Range | null {
    const r = this.ranges[this.lowerBound(index)];
    return r !== undefined && r.first <= index ? r : null;
  }

  /** The entry at `index` (null if none). */
  load(index: number): unknown {
    return this.find(index)?.value ?? null;
  }

  /** Writes `value` (null erases) over [first, last]; returns the previous entry at `first`. */
  store(first: number, last: number, value: unknown): unknown {
    const old = this.load(first);
    let i = this.lowerBound(first);
    const add: Range[] = [];
    let j = i;
    while (j < this.ranges.length && (this.ranges[j] as Range).first <= last) {
      const r = this.ranges[j] as Range;
      if (r.first < first) add.push({ first: r.first, last: first - 1, value: r.value });
      if (r.last > last) add.push({ first: last + 1, last: r.last, value: r.value });
      j++;
    }
    if (value !== null) add.push({ first, last, value });
    add.sort((a, b) => a.first - b.first);
    this.ranges.splice(i, j - i, ...add);
    i = 0;
    return old;
  }

  /** True when every index of [first, last] is empty. */
  isEmpty(first: number, last: number): boolean {
    const r = this.ranges[this.lowerBound(first)];
    return r === undefined || r.first > last;
  }

  /** Erases the range holding `index`; returns its entry (null if none). */
  erase(index: number): unknown {
    const r = this.find(index);
    if (r === null) return null;
    this.store(r.first, r.last, null);
    return r.value;
  }
}
