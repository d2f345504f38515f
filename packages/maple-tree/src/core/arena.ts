// The node arena: every node of a tree lives in a few typed arrays indexed by node id, not in a JS
// object per node. This file owns the layout of a node, its allocation and its recycling.
//
// Layout of node `n` (0 is "no node"):
//   pivots[n*STRIDE + i]  i < end: the inclusive upper bound of slot i, strictly increasing.
//                         The last used slot (`end`) has no pivot of its own: it always ends at
//                         the node's implied maximum. Pivot words at `end` and beyond are 0.
//   slots [n*STRIDE + i]  i < 16 (range/leaf) or 10 (arange): a child node id in internal nodes,
//                         an entry handle in leaves (0 = NULL, see core/entry-table.ts).
//   gaps  [n*STRIDE + i]  arange nodes of allocation trees only: the largest NULL run in child i.
//   meta  [n*META + M_*]  parent id (0 for the root; the free-list link once freed), data end,
//                         type, slot in the parent, dead flag, offset of the largest gap.
// Slot i covers [pivot[i-1] + 1, pivot[i]]; slot 0 starts at the node's minimum and slot `end`
// ends at the node's maximum, both implied by the parent as in the kernel (docs/spec/maple-tree.md
// §1.4), so a node never stores its own bounds.
//
// Growth reallocates the arrays (doubling, then 1.25x steps for large arenas) instead of using a resizable ArrayBuffer: on this V8
// (Node 20) views of a resizable buffer were measured 2x slower on random reads. Because growth
// replaces the arrays, only `reserve()` may grow: a writer reserves its worst case first (which is
// also where -ENOMEM is decided, before anything changed) and `alloc()` then never reallocates,
// so array references a writer holds stay valid for the whole operation.

/** Words per node in `pivots`, `slots` and `gaps`. */
export const STRIDE = 16;
/** Int32 words per node in `meta` (six fields; the free-list link reuses the parent word). */
export const META = 6;

/** meta word: parent node id, 0 for the root node. */
export const M_PARENT = 0;
/** meta word: data end, the zero-based offset of the last used slot. */
export const M_END = 1;
/** meta word: node type (NODE_LEAF, NODE_RANGE, NODE_ARANGE). */
export const M_TYPE = 2;
/** meta word: this node's slot offset in its parent. */
export const M_PSLOT = 3;
/**
 * meta word: 1 once the node is dead (replaced in RCU mode), 2 once freed onto a free list, 3 once
 * freed onto a shared tree's reclaimed stack (not yet taken back by a writer).
 */
export const M_DEAD = 4;
/** meta word: offset of the largest gap (arange nodes), the kernel's `meta.gap`. */
export const M_GAP = 5;
/**
 * meta word: next node on the free list. A freed node has no parent, so the link shares the
 * parent word (the dead flag, 2, is what marks the node freed).
 */
export const M_NEXT_FREE = M_PARENT;

/** Kernel `maple_leaf_64`: every leaf; 16 slots, 15 pivots. */
export const NODE_LEAF = 1;
/** Kernel `maple_range_64`: internal node of a normal tree; 16 slots, 15 pivots. */
export const NODE_RANGE = 2;
/** Kernel `maple_arange_64`: internal node of an allocation tree; 10 slots, 9 pivots, 10 gaps. */
export const NODE_ARANGE = 3;

/** Kernel `MAPLE_RANGE64_SLOTS`. */
export const RANGE64_SLOTS = 16;
/** Kernel `MAPLE_ARANGE64_SLOTS`. */
export const ARANGE64_SLOTS = 10;
/** Kernel `MAPLE_HEIGHT_MAX`. */
export const HEIGHT_MAX = 31;

/** Slots of a node type (kernel `mt_slots[]`). */
export function slotsOf(type: number): number {
  return type === NODE_ARANGE ? ARANGE64_SLOTS : RANGE64_SLOTS;
}
/** Pivots of a node type (kernel `mt_pivots[]`). */
export function pivotsOf(type: number): number {
  return type === NODE_ARANGE ? ARANGE64_SLOTS - 1 : RANGE64_SLOTS - 1;
}
/** Minimum data end of a non-root node not on the right edge (kernel `mt_min_slots[]`). */
export function minEndOf(type: number): number {
  return type === NODE_ARANGE ? 4 : 6;
}

