// The idiomatic face of the maple tree: `MapleTree<T>`, a range map a TypeScript user reaches for
// (get / set / setRange / insert / delete / ordered iteration both ways). It is a thin layer over
// the kernel functions on one `MapleTreeCore` (`tree.mt`), so both faces always see the same tree:
// argument checks that name the bad argument, errno -> MapleError, null -> undefined.

/// <reference lib="esnext.disposable" preserve="true" />
// (kept in the emitted .d.ts: Symbol.dispose and Disposable type-check for users on es2022 libs)

import { EINVAL, MapleError } from "../core/errors.js";
import { describeValue, isIndex, MAX_INDEX } from "../core/index-space.js";
import type { Reclaimer } from "../core/reclaim.js";
import { type MapleTreeCore, MT_FLAGS_ALLOC_RANGE, MT_FLAGS_USE_RCU } from "../core/tree.js";
import { mt_scan, RangeIterator, RangeReverseIterator } from "../read/cursor.js";
import {
  type GapOptions,
  mas_empty_area,
  mas_empty_area_rev,
  mtree_alloc_range,
  mtree_alloc_rrange,
} from "../read/gap-search.js";
import { borrowReadState, loadEntry, mas_walk, releaseReadState } from "../read/walk.js";
import { GFP_KERNEL } from "../write/alloc.js";
import { mt_build } from "../write/build-sorted.js";
import { type DupMap, dupTree } from "../write/dup.js";
import {
  DEFINE_MTREE,
  mtree_destroy,
  mtree_erase,
  mtree_insert_range,
  mtree_store_range,
  storeRangeChecked,
} from "../write/normal.js";
import { checkIndex, checkRange, checkValue, fail } from "./args.js";
import {
  ceilingOf,
  checkSnapshot,
  checkWindow,
  countIn,
  firstsOf,
  floorOf,
  INSPECT,
  type InspectOptions,
  inspectRanges,
  type MapleTreeSnapshot,
  type RangeEntry,
  rangesIn,
  requireAlloc,
  storeSnapshotRanges,
  valuesOf,
} from "./common.js";

export type { MapleTreeSnapshot, RangeEntry } from "./common.js";

/** Options of a {@link MapleTree}. */
export interface MapleTreeOptions {
  /** An allocation tree (`MT_FLAGS_ALLOC_RANGE`): internal nodes track the largest gap. */
  alloc?: boolean;
  /** Start in RCU mode (`MT_FLAGS_USE_RCU`): writers copy nodes instead of changing them in place. */
  rcu?: boolean;
  /** Most nodes the tree may hold; a write that needs more throws `MapleError("ENOMEM")`. */
  capacity?: number;
  /** Where replaced nodes go in RCU mode; pass an `@maplemm/rcu` domain. Default: free at once. */
  reclaimer?: Reclaimer;
  /** Poison freed nodes so a premature reuse fails loudly (debug). */
  poison?: boolean;
}

/**
 * A map from non-overlapping integer ranges `[first, last]` to values, stored in a maple tree
 * (the Linux kernel's B-tree of ranges). Storing over a range replaces whatever overlapped it;
 * adjacent ranges are never merged, even with equal values. Indices are integers in
 * `0..MAX_INDEX` (`Number.MAX_SAFE_INTEGER`).
 *
 * Every method mirrors a kernel function on the same tree, reachable as {@link MapleTree.mt} for
 * the kernel layer (`@maplemm/maple-tree/kernel`).
 *
 * @example
 * ```ts
 * const vmas = new MapleTree<string>();
 * vmas.setRange(0x1000, 0x1fff, "text");
 * vmas.setRange(0x3000, 0x3fff, "data");
 * vmas.get(0x1800);            // "text"
 * vmas.get(0x2000);            // undefined
 * for (const { first, last, value } of vmas) console.log(first, last, value);
 * ```
 */
export class MapleTree<T> implements Iterable<RangeEntry<T>> {
  /** The kernel tree underneath (kernel `struct maple_tree`), for the `mas_*` / `mtree_*` API. */
  readonly mt: MapleTreeCore;

