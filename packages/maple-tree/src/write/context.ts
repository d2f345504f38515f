// The per-tree write context: every scratch array and "register" the writers use (the kernel
// keeps them on the writer's stack: the `ma_state`s, `struct maple_big_node`,
// `struct maple_subtree_state`, `ma_wr_state`, `mas->node_request`). One per tree, made on the
// tree's first write, so no writer state lives at module level and two trees' writers never
// share a register; one tree has one writer at a time (its lock), so one context is enough.

import { MaState } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { BIG, type BigNode } from "./big-node.js";
import type { Plan } from "./store.js";

/** The level state and scratch lists of a structural write on one tree. */
export class WriteContext implements BigNode {
  private readonly tree: MapleTreeCore;
  /** A second state on the tree, for descents that must not move the writer's state. */
  private scratch: MaState | null = null;
  /** The last write that failed with -ENOMEM and the nodes it asked for (`mas_nomem`). */
  requestMas: MaState | null = null;
  requestNodes = 0;
  /** The plan of the store in progress (store.ts `planStore`). */
  readonly plan: Plan = {
    index: 0,
    last: 0,
    old: null,
    lnode: 0,
    lmin: 0,
    lmax: 0,
    lcut: 0,
    rnode: 0,
    rmax: 0,
    rcut: 0,
    rend: 0,
    n: 0,
    pullNull: false,
    shape: 0,
  };
  /** The big node (kernel `struct maple_big_node`): item maxima and slot words. */
  readonly bPiv = new Float64Array(BIG);
  readonly bSlot = new Int32Array(BIG);
  /** The leaf items a store writes (write/leaf-store.ts `newLeafItems`). */
  lh = 0;
  rsMax = 0;
  leftRem = false;
  rightRem = false;
  newHandle = 0;
  rightHandle = 0;
  /** The leftmost and rightmost nodes of the current level the write replaces (orig_l, orig_r). */
  L = 0;
  R = 0;
  /** orig_l's minimum and orig_r's maximum. */
  lmin = 0;
  rmax = 0;
  /** The level's big node: items [start, stop) of the big node arrays. */
  start = 0;
  stop = 0;
  /** Levels above the leaves (0: the leaf level). */
  up = 0;
  /** Node type of the level being built. */
  type = 0;
  /** mas_split: the minimum mab_calc_split is given (the kernel passes the last split node's). */
  prevMin = 0;
  /** mab_calc_split's second cut (a 3-way split), 0 for none. */
  mid = 0;
  /** The write is in bulk mode (MA_STATE_BULK). */
  bulk = false;
  /** A split in bulk mode asked for the last node to be rebalanced (MA_STATE_REBALANCE). */
  rebalanceAsked = false;
  /** The nodes just built for this level: ids, minima and maxima (at most 3). */
  readonly ids = new Int32Array(4);
  readonly mins = new Float64Array(4);
  readonly maxs = new Float64Array(4);
  k = 0;
  /** The top node the write published, and its bounds (the gap update starts there). */
  top = 0;
  topMin = 0;
  topMax = 0;
  /** Big node item of the written range (leaf level), and where it ended up. */
  newAt = 0;
  posNode = 0;
  posMin = 0;
  posMax = 0;
  posOff = 0;
  posEnd = 0;
  /** Nodes whose items moved into new nodes: marked dead, freed once the write is published. */
  readonly dead = new Int32Array(1024);
  deadCount = 0;
  /** Whole subtrees the write unlinked (freed with their entries once published). */
  readonly whole = new Int32Array(1024);
  wholeCount = 0;
  /** A subtree root unlinked whole by a root collapse, or 0. */
  oldRoot = 0;
  /** A shared tree's copy-up (shared/write-policy.ts): the ancestors of a leaf, bottom-up. */
  readonly path = new Int32Array(40);

  constructor(tree: MapleTreeCore) {
    this.tree = tree;
  }

  /** The tree's scratch state (made on first use), for a descent beside the writer's own. */
  scratchState(): MaState {
    if (this.scratch === null) this.scratch = new MaState(this.tree, 0, 0);
    return this.scratch;
  }
}

/** The tree's write context (made on first use). */
export function writeContext(tree: MapleTreeCore): WriteContext {
  let ctx = tree.writeCtx;
  if (ctx === null) {
    ctx = new WriteContext(tree);
    tree.writeCtx = ctx;
  }
  return ctx;
}
