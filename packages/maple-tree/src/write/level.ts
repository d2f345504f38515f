// The level machinery shared by the kernel's structural stores (split, rebalance, spanning
// store): bounds of a node from its ancestors, copying a node's items into the big node
// (`mas_mab_cp`), cutting the big node into new nodes (`mab_mas_cp`), retiring what a write
// replaced, and publishing the top of the new subtree (`mas_wmb_replace`).

import {
  M_DEAD,
  M_END,
  M_PARENT,
  M_PSLOT,
  M_TYPE,
  META,
  minEndOf,
  NODE_ARANGE,
  NODE_LEAF,
  NODE_RANGE,
  STRIDE,
} from "../core/arena.js";
import { MAX_INDEX } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";
import { BIG_BASE, writeNode } from "./big-node.js";
import type { WriteContext } from "./context.js";
import { freshGaps } from "./gap-meta.js";
import { retireSubtree } from "./retire.js";

/** Internal node type of a tree (arange in allocation trees). */
export function internalType(tree: MapleTreeCore): number {
  return tree.isAlloc ? NODE_ARANGE : NODE_RANGE;
}

/** The implied minimum of node `id`, from its ancestors' pivots. */
export function nodeMin(tree: MapleTreeCore, id: number): number {
  const meta = tree.arena.meta;
  let n = id;
  for (;;) {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) return 0;
    const ps = meta[n * META + M_PSLOT];
    if (ps > 0) return tree.arena.pivots[parent * STRIDE + ps - 1] + 1;
    n = parent;
  }
}

/** The implied maximum of node `id`, from its ancestors' pivots. */
export function nodeMax(tree: MapleTreeCore, id: number): number {
  const meta = tree.arena.meta;
  let n = id;
  for (;;) {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) return MAX_INDEX;
    const ps = meta[n * META + M_PSLOT];
    if (ps < meta[parent * META + M_END]) return tree.arena.pivots[parent * STRIDE + ps];
    n = parent;
  }
}

/** Kernel `mas_mab_cp()` of a whole node at the end: items of `id` (max `max`) from `at`. */
export function appendNode(tree: MapleTreeCore, id: number, max: number, at: number): number {
  const arena = tree.arena;
  // Called inside a structural write, which made the context.
  const { bPiv, bSlot } = tree.writeCtx as WriteContext;
  const base = id * STRIDE;
  const end = arena.meta[id * META + M_END];
  let to = at;
  for (let i = 0; i < end; i++) {
    bPiv[to] = arena.pivots[base + i];
    bSlot[to++] = arena.slots[base + i];
  }
  bPiv[to] = max;
  bSlot[to++] = arena.slots[base + end];
  return to;
}

/** `mab_shift_right()` + `mas_mab_cp()`: items of `id` (max `max`) before `start`; new start. */
export function prependNode(tree: MapleTreeCore, id: number, max: number, start: number): number {
  const end = tree.arena.meta[id * META + M_END];
  const first = start - end - 1;
  appendNode(tree, id, max, first);
  return first;
}

/** Marks node `id` replaced by this write (once); it is freed when the write is published. */
export function consume(tree: MapleTreeCore, ctx: WriteContext, id: number): void {
  const meta = tree.arena.meta;
  if (meta[id * META + M_DEAD] !== 0) return;
  // A shared tree's dead word changes while other threads may read it (shared/layout.ts).
  if (tree.policy.atomicDead) Atomics.store(meta, id * META + M_DEAD, 1);
  else meta[id * META + M_DEAD] = 1;
  ctx.dead[ctx.deadCount++] = id;
}

/**
 * May this write rewrite the nodes it replaces in place? As the tree's write policy says (local
 * trees: yes; RCU and shared: readers may hold them). Node ids are not part of the layout, so an
 * in-place rewrite leaves the kernel's tree as a fresh node would; it spares the allocation, the
 * free, and re-adopting the children that kept their slot.
 */
export function rewritesInPlace(tree: MapleTreeCore): boolean {
  return tree.policy.inPlace;
}

/** How many of node `id`'s slots equal big node items [from, to) from the start. */
function samePrefix(tree: MapleTreeCore, id: number, from: number, to: number): number {
  const slots = tree.arena.slots;
  const base = id * STRIDE;
  const end = tree.arena.meta[id * META + M_END];
  let i = 0;
  const bSlot = (tree.writeCtx as WriteContext).bSlot;
  while (i <= end && from + i < to && slots[base + i] === bSlot[from + i]) i++;
  return i;
}

/**
 * Kernel `mab_mas_cp()` for each piece: writes the level's big node into `k` new nodes cut after
 * items `cut0` and `cut1` (relative last indices), records them in ctx.ids/mins/maxs, and notes
 * where the written range landed (leaf level). The replaced nodes L..R are consumed, or, when
 * the tree allows it, L takes the first piece and R the last in place.
 */
