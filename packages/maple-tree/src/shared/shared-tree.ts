// SharedMapleTree: one maple tree in SharedArrayBuffers, read lock-free from any thread inside RCU
// read sections and written by one thread at a time under a lock word in shared memory. This file
// is the face (create / attach / read / write and the map-like methods); how writes stay safe
// for readers is shared/write-policy.ts, the header is shared/layout.ts, the lock shared/lock.ts.
//
// Each thread has its own SharedMapleTree object over the same buffers, with its own
// MapleTreeCore (`mt`): inside `read()` its root is the version published when the section began
// (shared/layout.ts H_ROOT), inside `write()` it is the writer's tree, loaded from the header
// when another thread wrote last. Nodes are reused only after a grace period of the RCU domain
// every thread attached (`@maplemm/rcu` SharedRcu), so a reader never sees a reused node; every
// published node is immutable until then (shared/write-policy.ts), so it never sees a torn one.

import { MapleError } from "../core/errors.js";
import { describeValue, isIndex, MAX_INDEX } from "../core/index-space.js";
import type { Reclaimer } from "../core/reclaim.js";
import { ReclaimPoller, SHORTAGE_SPIN_MS } from "../core/reclaim-poll.js";
import { MA_STATE } from "../core/state.js";
import { MapleTreeCore, MT_FLAGS_ALLOC_RANGE, MT_FLAGS_USE_RCU } from "../core/tree.js";
import { checkIndex, checkRange, checkValue, fail } from "../face/args.js";
import {
  allRanges,
  ceilingOf,
  checkSnapshot,
  checkWindow,
  countIn,
  floorOf,
  INSPECT,
  type InspectOptions,
  inspectRanges,
  type MapleTreeSnapshot,
  type RangeEntry,
  rangesIn,
  rangesReverseIn,
  requireAlloc,
  storeSnapshotRanges,
} from "../face/common.js";
import { mt_scan } from "../read/cursor.js";
import { type GapOptions, mas_empty_area, mas_empty_area_rev } from "../read/gap-search.js";
import { loadEntry, mas_walk } from "../read/walk.js";
import { mtree_erase, mtree_insert_range, mtree_store_range } from "../write/normal.js";
import {
  adoptRoot,
  H_CAPACITY,
  H_COUNT,
  H_FLAGS,
  H_GEN,
  H_LOCK,
  H_MAGIC,
  H_OWNER,
  H_POISON,
  H_ROOT,
  H_STAMP,
  HEADER_WORDS,
  handleProblem,
  rootHeightOf,
  SHARED_ENTRY_MAX,
  SHARED_MAGIC,
  type SharedTreeHandle,
} from "./layout.js";
import {
  lockAsync,
  lockBlocking,
  seqBegin,
  seqChanged,
  seqEnd,
  seqRead,
  tryLock,
  unlock,
} from "./lock.js";
import { recoverDeadSection } from "./reap.js";
import { publishShared, SHARED_POLICY } from "./write-policy.js";

/**
 * What a shared tree needs from an RCU domain: read sections and deferred frees. `@maplemm/rcu`'s
 * `SharedRcu` (registered in the calling thread) satisfies it structurally.
 */
export interface SharedTreeDomain extends Reclaimer {
  /** Kernel `rcu_read_lock()`. */
  readLock(): void;
  /** Kernel `rcu_read_unlock()`. */
  readUnlock(): void;
}

/** Options of {@link SharedMapleTree.attach} (and of create). */
export interface SharedTreeOptions {
  /** This thread's registered domain; every thread's domain must be attached to the same one. */
  domain: SharedTreeDomain;
  /**
   * Fill freed nodes with poison and check them on reuse (debug, torture). A property of the
   * tree, chosen at `create`; `attach` takes it from the header (a different value is EINVAL).
   */
  poison?: boolean;
  /**
   * Where this thread's writes send replaced nodes; defaults to `domain`. For tests only: a
   * reclaimer that frees before the grace period ends is how a torture test proves it would
   * catch premature reuse.
   */
  reclaimer?: Reclaimer;
  /**
   * May `write()` sleep in `Atomics.wait` while another thread holds the lock? Default: true off
   * the main thread, false on it, where `write()` throws `MapleError("EBUSY")` instead (use
   * `writeAsync()`, which waits with `Atomics.waitAsync`).
   */
  blocking?: boolean;
}

