// The tree itself (kernel `struct maple_tree`): flags with the height bits, the root, and the
// per-tree node arena and entry table. Both faces of the package (the kernel layer and the
// idiomatic MapleTree class) operate on this one struct.
//
// The root is one of (docs/spec/maple-tree.md §1.6):
//   - empty:        rootNode === 0 and rootEntry === null;
//   - direct entry: rootNode === 0 and rootEntry !== null, the tree holds exactly [0,0];
//   - a node:       rootNode !== 0 (a leaf when the height is 1).

import { adoptRoot, H_GEN, H_ROOT } from "../shared/layout.js";
import type { WriteContext } from "../write/context.js";
import { LOCAL_POLICY, type WritePolicy } from "../write/policy.js";
import type { Plan } from "../write/store.js";
import { type ArenaOptions, M_DEAD, META, NodeArena, type SharedArenaBuffers } from "./arena.js";
import { EntryTable } from "./entry-table.js";
import { immediateReclaimer, type Reclaimer } from "./reclaim.js";
import { reclaimPollerFor } from "./reclaim-poll.js";
import type { MaState } from "./state.js";

/** Kernel `MT_FLAGS_ALLOC_RANGE`: an allocation tree, with gap tracking in internal nodes. */
export const MT_FLAGS_ALLOC_RANGE = 0x01;
/** Kernel `MT_FLAGS_USE_RCU`: the tree is in RCU mode. */
export const MT_FLAGS_USE_RCU = 0x02;
/** Kernel `MT_FLAGS_HEIGHT_OFFSET`. */
export const MT_FLAGS_HEIGHT_OFFSET = 0x02;
/** Kernel `MT_FLAGS_HEIGHT_MASK`. */
export const MT_FLAGS_HEIGHT_MASK = 0x7c;
/** Kernel `MT_FLAGS_LOCK_MASK`. */
export const MT_FLAGS_LOCK_MASK = 0x300;
/** Kernel `MT_FLAGS_LOCK_IRQ`. */
export const MT_FLAGS_LOCK_IRQ = 0x100;
/** Kernel `MT_FLAGS_LOCK_BH`. */
export const MT_FLAGS_LOCK_BH = 0x200;
/** Kernel `MT_FLAGS_LOCK_EXTERN`: the tree's own lock is not used. */
export const MT_FLAGS_LOCK_EXTERN = 0x300;
/** Kernel `MT_FLAGS_ALLOC_WRAPPED`: the cyclic allocator wrapped. */
export const MT_FLAGS_ALLOC_WRAPPED = 0x0800;

/** Options of a tree beyond the kernel flags. */
export interface TreeOptions extends ArenaOptions {
  /** Where unlinked nodes go; defaults to freeing at once. Plug in an `@maplemm/rcu` domain. */
  reclaimer?: Reclaimer;
  /** Map these buffers of an existing shared arena instead of allocating (SharedMapleTree.attach). */
  arenaBuffers?: SharedArenaBuffers;
}

/** Kernel `struct maple_tree`. */
export class MapleTreeCore {
  private _flags = 0;
  /**
   * How this tree's mode writes (write/policy.ts): local or RCU as the RCU flag says, or a shared
   * tree's (set by SharedMapleTree). Follows the RCU flag whenever `flags` is written.
   * @internal
   */
  policy: WritePolicy = LOCAL_POLICY;
  /** Root node id, 0 when the tree is empty or holds a direct root entry. */
  rootNode = 0;
  /** The direct root entry (the tree holds only [0,0]), else null. */
  rootEntry: unknown = null;
  /** Node storage. */
  arena: NodeArena;
  /** Entry handle table. */
  entries: EntryTable;
  /** Node and handle reclamation (RCU mode defers through it). */
  reclaimer: Reclaimer;
  /** Bumped by every write; lets debug checks catch a stale non-RCU iterator. */
  generation = 0;
  /**
   * Kernel `ma_lock`, as a flag: single-threaded JS needs no spinning. Read by `mt_lock_is_held`,
   * which ported code asserts with (the kernel's lockdep check).
   */
  locked = false;
  /**
   * The header words (shared/layout.ts) when this core is one thread's view of a shared tree,
   * else null. A shared tree's writes copy every node they change up to the root and publish
   * the new root in one word (shared/write-policy.ts); its reads cross leaves by a fresh descent from
   * the root they started from, never through parent words (step.ts).
   */
  shared: Int32Array | null = null;
  /** This thread holds the shared tree's lock: the fields above are the writer's, not a snapshot. */
  sharedWriting = false;
  /** Shared trees: nodes unlinked by the write in progress, retired once its root is published. */
  pendingRetire: number[] = [];
  /** Shared trees: the generation this view's root fields were last synced at (NaN: stale). */
  syncedGeneration = Number.NaN;
  /** The writers' per-tree context (write/context.ts), made on the first write. */
  writeCtx: WriteContext | null = null;
  /**
   * The state the normal API's one-shot reads borrow (walk.ts `borrowReadState`), or null.
   * @internal
   */
  readState: MaState | null = null;
  /**
   * The normal API's (mtree_*) own write state, reset per call (write/normal.ts). On the tree,
   * not in the write context, so a write that only replaces a slot makes no context.
   * @internal
   */
  writeState: MaState | null = null;
  /**
   * Bulk loading's parts of the write path (bulk.ts): what a store in bulk mode reserves and
   * mas_destroy's rebalance of the last leaf. Installed by mas_expected_entries, so a tree that
   * never bulk-loads does not bundle them.
   * @internal
   */
  bulk: {
    storeNodes(tree: MapleTreeCore, p: Plan): number;
    destroy(mas: MaState): void;
  } | null = null;
  private readonly arenaOptions: ArenaOptions;