export function buildLevel(
  tree: MapleTreeCore,
  ctx: WriteContext,
  k: number,
  cut0: number,
  cut1: number,
): void {
  const arena = tree.arena;
  // A node that becomes the root of a shorter tree is new: the old root's subtree is retired
  // whole (becomeRoot), and it must not reach a node still in use.
  const inPlace =
    rewritesInPlace(tree) &&
    !(k === 1 && ctx.lmin === 0 && ctx.rmax === MAX_INDEX && ctx.L !== tree.rootNode);
  let from = ctx.start;
  let min = ctx.lmin;
  for (let j = 0; j < k; j++) {
    const to = j === k - 1 ? ctx.stop : ctx.start + (j === 0 ? cut0 : cut1) + 1;
    let id: number;
    let keep = 0;
    if (inPlace && j === 0) {
      id = ctx.L;
      // Children still at their slot of this node need no adoption.
      if (ctx.type !== NODE_LEAF) keep = samePrefix(tree, id, from, to);
    } else if (inPlace && j === k - 1 && ctx.R !== ctx.L) {
      id = ctx.R;
    } else {
      // Every word that matters is written below (writeNode, the parent links by the caller).
      id = arena.alloc(ctx.type, true);
      arena.meta[id * META + M_DEAD] = 0;
    }
    writeNode(arena, ctx, id, ctx.type, from, to, keep);
    const max = j === k - 1 ? ctx.rmax : ctx.bPiv[to - 1];
    ctx.ids[j] = id;
    ctx.mins[j] = min;
    ctx.maxs[j] = max;
    if (ctx.type !== NODE_LEAF) freshGaps(tree, id, min, max);
    else if (ctx.newAt >= from && ctx.newAt < to) {
      ctx.posNode = id;
      ctx.posMin = min;
      ctx.posMax = max;
      ctx.posOff = ctx.newAt - from;
      ctx.posEnd = to - from - 1;
    }
    min = max + 1;
    from = to;
  }
  ctx.k = k;
  if (!inPlace) {
    consume(tree, ctx, ctx.L);
    consume(tree, ctx, ctx.R);
  } else if (k === 1 && ctx.R !== ctx.L) {
    consume(tree, ctx, ctx.R);
  }
}

/**
 * The parent level's big node (kernel `mast_fill_bnode` for a split, `mast_combine_cp_left` /
 * `_right` for a spanning store): PL's first `lc` children, the ctx.k nodes just built, PR's
 * children from `rfrom` on (its last ends at PR's maximum `prMax`); the level moves up to
 * [PL, PR]. PL and PR are the same node except in a spanning store.
 */
export function ascendLevel(
  tree: MapleTreeCore,
  ctx: WriteContext,
  PL: number,
  lc: number,
  PR: number,
  rfrom: number,
  prMax: number,
): void {
  const { pivots, slots, meta } = tree.arena;
  const plb = PL * STRIDE;
  const prb = PR * STRIDE;
  const prEnd = meta[PR * META + M_END];
  const { bPiv, bSlot } = ctx;
  let at = BIG_BASE;
  for (let i = 0; i < lc; i++) {
    bPiv[at] = pivots[plb + i];
    bSlot[at++] = slots[plb + i];
  }
  for (let j = 0; j < ctx.k; j++) {
    bPiv[at] = ctx.maxs[j];
    bSlot[at++] = ctx.ids[j];
  }
  for (let i = rfrom; i <= prEnd; i++) {
    bPiv[at] = i < prEnd ? pivots[prb + i] : prMax;
    bSlot[at++] = slots[prb + i];
  }
  ctx.start = BIG_BASE;
  ctx.stop = at;
  ctx.lmin = nodeMin(tree, PL);
  ctx.rmax = prMax;
  ctx.L = PL;
  ctx.R = PR;
  ctx.type = internalType(tree);
  ctx.up++;
}

/**
 * The split rewrote L in place as its left half and made a new node for the right half; the
 * parent has room: the new node goes in right after L, the later children move up one slot.
 * That is the parent the kernel rebuilds (`mast_fill_bnode`, `mas_split_final_node`), gap offset
 * fresh included, without copying it through the big node.
 */
export function insertChild(tree: MapleTreeCore, ctx: WriteContext, parent: number): void {
  const arena = tree.arena;
  const { pivots, slots, meta } = arena;
  const pb = parent * STRIDE;
  const ps = meta[ctx.L * META + M_PSLOT];
  const pend = meta[parent * META + M_END];
  for (let i = pend; i > ps; i--) {
    const child = slots[pb + i];
    slots[pb + i + 1] = child;
    meta[child * META + M_PSLOT] = i + 1;
  }
  for (let i = pend - 1; i >= ps; i--) pivots[pb + i + 1] = pivots[pb + i];
  pivots[pb + ps] = ctx.maxs[0];
  const right = ctx.ids[1];
  slots[pb + ps + 1] = right;
  meta[right * META + M_PARENT] = parent;
  meta[right * META + M_PSLOT] = ps + 1;
  meta[parent * META + M_END] = pend + 1;
  ctx.top = parent;
  if (arena.gaps === null) return;
  ctx.topMin = nodeMin(tree, parent);
  ctx.topMax = nodeMax(tree, parent);
  freshGaps(tree, parent, ctx.topMin, ctx.topMax);
}