  /**
   * A new tree holding `ranges` (an iterable of `{ first, last, value }`; `options` as for the
   * constructor). Sorted, non-overlapping input is built directly, bottom-up, with no walk per
   * range (the kernel's bulk load, `mas_expected_entries` + ascending `mas_store`, done at once);
   * any other input is stored range by range in its order (later ranges overwrite earlier ones).
   * Throws `MapleError("EINVAL")` naming the first bad element (`first > last`, not an index, value
   * null or undefined) and `"ENOMEM"` past `options.capacity`; nothing is built then.
   */
  static from<T>(ranges: Iterable<RangeEntry<T>>, options: MapleTreeOptions = {}): MapleTree<T> {
    const tree = new MapleTree<T>(options);
    mt_build(tree.mt, ranges, "MapleTree.from");
    return tree;
  }

  constructor(options: MapleTreeOptions = {}) {
    const flags = (options.alloc ? MT_FLAGS_ALLOC_RANGE : 0) | (options.rcu ? MT_FLAGS_USE_RCU : 0);
    const treeOptions: Parameters<typeof DEFINE_MTREE>[1] = {};
    if (options.capacity !== undefined) {
      checkIndex("MapleTree.constructor", "options.capacity", options.capacity);
      treeOptions.capacity = options.capacity;
    }
    if (options.reclaimer !== undefined) treeOptions.reclaimer = options.reclaimer;
    if (options.poison !== undefined) treeOptions.poison = options.poison;
    this.mt = DEFINE_MTREE(flags, treeOptions);
  }

  /**
   * The value of the range holding `index`, or undefined (kernel `mtree_load`).
   * Complexity: O(log n), no allocation.
   */
  get(index: number): T | undefined {
    if (!isIndex(index)) checkIndex("MapleTree.get", "index", index);
    const entry = loadEntry(this.mt, index);
    return entry === null ? undefined : (entry as T);
  }

  /** Whether some value covers `index` (kernel `mtree_load() != NULL`). */
  has(index: number): boolean {
    if (!isIndex(index)) checkIndex("MapleTree.has", "index", index);
    return loadEntry(this.mt, index) !== null;
  }

  /**
   * The whole range holding `index` with its value, or undefined where nothing is stored
   * (kernel `mas_walk`).
   */
  getRange(index: number): RangeEntry<T> | undefined {
    checkIndex("MapleTree.getRange", "index", index);
    // The shared internal state: mas_walk calls no user code, so no state is made per call.
    const mas = borrowReadState(this.mt, index);
    const entry = mas_walk(mas);
    const first = mas.index;
    const last = mas.last;
    releaseReadState(mas);
    return entry === null ? undefined : { first, last, value: entry as T };
  }

  // The write methods below are one-line delegations: check the arguments (the error names this
  // method), then the one store path. SharedMapleTree repeats them over its own store (numbers,
  // under the cross-thread lock) so each face keeps the same Map-like surface with its own
  // messages; each body is two lines, and a common base class would add a layer to both public
  // classes (and their TypeDoc) to save none.

  /** Stores `value` at the single index `index` (kernel `mtree_store`). */
  set(index: number, value: T): this {
    checkIndex("MapleTree.set", "index", index);
    return this.store("set", index, index, value);
  }

  /**
   * Stores `value` over `[first, last]`, trimming or splitting the ranges it overlaps (kernel
   * `mtree_store_range`). Complexity: O(log n) plus the ranges removed.
   */
  setRange(first: number, last: number, value: T): this {
    checkRange("MapleTree.setRange", first, last);
    return this.store("setRange", first, last, value);
  }

  /** Stores `value` at `index` only if it is empty; throws `MapleError("EEXIST")` otherwise. */
  insert(index: number, value: T): this {
    checkIndex("MapleTree.insert", "index", index);
    return this.insertChecked("insert", index, index, value);
  }

  /**
   * Stores `value` over `[first, last]` only if every index in it is empty (kernel
   * `mtree_insert_range`); throws `MapleError("EEXIST")` otherwise and changes nothing.
   */
  insertRange(first: number, last: number, value: T): this {
    checkRange("MapleTree.insertRange", first, last);
    return this.insertChecked("insertRange", first, last, value);
  }

  /**
   * Empties the whole range holding `index` (kernel `mtree_erase`). Returns whether there was
   * a value there.
   */
  delete(index: number): boolean {
    checkIndex("MapleTree.delete", "index", index);
    return mtree_erase(this.mt, index) !== null;
  }

