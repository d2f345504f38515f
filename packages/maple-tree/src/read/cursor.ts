// Fast ordered iteration for the idiomatic layer: a callback scan (MapleTree.forEach) and
// iterator objects (MapleTree.entries / entriesReverse) that walk leaf slots directly instead of
// going through mas_find / mas_find_rev per range.
//
// Each one is exactly a loop of the kernel find (mas_find / mas_find_rev) that skips
// XA_ZERO_ENTRY: the first range, every step after a write by the caller, and every tree without
// nodes go through the kernel function itself; only the steady state (a positioned state on a
// tree unchanged since it was positioned) takes the fast path, which reads the current leaf's
// pivots and slots in a tight loop and crosses leaves with step.ts's nextNode / prevNode. The fast
// path gives the same ranges the kernel step would (tests compare both on random trees, with
// writes between steps).

import { STRIDE as STRIDE_ } from "../core/arena.js";
import { descendToLeaf } from "../core/descend.js";
import { entryOf as entryOf_ } from "../core/entry-table.js";
import { MAX_INDEX as MAX_INDEX_, XA_ZERO_ENTRY as XA_ZERO_ENTRY_ } from "../core/index-space.js";
import { MaState, mas_set as mas_set_ } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import type { RangeEntry } from "../face/common.js";
import { mas_find as mas_find_, mas_find_rev as mas_find_rev_ } from "./find.js";
import { nextNode as nextNode_, prevNode as prevNode_ } from "./step.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const MAX_INDEX = MAX_INDEX_;
const XA_ZERO_ENTRY = XA_ZERO_ENTRY_;
const STRIDE = STRIDE_;
const entryOf = entryOf_;
const mas_find = mas_find_;
const mas_find_rev = mas_find_rev_;
const mas_set = mas_set_;
const nextNode = nextNode_;
const prevNode = prevNode_;

/**
 * One range as the iterators yield it.
 * @deprecated The idiomatic layer's one range type is `RangeEntry` (face/common.ts); this is it.
 */
export type RangeItem<T> = RangeEntry<T>;

/** Callback of {@link mt_scan}: return `false` to stop. */
export type ScanVisitor<T> = (value: T, first: number, last: number) => unknown;

// Outcomes of a fast run over the leaves.
const SCAN_DONE = 0;
const SCAN_STOPPED = 1;
const SCAN_WRITTEN = 2;

/**
 * From an active state positioned on a leaf of a node tree that has not been written since, calls
 * `fn` for every range from slot `off` of that leaf on holding a real entry (not NULL, not
 * XA_ZERO_ENTRY), up to the range that reaches `max`. Returns SCAN_DONE at the end, SCAN_STOPPED
 * when `fn` returned false, SCAN_WRITTEN when `fn` wrote to the tree (the state then describes
 * the range just reported, so a kernel step from it re-walks as mas_find does).
 */
function scanLeaves<T>(mas: MaState, off: number, max: number, fn: ScanVisitor<T>): number {
  const tree = mas.tree;
  const generation = tree.generation;
  const pivots = tree.arena.pivots;
  const slots = tree.arena.slots;
  const values = tree.entries.values;
  for (;;) {
    // One leaf: slot i covers [lo, hi] with hi = pivot[i] (the leaf's max for the last slot) and
    // lo = one past the previous slot's hi; each pivot is read once.
    const base = mas.node * STRIDE;
    const end = mas.end;
    const nodeMax = mas.max;
    let lo = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
    for (; off <= end; off++) {
      const hi = off < end ? pivots[base + off] : nodeMax;
      const word = slots[base + off];
      if (word !== 0) {
        // An inline word (< 0) is a small integer, never XA_ZERO_ENTRY.
        const entry = word < 0 ? -word - 1 : values[word];
        if (word < 0 || entry !== XA_ZERO_ENTRY) {
          if (fn(entry as T, lo, hi) === false) return SCAN_STOPPED;
          if (tree.generation !== generation) {
            mas.offset = off;
            mas.index = lo;
            mas.last = hi;
            return SCAN_WRITTEN;
          }
        }
      }
      if (hi >= max) return SCAN_DONE;
      lo = hi + 1;
    }
    // The leaf ends below max (so below MAX_INDEX): on to the next one.
    mas.offset = end;
    if (!nextNode(mas, MAX_INDEX)) return SCAN_DONE;
    off = 0;
  }
}