/**
 * Node L took in its right sibling R under the same parent (a rebalance that left one node where
 * there were two): R's slot and the pivot between them leave the parent in place, the later
 * children move down one slot. That is the parent the kernel rebuilds with one child fewer.
 * The mirror of insertChild, kept apart: the shifts run the other way, and each is one loop.
 */
export function removeRightSibling(tree: MapleTreeCore, parent: number, lc: number): void {
  const arena = tree.arena;
  const { pivots, slots, meta } = arena;
  const pb = parent * STRIDE;
  const pend = meta[parent * META + M_END];
  for (let i = lc + 1; i < pend; i++) {
    const child = slots[pb + i + 1];
    slots[pb + i] = child;
    meta[child * META + M_PSLOT] = i;
  }
  slots[pb + pend] = 0;
  for (let i = lc; i < pend - 1; i++) pivots[pb + i] = pivots[pb + i + 1];
  pivots[pb + pend - 1] = 0;
  meta[parent * META + M_END] = pend - 1;
}

/**
 * Do the ancestors of `node` (not `node` itself) all hold enough items: the root at least two
 * children, every other node more than its minimum? The kernel's rebuild of levels above such a
 * node writes each of them as it is.
 */
export function ancestorsSufficient(tree: MapleTreeCore, node: number): boolean {
  const meta = tree.arena.meta;
  const minEnd = minEndOf(internalType(tree));
  for (let p = meta[node * META + M_PARENT]; p !== 0; p = meta[p * META + M_PARENT]) {
    const items = meta[p * META + M_END] + 1;
    if (meta[p * META + M_PARENT] === 0 ? items < 2 : items <= minEnd) return false;
  }
  return true;
}

/** New node `id` takes old node `old`'s place in its parent (or as the root). */
export function replaceNode(tree: MapleTreeCore, id: number, old: number): void {
  const meta = tree.arena.meta;
  const parent = meta[old * META + M_PARENT];
  const ps = meta[old * META + M_PSLOT];
  meta[id * META + M_PARENT] = parent;
  meta[id * META + M_PSLOT] = ps;
  if (parent === 0) tree.rootNode = id;
  else tree.arena.slots[parent * STRIDE + ps] = id;
}

/** A new root above the level's k nodes (kernel `mas_split_final_node` / `mast_new_root`). */
export function growRoot(tree: MapleTreeCore, ctx: WriteContext): void {
  const arena = tree.arena;
  const itype = internalType(tree);
  for (let j = 0; j < ctx.k; j++) {
    ctx.bPiv[j] = ctx.maxs[j];
    ctx.bSlot[j] = ctx.ids[j];
  }
  const root = arena.alloc(itype);
  writeNode(arena, ctx, root, itype, 0, ctx.k);
  arena.meta[root * META + M_PARENT] = 0;
  arena.meta[root * META + M_PSLOT] = 0;
  freshGaps(tree, root, 0, MAX_INDEX);
  tree.rootNode = root;
  tree.height = tree.height + 1;
  ctx.top = root;
  ctx.topMin = 0;
  ctx.topMax = MAX_INDEX;
}

/** Retires what the write unlinked, now that its new nodes are published. */
export function retireReplaced(tree: MapleTreeCore, ctx: WriteContext): void {
  for (let i = 0; i < ctx.wholeCount; i++) retireSubtree(tree, ctx.whole[i]);
  if (ctx.oldRoot !== 0) retireSubtree(tree, ctx.oldRoot);
  // Freed now or after readers, as the tree's write policy says (write/policy.ts).
  const retire = tree.policy.retireConsumed;
  for (let i = 0; i < ctx.deadCount; i++) retire(tree, ctx.dead[i]);
  ctx.deadCount = 0;
  ctx.wholeCount = 0;
  ctx.oldRoot = 0;
}

/** The leaf holding `index` (a descent from the root by pivots). */
export function leafAt(tree: MapleTreeCore, index: number): number {
  const arena = tree.arena;
  const meta = arena.meta;
  let n = tree.rootNode;
  while (meta[n * META + M_TYPE] !== NODE_LEAF) {
    const base = n * STRIDE;
    const end = meta[n * META + M_END];
    let i = 0;
    while (i < end && arena.pivots[base + i] < index) i++;
    n = arena.slots[base + i];
  }
  return n;
}
