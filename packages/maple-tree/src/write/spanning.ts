// The kernel's rebalancing stores (lib/maple_tree.c `mas_rebalance`, `mas_wr_spanning_store`,
// `mas_spanning_rebalance`, `mast_spanning_rebalance`, Linux 6.12): the level's big node is cut
// into one to three new nodes, the parent level's big node is the parents' items around them,
// and so on up to the root. A level left with too few items pulls in the next node at its depth
// (or the previous one when there is none to the right), found through the nearest ancestor that
// has one. One node covering every index becomes the root (the tree gets shorter); a root level
// that needs two nodes grows a new root.

import { M_END, M_PARENT, M_PSLOT, META, minEndOf, STRIDE, slotsOf } from "../core/arena.js";
import { MAX_INDEX } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";
import type { WriteContext } from "./context.js";
import {
  ancestorsSufficient,
  appendNode,
  ascendLevel,
  buildLevel,
  consume,
  growRoot,
  insertChild,
  internalType,
  nodeMax,
  nodeMin,
  prependNode,
  removeRightSibling,
} from "./level.js";
import { calcSplit } from "./split-point.js";

/**
 * Kernel `mas_rebalance()`: the level's node (L === R) has too few items; its next sibling under
 * the same parent joins, else its previous one, and the spanning rebalance carries on.
 */
export function rebalanceStore(tree: MapleTreeCore, ctx: WriteContext): void {
  const arena = tree.arena;
  const meta = arena.meta;
  const L = ctx.L;
  const parent = meta[L * META + M_PARENT];
  const ps = meta[L * META + M_PSLOT];
  const pb = parent * STRIDE;
  const pend = meta[parent * META + M_END];
  if (ps < pend) {
    const sib = arena.slots[pb + ps + 1];
    const smax = ps + 1 < pend ? arena.pivots[pb + ps + 1] : nodeMax(tree, parent);
    ctx.stop = appendNode(tree, sib, smax, ctx.stop);
    ctx.R = sib;
    ctx.rmax = smax;
  } else if (ps > 0) {
    const sib = arena.slots[pb + ps - 1];
    ctx.start = prependNode(tree, sib, arena.pivots[pb + ps - 1], ctx.start);
    ctx.L = sib;
    ctx.lmin = ps - 1 > 0 ? arena.pivots[pb + ps - 2] + 1 : nodeMin(tree, parent);
  }
  spanningRebalance(tree, ctx);
}

/**
 * Kernel `mas_spanning_rebalance()`: builds every level from ctx's big node up to the root.
 * Leaves ctx.top on the node published.
 */
export function spanningRebalance(tree: MapleTreeCore, ctx: WriteContext): void {
  if (!(ctx.lmin === 0 && ctx.rmax === MAX_INDEX) && ctx.stop - ctx.start <= minEndOf(ctx.type)) {
    pullNeighbour(tree, ctx);
  }
  for (let guard = 0; ; guard++) {
    if (guard > 64)
      throw new Error("maple-tree internal: spanning rebalance did not reach the root");
    const n = ctx.stop - ctx.start;
    if (n <= slotsOf(ctx.type)) {
      buildLevel(tree, ctx, 1, 0, 0);
    } else {
      const split = calcSplit(ctx, ctx.lmin);
      buildLevel(tree, ctx, ctx.mid !== 0 ? 3 : 2, split, ctx.mid);
    }
    if (ctx.k === 1 && ctx.lmin === 0 && ctx.rmax === MAX_INDEX) {
      becomeRoot(tree, ctx);
      return;
    }
    if (tree.arena.meta[ctx.L * META + M_PARENT] === 0) {
      growRoot(tree, ctx);
      return;
    }
    if (finishInParent(tree, ctx)) return;
    ascendSpan(tree, ctx);
    const m = ctx.stop - ctx.start;
    if (m > minEndOf(ctx.type)) continue;
    if (ctx.lmin === 0 && ctx.rmax === MAX_INDEX) continue;
    pullNeighbour(tree, ctx);
  }
}

/**
 * Can the write end in the parent? When the level was rewritten in place as L alone, or as L and
 * its right sibling R under the same parent, the parent changes by at most one child or one pivot
 * (k nodes for L..R); if it then still holds enough items and fits, and every ancestor above it
 * holds enough, each level the kernel goes on rebuilding up to the root is written as it is, so
 * the parent is edited where it stands and the write is done. Allocation trees go on: their
 * rebuilt ancestors record fresh gap offsets.
 */