/**
 * Not a kernel function: the body of `MapleTree.forEach`. Calls `fn(value, first, last)` for each
 * range holding a real entry (XA_ZERO_ENTRY skipped) in ascending order, exactly as a
 * `mas_find(mas, max)` loop from `start` would find them, including after writes made by `fn`
 * (the next step re-walks to the last range reported and moves on from there). `fn` returning
 * `false` stops. The caller checks the arguments. Allocates one state per call, nothing per range.
 */
export function mt_scan<T>(
  mt: MapleTreeCore,
  start: number,
  max: number,
  fn: ScanVisitor<T>,
): void {
  if (start > max) return;
  const mas = new MaState(mt, start, start);
  if (mt.rootNode !== 0) {
    // A node tree: the range holding `start` is the first candidate, as mas_find's walk finds.
    descendToLeaf(mas, start);
    mas.status = "active";
    mas.generation = mt.generation;
    if (scanLeaves(mas, mas.offset, max, fn) !== SCAN_WRITTEN) return;
  }
  for (;;) {
    // The kernel step: after a write by `fn`, and on trees without nodes.
    const entry = mas_find(mas, max);
    if (entry === null) return;
    if (entry !== XA_ZERO_ENTRY) {
      const generation = mt.generation;
      if (fn(entry as T, mas.index, mas.last) === false) return;
      if (mt.generation !== generation) continue;
    }
    if (mas.status !== "active" || mas.node === 0 || mas.last >= max) continue;
    if (scanLeaves(mas, mas.offset + 1, max, fn) !== SCAN_WRITTEN) return;
  }
}

// The prototype every built-in iterator shares (%IteratorPrototype%): iterators made here get its
// `[Symbol.iterator]` and, on runtimes that have them, the iterator helpers, like generators do.
const IteratorPrototype: object = Object.getPrototypeOf(
  Object.getPrototypeOf([][Symbol.iterator]()),
);

/** A finished iterator's result: a fresh object each time, as a generator returns. */
function done(value?: unknown): IteratorReturnResult<unknown> {
  return { value, done: true };
}

const NOT_STARTED = 0;
const RUNNING = 1;
const FINISHED = 2;

/**
 * What the two iterators share: the generator-like life cycle (argument checks on the first
 * `next()`, `return()` / `throw()` finish it), the kernel step taken on the first call and after a
 * write, and the tree's arrays the fast step reads. Each subclass gives its direction: the kernel
 * find, where a step resumes after a write, and where the index space ends. The subclasses keep
 * their own `next()` and fast `step()`: `next()` is what a for-of loop inlines, and with one
 * `next()` per class each loop's call site sees a single class
 * (docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
 */
abstract class RangeCursor<T> implements IterableIterator<RangeItem<T>> {
  protected readonly mt: MapleTreeCore;
  protected readonly to: number;
  private readonly check: () => void;
  protected mas: MaState;
  private phase = NOT_STARTED;
  /** Positioned (active, on a node) at `generation`: the next step may take the fast path. */
  protected fast = false;
  protected generation = 0;
  // The tree's arrays as of `generation` (a write may replace them; the fast path runs only while
  // the generation is unchanged).
  protected pivots: Float64Array;
  protected slots: Int32Array;
  protected values: unknown[];

  constructor(mt: MapleTreeCore, from: number, to: number, check: () => void) {
    this.mt = mt;
    this.to = to;
    this.check = check;
    this.mas = new MaState(mt, from, from);
    this.pivots = mt.arena.pivots;
    this.slots = mt.arena.slots;
    this.values = mt.entries.values;
  }

