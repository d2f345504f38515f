// Entry handles: leaf slots hold 32-bit handles, and this table maps a handle to the JS value
// stored there. Handle 0 is NULL. The indirection is what lets any JS value be an entry while the
// node words stay plain integers (and, in the shared mode, lets integer entries live in shared
// memory). Ownership rule the writers keep: a handle belongs to exactly one range in the tree.
// When a store splits a range in two, the new piece gets a handle of its own (same value); when a
// range disappears its handle is released, through the tree's reclaimer in RCU mode, because a
// reader may still be looking at the old node that refers to it.

/** The handle -> value table of one tree. */
export class EntryTable {
  /** values[h] is the entry of handle h; values[0] is always null. */
  values: unknown[] = [null];
  private freeList: number[] = [];

  /** Number of handles in use. */
  get size(): number {
    return this.values.length - 1 - this.freeList.length;
  }

  /** A new handle for `value` (not null). */
  alloc(value: unknown): number {
    const h = this.freeList.pop();
    if (h !== undefined) {
      this.values[h] = value;
      return h;
    }
    this.values.push(value);
    return this.values.length - 1;
  }

  /** Releases handle `h` (0 is ignored). */
  release(h: number): void {
    if (h === 0) return;
    this.values[h] = undefined;
    this.freeList.push(h);
  }

  /** Forgets every handle. */
  reset(): void {
    this.values = [null];
    this.freeList = [];
  }

  /** Makes this table an exact copy of `src` (handles preserved): used by `__mt_dup`. */
  copyFrom(src: EntryTable): void {
    this.values = src.values.slice();
    this.freeList = src.freeList.slice();
  }
}
