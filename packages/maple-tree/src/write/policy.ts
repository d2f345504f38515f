// The write policy of a tree's mode: local, RCU or shared. One object per mode, chosen when the
// tree is made (`MapleTreeCore.policy`) and switched with the RCU flag (kernel `mt_set_in_rcu` /
// `mt_clear_in_rcu` write it; tree.ts swaps the policy whenever the flag changes). It owns what
// differs between the modes, so the writers and readers ask it instead of testing the mode:
//   - whether a node a reader may hold changes in place (kernel: `mt_in_rcu()` checks in
//     mas_wr_store_type / mas_wr_node_store / mas_wr_append, which copy the node in RCU mode);
//   - how dead nodes are marked (`mte_set_node_dead`) and retired (`ma_free_rcu`, `mt_free_bulk`);
//   - how a walk crosses leaves (through parent words, or by a fresh descent in a shared tree);
//   - the extra nodes a write reserves (a shared tree's copy-up of the paths above its leaves).
//
// The shape of a tree is the same in every mode: the policy changes whether a node is rewritten
// or replaced by a copy with the same contents, never where items go (test/write-modes-shape.test.ts
// checks it). The kernel's RCU mode (6.12) is the same: `mt_in_rcu()` only picks a copy over an
// in-place wr_append / wr_slot_store / wr_node_store; mas_split, mas_push_data, mas_rebalance and
// the spanning store never ask for the mode, so no node differs.
//
// Every policy is an instance of this one class, so the fields read on hot paths (`inPlace`,
// `slotStore`, `crossByDescent`) are monomorphic loads; the methods run at most once per write
// (or per restart of a read), never per slot step. The shared policy lives in shared/write-policy.ts:
// it needs the shared tree's internals (copy-up, publication, the section's own nodes).

import { M_DEAD, META } from "../core/arena.js";
import type { MaState } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { handOver } from "./retire.js";
import type { Plan } from "./store.js";

/** What a mode decides (the constructor's argument): every field of a policy. */
export type WritePolicySpec = Omit<WritePolicy, "forFlags">;

/** The modes a tree writes in. */
export type WriteMode = "local" | "rcu" | "shared";

/** One mode's write policy (see the file header). */
export class WritePolicy {
  /** The mode's name (diagnostics; code asks the fields below, never the name). */
  readonly mode!: WriteMode;
  /**
   * A node readers may hold changes beyond one slot word: leaf stores in place (kernel
   * wr_append, wr_node_store outside RCU mode) and a new value behind an unchanged entry handle.
   */
  readonly inPlace!: boolean;
  /**
   * Where `inPlace` is false: may leaf `id` still take a leaf store in place? A shared tree's
   * leaf born in the open write section can: no reader has seen it.
   */
  readonly leafInPlace!: (tree: MapleTreeCore, id: number) => boolean;
  /**
   * An exact fit changes its one slot word in place (kernel wr_exact_fit). A reader in this
   * thread sees the old word or the new; a shared tree's readers in other threads read leaf words
   * plainly, so there the leaf is copied like any other.
   */
  readonly slotStore!: boolean;
  /** Entry handles a write drops are freed after readers, not at once. */
  readonly deferHandles!: boolean;
  /** Dead words are written and read with Atomics: other threads read them while they change. */
  readonly atomicDead!: boolean;
  /**
   * Readers cross leaves by a fresh descent from the root their section started at, never through
   * parent words (a shared tree's writers change parent words of published nodes).
   */
  readonly crossByDescent!: boolean;
  /** Readers live in other threads: a writer short of nodes waits a bounded time for them. */
  readonly readersElsewhere!: boolean;
  /** The mode is fixed with the storage: no leaving RCU mode, no re-init, no block copy into it. */
  readonly fixedMode!: boolean;
  /** Appended to the error of a descent that met garbage (what it means in this mode). */
  readonly corruptionHint!: string;
  /** Checks the writer and the entry; puts `mas` in error and returns false when refused. */
  readonly writeOk!: (mas: MaState, entry: unknown) => boolean;
  /** Throws unless the calling thread may write the tree now. */
  readonly checkWriter!: (tree: MapleTreeCore) => void;
  /** Nodes a planned store needs beyond the store's own (a shared tree's copy-up). */
  readonly extraNodes!: (tree: MapleTreeCore, p: Plan) => number;
  /** Runs before a planned store into a node tree changes anything (a shared tree's copy-up). */
  readonly prepare!: (mas: MaState, p: Plan) => void;
  /** A node the write consumed (dead mark set) is unlinked now: free it, or after readers. */
  readonly retireConsumed!: (tree: MapleTreeCore, id: number) => void;
  /** A node the write unlinked whole (no dead mark yet): mark it and retire it. */
  readonly retireNode!: (tree: MapleTreeCore, id: number) => void;
  /** A reader restarting after it met a dead node takes the newest version (shared trees). */
  readonly resync!: (tree: MapleTreeCore) => void;
  /** Before the live nodes are counted: take back frees that wait elsewhere (shared trees). */
  readonly collectFrees!: (tree: MapleTreeCore) => void;

  constructor(spec: WritePolicySpec) {
    // The fields above are defined first, in their order, so every policy has one shape.
    Object.assign(this, spec);
  }

  /** The policy once the tree's flags are `flags` (the RCU flag picks local or RCU). */
  forFlags(flags: number): WritePolicy {
    if (this.fixedMode) return this;
    // MT_FLAGS_USE_RCU (tree.ts; not imported: tree.ts imports this file).
    return (flags & 0x02) !== 0 ? RCU_POLICY : LOCAL_POLICY;
  }
}

const yes = (): boolean => true;
const no = (): boolean => false;
const nothing = (): void => {};
const none = (): number => 0;

/** Frees node `id` at once: no reader can hold it (kernel `mt_free_bulk` outside RCU mode). */
function freeNow(tree: MapleTreeCore, id: number): void {
  tree.arena.free(id);
}

/** Plain dead mark (kernel `mte_set_node_dead`): only this thread reads it. */
function markDead(tree: MapleTreeCore, id: number): void {
  tree.arena.meta[id * META + M_DEAD] = 1;
}

/** What the local and RCU policies share: every reader and writer is in this thread. */
const ONE_THREAD = {
  atomicDead: false,
  crossByDescent: false,
  readersElsewhere: false,
  fixedMode: false,
  corruptionHint: "",
  writeOk: yes,
  checkWriter: nothing,
  extraNodes: none,
  prepare: nothing,
  resync: nothing,
  collectFrees: nothing,
} as const;

/** A tree without lock-free readers: nodes change in place, frees happen at once. */
export const LOCAL_POLICY: WritePolicy = new WritePolicy({
  mode: "local",
  inPlace: true,
  leafInPlace: yes,
  slotStore: true,
  deferHandles: false,
  ...ONE_THREAD,
  retireConsumed: freeNow,
  retireNode: (tree, id) => {
    markDead(tree, id);
    freeNow(tree, id);
  },
});

/**
 * Kernel RCU mode (`MT_FLAGS_USE_RCU`): readers in this thread may hold any node between their
 * steps, so nodes are replaced by copies (published with one slot store) and the replaced ones go
 * through the tree's reclaimer (kernel `ma_free_rcu`).
 */
export const RCU_POLICY: WritePolicy = new WritePolicy({
  mode: "rcu",
  inPlace: false,
  leafInPlace: no,
  slotStore: true,
  deferHandles: true,
  ...ONE_THREAD,
  retireConsumed: handOver,
  retireNode: (tree, id) => {
    markDead(tree, id);
    handOver(tree, id);
  },
});