  abstract next(): IteratorResult<RangeItem<T>>;

  /** The kernel find of this direction (mas_find / mas_find_rev) with the iterator's limit. */
  protected abstract kernelFind(mas: MaState): unknown;

  /** After a write: puts the state just past the last range returned, in this direction. */
  protected abstract resume(mas: MaState): void;

  /** Does the state's range reach the end of the index space in this direction? */
  protected abstract atEdge(mas: MaState): boolean;

  /**
   * Every other step: the first one, after a write, on trees without nodes, and once done. Returns
   * the entry (the state holds its range) or null when finished.
   */
  protected slowNext(): unknown {
    const mas = this.mas;
    const mt = this.mt;
    let entry: unknown;
    if (this.phase === RUNNING) {
      if (mt.generation !== this.generation) this.resume(mas);
      entry = this.find(mas);
    } else if (this.phase === NOT_STARTED) {
      this.phase = RUNNING;
      try {
        this.check();
      } catch (e) {
        this.finish();
        throw e;
      }
      entry = this.find(mas);
    } else {
      return null;
    }
    if (entry === null) {
      this.finish();
      return null;
    }
    this.generation = mt.generation;
    this.fast = mas.status === "active" && mas.node !== 0;
    this.pivots = mt.arena.pivots;
    this.slots = mt.arena.slots;
    this.values = mt.entries.values;
    // Nothing lies beyond the index space, written or not.
    if (this.atEdge(mas)) this.finish();
    return entry;
  }

  protected finish(): void {
    this.phase = FINISHED;
    this.fast = false;
  }

  /** Ends the iteration (as a generator's `return`; for-of calls it on `break`). */
  return(value?: unknown): IteratorResult<RangeItem<T>> {
    this.finish();
    return done(value);
  }

  /** Ends the iteration and throws `e` (as a generator's `throw`). */
  throw(e?: unknown): IteratorResult<RangeItem<T>> {
    this.finish();
    throw e;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** The kernel step: the kernel find until a range that is not XA_ZERO_ENTRY, or null. */
  private find(mas: MaState): unknown {
    for (;;) {
      const entry = this.kernelFind(mas);
      if (entry !== XA_ZERO_ENTRY) return entry;
    }
  }
}

/**
 * Not a kernel function: the iterator behind `MapleTree.entries(from, to)`. Yields the ranges a
 * `mas_find(mas, to)` loop from `from` finds, skipping XA_ZERO_ENTRY. If the tree was written
 * since the last range was yielded, the next step is a fresh find from one past that range.
 * Behaves like a generator: `check` (the argument checks) runs on the first `next()`, and
 * `return()` / `throw()` finish it.
 */
export class RangeIterator<T> extends RangeCursor<T> {
  // The same shape as RangeReverseIterator.next, on purpose: see RangeCursor.
  next(): IteratorResult<RangeItem<T>> {
    // The steady state, kept small so that it can be inlined into the caller's loop.
    const mas = this.mas;
    let entry: unknown;
    if (this.fast && this.mt.generation === this.generation) {
      entry = this.step(mas);
      // Nothing lies after MAX_INDEX, written or not.
      if (entry === null || mas.last === MAX_INDEX) this.finish();
    } else {
      entry = this.slowNext();
    }
    // One result object for both outcomes, so that once this call is inlined the caller's loop
    // never merges two allocations (V8's escape analysis then removes the result object).
    const finished = entry === null;
    return {
      value: finished ? undefined : { first: mas.index, last: mas.last, value: entry as T },
      done: finished,
    } as IteratorResult<RangeItem<T>>;
  }

  protected kernelFind(mas: MaState): unknown {
    return mas_find(mas, this.to);
  }

  protected resume(mas: MaState): void {
    mas_set(mas, mas.last + 1);
  }

  protected atEdge(mas: MaState): boolean {
    return mas.last === MAX_INDEX;
  }