/** Options of {@link SharedMapleTree.create}. */
export interface SharedTreeCreateOptions extends SharedTreeOptions {
  /** Most nodes the tree may hold, 1..2^22; the buffers are sized for it up front. */
  capacity: number;
  /** 0 or `MT_FLAGS_ALLOC_RANGE`; the tree is always in RCU mode. */
  flags?: number;
}

/**
 * One stored range of a shared tree.
 * @deprecated Use `RangeEntry<number>`, the one range type of both faces.
 */
export type SharedRange = RangeEntry<number>;

/**
 * Options of {@link SharedMapleTree.findGap}.
 * @deprecated Use `GapOptions`, the one gap-options type of both faces.
 */
export type SharedGapOptions = GapOptions;

/** Spins of `readStable` between short sleeps while writers keep it from a stable read. */
const STABLE_SPINS = 64;

/** Node's worker_threads module when there is one (no import: the package is not Node-only). */
function workerThreads(): { isMainThread?: boolean; threadId?: number } | undefined {
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  return g.process?.getBuiltinModule?.("node:worker_threads") as
    | { isMainThread?: boolean; threadId?: number }
    | undefined;
}

function defaultBlocking(): boolean {
  const wt = workerThreads();
  if (wt !== undefined) return wt.isMainThread === false;
  // Browsers allow Atomics.wait in workers only.
  return (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== undefined;
}

/** A worker as `watchWorker` needs it (node:worker_threads `Worker`). */
export interface WatchedWorker {
  readonly threadId: number;
  once(event: "exit", listener: () => void): unknown;
}

function checkDomain(where: string, domain: unknown): void {
  const d = domain as Partial<SharedTreeDomain> | null | undefined;
  if (
    typeof d !== "object" ||
    d === null ||
    typeof d.readLock !== "function" ||
    typeof d.readUnlock !== "function" ||
    typeof d.defer !== "function"
  ) {
    throw new MapleError(
      "EINVAL",
      `maple-tree/${where}: options.domain must be an RCU domain with readLock, readUnlock and defer (a registered SharedRcu), got ${describeValue(domain)}`,
    );
  }
}

function checkEntry(where: string, value: unknown, name = "value"): void {
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > SHARED_ENTRY_MAX ||
    Object.is(value, -0)
  ) {
    throw new MapleError(
      "EINVAL",
      `maple-tree/${where}: ${name} must be an integer in 0..${SHARED_ENTRY_MAX} (a shared tree stores integers; keep a table keyed by them), got ${describeValue(value)}`,
    );
  }
}

/**
 * A maple tree in shared memory: created by one thread, attached by others (`handle` through
 * `postMessage` / `workerData`), read lock-free by all of them inside RCU read sections of one
 * `SharedRcu` domain, written by one thread at a time under a lock in the shared header. Entries
 * are integers 0..`SHARED_ENTRY_MAX`. The tree is always in RCU mode (kernel `mt_set_in_rcu`),
 * and a write becomes visible to readers all at once (one root word).
 *
 * Reads (`get`, `getRange`, `entries`, `forEach`, `findGap`, or any kernel-layer read on `mt`
 * inside `read()`) each see one published version. Writes (`set`, `setRange`, `insert`,
 * `delete`, or any kernel-layer write on `mt` inside `write()` / `writeAsync()`) take the lock.
 *
 * @example
 * ```ts
 * // main thread
 * const rcu = SharedRcu.create({ maxThreads: 8 });
 * rcu.register();
 * const tree = SharedMapleTree.create({ capacity: 1 << 16, domain: rcu });
 * tree.setRange(0x1000, 0x1fff, 7);
 * new Worker(url, { workerData: { rcu: rcu.buffer, tree: tree.handle } });
 * // worker
 * const rcu = SharedRcu.attach(workerData.rcu);
 * rcu.register();
 * const tree = SharedMapleTree.attach(workerData.tree, { domain: rcu });
 * tree.get(0x1800); // 7, lock-free
 * tree.read((mt) => mt_find(mt, { value: 0 }, MAX_INDEX)); // the kernel layer in a read section
 * ```
 */