function finishInParent(tree: MapleTreeCore, ctx: WriteContext): boolean {
  const L = ctx.L;
  const R = ctx.R;
  const k = ctx.k;
  if (tree.arena.gaps !== null || k > 2 || ctx.ids[0] !== L) return false;
  const meta = tree.arena.meta;
  const parent = meta[L * META + M_PARENT];
  const lc = meta[L * META + M_PSLOT];
  const pend = meta[parent * META + M_END];
  let items: number;
  if (R === L) {
    items = pend + k;
  } else {
    if (meta[R * META + M_PARENT] !== parent || meta[R * META + M_PSLOT] !== lc + 1) return false;
    if (k === 2 && ctx.ids[1] !== R) return false;
    items = pend + k - 1;
  }
  const itype = internalType(tree);
  const isRoot = meta[parent * META + M_PARENT] === 0;
  if (items > slotsOf(itype) || (isRoot ? items < 2 : items <= minEndOf(itype))) return false;
  if (!ancestorsSufficient(tree, parent)) return false;
  if (R === L) {
    if (k === 2) insertChild(tree, ctx, parent);
  } else if (k === 2) {
    tree.arena.pivots[parent * STRIDE + lc] = ctx.maxs[0];
  } else {
    removeRightSibling(tree, parent, lc);
  }
  ctx.top = parent;
  return true;
}

/** The one node built covers every index: it is the root, and every level above it goes. */
function becomeRoot(tree: MapleTreeCore, ctx: WriteContext): void {
  const id = ctx.ids[0];
  const meta = tree.arena.meta;
  const oldRoot = tree.rootNode;
  meta[id * META + M_PARENT] = 0;
  meta[id * META + M_PSLOT] = 0;
  tree.rootNode = id;
  if (oldRoot !== ctx.L) ctx.oldRoot = oldRoot;
  tree.height = ctx.up + 1;
  ctx.top = id;
  ctx.topMin = 0;
  ctx.topMax = MAX_INDEX;
}

/**
 * Kernel `mast_ascend()` + `mast_combine_cp_left/right()`: the parent level's big node is
 * PL's items before L, the new nodes, PR's items after R; what lies between goes whole.
 */
function ascendSpan(tree: MapleTreeCore, ctx: WriteContext): void {
  const arena = tree.arena;
  const meta = arena.meta;
  const PL = meta[ctx.L * META + M_PARENT];
  const lc = meta[ctx.L * META + M_PSLOT];
  const PR = meta[ctx.R * META + M_PARENT];
  const rc = meta[ctx.R * META + M_PSLOT];
  const plb = PL * STRIDE;
  const prb = PR * STRIDE;
  if (PL === PR) {
    for (let i = lc + 1; i < rc; i++) ctx.whole[ctx.wholeCount++] = arena.slots[plb + i];
  } else {
    const plEnd = meta[PL * META + M_END];
    for (let i = lc + 1; i <= plEnd; i++) ctx.whole[ctx.wholeCount++] = arena.slots[plb + i];
    for (let i = 0; i < rc; i++) ctx.whole[ctx.wholeCount++] = arena.slots[prb + i];
  }
  ascendLevel(tree, ctx, PL, lc, PR, rc + 1, nodeMax(tree, PR));
}

/**
 * Kernel `mast_spanning_rebalance()`: the next node at this depth joins the big node (found
 * through the nearest ancestor with a slot to the right of R's line), else the previous one (to
 * the left of L's line). Returns false when L..R already span the whole level.
 */
function pullNeighbour(tree: MapleTreeCore, ctx: WriteContext): boolean {
  const arena = tree.arena;
  const meta = arena.meta;
  let l = ctx.L;
  let r = ctx.R;
  let depth = 0;
  for (;;) {
    const pr = meta[r * META + M_PARENT];
    const pl = meta[l * META + M_PARENT];
    if (pr === 0 || pl === 0) return false;
    depth++;
    const rOff = meta[r * META + M_PSLOT];
    const lOff = meta[l * META + M_PSLOT];
    if (rOff < meta[pr * META + M_END]) {
      let n = arena.slots[pr * STRIDE + rOff + 1];
      for (let d = 1; d < depth; d++) n = arena.slots[n * STRIDE];
      const nmax = nodeMax(tree, n);
      ctx.stop = appendNode(tree, n, nmax, ctx.stop);
      if (ctx.R !== ctx.L) consume(tree, ctx, ctx.R);
      ctx.R = n;
      ctx.rmax = nmax;
      return true;
    }
    if (lOff > 0) {
      let n = arena.slots[pl * STRIDE + lOff - 1];
      for (let d = 1; d < depth; d++) n = arena.slots[n * STRIDE + meta[n * META + M_END]];
      ctx.start = prependNode(tree, n, ctx.lmin - 1, ctx.start);
      if (ctx.L !== ctx.R) consume(tree, ctx, ctx.L);
      ctx.L = n;
      ctx.lmin = nodeMin(tree, n);
      return true;
    }
    r = pr;
    l = pl;
  }
}