  /**
   * Empties `[first, last]`, trimming ranges that stick out (kernel `mtree_store_range` with
   * NULL).
   */
  deleteRange(first: number, last: number): void {
    checkRange("MapleTree.deleteRange", first, last);
    const ret = mtree_store_range(this.mt, first, last, null);
    if (ret !== 0) fail("MapleTree.deleteRange", ret, `[${first}, ${last}]`);
  }

  /** Number of stored (non-empty) ranges. Complexity: O(1). */
  get size(): number {
    // A lone [0, 0] is the direct root entry, outside the entry table.
    return this.mt.entries.size + (this.mt.rootEntry === null ? 0 : 1);
  }

  /** Removes everything (kernel `mtree_destroy`); the tree stays usable. */
  clear(): void {
    mtree_destroy(this.mt);
  }

  /**
   * The stored ranges in ascending order: those ending at or after `from` and starting at or
   * before `to` (kernel `mas_for_each`). Writing to the tree while iterating is allowed; the
   * iteration continues after the last range it returned.
   */
  entries(from = 0, to: number = MAX_INDEX): IterableIterator<RangeEntry<T>> {
    // A generator-like iterator (argument checks on the first next()) over a leaf cursor; a write
    // by the caller makes the next step a fresh find from one past the last range returned.
    return new RangeIterator<T>(this.mt, from, to, () => {
      checkIndex("MapleTree.entries", "from", from);
      checkIndex("MapleTree.entries", "to", to);
    });
  }

  /**
   * The stored ranges in descending order: those starting at or before `from` and ending at or
   * after `to` (kernel `mas_for_each_rev`).
   */
  entriesReverse(from: number = MAX_INDEX, to = 0): IterableIterator<RangeEntry<T>> {
    return new RangeReverseIterator<T>(this.mt, from, to, () => {
      checkIndex("MapleTree.entriesReverse", "from", from);
      checkIndex("MapleTree.entriesReverse", "to", to);
    });
  }

  /** Ascending iteration over every stored range. */
  [Symbol.iterator](): IterableIterator<RangeEntry<T>> {
    return this.entries();
  }

  /**
   * Calls `fn(value, first, last)` for each stored range in ascending order from `from` to `to`;
   * allocation-free, the fastest way to visit ranges. Return `false` from `fn` to stop.
   */
  forEach(
    fn: (value: T, first: number, last: number) => unknown,
    from = 0,
    to: number = MAX_INDEX,
  ): void {
    checkIndex("MapleTree.forEach", "from", from);
    checkIndex("MapleTree.forEach", "to", to);
    mt_scan(this.mt, from, to, fn);
  }

  /**
   * The first index of the lowest (or, with `highest`, the highest) window of `size` empty
   * indices inside `[min, max]`, or undefined when there is none (kernel `mas_empty_area` /
   * `mas_empty_area_rev`), O(log n). Needs an allocation tree (`{ alloc: true }`), as
   * {@link MapleTree.allocate} does: a plain tree keeps no gap bookkeeping, so a search there would
   * scan every range; it throws `MapleError("EINVAL")` instead. Also throws `"EINVAL"` for a size
   * that is not a positive integer, bad bounds, or a window wider than `[min, max]`.
   */
  findGap(size: number, options: GapOptions = {}): number | undefined {
    const { min, max, highest } = this.gapArgs("findGap", size, options);
    requireAlloc(this.mt, "MapleTree.findGap");
    // The shared internal state (status start: a fresh search), as in getRange.
    const mas = borrowReadState(this.mt, min);
    const ret = highest
      ? mas_empty_area_rev(mas, min, max, size)
      : mas_empty_area(mas, min, max, size);
    const at = mas.index;
    releaseReadState(mas);
    return ret === 0 ? at : undefined;
  }

