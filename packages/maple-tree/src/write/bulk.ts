// Bulk loading, the seed's fork path (docs/spec/maple-tree.md §6.1), as Linux 6.12 does it:
// `mas_expected_entries` reserves the kernel's node count for `nr_entries` ascending stores and
// puts the state in bulk mode; the stores are ordinary `mas_store` calls, whose splits in bulk
// mode cut left-heavy (write/split-point.ts) and ask for the last leaf to be checked
// (MA_STATE_REBALANCE, kept in the tree's write context); `mas_destroy` then rebalances that
// leaf with its left sibling when it ended up with fewer than 5 items (`bulkDestroy`).

import {
  ARANGE64_SLOTS,
  M_END,
  M_GAP,
  M_PARENT,
  M_PSLOT,
  M_TYPE,
  META,
  minEndOf,
  NODE_LEAF,
  RANGE64_SLOTS,
  STRIDE,
  slotsOf,
} from "../core/arena.js";
import { descendToLeaf } from "../core/descend.js";
import { EINVAL, ENOMEM } from "../core/errors.js";
import { isIndex } from "../core/index-space.js";
import {
  MA_STATE_BULK,
  MA_STATE_PREALLOC,
  type MaState,
  mas_reset,
  mas_set_err,
} from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { GFP_KERNEL, type Gfp, reserveNodes } from "./alloc.js";
import { updateGap } from "./gap-meta.js";
import { nodeMin } from "./level.js";
import { nodesNeeded, type Plan, SHAPE_TREE } from "./store.js";

/**
 * The nodes kernel `mas_expected_entries()` (Linux 6.12) reserves for `nrEntries` stores: it
 * assumes a NULL gap before every entry and a NULL tail (2n + 1 ranges), leaves filled to 14
 * of 16 slots, one level of internal nodes filled to 8 (allocation trees, 10 slots) or 14, and 3
 * more for the split's two nodes and a new parent.
 */
export function bulkNodes(nrEntries: number, alloc: boolean): number {
  const ranges = Math.max(nrEntries, nrEntries * 2 + 1);
  const leaves = Math.ceil(ranges / (RANGE64_SLOTS - 2));
  const internal = Math.ceil(leaves / ((alloc ? ARANGE64_SLOTS : RANGE64_SLOTS) - 2));
  return leaves + internal + 3;
}

/**
 * Kernel `mas_expected_entries()`: reserves the kernel's worst case of nodes (`bulkNodes`) for
 * `nr_entries` ascending stores through `mas` into an empty tree and sets MA_STATE_BULK and
 * MA_STATE_PREALLOC; call `mas_destroy` after the last store. Returns 0, -EINVAL (`nr_entries` not
 * a non-negative integer, or the tree is not empty: this port's rule, the kernel does not check)
 * or -ENOMEM (the arena's capacity cannot hold them; nothing is reserved and the state is in
 * error).
 *
 * Context: the writer (holds the tree lock or the external lock), before the first store.
 */
export function mas_expected_entries(
  mas: MaState,
  nrEntries: number,
  gfp: Gfp = GFP_KERNEL,
): number {
  const tree = mas.tree;
  if (!isIndex(nrEntries) || tree.rootNode !== 0 || tree.rootEntry !== null) {
    mas_set_err(mas, -EINVAL);
    return -EINVAL;
  }
  if (!reserveNodes(mas, bulkNodes(nrEntries, tree.isAlloc), gfp)) {
    mas.reserved = 0;
    mas_set_err(mas, -ENOMEM);
    return -ENOMEM;
  }
  // A split of an earlier, abandoned bulk load must not make this load's mas_destroy rebalance.
  if (tree.writeCtx !== null) tree.writeCtx.rebalanceAsked = false;
  tree.bulk = bulkHooks;
  mas.flags |= MA_STATE_BULK | MA_STATE_PREALLOC;
  return 0;
}

/**
 * The nodes a store in bulk mode takes from the reservation. The kernel's bulk stores check
 * nothing (MA_STATE_PREALLOC: they pop nodes from what `mas_expected_entries` reserved), so
 * reserving each store's general worst case would ask for more than the kernel's count holds.
 * An append that overflows its leaf is a split store, which takes exactly two nodes for the leaf
 * and each full ancestor it splits, then one for the first ancestor with room or the new root
 * (a push into a sibling takes three, no more); every other store keeps its general worst case.
 */