  constructor(flags = 0, options: TreeOptions = {}) {
    this.flags = flags & ~MT_FLAGS_HEIGHT_MASK;
    this.arenaOptions = { ...options, gaps: (flags & MT_FLAGS_ALLOC_RANGE) !== 0 };
    this.arena = new NodeArena(this.arenaOptions, options.arenaBuffers);
    this.entries = new EntryTable();
    this.reclaimer = options.reclaimer ?? immediateReclaimer;
    this.arena.reclaim = reclaimPollerFor(this);
  }

  /** Kernel `ma_flags`: attribute flags plus the height in bits 2..6. */
  get flags(): number {
    return this._flags;
  }
  set flags(f: number) {
    this._flags = f;
    this.policy = this.policy.forFlags(f);
  }

  /** Kernel `mt_height()`. */
  get height(): number {
    return (this.flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET;
  }
  set height(h: number) {
    this.flags = (this.flags & ~MT_FLAGS_HEIGHT_MASK) | (h << MT_FLAGS_HEIGHT_OFFSET);
  }

  /** Kernel `mt_is_alloc()`. */
  get isAlloc(): boolean {
    return (this.flags & MT_FLAGS_ALLOC_RANGE) !== 0;
  }

  /** Kernel `mt_in_rcu()`. */
  get inRcu(): boolean {
    return (this.flags & MT_FLAGS_USE_RCU) !== 0;
  }

  /** Kernel `mt_attr()`: the flags without the height. */
  get attr(): number {
    return this.flags & ~MT_FLAGS_HEIGHT_MASK;
  }

  /**
   * Shared trees, reader side (kernel `rcu_dereference(mt->ma_root)`): takes the published
   * version as this thread's view, generation first (see shared/layout.ts). Call inside a read
   * section; the nodes it reaches stay valid until the section ends.
   */
  syncFromShared(): void {
    const words = this.shared as Int32Array;
    const g = Atomics.load(words, H_GEN);
    // Same generation as this view's last sync: its root is still one no grace period has
    // passed for (the writer stores root, then generation, then retires), so keep it.
    if (g === this.syncedGeneration) return;
    this.generation = g;
    this.syncedGeneration = g;
    adoptRoot(this, Atomics.load(words, H_ROOT));
  }

  /**
   * Is node `id` not dead (kernel `!ma_dead_node`)? A shared tree's dead word changes while other
   * threads can see the node, so it is read atomically there.
   */
  nodeLive(id: number): boolean {
    const meta = this.arena.meta;
    return this.policy.atomicDead
      ? Atomics.load(meta, id * META + M_DEAD) === 0
      : meta[id * META + M_DEAD] === 0;
  }

  /** Replaces the arena (re-initialisation with new flags). */
  resetStorage(flags: number): void {
    if (this.policy.fixedMode) {
      throw new Error("maple-tree: a shared tree's storage cannot be re-initialised");
    }
    this.flags = flags & ~MT_FLAGS_HEIGHT_MASK;
    this.rootNode = 0;
    this.rootEntry = null;
    this.arena = new NodeArena({
      ...this.arenaOptions,
      gaps: (flags & MT_FLAGS_ALLOC_RANGE) !== 0,
    });
    this.arena.reclaim = reclaimPollerFor(this);
    this.entries = new EntryTable();
    this.generation++;
  }
}
