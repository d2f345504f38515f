// The address windows a syscall touched, for the incremental sync of shared maps
// (shared-maps-sync.ts): VmaTree's store wrappers add the range of every VMA they store or clear
// (and the flag changes made in place), the sync diffs only VMAs inside the windows. A split or a
// merge adds neighbouring ranges in address order, so appending to the last window covers the
// common case; the list is sorted and coalesced only when the sync drains it.

/** A list of half-open address ranges `[lo, hi)`, coalesced on demand. */
export class DirtyRanges {
  private lo = new Float64Array(16);
  private hi = new Float64Array(16);
  /** Ranges held (after {@link coalesce}: sorted, disjoint, non-adjacent). */
  count = 0;

  /** Marks `[lo, hi)` (empty ranges are ignored). */
  add(lo: number, hi: number): void {
    if (!(lo < hi)) return;
    const n = this.count;
    if (n > 0) {
      const l = this.lo[n - 1] as number;
      const h = this.hi[n - 1] as number;
      if (lo <= h && hi >= l) {
        if (lo < l) this.lo[n - 1] = lo;
        if (hi > h) this.hi[n - 1] = hi;
        return;
      }
    }
    if (n === this.lo.length) {
      const lo2 = new Float64Array(n * 2);
      const hi2 = new Float64Array(n * 2);
      lo2.set(this.lo);
      hi2.set(this.hi);
      this.lo = lo2;
      this.hi = hi2;
    }
    this.lo[n] = lo;
    this.hi[n] = hi;
    this.count = n + 1;
  }

  /** Start of range `i`. */
  loAt(i: number): number {
    return this.lo[i] as number;
  }

  /** End (exclusive) of range `i`. */
  hiAt(i: number): number {
    return this.hi[i] as number;
  }

  /** Sorts by start and merges overlapping or touching ranges; returns the new count. */
  coalesce(): number {
    const n = this.count;
    if (n < 2) return n;
    const lo = this.lo;
    const hi = this.hi;
    // Insertion sort: the ranges arrive nearly sorted (syscalls walk VMAs in address order).
    for (let i = 1; i < n; i++) {
      const l = lo[i] as number;
      const h = hi[i] as number;
      let j = i - 1;
      while (j >= 0 && (lo[j] as number) > l) {
        lo[j + 1] = lo[j] as number;
        hi[j + 1] = hi[j] as number;
        j--;
      }
      lo[j + 1] = l;
      hi[j + 1] = h;
    }
    let w = 0;
    for (let i = 1; i < n; i++) {
      if ((lo[i] as number) <= (hi[w] as number)) {
        if ((hi[i] as number) > (hi[w] as number)) hi[w] = hi[i] as number;
      } else {
        w++;
        lo[w] = lo[i] as number;
        hi[w] = hi[i] as number;
      }
    }
    this.count = w + 1;
    return this.count;
  }

  /** Forgets every range. */
  clear(): void {
    this.count = 0;
  }
}