export function bulkStoreNodes(tree: MapleTreeCore, p: Plan): number {
  if (
    p.shape !== SHAPE_TREE ||
    tree.shared !== null ||
    p.lnode !== p.rnode ||
    p.pullNull ||
    p.n <= slotsOf(NODE_LEAF)
  ) {
    return nodesNeeded(tree, p);
  }
  const meta = tree.arena.meta;
  let levels = 1;
  for (let n = meta[p.lnode * META + M_PARENT]; n !== 0; n = meta[n * META + M_PARENT]) {
    if (meta[n * META + M_END] < slotsOf(meta[n * META + M_TYPE]) - 1) break;
    levels++;
  }
  return 2 * levels + 1;
}

/** What mas_expected_entries installs on the tree for write/advanced.ts (MapleTreeCore.bulk). */
const bulkHooks = {
  storeNodes: (tree: MapleTreeCore, p: Plan): number => bulkStoreNodes(tree, p),
  destroy: (mas: MaState): void => bulkDestroy(mas),
};

/**
 * The bulk part of kernel `mas_destroy()` (6.12): when a split in bulk mode asked for it
 * (MA_STATE_REBALANCE), walks to the leaf holding `mas.index` and, if it holds fewer than
 * `mt_min_slots - 1` (5) items, moves the tail of its left sibling into it
 * (`mas_destroy_rebalance`). A shared tree keeps the leaf as it is (the last leaf of a bulk load
 * is the rightmost, which the minimum does not bind).
 */
export function bulkDestroy(mas: MaState): void {
  const tree = mas.tree;
  const ctx = tree.writeCtx;
  if ((mas.flags & MA_STATE_BULK) === 0 || ctx === null || !ctx.rebalanceAsked) return;
  ctx.rebalanceAsked = false;
  if (tree.rootNode === 0 || tree.shared !== null) return;
  mas_reset(mas);
  descendToLeaf(mas, mas.index);
  const node = mas.node;
  const meta = tree.arena.meta;
  const count = mas.end + 1;
  if (count >= minEndOf(NODE_LEAF) - 1) return;
  const ps = meta[node * META + M_PSLOT];
  if (meta[node * META + M_PARENT] === 0 || ps === 0) return;
  if (tree.inRcu && !tree.arena.reserve(3)) return;
  destroyRebalance(tree, node, mas.min, mas.max);
  tree.generation++;
  mas_reset(mas);
}

/**
 * Kernel `mas_destroy_rebalance()`: leaf `node` on [min, max] takes the items of its left
 * sibling after the sibling's middle slot (8, or 9 when slot 8 is NULL so the sibling does not
 * end in NULL). Outside RCU mode both leaves change in place and the parent's pivot moves; in RCU
 * mode both leaves and the parent are new nodes and the old ones are retired.
 */