/** Node room from which the arena grows by 1.25x instead of doubling. */
const GROW_SLOW_FROM = 1 << 14;
/** Node room from which the arena grows by 1.125x. */
const GROW_SLOWER_FROM = 1 << 16;

/** The value freed words are filled with in poison mode, so a premature reuse fails loudly. */
export const POISON_PIVOT = -1;
/** Slot value of a poisoned (freed) node. */
export const POISON_SLOT = -0x6b6b6b6c;

/**
 * Reclamation a reserving writer may drive (reclaim-poll.ts implements it for trees whose reclaimer
 * can poll): defined here so the arena does not import the tree layer.
 */
export interface ArenaReclaim {
  /** Takes retired node `id` to free after its grace period; false to leave it to the caller. */
  retire(id: number): boolean;
  /** A write is about to reserve nodes: a point where the writer holds no retired node. */
  beforeReserve(): void;
  /**
   * The reservation is short by nodes the capacity cannot give (`round` 0 first, then 1, 2 ...
   * after each re-check): reclaim what can be; true to re-check, false to answer -ENOMEM.
   */
  shortage(round: number): boolean;
}

/** Options of a {@link NodeArena}. */
export interface ArenaOptions {
  /** Most nodes the arena may hold; a store needing more fails with -ENOMEM. Default 2^26. */
  capacity?: number;
  /** Nodes to allocate room for at first. Default 16. */
  initialNodes?: number;
  /** Keep a gaps array (allocation trees). */
  gaps?: boolean;
  /** Fill freed nodes with poison and check the dead flag on reuse (debug). */
  poison?: boolean;
  /**
   * Keep the node arrays in `SharedArrayBuffer`s sized for `capacity` nodes up front, so other
   * threads can map the same nodes (the shared mode's groundwork). They never grow: views of a
   * growable SharedArrayBuffer were measured 5x slower on this V8, fixed ones as fast as plain
   * arrays, and untouched pages cost no memory. Needs an explicit `capacity` (at most 2^22).
   */
  shared?: boolean;
}

/** Most nodes a shared arena may be sized for (2^22 nodes: about 1 GB of address space). */
export const SHARED_CAPACITY_MAX = 1 << 22;

/** The buffers of an existing shared arena, for another thread's view of it. */
export interface SharedArenaBuffers {
  readonly pivots: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
  readonly gaps: SharedArrayBuffer | null;
}

// The shared tree header's words that hold the arena's allocation state (shared/layout.ts lays out
// the rest of the header and re-exports these; they are defined here, where they are used, so the
// arena does not import the tree layer).
/** Header word: node ids below it have been handed out (`top`). */
export const H_TOP = 7;
/** Header word: nodes allocated (`live`). */
export const H_LIVE = 8;
/** Header word: head of the free list. */
export const H_FREE_HEAD = 9;
/** Header word: length of the free list. */
export const H_FREE_COUNT = 10;
/** Header word: head of the lock-free stack of nodes freed outside the writers' lock. */
export const H_RECLAIMED = 11;

/** A local arena's node arrays. */
interface LocalArrays {
  pivots: Float64Array;
  slots: Int32Array;
  meta: Int32Array;
  gaps: Float64Array | null;
}

/**
 * Zeroed node arrays of `room` nodes as views of one ArrayBuffer: one allocation instead of
 * three or four (a dup or a growth makes a new set; each buffer is a separate malloc and a
 * separate entry for the collector's buffer tracking). The 8-byte words come first, so every
 * view is aligned.
 */
function localArrays(room: number, gaps: boolean): LocalArrays {
  const words = room * STRIDE;
  const floatBytes = words * 8 * (gaps ? 2 : 1);
  const buffer = new ArrayBuffer(floatBytes + words * 4 + room * META * 4);
  return {
    pivots: new Float64Array(buffer, 0, words),
    gaps: gaps ? new Float64Array(buffer, words * 8, words) : null,
    slots: new Int32Array(buffer, floatBytes, words),
    meta: new Int32Array(buffer, floatBytes + words * 4, room * META),
  };
}

