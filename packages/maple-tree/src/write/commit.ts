// The structural stores' entry (kernel `mas_wr_store_entry` for the store types that rebuild
// nodes: wr_spanning_store, wr_split_store, wr_rebalance, and wr_node_store in RCU mode): picks
// the kernel's path for a leaf-level big node already assembled by the caller, runs it, retires
// what it replaced, updates the gaps above the new subtree and positions the state.

import { M_PARENT, META, minEndOf, NODE_LEAF, slotsOf } from "../core/arena.js";
import { MAX_INDEX } from "../core/index-space.js";
import { MA_STATE_BULK, type MaState } from "../core/state.js";
import { BIG_BASE } from "./big-node.js";
import { writeContext } from "./context.js";
import { updateGap } from "./gap-meta.js";
import { appendNode, consume, leafAt, nodeMax, retireReplaced } from "./level.js";
import { rebalanceStore, spanningRebalance } from "./spanning.js";
import { finalNode, splitStore } from "./split.js";
import type { Plan } from "./store.js";

/**
 * Carries out a structural store: the leaf-level big node is items [BIG_BASE, stop) with the
 * written range at `newAt`. Leaves `mas` on the written range.
 */
export function structuralStore(mas: MaState, p: Plan, stop: number, newAt: number): void {
  const tree = mas.tree;
  const ctx = writeContext(tree);
  ctx.L = p.lnode;
  ctx.R = p.rnode;
  ctx.lmin = p.lmin;
  ctx.rmax = p.rmax;
  ctx.start = BIG_BASE;
  ctx.stop = stop;
  ctx.up = 0;
  ctx.type = NODE_LEAF;
  ctx.newAt = newAt;
  ctx.bulk = (mas.flags & MA_STATE_BULK) !== 0;
  ctx.top = 0;
  const n = stop - BIG_BASE;
  if (p.lnode !== p.rnode || p.pullNull) {
    if (p.last === p.rmax && p.rmax < MAX_INDEX) pullNextLeaf(mas, ctx);
    spanningRebalance(tree, ctx);
  } else if (n > slotsOf(NODE_LEAF)) {
    splitStore(tree, ctx);
  } else if (
    n <= minEndOf(NODE_LEAF) &&
    tree.arena.meta[p.lnode * META + M_PARENT] !== 0 &&
    !ctx.bulk
  ) {
    rebalanceStore(tree, ctx);
  } else {
    finalNode(tree, ctx);
  }
  retireReplaced(tree, ctx);
  if (tree.isAlloc && ctx.top !== 0) updateGap(tree, ctx.top, ctx.topMin, ctx.topMax);
  const s = mas;
  s.node = ctx.posNode;
  s.min = ctx.posMin;
  s.max = ctx.posMax;
  s.offset = ctx.posOff;
  s.end = ctx.posEnd;
  s.depth = tree.height - 1;
}

/**
 * Kernel `mas_wr_spanning_store()` walks its right side to `last + 1`: a write ending at a leaf's
 * maximum takes the whole next leaf into the big node.
 */
function pullNextLeaf(mas: MaState, ctx: ReturnType<typeof writeContext>): void {
  const tree = mas.tree;
  const next = leafAt(tree, ctx.rmax + 1);
  const nmax = nodeMax(tree, next);
  ctx.stop = appendNode(tree, next, nmax, ctx.stop);
  if (ctx.R !== ctx.L) consume(tree, ctx, ctx.R);
  ctx.R = next;
  ctx.rmax = nmax;
}
