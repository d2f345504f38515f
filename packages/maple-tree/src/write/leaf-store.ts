// The store types that change a leaf or the root without restructuring the tree, and the leaf
// level's big node the structural ones start from. store.ts plans a store and picks one of:
//   - kernel `mas_new_root` ([0, MAX] written): a single leaf, or no node at all for NULL;
//   - kernel `wr_exact_fit` / `mas_wr_slot_store`: one slot word changes;
//   - kernel `mas_wr_append` / `mas_wr_node_store` done in place (the tree's write policy allows
//     it: write/policy.ts `inPlace`): the leaf's tail moves and 1..3 items are written;
//   - kernel `mas_wr_bnode` / `mas_store_b_node`: the leaf items before the write, the new ones
//     and those after it go into the big node for the structural stores (write/commit.ts).

import { M_END, META, NODE_LEAF, STRIDE } from "../core/arena.js";
import { entryOf } from "../core/entry-table.js";
import { MAX_INDEX } from "../core/index-space.js";
import type { MaState } from "../core/state.js";
import { BIG_BASE } from "./big-node.js";
import type { WriteContext } from "./context.js";
import { updateGapsFrom } from "./gap-bookkeeping.js";
import { updateGap } from "./gap-meta.js";
import { releaseHandle, retireSubtree } from "./retire.js";
import type { Plan } from "./store.js";

/**
 * Puts `mas` on leaf slot `offset` of `node` ([min, max], data end `end`) at `depth`. The descent
 * (core/descend.ts) writes the same six fields inline: it is every read's loop, kept call-free.
 */
export function positionLeaf(
  mas: MaState,
  node: number,
  min: number,
  max: number,
  offset: number,
  end: number,
  depth: number,
): void {
  mas.node = node;
  mas.min = min;
  mas.max = max;
  mas.offset = offset;
  mas.end = end;
  mas.depth = depth;
}

/** Kernel `mas_new_root()`: [0, MAX] holds `entry` (null: the tree has no node left). */
export function newRootStore(mas: MaState, entry: unknown): void {
  const tree = mas.tree;
  const oldRoot = tree.rootNode;
  if (entry === null) {
    tree.rootNode = 0;
    tree.height = 0;
    retireSubtree(tree, oldRoot);
    mas.status = "start";
    mas.node = 0;
    return;
  }
  const leaf = tree.arena.alloc(NODE_LEAF);
  tree.arena.slots[leaf * STRIDE] = tree.entries.word(entry);
  tree.rootNode = leaf;
  tree.height = 1;
  retireSubtree(tree, oldRoot);
  positionLeaf(mas, leaf, 0, MAX_INDEX, 0, 0, 0);
  if (tree.isAlloc) updateGapsFrom(tree, leaf, 0, MAX_INDEX);
}

/** Kernel `wr_exact_fit`: the planned range is exactly one slot; only its word changes. */
export function exactFitStore(mas: MaState, entry: unknown, p: Plan): void {
  const tree = mas.tree;
  const slots = tree.arena.slots;
  const entries = tree.entries;
  const lnode = p.lnode;
  const off = p.lcut;
  const at = lnode * STRIDE + off;
  const h = slots[at];
  if (entry === null) {
    slots[at] = 0;
    releaseHandle(tree, h);
  } else if (h > 0 && tree.policy.inPlace && typeof entry !== "number") {
    // Same range, same handle: only the value behind it changes (no reader to protect).
    entries.values[h] = entry;
  } else {
    slots[at] = entries.word(entry);
    releaseHandle(tree, h);
  }
  const end = tree.arena.meta[lnode * META + M_END];
  positionLeaf(mas, lnode, p.lmin, p.lmax, off, end, tree.height - 1);
  // Gaps only move when the slot changes between NULL and non-NULL.
  if (tree.isAlloc && (h === 0) !== (entry === null)) updateGap(tree, lnode, p.lmin, p.lmax);
}

/**
 * The items the write puts in place of slots lcut..rcut (kernel `mas_store_b_node`'s middle):
 * the left remainder, the new range, the right remainder, with their handles, into ctx; the
 * handles of the overwritten slots are released.
 */
export function newLeafItems(
  tree: MaState["tree"],
  entry: unknown,
  p: Plan,
  ctx: WriteContext,
): void {
  const { pivots, slots } = tree.arena;
  const entries = tree.entries;
  const lbase = p.lnode * STRIDE;
  const rbase = p.rnode * STRIDE;
  const lsMin = p.lcut > 0 ? pivots[lbase + p.lcut - 1] + 1 : p.lmin;
  const rh = slots[rbase + p.rcut];
  const leftRem = p.index > lsMin;
  const rightRem = p.last < (p.rcut < p.rend ? pivots[rbase + p.rcut] : p.rmax);
  ctx.lh = slots[lbase + p.lcut];
  ctx.rsMax = p.rcut < p.rend ? pivots[rbase + p.rcut] : p.rmax;
  ctx.leftRem = leftRem;
  ctx.rightRem = rightRem;
  ctx.newHandle = entry === null ? 0 : entries.word(entry);
  // One range split in three: the right piece gets a handle of its own.
  ctx.rightHandle =
    rightRem && leftRem && p.lnode === p.rnode && p.lcut === p.rcut && rh !== 0
      ? entries.word(entryOf(entries.values, rh))
      : rh;
  releaseOverwritten(tree, p, leftRem, rightRem);
}