function floats(shared: boolean, n: number): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
}

function ints(shared: boolean, n: number): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
}

/** The node store of one tree: typed arrays, a free list and a capacity limit. */
export class NodeArena {
  pivots: Float64Array;
  slots: Int32Array;
  meta: Int32Array;
  gaps: Float64Array | null;
  /** Node ids below this have been handed out at least once. */
  top = 1;
  /** Nodes currently allocated (not on the free list). */
  live = 0;
  /** Most nodes this arena may hold at once. */
  capacity: number;
  /** Poison freed nodes (debug). */
  poison: boolean;
  /** The arrays live in SharedArrayBuffers sized for `capacity` (see ArenaOptions.shared). */
  readonly shared: boolean;
  /**
   * The header words of the shared tree this arena belongs to, else null. Then a free (which runs
   * in a grace-period callback, outside the writers' lock) only pushes the node on the header's
   * lock-free reclaimed stack, and the next reservation (under the lock) takes the stack back
   * into the free list.
   */
  sharedWords: Int32Array | null = null;
  /**
   * Shared trees: this thread holds the writers' lock, so a free may go straight to the free
   * list (set by SharedMapleTree around a write section).
   */
  exclusive = false;
  /** Writer-driven reclamation (a tree whose reclaimer can poll), else null. */
  reclaim: ArenaReclaim | null = null;
  /**
   * Shared trees, writer side: the write section each node was allocated in (a wrapping 8-bit
   * mark). A node born in the open section was never published: readers cannot reach it, so the
   * writer may change it in place and free it at once (shared/write-policy.ts).
   */
  private birth: Uint8Array | null = null;
  private birthMark = 0;
  private freeHead = 0;
  private freeCount = 0;
  /** Room, in nodes, of the current arrays (ids 0..room-1). */
  private room: number;

  /**
   * @param options - capacity, gaps, poison, shared
   * @param buffers - map these existing shared buffers instead of allocating (another thread's
   *   view of a shared arena; `options.shared` and `options.capacity` must describe them)
   */
  constructor(options: ArenaOptions = {}, buffers?: SharedArenaBuffers) {
    this.shared = options.shared ?? false;
    if (this.shared) {
      const c = options.capacity;
      if (c === undefined || !Number.isInteger(c) || c < 1 || c > SHARED_CAPACITY_MAX) {
        throw new RangeError(
          `maple-tree/NodeArena: a shared arena needs options.capacity, an integer in 1..${SHARED_CAPACITY_MAX}, got ${c}`,
        );
      }
    }
    this.capacity = options.capacity ?? 1 << 26;
    this.poison = options.poison ?? false;
    this.room = this.shared ? this.capacity + 1 : Math.max(2, (options.initialNodes ?? 16) + 1);
    if (buffers !== undefined) {
      this.pivots = new Float64Array(buffers.pivots);
      this.slots = new Int32Array(buffers.slots);
      this.meta = new Int32Array(buffers.meta);
      this.gaps = buffers.gaps === null ? null : new Float64Array(buffers.gaps);
      return;
    }
    if (this.shared) {
      this.pivots = floats(true, this.room * STRIDE);
      this.slots = ints(true, this.room * STRIDE);
      this.meta = ints(true, this.room * META);
      this.gaps = options.gaps ? floats(true, this.room * STRIDE) : null;
      return;
    }
    const local = localArrays(this.room, options.gaps ?? false);
    this.pivots = local.pivots;
    this.slots = local.slots;
    this.meta = local.meta;
    this.gaps = local.gaps;
  }

  /** Points the node arrays at fresh zeroed local arrays of `room` nodes (one buffer). */
  private allot(room: number, gaps: boolean): void {
    const local = localArrays(room, gaps);
    this.pivots = local.pivots;
    this.slots = local.slots;
    this.meta = local.meta;
    this.gaps = local.gaps;
    this.room = room;
  }

  /** Starts a write section of a shared tree: nodes allocated from now on are its own. */
  beginSection(): void {
    if (this.birth === null) this.birth = new Uint8Array(this.room);
    if (++this.birthMark === 256) {
      this.birth.fill(0);
      this.birthMark = 1;
    }
  }