export class SharedMapleTree {
  /** The buffers, for `SharedMapleTree.attach` in another thread (structured-cloneable). */
  readonly handle: SharedTreeHandle;
  /** This thread's kernel-layer tree: use it only inside `read()` / `write()` callbacks. */
  readonly mt: MapleTreeCore;
  private readonly words: Int32Array;
  private readonly domain: SharedTreeDomain;
  private readonly blocking: boolean;
  /** The header stamp of this thread's last release: if still current, `mt` is up to date. */
  private stamp = -1;
  private readDepth = 0;
  /** This thread's id + 1, written to the header while it holds the lock. */
  private readonly owner = (workerThreads()?.threadId ?? 0) + 1;

  private constructor(handle: SharedTreeHandle, mt: MapleTreeCore, options: SharedTreeOptions) {
    this.handle = handle;
    this.mt = mt;
    this.words = new Int32Array(handle.header);
    this.domain = options.domain;
    this.blocking = options.blocking ?? defaultBlocking();
    mt.shared = this.words;
    mt.policy = SHARED_POLICY;
    mt.arena.sharedWords = this.words;
    // Before -ENOMEM a writer waits for readers' sections: sleeping where it may block, a short
    // spin where it may not (reclaim-poll.ts).
    const poller = mt.arena.reclaim;
    if (poller instanceof ReclaimPoller && !this.blocking) poller.shortageWaitMs = SHORTAGE_SPIN_MS;
  }

