// The kernel's split store (lib/maple_tree.c `mas_split`, `mas_push_data`,
// `mas_split_final_node`, Linux 6.12): a node that overflows first tries to push items into a
// sibling under the same parent ("push left", then "push right"), which ends the write one level
// up; otherwise it is cut at `mab_calc_split` and the parent takes one more child, level by level
// up to a new root.

import { M_END, M_PARENT, M_PSLOT, META, NODE_LEAF, STRIDE, slotsOf } from "../core/arena.js";
import { MAX_INDEX } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";
import type { WriteContext } from "./context.js";
import { freshGaps } from "./gap-meta.js";
import {
  appendNode,
  ascendLevel,
  buildLevel,
  growRoot,
  insertChild,
  internalType,
  nodeMax,
  nodeMin,
  prependNode,
  replaceNode,
} from "./level.js";
import { calcSplit, noNullSplit } from "./split-point.js";

/**
 * Kernel `mas_split()`: the level's big node (ctx, L === R) overflows; push or split upwards
 * until a level fits. Leaves ctx.top set to the last node written.
 */
export function splitStore(tree: MapleTreeCore, ctx: WriteContext): void {
  ctx.prevMin = 0;
  for (;;) {
    if (ctx.stop - ctx.start <= slotsOf(ctx.type)) {
      finalNode(tree, ctx);
      return;
    }
    if (pushData(tree, ctx, true) || pushData(tree, ctx, false)) return;
    const split = calcSplit(ctx, ctx.prevMin);
    ctx.prevMin = ctx.lmin;
    buildLevel(tree, ctx, 2, split, 0);
    const meta = tree.arena.meta;
    const parent = meta[ctx.L * META + M_PARENT];
    if (parent === 0) {
      growRoot(tree, ctx);
      return;
    }
    // The parent takes one more child and fits: rewritten in place, that is one slot inserted.
    if (ctx.ids[0] === ctx.L && meta[parent * META + M_END] + 2 <= slotsOf(internalType(tree))) {
      insertChild(tree, ctx, parent);
      return;
    }
    ascendOne(tree, ctx, 1);
  }
}

/**
 * Kernel `mas_split_final_node()`: the big node fits one node, which replaces ctx.L (the
 * parent of the nodes just built, or a leaf copied in RCU mode).
 */
export function finalNode(tree: MapleTreeCore, ctx: WriteContext): void {
  buildLevel(tree, ctx, 1, 0, 0);
  const id = ctx.ids[0];
  replaceNode(tree, id, ctx.L);
  ctx.top = id;
  ctx.topMin = ctx.lmin;
  ctx.topMax = ctx.rmax;
}

/**
 * The parent level's big node after the `skip` children from ctx.L's slot on were replaced by
 * the ctx.k new nodes (kernel `mast_fill_bnode`); the level moves up to the parent.
 */
function ascendOne(tree: MapleTreeCore, ctx: WriteContext, skip: number): void {
  const meta = tree.arena.meta;
  const parent = meta[ctx.L * META + M_PARENT];
  const ps = meta[ctx.L * META + M_PSLOT];
  ascendLevel(tree, ctx, parent, ps, parent, ps + skip, nodeMax(tree, parent));
}

/**
 * Kernel `mas_push_data()`: moves items into the previous (`left`) or next sibling under the
 * same parent when both fit with room to spare; the parent is then rewritten with the same
 * number of children. Returns false (nothing changed) when there is no room.
 */
function pushData(tree: MapleTreeCore, ctx: WriteContext, left: boolean): boolean {
  const arena = tree.arena;
  const meta = arena.meta;
  const L = ctx.L;
  const parent = meta[L * META + M_PARENT];
  if (parent === 0) return false;
  const ps = meta[L * META + M_PSLOT];
  const pb = parent * STRIDE;
  if (left ? ps === 0 : ps >= meta[parent * META + M_END]) return false;
  const sib = arena.slots[pb + (left ? ps - 1 : ps + 1)];
  const end = meta[sib * META + M_END];
  const cap = slotsOf(ctx.type);
  const slotTotal = ctx.stop - ctx.start - 1 + end;
  let space = 2 * cap - 2;
  if (ctx.type === NODE_LEAF) space--;
  if (ctx.rmax === MAX_INDEX) space--;
  if (slotTotal >= space) return false;
  let split: number;
  if (left) {
    ctx.start = prependNode(tree, sib, arena.pivots[pb + ps - 1], ctx.start);
    ctx.lmin = ps - 1 > 0 ? arena.pivots[pb + ps - 2] + 1 : nodeMin(tree, parent);
    ctx.L = sib;
    split = noNullSplit(ctx, ctx.start, cap - 2, slotTotal + 1, ctx.type);
  } else {
    const smax =
      ps + 1 < meta[parent * META + M_END] ? arena.pivots[pb + ps + 1] : nodeMax(tree, parent);
    ctx.stop = appendNode(tree, sib, smax, ctx.stop);
    ctx.rmax = smax;
    ctx.R = sib;
    // The kernel's b_end is the item count here (one past the last index): kept.
    split = noNullSplit(ctx, ctx.start, slotTotal - (cap - 2), slotTotal + 2, ctx.type);
  }
  buildLevel(tree, ctx, 2, split, 0);
  if (ctx.ids[0] === ctx.L && ctx.ids[1] === ctx.R) {
    movePivot(tree, ctx, parent);
    return true;
  }
  ctx.R = ctx.L;
  ascendOne(tree, ctx, 2);
  finalNode(tree, ctx);
  return true;
}

/**
 * A push that rewrote both nodes in place: the parent keeps its children at their slots and only
 * the pivot between the two moves. That is the parent the kernel rebuilds (`mast_fill_bnode`,
 * `mas_split_final_node`), gap offset fresh included, without copying it through the big node.
 */
function movePivot(tree: MapleTreeCore, ctx: WriteContext, parent: number): void {
  const meta = tree.arena.meta;
  tree.arena.pivots[parent * STRIDE + meta[ctx.L * META + M_PSLOT]] = ctx.maxs[0];
  ctx.top = parent;
  if (tree.arena.gaps === null) return;
  ctx.topMin = nodeMin(tree, parent);
  ctx.topMax = nodeMax(tree, parent);
  freshGaps(tree, parent, ctx.topMin, ctx.topMax);
}