  /** Was node `id` allocated in the open write section (never published)? */
  bornInSection(id: number): boolean {
    return this.birth !== null && this.birth[id] === this.birthMark;
  }

  /** Loads the allocation state a shared tree's last writer left in the header (under the lock). */
  loadShared(words: Int32Array): void {
    this.top = words[H_TOP];
    this.live = words[H_LIVE];
    this.freeHead = words[H_FREE_HEAD];
    this.freeCount = words[H_FREE_COUNT];
  }

  /** Leaves the allocation state in the header for the next writer (under the lock). */
  storeShared(words: Int32Array): void {
    words[H_TOP] = this.top;
    words[H_LIVE] = this.live;
    words[H_FREE_HEAD] = this.freeHead;
    words[H_FREE_COUNT] = this.freeCount;
  }

  /** Moves the nodes freed since (the header's reclaimed stack) onto the free list (under the lock). */
  private takeReclaimed(words: Int32Array): void {
    let id = Atomics.exchange(words, H_RECLAIMED, 0);
    while (id !== 0) {
      const next = this.meta[id * META + M_NEXT_FREE];
      this.meta[id * META + M_DEAD] = 2;
      this.meta[id * META + M_NEXT_FREE] = this.freeHead;
      this.freeHead = id;
      this.freeCount++;
      this.live--;
      id = next;
    }
  }

  /** Nodes that can still be allocated before the capacity is reached. */
  available(): number {
    return this.capacity - this.live;
  }

  /**
   * Makes sure `n` more nodes can be allocated without growing the arrays again.
   * Returns false (and changes nothing observable) when that would exceed the capacity.
   */
  reserve(n: number): boolean {
    const reclaim = this.reclaim;
    if (reclaim !== null) reclaim.beforeReserve();
    for (let round = 0; ; round++) {
      if (this.sharedWords !== null) this.takeReclaimed(this.sharedWords);
      if (this.live + n <= this.capacity) break;
      if (reclaim === null || !reclaim.shortage(round)) return false;
    }
    const fresh = n - this.freeCount;
    if (fresh > 0 && this.top + fresh > this.room) this.grow(this.top + fresh);
    return true;
  }

  /**
   * Allocates a zeroed node of `type` (not zeroed when `overwritten`: the caller writes all of
   * it). The caller must have reserved room with `reserve()`: alloc
   * never grows the arrays (a writer's cached array references must stay valid), so running past
   * the reservation is a bug in the writer and throws.
   */
  alloc(type: number, overwritten = false): number {
    let id: number;
    if (this.freeHead !== 0) {
      id = this.freeHead;
      this.freeHead = this.meta[id * META + M_NEXT_FREE];
      this.freeCount--;
      if (this.poison) this.checkPoison(id);
      // `overwritten`: the caller writes every word of the node next (a node copy).
      if (!overwritten) this.clear(id);
    } else {
      if (this.top >= this.room || this.live >= this.capacity) {
        throw new Error("maple-tree internal: node allocated beyond the writer's reservation");
      }
      id = this.top++;
    }
    this.live++;
    this.meta[id * META + M_TYPE] = type;
    if (this.birth !== null) this.birth[id] = this.birthMark;
    return id;
  }

  /** Returns a node to the free list (the caller has waited for readers if it had to). */
  free(id: number): void {
    const m = id * META;
    if (this.meta[m + M_DEAD] >= 2) throw new Error(`maple-tree: node ${id} freed twice`);
    if (this.poison) {
      this.pivots.fill(POISON_PIVOT, id * STRIDE, id * STRIDE + STRIDE);
      this.slots.fill(POISON_SLOT, id * STRIDE, id * STRIDE + STRIDE);
    }
    const words = this.sharedWords;
    this.meta[m + M_DEAD] = words !== null && !this.exclusive ? 3 : 2;
    if (words !== null && !this.exclusive) {
      // Lock-free push (Treiber stack; only the lock holder pops, all at once, so no ABA).
      let head: number;
      do {
        head = Atomics.load(words, H_RECLAIMED);
        this.meta[m + M_NEXT_FREE] = head;
      } while (Atomics.compareExchange(words, H_RECLAIMED, head, id) !== head);
      return;
    }
    this.meta[m + M_NEXT_FREE] = this.freeHead;
    this.freeHead = id;
    this.freeCount++;
    this.live--;
  }