  /**
   * The fast step from a fresh active state; the same answer as the kernel find. The mirror of
   * RangeReverseIterator.step, kept apart: each reads other words at each slot (see RangeCursor).
   */
  private step(mas: MaState): unknown {
    const max = this.to;
    const pivots = this.pivots;
    const slots = this.slots;
    const values = this.values;
    if (mas.last >= max) return null;
    let base = mas.node * STRIDE;
    let off = mas.offset;
    let end = mas.end;
    for (;;) {
      if (off < end) {
        off++;
      } else {
        // The leaf ends below max (so below MAX_INDEX): on to the next one.
        mas.offset = off;
        if (!nextNode(mas, MAX_INDEX)) return null;
        base = mas.node * STRIDE;
        off = 0;
        end = mas.end;
      }
      const word = slots[base + off];
      if (word !== 0) {
        const entry = entryOf(values, word);
        if (entry !== XA_ZERO_ENTRY) {
          mas.offset = off;
          mas.index = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
          mas.last = off < end ? pivots[base + off] : mas.max;
          return entry;
        }
      }
      // A NULL or reserved range: the end if it reaches max.
      if (mas.max >= max && (off < end ? pivots[base + off] : mas.max) >= max) {
        return null;
      }
    }
  }
}

/**
 * Not a kernel function: the iterator behind `MapleTree.entriesReverse(from, to)`. Yields the
 * ranges a `mas_find_rev(mas, to)` loop from `from` finds, skipping XA_ZERO_ENTRY. If the tree
 * was written since the last range was yielded, the next step is a fresh reverse find from one
 * before that range. Behaves like a generator, as {@link RangeIterator}.
 */
export class RangeReverseIterator<T> extends RangeCursor<T> {
  // The same shape as RangeIterator.next, on purpose: see RangeCursor.
  next(): IteratorResult<RangeItem<T>> {
    // The steady state, kept small so that it can be inlined into the caller's loop.
    const mas = this.mas;
    let entry: unknown;
    if (this.fast && this.mt.generation === this.generation) {
      entry = this.step(mas);
      // Nothing lies before index 0, written or not.
      if (entry === null || mas.index === 0) this.finish();
    } else {
      entry = this.slowNext();
    }
    // One result object for both outcomes, as in RangeIterator.next.
    const finished = entry === null;
    return {
      value: finished ? undefined : { first: mas.index, last: mas.last, value: entry as T },
      done: finished,
    } as IteratorResult<RangeItem<T>>;
  }

  protected kernelFind(mas: MaState): unknown {
    return mas_find_rev(mas, this.to);
  }

  protected resume(mas: MaState): void {
    mas_set(mas, mas.index - 1);
  }

  protected atEdge(mas: MaState): boolean {
    return mas.index === 0;
  }

  /**
   * The fast step from a fresh active state; the same answer as the kernel find. The mirror of
   * RangeIterator.step, kept apart: each reads other words at each slot (see RangeCursor).
   */
  private step(mas: MaState): unknown {
    const min = this.to;
    const pivots = this.pivots;
    const slots = this.slots;
    const values = this.values;
    if (mas.index <= min) return null;
    let base = mas.node * STRIDE;
    let off = mas.offset;
    for (;;) {
      if (off > 0) {
        off--;
      } else {
        // The leaf starts above min (so above 0): on to the previous one.
        mas.offset = off;
        if (!prevNode(mas, 0)) return null;
        base = mas.node * STRIDE;
        off = mas.end;
      }
      const word = slots[base + off];
      if (word !== 0) {
        const entry = entryOf(values, word);
        if (entry !== XA_ZERO_ENTRY) {
          mas.offset = off;
          mas.index = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
          mas.last = off < mas.end ? pivots[base + off] : mas.max;
          return entry;
        }
      }
      // A NULL or reserved range: the end if it reaches min.
      if (mas.min <= min && (off > 0 ? pivots[base + off - 1] + 1 : mas.min) <= min) {
        return null;
      }
    }
  }
}

Object.setPrototypeOf(RangeCursor.prototype, IteratorPrototype);