  /**
   * Stores `value` over the lowest (or, with `highest`, the highest) window of `size` empty
   * indices inside `[min, max]` and returns its first index (kernel `mtree_alloc_range` /
   * `mtree_alloc_rrange`). Needs an allocation tree (`{ alloc: true }`). Throws
   * `MapleError("EBUSY")` when no window fits, `"EINVAL"` for bad arguments, `"ENOMEM"` when the
   * capacity is reached; the tree is then unchanged.
   */
  allocate(size: number, value: T, options: GapOptions = {}): number {
    const { min, max, highest } = this.gapArgs("allocate", size, options);
    checkValue("MapleTree.allocate", value);
    requireAlloc(this.mt, "MapleTree.allocate");
    const start = { value: 0 };
    const ret = highest
      ? mtree_alloc_rrange(this.mt, start, value, size, min, max)
      : mtree_alloc_range(this.mt, start, value, size, min, max);
    if (ret !== 0)
      fail("MapleTree.allocate", ret, `no window of ${size} empty indices in [${min}, ${max}]`);
    return start.value;
  }

  /**
   * A copy of this tree, node for node (kernel `__mt_dup`): same ranges, same shape and options,
   * and the same values, or `map(value)` for each when `map` is given (the fork pattern: copy the
   * tree and give the copy its own values, without a store per range). The two trees are
   * independent afterwards. O(n), no re-insertion. Throws `MapleError("ENOMEM")` when the copy
   * exceeds the capacity.
   */
  dup(): MapleTree<T>;
  dup<U>(map: (value: T) => U): MapleTree<U>;
  dup<U>(map?: (value: T) => U): MapleTree<T> | MapleTree<U> {
    const mt = this.mt;
    if (map !== undefined && typeof map !== "function") {
      throw new MapleError(
        "EINVAL",
        `maple-tree/MapleTree.dup: map must be a function, got ${describeValue(map)}`,
      );
    }
    const copy = new MapleTree<U>({
      alloc: mt.isAlloc,
      rcu: mt.inRcu,
      capacity: mt.arena.capacity,
      poison: mt.arena.poison,
      reclaimer: mt.reclaimer,
    });
    copy.mt.flags = mt.attr;
    const ret = dupTree(mt, copy.mt, GFP_KERNEL, (map as DupMap | undefined) ?? null);
    if (ret !== 0) fail("MapleTree.dup", ret, `${mt.arena.live} nodes`);
    return copy;
  }