function destroyRebalance(tree: MapleTreeCore, node: number, min: number, max: number): void {
  const arena = tree.arena;
  const { meta, pivots, slots } = arena;
  const parent = meta[node * META + M_PARENT];
  const ps = meta[node * META + M_PSLOT];
  const left = slots[parent * STRIDE + ps - 1];
  const lmin = nodeMin(tree, left);
  const lmax = min - 1;
  const lEnd = meta[left * META + M_END];
  const end = meta[node * META + M_END];
  let split = slotsOf(NODE_LEAF) >> 1;
  if (slots[left * STRIDE + split] === 0) split++;
  const moved = lEnd - split;
  // Nothing to move (the sibling holds 9 or 10 items): the kernel rewrites both leaves as they
  // are. A sibling under 9 items cannot precede the last leaf of a bulk load.
  if (moved <= 0) return;
  // The merged leaf: the sibling's items after `split` (the last one ends at the sibling's max;
  // the kernel copies that pivot word, which holds the max while the sibling is not full), then
  // the leaf's own items.
  const piv: number[] = [];
  const slot: number[] = [];
  for (let i = split + 1; i <= lEnd; i++) {
    piv.push(i < lEnd ? pivots[left * STRIDE + i] : lmax);
    slot.push(slots[left * STRIDE + i]);
  }
  for (let i = 0; i <= end; i++) {
    piv.push(i < end ? pivots[node * STRIDE + i] : max);
    slot.push(slots[node * STRIDE + i]);
  }
  const newLmax = pivots[left * STRIDE + split];
  const rcu = tree.inRcu;
  const L = rcu ? arena.alloc(NODE_LEAF) : left;
  const R = rcu ? arena.alloc(NODE_LEAF) : node;
  const P = rcu ? copyParent(tree, parent) : parent;
  if (rcu) copyLeafHead(tree, left, L, split);
  truncateLeaf(tree, L, split);
  writeLeaf(tree, R, piv, slot, moved + end + 1);
  linkChild(tree, P, ps - 1, L);
  linkChild(tree, P, ps, R);
  pivots[P * STRIDE + ps - 1] = newLmax;
  if (rcu) {
    for (const old of [left, node, parent]) tree.policy.retireNode(tree, old);
  }
  updateGap(tree, L, lmin, newLmax);
  updateGap(tree, R, newLmax + 1, max);
}

/** The first `split + 1` items of leaf `from` into the new leaf `to`. */
function copyLeafHead(tree: MapleTreeCore, from: number, to: number, split: number): void {
  const { pivots, slots } = tree.arena;
  for (let i = 0; i <= split; i++) {
    slots[to * STRIDE + i] = slots[from * STRIDE + i];
    pivots[to * STRIDE + i] = pivots[from * STRIDE + i];
  }
}

/** Leaf `id` keeps items 0..split (its last pivot becomes implied by the parent). */
function truncateLeaf(tree: MapleTreeCore, id: number, split: number): void {
  const { meta, pivots, slots } = tree.arena;
  for (let i = split; i < STRIDE; i++) pivots[id * STRIDE + i] = 0;
  for (let i = split + 1; i < STRIDE; i++) slots[id * STRIDE + i] = 0;
  meta[id * META + M_END] = split;
}

/** Leaf `id` holds `n` items: pivots of all but the last, and their slots; the rest zero. */
function writeLeaf(tree: MapleTreeCore, id: number, piv: number[], slot: number[], n: number) {
  const { meta, pivots, slots } = tree.arena;
  for (let i = 0; i < STRIDE; i++) {
    pivots[id * STRIDE + i] = i < n - 1 ? piv[i] : 0;
    slots[id * STRIDE + i] = i < n ? slot[i] : 0;
  }
  meta[id * META + M_END] = n - 1;
}

/** Child `child` at slot `k` of `parent` (kernel `mas_set_parent`). */
function linkChild(tree: MapleTreeCore, parent: number, k: number, child: number): void {
  const { meta, slots } = tree.arena;
  slots[parent * STRIDE + k] = child;
  meta[child * META + M_PARENT] = parent;
  meta[child * META + M_PSLOT] = k;
}

/**
 * A new copy of internal node `parent` that takes its place (kernel `mas_replace_node` +
 * `mas_adopt_children`): every child now names the copy as its parent.
 */
function copyParent(tree: MapleTreeCore, parent: number): number {
  const arena = tree.arena;
  const { meta, pivots, slots, gaps } = arena;
  const type = meta[parent * META + M_TYPE];
  const P = arena.alloc(type);
  for (let i = 0; i < STRIDE; i++) {
    pivots[P * STRIDE + i] = pivots[parent * STRIDE + i];
    slots[P * STRIDE + i] = slots[parent * STRIDE + i];
    if (gaps !== null) gaps[P * STRIDE + i] = gaps[parent * STRIDE + i];
  }
  meta[P * META + M_END] = meta[parent * META + M_END];
  meta[P * META + M_GAP] = meta[parent * META + M_GAP];
  const up = meta[parent * META + M_PARENT];
  if (up === 0) tree.rootNode = P;
  else linkChild(tree, up, meta[parent * META + M_PSLOT], P);
  for (let i = 0; i <= meta[P * META + M_END]; i++) linkChild(tree, P, i, slots[P * STRIDE + i]);
  return P;
}