  /**
   * A new, empty shared tree (kernel `DEFINE_MTREE` + `mt_set_in_rcu`), its buffers sized for
   * `capacity` nodes. Throws `MapleError("EINVAL")` naming a bad option.
   */
  static create(options: SharedTreeCreateOptions): SharedMapleTree {
    const where = "SharedMapleTree.create";
    checkDomain(where, options?.domain);
    const flags = options.flags ?? 0;
    if (flags !== 0 && flags !== MT_FLAGS_ALLOC_RANGE) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: options.flags must be 0 or MT_FLAGS_ALLOC_RANGE, got ${describeValue(options.flags)}`,
      );
    }
    let mt: MapleTreeCore;
    try {
      mt = new MapleTreeCore(flags | MT_FLAGS_USE_RCU, {
        capacity: options.capacity,
        shared: true,
        poison: options.poison ?? false,
        reclaimer: options.reclaimer ?? options.domain,
      });
    } catch (e) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: options.capacity: ${(e as Error).message}`,
      );
    }
    const header = new SharedArrayBuffer(HEADER_WORDS * 4);
    const words = new Int32Array(header);
    words[H_CAPACITY] = mt.arena.capacity;
    words[H_FLAGS] = mt.attr;
    words[H_POISON] = mt.arena.poison ? 1 : 0;
    mt.arena.storeShared(words);
    Atomics.store(words, H_MAGIC, SHARED_MAGIC);
    const arena = mt.arena;
    const handle: SharedTreeHandle = {
      header,
      pivots: arena.pivots.buffer as SharedArrayBuffer,
      slots: arena.slots.buffer as SharedArrayBuffer,
      meta: arena.meta.buffer as SharedArrayBuffer,
      gaps: arena.gaps === null ? null : (arena.gaps.buffer as SharedArrayBuffer),
    };
    const tree = new SharedMapleTree(handle, mt, options);
    tree.stamp = words[H_STAMP];
    return tree;
  }

  /** This thread's view of the shared tree `handle` describes. Throws `MapleError("EINVAL")`. */
  static attach(handle: SharedTreeHandle, options: SharedTreeOptions): SharedMapleTree {
    const where = "SharedMapleTree.attach";
    const problem = handleProblem(handle);
    if (problem !== null) {
      throw new MapleError("EINVAL", `maple-tree/${where}: handle: ${problem}`);
    }
    checkDomain(where, options?.domain);
    const words = new Int32Array(handle.header);
    const capacity = words[H_CAPACITY];
    // Poisoning is tree-wide: a thread that freed without poisoning would trip another's check.
    const poison = words[H_POISON] === 1;
    if (options.poison !== undefined && options.poison !== poison) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: options.poison is ${options.poison} but the tree was created with poison ${poison} (omit it to inherit)`,
      );
    }
    const mt = new MapleTreeCore(words[H_FLAGS], {
      capacity,
      shared: true,
      poison,
      reclaimer: options.reclaimer ?? options.domain,
      arenaBuffers: handle,
    });
    // A pure reader never loads the allocation state; let its checks accept every node id.
    mt.arena.top = capacity + 1;
    return new SharedMapleTree(handle, mt, options);
  }

  // ---------------------------------------------------------------- reading

  /**
   * Runs `fn` in a read section (kernel `rcu_read_lock(); ... rcu_read_unlock()` around lockless
   * reads), starting on the version published when it began; its nodes stay intact until the
   * section ends. Use any kernel-layer read on `mt` inside. As in the kernel, a `mas_*` move
   * whose node a later write replaced restarts from the newest version (`mas_rewalk_if_dead`):
   * a `mas_find` loop then returns ranges of more than one version, still sorted and each one
   * that existed; `forEach`, `entries` and single lookups read one version. A `MaState` kept
   * past the section re-walks in the next one (the generation moved; kernel `mas_pause`).
   * Inside `write()` it simply runs `fn` on the writer's tree.
   */
  read<T>(fn: (mt: MapleTreeCore) => T): T {
    const mt = this.mt;
    if (mt.sharedWriting) return fn(mt);
    const d = this.domain;
    d.readLock();
    try {
      if (this.readDepth++ === 0) mt.syncFromShared();
      return fn(mt);
    } finally {
      this.readDepth--;
      d.readUnlock();
    }
  }

  /**
   * Like `read`, but `fn`'s result comes from one state between two write sections (kernel
   * `read_seqcount_begin` / `read_seqcount_retry`): when a write section overlapped, `fn` runs
   * again. Use it when several reads must agree (e.g. rendering a whole address space).
   * A writer that never pauses can keep it retrying, as with any seqcount.
   */
  readStable<T>(fn: (mt: MapleTreeCore) => T): T {
    if (this.mt.sharedWriting) return fn(this.mt);
    const words = this.words;
    for (let tries = 1; ; tries++) {
      const s = seqRead(words);
      if (s >= 0) {
        const r = this.read(fn);
        if (!seqChanged(words, s)) return r;
      }
      if (tries % STABLE_SPINS === 0 && this.blocking) Atomics.wait(words, H_MAGIC, 0, 0.05);
    }
  }

  /** The value of the range holding `index`, or undefined (kernel `mtree_load`, lock-free). */
  get(index: number): number | undefined {
    if (!isIndex(index)) checkIndex("SharedMapleTree.get", "index", index);
    const e = this.load(index);
    return e === null ? undefined : e;
  }

  /** Whether some value covers `index`. */
  has(index: number): boolean {
    if (!isIndex(index)) checkIndex("SharedMapleTree.has", "index", index);
    return this.load(index) !== null;
  }

  /** One lookup in its own read section: `read()` without a closure per call (the hot path). */
  private load(index: number): number | null {
    const mt = this.mt;
    if (mt.sharedWriting) return loadEntry(mt, index) as number | null;
    const d = this.domain;
    d.readLock();
    try {
      if (this.readDepth === 0) mt.syncFromShared();
      return loadEntry(mt, index) as number | null;
    } finally {
      d.readUnlock();
    }
  }

  /** The range holding `index` with its value, or undefined (kernel `mas_walk`, lock-free). */
  getRange(index: number): RangeEntry<number> | undefined {
    checkIndex("SharedMapleTree.getRange", "index", index);
    return this.read((mt) => {
      const mas = MA_STATE(mt, index, index);
      const e = mas_walk(mas);
      return e === null ? undefined : { first: mas.index, last: mas.last, value: e as number };
    });
  }

  /**
   * The ranges ending at or after `from` and starting at or before `to`, ascending, all from
   * one version (one read section; kernel `mt_for_each`). They are collected when called (a read
   * section cannot stay open across a caller's loop); the iterator walks that copy.
   */
  entries(from = 0, to: number = MAX_INDEX): IterableIterator<RangeEntry<number>> {
    checkIndex("SharedMapleTree.entries", "from", from);
    checkIndex("SharedMapleTree.entries", "to", to);
    const out: RangeEntry<number>[] = [];
    this.read((mt) =>
      mt_scan<number>(mt, from, to, (value, first, last) => {
        out.push({ first, last, value });
      }),
    );
    return out.values();
  }

  /**
   * Calls `fn(value, first, last)` (the order of `MapleTree.forEach` and `Map.forEach`) for each range in ascending order from one version, inside
   * one read section (keep `fn` short; return `false` to stop). Returns the ranges visited.
   */
  forEach(
    fn: (value: number, first: number, last: number) => unknown,
    from = 0,
    to: number = MAX_INDEX,
  ): number {
    checkIndex("SharedMapleTree.forEach", "from", from);
    checkIndex("SharedMapleTree.forEach", "to", to);
    let n = 0;
    this.read((mt) =>
      mt_scan<number>(mt, from, to, (value, first, last) => {
        n++;
        return fn(value, first, last);
      }),
    );
    return n;
  }

  /**
   * First index of the lowest (highest) window of `size` empty indices in [min, max] of one
   * version, or undefined (kernel `mas_empty_area` / `mas_empty_area_rev`; O(log n) on an
   * allocation tree). Lock-free; the window may be taken by a writer right after. Needs an
   * allocation tree (`flags: MT_FLAGS_ALLOC_RANGE`), as `MapleTree.findGap` does: on a plain tree
   * it throws `MapleError("EINVAL")` rather than scan every range.
   */
  findGap(size: number, options: GapOptions = {}): number | undefined {
    const where = "SharedMapleTree.findGap";
    const min = options.min ?? 0;
    const max = options.max ?? MAX_INDEX;
    checkIndex(where, "size", size);
    checkIndex(where, "options.min", min);
    checkIndex(where, "options.max", max);
    if (size === 0 || min > max || max - min < size - 1) {
      throw new MapleError(
        "EINVAL",
        `maple-tree/${where}: [${min}, ${max}] cannot hold a window of ${size} indices`,
      );
    }
    requireAlloc(this.mt, where);
    return this.read((mt) => {
      const mas = MA_STATE(mt, min, min);
      const ret =
        options.highest === true
          ? mas_empty_area_rev(mas, min, max, size)
          : mas_empty_area(mas, min, max, size);
      return ret === 0 ? mas.index : undefined;
    });
  }

  /** Ranges stored, as of the last published write. */
  get size(): number {
    const root = Atomics.load(this.words, H_ROOT);
    return root < 0 ? 1 : Atomics.load(this.words, H_COUNT);
  }

  /** Generation of the published version: moves with every write. */
  get generation(): number {
    return Atomics.load(this.words, H_GEN);
  }

  /** Height of the published version (kernel `mt_height`). */
  get height(): number {
    return rootHeightOf(Atomics.load(this.words, H_ROOT));
  }

  // ---------------------------------------------------------------- writing

  /**
   * Runs `fn` with the writers' lock held (kernel `mtree_lock(); ... mtree_unlock()`), `mt`
   * being the writer's tree: any kernel-layer write (integer entries only) and read on it.
   * The section is atomic for readers: they see all its stores, published in one root word when
   * it ends, or none (a store that fails inside it, e.g. -ENOMEM, leaves the stores before it
   * in). Nested calls run inside the open section. Sleeps while another
   * thread writes if this thread may block, else throws `MapleError("EBUSY")` (use
   * `writeAsync`). Re-entrant within `fn`. `fn` must be synchronous.
   */
  write<T>(fn: (mt: MapleTreeCore) => T): T {
    if (this.mt.sharedWriting) return fn(this.mt);
    const words = this.words;
    if (!tryLock(words)) {
      if (!this.blocking) {
        throw new MapleError(
          "EBUSY",
          "maple-tree/SharedMapleTree.write: EBUSY: another thread holds the tree's lock and this thread may not block (use writeAsync)",
        );
      }
      lockBlocking(words);
    }
    return this.locked(fn);
  }

  /** `write`, waiting for the lock with `Atomics.waitAsync`: never blocks the thread. */
  async writeAsync<T>(fn: (mt: MapleTreeCore) => T): Promise<T> {
    if (this.mt.sharedWriting) return fn(this.mt);
    await lockAsync(this.words);
    return this.locked(fn);
  }

  // MapleTree's write methods over this tree's store (numbers, under the lock), with errors naming
  // SharedMapleTree: the same one-line delegations, kept per class (see face/maple-tree.ts).

  /** Stores `value` at `index` (kernel `mtree_store`). */
  set(index: number, value: number): this {
    checkIndex("SharedMapleTree.set", "index", index);
    return this.store("SharedMapleTree.set", index, index, value);
  }

  /** Stores `value` over [first, last] (kernel `mtree_store_range`). */
  setRange(first: number, last: number, value: number): this {
    checkRange("SharedMapleTree.setRange", first, last);
    return this.store("SharedMapleTree.setRange", first, last, value);
  }

  /** Stores `value` at `index` if empty; else throws `MapleError("EEXIST")`. */
  insert(index: number, value: number): this {
    checkIndex("SharedMapleTree.insert", "index", index);
    return this.insertRange(index, index, value);
  }

  /** Stores `value` over [first, last] if all empty (kernel `mtree_insert_range`), else EEXIST. */
  insertRange(first: number, last: number, value: number): this {
    const where = "SharedMapleTree.insertRange";
    checkRange(where, first, last);
    checkEntry(where, value);
    const ret = this.write((mt) => mtree_insert_range(mt, first, last, value));
    if (ret !== 0) fail(where, ret, `[${first}, ${last}] is not empty`);
    return this;
  }

  /** Empties the range holding `index` (kernel `mtree_erase`); whether there was a value. */
  delete(index: number): boolean {
    checkIndex("SharedMapleTree.delete", "index", index);
    return this.write((mt) => mtree_erase(mt, index)) !== null;
  }

  /** Empties [first, last] (kernel `mtree_store_range` with NULL). */
  deleteRange(first: number, last: number): void {
    const where = "SharedMapleTree.deleteRange";
    checkRange(where, first, last);
    const ret = this.write((mt) => mtree_store_range(mt, first, last, null));
    if (ret !== 0) fail(where, ret, `[${first}, ${last}]`);
  }

  /**
   * Recovers the lock from thread `threadId` if it died holding it (a worker terminated inside
   * `write()`): takes the lock over, puts the tree back in the state of the last finished write
   * section (its unpublished changes are dropped, the nodes it held go back on the free list),
   * ends its seqcount and releases the lock, waking waiting writers. Returns whether it did. Call it
   * only for a thread that has exited (see `watchWorker`). Not a kernel function: the kernel has
   * no dying lock holders; this is `SharedRcu.reapThread` for the writers' lock.
   */
  reapWriter(threadId: number): boolean {
    const words = this.words;
    if (this.mt.sharedWriting || threadId + 1 === this.owner) return false;
    if (Atomics.load(words, H_LOCK) === 0 || Atomics.load(words, H_OWNER) !== threadId + 1) {
      return false;
    }
    Atomics.store(words, H_OWNER, this.owner);
    recoverDeadSection(this.mt, words[H_CAPACITY]);
    this.stamp = -1;
    Atomics.store(words, H_OWNER, 0);
    unlock(words);
    return true;
  }

  /**
   * Reaps `worker`'s hold on the writers' lock when it exits (`reapWriter`), as `SharedRcu`'s
   * `watchWorker` reaps its read-side slot. Call it when starting a worker that writes.
   */
  watchWorker(worker: WatchedWorker): void {
    const id = worker.threadId;
    worker.once("exit", () => {
      this.reapWriter(id);
    });
  }

  private store(where: string, first: number, last: number, value: number): this {
    checkValue(where, value);
    checkEntry(where, value);
    const ret = this.write((mt) => mtree_store_range(mt, first, last, value));
    if (ret !== 0) fail(where, ret, `[${first}, ${last}]`);
    return this;
  }

  /** Runs `fn` as the writer: lock already taken; seqcount, writer state in and out, release. */
  private locked<T>(fn: (mt: MapleTreeCore) => T): T {
    const words = this.words;
    const mt = this.mt;
    Atomics.store(words, H_OWNER, this.owner);
    seqBegin(words);
    if (words[H_STAMP] !== this.stamp) {
      // Another thread wrote last: take its tree over (plain reads are ordered by the lock).
      adoptRoot(mt, words[H_ROOT] as number);
      mt.generation = words[H_GEN] as number;
      mt.entries.setSize(words[H_COUNT] as number);
      mt.arena.loadShared(words);
    }
    mt.sharedWriting = true;
    mt.syncedGeneration = Number.NaN; // the fields become the writer's
    mt.arena.exclusive = true;
    mt.arena.beginSection();
    try {
      return fn(mt);
    } finally {
      mt.arena.exclusive = false;
      publishShared(mt);
      mt.arena.storeShared(words);
      const stamp = (words[H_STAMP] + 1) | 0;
      words[H_STAMP] = stamp;
      this.stamp = stamp;
      mt.sharedWriting = false;
      seqEnd(words);
      Atomics.store(words, H_OWNER, 0);
      unlock(words);
    }
  }

  // ------------------------------------------------ Map / sorted-btree conveniences
  // MapleTree's names and behaviour (docs/spec/api-idiomatic.md), each answer read from one
  // version in one read section. Iterators walk a copy collected in that section: a read section
  // cannot stay open across the caller's loop.

  /** Ascending iteration over every range of one version (`entries()`). */
  [Symbol.iterator](): IterableIterator<RangeEntry<number>> {
    return this.entries();
  }

  /**
   * The ranges starting at or before `from` and ending at or after `to`, descending, from one
   * version (kernel `mas_for_each_rev`).
   */
  entriesReverse(from: number = MAX_INDEX, to = 0): IterableIterator<RangeEntry<number>> {
    checkWindow("SharedMapleTree.entriesReverse", from, to);
    return this.read((mt) => rangesReverseIn<number>(mt, from, to)).values();
  }

  /** The first index of each range meeting `[from, to]`, ascending, from one version. */
  keys(from = 0, to: number = MAX_INDEX): IterableIterator<number> {
    checkWindow("SharedMapleTree.keys", from, to);
    const out: number[] = [];
    this.read((mt) => mt_scan<number>(mt, from, to, (_value, first) => void out.push(first)));
    return out.values();
  }

  /** The value of each range meeting `[from, to]`, ascending, from one version. */
  values(from = 0, to: number = MAX_INDEX): IterableIterator<number> {
    checkWindow("SharedMapleTree.values", from, to);
    const out: number[] = [];
    this.read((mt) => mt_scan<number>(mt, from, to, (value) => void out.push(value)));
    return out.values();
  }

  /** The lowest range, or undefined when the tree is empty (kernel `mas_find` from 0). */
  first(): RangeEntry<number> | undefined {
    return this.read((mt) => ceilingOf<number>(mt, 0));
  }

  /** The highest range, or undefined when empty (kernel `mas_find_rev` from MAX_INDEX). */
  last(): RangeEntry<number> | undefined {
    return this.read((mt) => floorOf<number>(mt, MAX_INDEX));
  }

  /** The range holding `index`, else the nearest one below it (kernel `mas_find_rev`). */
  floor(index: number): RangeEntry<number> | undefined {
    checkIndex("SharedMapleTree.floor", "index", index);
    return this.read((mt) => floorOf<number>(mt, index));
  }

  /** The range holding `index`, else the nearest one above it (kernel `mas_find`). */
  ceiling(index: number): RangeEntry<number> | undefined {
    checkIndex("SharedMapleTree.ceiling", "index", index);
    return this.read((mt) => ceilingOf<number>(mt, index));
  }

  /** How many ranges of one version meet `[from, to]`. O(log n + k). */
  count(from = 0, to: number = MAX_INDEX): number {
    checkWindow("SharedMapleTree.count", from, to);
    if (from > to) return 0;
    return this.read((mt) => countIn(mt, from, to));
  }

  /**
   * One version as plain data (`{ version: 1, alloc, ranges }`), the same shape as
   * `MapleTree.snapshot()`: `MapleTree.fromSnapshot` or {@link SharedMapleTree.fromSnapshot}
   * restore it.
   */
  snapshot(): MapleTreeSnapshot<number> {
    return this.read((mt) => ({
      version: 1 as const,
      alloc: mt.isAlloc,
      ranges: rangesIn<number>(mt, 0, MAX_INDEX),
    }));
  }

  /** `JSON.stringify(tree)` gives the snapshot: the ranges, not the buffers. */
  toJSON(): MapleTreeSnapshot<number> {
    return this.snapshot();
  }

  /**
   * A new shared tree (as {@link SharedMapleTree.create}) holding the ranges of `snapshot`,
   * stored in one write section. `options.flags` defaults to the snapshot's `alloc`. Throws
   * `MapleError("EINVAL")` naming the first bad field (values must be integers in
   * 0..SHARED_ENTRY_MAX) before making anything, `"ENOMEM"` when the ranges exceed the capacity.
   */
  static fromSnapshot(
    snapshot: MapleTreeSnapshot<number>,
    options: SharedTreeCreateOptions,
  ): SharedMapleTree {
    const where = "SharedMapleTree.fromSnapshot";
    const s = checkSnapshot<number>(where, snapshot, (name, value) =>
      checkEntry(where, value, name),
    );
    const flags = options?.flags ?? (s.alloc ? MT_FLAGS_ALLOC_RANGE : 0);
    const tree = SharedMapleTree.create({ ...options, flags });
    tree.write((mt) => storeSnapshotRanges(mt, s.ranges, where));
    return tree;
  }

  /** Node's `util.inspect` (and so `console.log`): the ranges of one version, like a Map. */
  [INSPECT](
    depth: number,
    options?: InspectOptions,
    inspect?: (v: unknown, o?: InspectOptions) => string,
  ): string {
    return this.read((mt) =>
      inspectRanges(
        "SharedMapleTree",
        countIn(mt, 0, MAX_INDEX),
        allRanges(mt),
        depth,
        options,
        inspect,
      ),
    );
  }
}