  /** Has node `id` been freed (and not reallocated)? */
  isFreed(id: number): boolean {
    return this.meta[id * META + M_DEAD] >= 2;
  }

  /** Forgets every node (kernel `mtree_destroy` of a tree whose arena is private). */
  reset(): void {
    this.top = 1;
    this.live = 0;
    this.freeHead = 0;
    this.freeCount = 0;
    this.pivots.fill(0);
    this.slots.fill(0);
    this.meta.fill(0);
    this.gaps?.fill(0);
  }

  /** Makes this arena an exact copy of `src` (node ids preserved): the core of `__mt_dup`. */
  copyFrom(src: NodeArena): boolean {
    if (src.live > this.capacity) return false;
    if (this.shared) {
      // Shared arrays stay in place (other threads map them): copy the words in.
      if (src.top > this.room) return false;
      this.pivots.set(src.pivots.subarray(0, src.top * STRIDE));
      this.slots.set(src.slots.subarray(0, src.top * STRIDE));
      this.meta.set(src.meta.subarray(0, src.top * META));
      if (this.gaps && src.gaps) this.gaps.set(src.gaps.subarray(0, src.top * STRIDE));
    } else {
      const room = Math.max(src.top, 2);
      this.allot(room, src.gaps !== null);
      this.pivots.set(src.pivots.subarray(0, room * STRIDE));
      this.slots.set(src.slots.subarray(0, room * STRIDE));
      this.meta.set(src.meta.subarray(0, room * META));
      if (this.gaps !== null && src.gaps !== null) {
        this.gaps.set(src.gaps.subarray(0, room * STRIDE));
      }
    }
    this.top = src.top;
    this.live = src.live;
    this.freeHead = src.freeHead;
    this.freeCount = src.freeCount;
    return true;
  }

  /** Bytes held by the node arrays. */
  byteSize(): number {
    return (
      this.pivots.byteLength +
      this.slots.byteLength +
      this.meta.byteLength +
      (this.gaps?.byteLength ?? 0)
    );
  }

  // Word loops: on 16-word rows they measured 1.7-2.8x faster than TypedArray.fill.
  private clear(id: number): void {
    const pivots = this.pivots;
    const slots = this.slots;
    const gaps = this.gaps;
    const base = id * STRIDE;
    for (let i = base; i < base + STRIDE; i++) {
      pivots[i] = 0;
      slots[i] = 0;
    }
    if (gaps !== null) for (let i = base; i < base + STRIDE; i++) gaps[i] = 0;
    const meta = this.meta;
    for (let i = id * META; i < id * META + META; i++) meta[i] = 0;
  }

  private checkPoison(id: number): void {
    for (let i = id * STRIDE; i < id * STRIDE + STRIDE; i++) {
      if (this.pivots[i] !== POISON_PIVOT || this.slots[i] !== POISON_SLOT) {
        throw new Error(`maple-tree: freed node ${id} was written after it was freed`);
      }
    }
  }

  private grow(need: number): void {
    // A shared arena is sized for its capacity up front, and reserve() never asks for more.
    if (this.shared) throw new Error("maple-tree internal: a shared arena cannot grow");
    // Doubling while small; then 1.25x, then 1.125x steps: the slack is what a big tree pays per
    // entry (an arena of 1e6 ranges is ~28 MB), and the extra copies (each a memcpy of the
    // arrays) cost little next to the stores that filled them.
    const r = this.room;
    const step =
      r < GROW_SLOW_FROM
        ? r * 2
        : r < GROW_SLOWER_FROM
          ? Math.ceil(r * 1.25)
          : Math.ceil(r * 1.125);
    const room = Math.min(Math.max(need, step), Math.max(need, this.capacity + 1));
    const { pivots, slots, meta, gaps } = this;
    this.allot(room, gaps !== null);
    this.pivots.set(pivots);
    this.slots.set(slots);
    this.meta.set(meta);
    if (gaps !== null) this.gaps?.set(gaps);
  }
}