  private gapArgs(
    where: string,
    size: number,
    options: GapOptions,
  ): { min: number; max: number; highest: boolean } {
    const min = options.min ?? 0;
    const max = options.max ?? MAX_INDEX;
    checkIndex(`MapleTree.${where}`, "size", size);
    checkIndex(`MapleTree.${where}`, "options.min", min);
    checkIndex(`MapleTree.${where}`, "options.max", max);
    if (size === 0)
      throw new MapleError("EINVAL", `maple-tree/MapleTree.${where}: size must be at least 1`);
    if (min > max || max - min < size - 1) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/MapleTree.${where}: [${min}, ${max}] cannot hold ${size} indices`,
      );
    }
    return { min, max, highest: options.highest === true };
  }

  /** Frees the tree's nodes (kernel `mtree_destroy`), for `using` declarations. */
  [Symbol.dispose](): void {
    mtree_destroy(this.mt);
  }

  private store(where: string, first: number, last: number, value: T): this {
    // The message is built only when it is thrown: a string per store is a young-generation
    // allocation on every write.
    if (value === null || value === undefined) checkValue(`MapleTree.${where}`, value);
    // The indices were checked by the caller (set / setRange).
    const ret = storeRangeChecked(this.mt, first, last, value);
    if (ret !== 0) fail(`MapleTree.${where}`, ret, `[${first}, ${last}]`);
    return this;
  }

  private insertChecked(where: string, first: number, last: number, value: T): this {
    checkValue(`MapleTree.${where}`, value);
    const ret = mtree_insert_range(this.mt, first, last, value);
    if (ret !== 0) {
      fail(
        `MapleTree.${where}`,
        ret,
        ret === -EINVAL ? `[${first}, ${last}]` : `[${first}, ${last}] is not empty`,
      );
    }
    return this;
  }

  // ------------------------------------------------ Map / sorted-btree conveniences
  // Names and reasons: docs/spec/api-idiomatic.md. Each reads the tree through the same kernel
  // finds as `entries` / `entriesReverse` (mas_find / mas_find_rev).

  /**
   * The first index of each stored range meeting `[from, to]`, ascending (a `mas_for_each` loop,
   * as `entries`, whose window it takes). A range is identified by its first index:
   * `getRange(key)` returns it.
   */
  keys(from = 0, to: number = MAX_INDEX): IterableIterator<number> {
    checkWindow("MapleTree.keys", from, to);
    return firstsOf(this.entries(from, to));
  }

  /** The value of each stored range meeting `[from, to]`, ascending (`mas_for_each`). */
  values(from = 0, to: number = MAX_INDEX): IterableIterator<T> {
    checkWindow("MapleTree.values", from, to);
    return valuesOf(this.entries(from, to));
  }

  /** The lowest stored range, or undefined when the tree is empty (kernel `mas_find` from 0). */
  first(): RangeEntry<T> | undefined {
    return ceilingOf<T>(this.mt, 0);
  }

  /** The highest stored range, or undefined when empty (kernel `mas_find_rev` from MAX_INDEX). */
  last(): RangeEntry<T> | undefined {
    return floorOf<T>(this.mt, MAX_INDEX);
  }

  /**
   * The range at or before `index`: the one holding `index`, else the nearest one ending below
   * it, or undefined (kernel `mas_find_rev` from `index`). The range strictly before a stored
   * range `r` is `floor(r.first - 1)`. O(log n).
   */
  floor(index: number): RangeEntry<T> | undefined {
    checkIndex("MapleTree.floor", "index", index);
    return floorOf<T>(this.mt, index);
  }

  /**
   * The range at or after `index`: the one holding `index`, else the nearest one starting above
   * it, or undefined (kernel `mas_find` from `index`). The range strictly after a stored range
   * `r` is `ceiling(r.last + 1)`. O(log n).
   */
  ceiling(index: number): RangeEntry<T> | undefined {
    checkIndex("MapleTree.ceiling", "index", index);
    return ceilingOf<T>(this.mt, index);
  }

  /**
   * How many stored ranges meet `[from, to]` (end at or after `from`, start at or before `to`):
   * the ranges `entries(from, to)` would yield (a counting `mas_for_each` loop; not a kernel
   * function). O(1) for the whole index space, else
   * O(log n + k) (the tree keeps no per-subtree counts).
   */
  count(from = 0, to: number = MAX_INDEX): number {
    checkWindow("MapleTree.count", from, to);
    if (from > to) return 0;
    if (from === 0 && to === MAX_INDEX) return this.size;
    return countIn(this.mt, from, to);
  }

  /**
   * The tree as plain data (`{ version: 1, alloc, ranges }`, see {@link MapleTreeSnapshot}) that
   * `structuredClone` and `postMessage` carry; {@link MapleTree.fromSnapshot} restores it. The
   * values are the tree's own (not copied here). Not a kernel function (one `mas_for_each` pass).
   * O(n).
   */
  snapshot(): MapleTreeSnapshot<T> {
    return { version: 1, alloc: this.mt.isAlloc, ranges: rangesIn<T>(this.mt, 0, MAX_INDEX) };
  }

  /** `JSON.stringify(tree)` gives the snapshot: the ranges, not the nodes. */
  toJSON(): MapleTreeSnapshot<T> {
    return this.snapshot();
  }

  /**
   * A tree holding the ranges of `snapshot` (from `snapshot()`, `toJSON()`, or either face).
   * `options` as for the constructor; `alloc` defaults to the snapshot's. Throws
   * `MapleError("EINVAL")` naming the first bad field (`snapshot.ranges[2].first`, ...) before
   * making anything, `"ENOMEM"` when the ranges exceed `options.capacity`.
   */
  static fromSnapshot<T>(
    snapshot: MapleTreeSnapshot<T>,
    options: MapleTreeOptions = {},
  ): MapleTree<T> {
    const where = "MapleTree.fromSnapshot";
    const s = checkSnapshot<T>(where, snapshot);
    if (typeof options !== "object" || options === null) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: options must be an object, got ${describeValue(options)}`,
      );
    }
    const tree = new MapleTree<T>({ ...options, alloc: options.alloc ?? s.alloc });
    storeSnapshotRanges(tree.mt, s.ranges, where);
    return tree;
  }

  /** Node's `util.inspect` (and so `console.log`): `MapleTree(2) { [0, 9] => 'a', ... }`. */
  [INSPECT](
    depth: number,
    options?: InspectOptions,
    inspect?: (v: unknown, o?: InspectOptions) => string,
  ): string {
    return inspectRanges("MapleTree", this.size, this.entries(), depth, options, inspect);
  }
}