/** Releases the handles of the leaf slots the write overwrites (remainders keep theirs). */
function releaseOverwritten(
  tree: MaState["tree"],
  p: Plan,
  leftRem: boolean,
  rightRem: boolean,
): void {
  const slots = tree.arena.slots;
  const lbase = p.lnode * STRIDE;
  const rbase = p.rnode * STRIDE;
  const lcut = p.lcut;
  const rcut = p.rcut;
  if (p.lnode === p.rnode) {
    for (let i = lcut; i <= rcut; i++) {
      if ((i === lcut && leftRem) || (i === rcut && rightRem && !(leftRem && lcut === rcut))) {
        continue;
      }
      releaseHandle(tree, slots[lbase + i]);
    }
    return;
  }
  const lend = tree.arena.meta[p.lnode * META + M_END];
  for (let i = leftRem ? lcut + 1 : lcut; i <= lend; i++) releaseHandle(tree, slots[lbase + i]);
  const stopAt = rightRem ? rcut - 1 : rcut;
  for (let i = 0; i <= stopAt; i++) releaseHandle(tree, slots[rbase + i]);
}

/**
 * Kernel `mas_wr_append` / `mas_wr_node_store` in place: the leaf's tail after the written slots
 * moves, and the 1..3 new items (ctx, from `newLeafItems`) are written over them.
 */
export function nodeStoreInPlace(mas: MaState, p: Plan, ctx: WriteContext): void {
  const tree = mas.tree;
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const lcut = p.lcut;
  const lbase = p.lnode * STRIDE;
  const e = p.rend;
  const E = lcut + (ctx.leftRem ? 1 : 0) + 1 + (ctx.rightRem ? 1 : 0) + (e - p.rcut) - 1;
  shiftTail(pivots, slots, lbase, p.rcut + 1, E - (e - p.rcut) + 1, e);
  let pos = lcut;
  if (ctx.leftRem) {
    slots[lbase + pos] = ctx.lh;
    pivots[lbase + pos++] = p.index - 1;
  }
  const newOff = pos;
  slots[lbase + pos] = ctx.newHandle;
  if (pos < E) pivots[lbase + pos] = p.last;
  pos++;
  if (ctx.rightRem) {
    slots[lbase + pos] = ctx.rightHandle;
    if (pos < E) pivots[lbase + pos] = ctx.rsMax;
  }
  // Words past the new end are zero (the node may have shrunk).
  for (let i = E; i < e; i++) pivots[lbase + i] = 0;
  if (E < STRIDE - 1) pivots[lbase + E] = 0;
  for (let i = E + 1; i <= e; i++) slots[lbase + i] = 0;
  arena.meta[p.lnode * META + M_END] = E;
  positionLeaf(mas, p.lnode, p.lmin, p.lmax, newOff, E, tree.height - 1);
  if (tree.isAlloc) updateGap(tree, p.lnode, p.lmin, p.lmax);
}

/** Moves a leaf's items [from, e] (pivots [from, e)) to start at `to`, within the node. */
function shiftTail(
  pivots: Float64Array,
  slots: Int32Array,
  lbase: number,
  from: number,
  to: number,
  e: number,
): void {
  // Word loops, not copyWithin: a tail is at most 15 words, less than the builtin call costs.
  if (from > e || to === from) return;
  if (to > from) {
    const d = to - from;
    for (let i = lbase + e; i >= lbase + from; i--) slots[i + d] = slots[i];
    for (let i = lbase + e - 1; i >= lbase + from; i--) pivots[i + d] = pivots[i];
  } else {
    const d = from - to;
    for (let i = lbase + from; i <= lbase + e; i++) slots[i - d] = slots[i];
    for (let i = lbase + from; i < lbase + e; i++) pivots[i - d] = pivots[i];
  }
}

/**
 * The leaf level's big node (kernel `mas_store_b_node`): L's items before the write, the new
 * items (ctx), R's items after it. Returns the stop; ctx.newAt is the written range's item.
 */
export function leafBigNode(tree: MaState["tree"], p: Plan, ctx: WriteContext): number {
  const { pivots, slots } = tree.arena;
  const { bPiv, bSlot } = ctx;
  const lbase = p.lnode * STRIDE;
  const rbase = p.rnode * STRIDE;
  let at = BIG_BASE;
  for (let i = 0; i < p.lcut; i++) {
    bPiv[at] = pivots[lbase + i];
    bSlot[at++] = slots[lbase + i];
  }
  if (ctx.leftRem) {
    bPiv[at] = p.index - 1;
    bSlot[at++] = ctx.lh;
  }
  ctx.newAt = at;
  bPiv[at] = p.last;
  bSlot[at++] = ctx.newHandle;
  if (ctx.rightRem) {
    bPiv[at] = ctx.rsMax;
    bSlot[at++] = ctx.rightHandle;
  }
  for (let i = p.rcut + 1; i <= p.rend; i++) {
    bPiv[at] = i < p.rend ? pivots[rbase + i] : p.rmax;
    bSlot[at++] = slots[rbase + i];
  }
  return at;
}
