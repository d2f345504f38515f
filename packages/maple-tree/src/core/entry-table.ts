// Entry words: what a leaf slot holds, and the handle -> value table behind them. A leaf slot is a
// 32-bit word:
//   0        NULL;
//   < 0      an inline integer entry v in 0 .. 2^31 - 2, stored as -(v + 1) (kernel `xa_mk_value`:
//            small integers ride in the slot itself, no allocation, no table element);
//   > 0      a handle h: `values[h]` is the entry (any other JS value).
// The indirection is what lets any JS value be an entry while the node words stay plain integers.
// Ownership rule the writers keep: a handle belongs to exactly one range in the tree. When a
// store splits a range in two, the new piece gets a word of its own (a new handle, or the same
// inline word); when a range disappears its word is dropped at once (`drop`: the range count is
// exact) and, for a handle, the handle is freed (`free`) through the tree's reclaimer in RCU mode,
// because a reader may still be looking at the old node that refers to it.

/** Largest integer carried inline in a slot word (kernel `xa_mk_value` range, cut to Int32). */
export const INLINE_MAX = 0x7ffffffe;

/** True when `value` is carried inline: an integer in 0 .. INLINE_MAX, not -0. */
export function isInlineValue(value: unknown): value is number {
  return (
    typeof value === "number" &&
    (value | 0) === value &&
    value >= 0 &&
    value <= INLINE_MAX &&
    (value !== 0 || 1 / value > 0)
  );
}

/** The entry a slot word stands for (null for 0): `values` is the tree's `entries.values`. */
export function entryOf(values: unknown[], word: number): unknown {
  return word < 0 ? -word - 1 : values[word];
}

/** The handle -> value table of one tree, and the count of stored ranges. */
export class EntryTable {
  /** values[h] is the entry of handle h; values[0] is always null. Inline words are not here. */
  values: unknown[] = [null];
  private freeList: number[] = [];
  /** Stored (non-NULL) ranges: words made by `word` and not yet dropped. */
  private count = 0;
  /** Handles dropped but not yet freed (waiting for an RCU grace period). */
  private pending = 0;

  /** Number of stored (non-NULL) ranges, inline ones included. O(1). */
  get size(): number {
    return this.count;
  }

  /** Handles allocated and not yet freed (including those waiting for a grace period). */
  get handles(): number {
    return this.values.length - 1 - this.freeList.length;
  }

  /** Handles dropped from the tree whose free is still deferred. */
  get pendingFrees(): number {
    return this.pending;
  }

  /** The slot word for a new range holding `value` (not null): inline or a new handle. */
  word(value: unknown): number {
    this.count++;
    if (isInlineValue(value)) return -value - 1;
    return this.newHandle(value);
  }

  /** A new handle for `value`, not counted as a range (used by `word`). */
  private newHandle(value: unknown): number {
    const h = this.freeList.pop();
    if (h !== undefined) {
      this.values[h] = value;
      return h;
    }
    this.values.push(value);
    return this.values.length - 1;
  }

  /**
   * A range holding `w` left the tree: the count drops now. Returns true when `w` is a handle
   * that must still be freed (`free`, or `freeLater` then `free` after readers).
   */
  drop(w: number): boolean {
    if (w === 0) return false;
    this.count--;
    return w > 0;
  }

  /** Marks a dropped handle's free as deferred (validation counts it as accounted for). */
  freeLater(): void {
    this.pending++;
  }

  /** Frees handle `h` for reuse; `deferred` when it was announced with `freeLater`. */
  free(h: number, deferred = false): void {
    if (deferred) this.pending--;
    this.values[h] = undefined;
    this.freeList.push(h);
  }

  /** A range holding `w` left the tree and nobody can be reading it: drop and free at once. */
  release(w: number): void {
    if (this.drop(w)) this.free(w);
  }

  /** Sets the range count (a shared tree's writer takes it over from the header). */
  setSize(n: number): void {
    this.count = n;
  }

  /** Forgets every handle. */
  reset(): void {
    this.values = [null];
    this.freeList = [];
    this.count = 0;
    this.pending = 0;
  }

  /** Makes this table an exact copy of `src` (handles preserved): used by `__mt_dup`. */
  copyFrom(src: EntryTable): void {
    this.values = src.values.slice();
    this.freeList = src.freeList.slice();
    this.count = src.count;
    this.pending = src.pending;
  }
}
