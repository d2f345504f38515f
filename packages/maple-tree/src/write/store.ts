// The store engine's front: one write of an entry (or NULL) over [index, last] in a tree that has
// nodes (kernel mas_wr_store_entry and every store shape of docs/spec/maple-tree.md §1.5), plus
// the root-level shapes of §1.6 (store root, root expand, new root).
//
// After NULL widening the write touches a run of leaf slots from the leaf holding `index` (L) to
// the leaf holding `last` (R). `planStore` finds them and names the shape; `commitStore` carries
// it out: an exact fit stores one slot (kernel wr_exact_fit / slot store), a write that leaves one
// sufficient leaf is done in place when the tree's write policy allows it (wr_append,
// wr_node_store; write/policy.ts), and everything else assembles the leaf level's big node (L's
// slots before the write, the left remainder, the new range, the right remainder, R's slots
// after) and hands it to the kernel's structural stores in write/ (split, rebalance, spanning
// store, root growth and collapse; write/commit.ts).
//
// Invariant kept by every write (and checked by mt_validate): no leaf ends in a NULL slot unless
// it is the rightmost leaf. It is why NULL widening never has to look into the previous leaf.

import {
  M_END as M_END_,
  M_PARENT as M_PARENT_,
  M_PSLOT as M_PSLOT_,
  META as META_,
  minEndOf as minEndOf_,
  NODE_LEAF as NODE_LEAF_,
  STRIDE as STRIDE_,
  slotsOf as slotsOf_,
} from "../core/arena.js";
import { descendToLeaf as descendToLeaf_ } from "../core/descend.js";
import { entryOf as entryOf_ } from "../core/entry-table.js";
import { MAX_INDEX as MAX_INDEX_, XA_ZERO_ENTRY as XA_ZERO_ENTRY_ } from "../core/index-space.js";
import { MA_STATE_BULK, type MaState } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { structuralStore } from "./commit.js";
import { writeContext } from "./context.js";
import {
  exactFitStore,
  leafBigNode,
  newLeafItems,
  newRootStore,
  nodeStoreInPlace,
} from "./leaf-store.js";
import { resumeAt } from "./resume.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
const M_END = M_END_;
const M_PARENT = M_PARENT_;
const M_PSLOT = M_PSLOT_;
const META = META_;
const minEndOf = minEndOf_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;
const slotsOf = slotsOf_;
const descendToLeaf = descendToLeaf_;
const entryOf = entryOf_;
const MAX_INDEX = MAX_INDEX_;
const XA_ZERO_ENTRY = XA_ZERO_ENTRY_;

/** Result of a store analysis: where the write lands, after NULL widening. */
export interface Plan {
  index: number;
  last: number;
  old: unknown;
  lnode: number;
  lmin: number;
  lmax: number;
  lcut: number;
  rnode: number;
  rmax: number;
  rcut: number;
  rend: number;
  /** Leaf items the write leaves in [L.min, R.max]. */
  n: number;
  /** A NULL write ends at R.max < MAX: the next leaf must join so no leaf ends in NULL. */
  pullNull: boolean;
  /** Shape: 0 exact fit, 1 in one leaf without structural change, 2 structural, 3 new root. */
  shape: number;
}

/** Shape: one slot replaced. */
export const SHAPE_EXACT = 0;
/** Shape: one leaf rewritten, no node added or removed. */
export const SHAPE_LEAF = 1;
/** Shape: split, rebalance, spanning store. */
export const SHAPE_TREE = 2;
/** Shape: [0, MAX] written (kernel wr_new_root). */
export const SHAPE_NEW_ROOT = 3;

/**
 * Analyses a store of `entry` (null = erase) over [mas.index, mas.last] into a tree with a root
 * node: NULL widening, the leaves and slots at both ends, the store shape. Changes nothing.
 * Returns the plan (the tree's write context's, valid until the tree's next write).
 */
export function planStore(mas: MaState, entry: unknown): Plan {
  const p = writeContext(mas.tree).plan;
  const isNull = entry === null;
  const lend = planLeft(mas, p, isNull);
  planRight(mas, p, lend);
  if (isNull) widenRight(mas.tree, p);
  p.pullNull = isNull && p.last === p.rmax && p.last < MAX_INDEX;
  planShape(mas, p, lend);
  return p;
}

/**
 * The leaf holding `mas.index` (L, where `mas` is left) and the write's first slot there; a NULL
 * write widens over the NULL range it starts in, or the NULL slot before it. Returns L's end.
 */
function planLeft(mas: MaState, p: Plan, isNull: boolean): number {
  const tree = mas.tree;
  const pivots = tree.arena.pivots;
  const slots = tree.arena.slots;
  let index = mas.index;
  // A state still on the leaf holding `index`, nothing written since, starts there (resume.ts).
  const hL = resumeAt(mas, index)
    ? slots[mas.node * STRIDE + mas.offset]
    : descendToLeaf(mas, index);
  p.old = entryOf(tree.entries.values, hL);
  const lbase = mas.node * STRIDE;
  const lmin = mas.min;
  let lcut = mas.offset;
  if (isNull) {
    const sMin = lcut > 0 ? pivots[lbase + lcut - 1] + 1 : lmin;
    if (hL === 0) index = sMin;
    else if (index === sMin && lcut > 0 && slots[lbase + lcut - 1] === 0) {
      lcut--;
      index = lcut > 0 ? pivots[lbase + lcut - 1] + 1 : lmin;
    }
  }
  p.index = index;
  p.lnode = mas.node;
  p.lmin = lmin;
  p.lmax = mas.max;
  p.lcut = lcut;
  return mas.end;
}

/** The leaf holding `mas.last` (R) and the write's last slot there. */
function planRight(mas: MaState, p: Plan, lend: number): void {
  const tree = mas.tree;
  const { pivots, slots, meta } = tree.arena;
  const last = mas.last;
  p.last = last;
  const lnode = p.lnode;
  let rcut: number;
  if (last <= p.lmax) {
    const lbase = lnode * STRIDE;
    p.rnode = lnode;
    p.rmax = p.lmax;
    p.rend = lend;
    rcut = p.lcut;
    while (rcut < lend && pivots[lbase + rcut] < last) rcut++;
    p.rcut = rcut;
    return;
  }
  // A write spanning leaves mostly ends in L's next sibling: take it from the parent's slots
  // (no second descent) when `last` is below that sibling's pivot.
  const parent = meta[lnode * META + M_PARENT];
  const ps = meta[lnode * META + M_PSLOT];
  const pb = parent * STRIDE;
  if (parent !== 0 && ps + 1 < meta[parent * META + M_END] && last <= pivots[pb + ps + 1]) {
    const rnode = slots[pb + ps + 1];
    const rend = meta[rnode * META + M_END];
    const rb = rnode * STRIDE;
    rcut = 0;
    while (rcut < rend && pivots[rb + rcut] < last) rcut++;
    p.rnode = rnode;
    p.rmax = pivots[pb + ps + 1];
    p.rend = rend;
    p.rcut = rcut;
    return;
  }
  const s = writeContext(tree).scratchState();
  descendToLeaf(s, last);
  p.rnode = s.node;
  p.rmax = s.max;
  p.rend = s.end;
  p.rcut = s.offset;
}

/**
 * A NULL write widens `last` over the NULL range it ends in or the NULL slot after it, and into
 * the next leaf when that starts with NULL.
 */
function widenRight(tree: MapleTreeCore, p: Plan): void {
  const pivots = tree.arena.pivots;
  const slots = tree.arena.slots;
  let last = p.last;
  let rcut = p.rcut;
  const rend = p.rend;
  const rmax = p.rmax;
  const rbase = p.rnode * STRIDE;
  const sMax = rcut < rend ? pivots[rbase + rcut] : rmax;
  if (slots[rbase + rcut] === 0) last = sMax;
  else if (last === sMax && rcut < rend && slots[rbase + rcut + 1] === 0) {
    rcut++;
    last = rcut < rend ? pivots[rbase + rcut] : rmax;
  }
  p.last = last;
  p.rcut = rcut;
  if (last === rmax && last < MAX_INDEX) {
    // The next leaf may start with NULL: absorb it (no leaf but the rightmost ends in NULL,
    // so the previous leaf never needs the same look).
    // Mostly R's next sibling under the same parent: taken from the parent's slots.
    const meta = tree.arena.meta;
    const parent = meta[p.rnode * META + M_PARENT];
    const ps = meta[p.rnode * META + M_PSLOT];
    const pb = parent * STRIDE;
    if (parent !== 0 && ps + 1 < meta[parent * META + M_END]) {
      const next = slots[pb + ps + 1];
      if (slots[next * STRIDE] === 0) {
        const end = meta[next * META + M_END];
        p.rnode = next;
        p.rmax = pivots[pb + ps + 1];
        p.rend = end;
        p.rcut = 0;
        p.last = end > 0 ? pivots[next * STRIDE] : p.rmax;
      }
      return;
    }
    const s = writeContext(tree).scratchState();
    if (descendToLeaf(s, last + 1) === 0) {
      p.rnode = s.node;
      p.rmax = s.max;
      p.rend = s.end;
      p.rcut = 0;
      p.last = s.end > 0 ? pivots[s.node * STRIDE] : s.max;
    }
  }
}

/** The store's shape and the leaf items it leaves in [L.min, R.max] (`p.shape`, `p.n`). */
function planShape(mas: MaState, p: Plan, lend: number): void {
  const tree = mas.tree;
  const pivots = tree.arena.pivots;
  const { index, last, lnode, rnode, lcut, rcut, rend } = p;
  if (index === 0 && last === MAX_INDEX) {
    p.shape = SHAPE_NEW_ROOT;
    p.n = 1;
    return;
  }
  const lsMin = lcut > 0 ? pivots[lnode * STRIDE + lcut - 1] + 1 : p.lmin;
  const rsMax = rcut < rend ? pivots[rnode * STRIDE + rcut] : p.rmax;
  // A policy without slot stores (a shared tree: readers there read leaf words plainly) copies
  // the leaf of an exact fit like any other leaf store.
  if (
    lnode === rnode &&
    lcut === rcut &&
    index === lsMin &&
    last === rsMax &&
    !p.pullNull &&
    tree.policy.slotStore
  ) {
    p.shape = SHAPE_EXACT;
    p.n = lend + 1;
    return;
  }
  const n = lcut + (index > lsMin ? 1 : 0) + 1 + (last < rsMax ? 1 : 0) + (rend - rcut);
  p.n = n;
  const isRoot = tree.arena.meta[lnode * META + M_PARENT] === 0;
  if (
    lnode === rnode &&
    !p.pullNull &&
    n <= slotsOf(NODE_LEAF) &&
    (n > minEndOf(NODE_LEAF) || isRoot || (mas.flags & MA_STATE_BULK) !== 0)
  ) {
    p.shape = SHAPE_LEAF;
  } else {
    p.shape = SHAPE_TREE;
  }
}

/**
 * Worst-case nodes a planned store allocates (maple-tree.md §4.5 table, simplified), plus what
 * the tree's write policy adds (a shared tree's copy-up).
 */
export function nodesNeeded(tree: MapleTreeCore, p: Plan): number {
  return storeNodesNeeded(tree, p) + tree.policy.extraNodes(tree, p);
}

function storeNodesNeeded(tree: MapleTreeCore, p: Plan): number {
  switch (p.shape) {
    case SHAPE_EXACT:
      return 0;
    case SHAPE_LEAF:
      return tree.policy.inPlace ? 0 : 1;
    case SHAPE_NEW_ROOT:
      return 1;
    default:
      return tree.height * 3 + 1;
  }
}

/**
 * Carries out a planned store of `entry` (the plan from `planStore`, nodes reserved). Leaves
 * `mas` positioned on the written range (status active). Returns nothing; the overwritten entry
 * is `plan.old`. The store types are write/leaf-store.ts's and write/commit.ts's.
 */
export function commitStore(mas: MaState, entry: unknown, p: Plan): void {
  const tree = mas.tree;
  tree.generation++;
  // The state is positioned by this write: fresh for the reads that follow (an in-loop store).
  mas.generation = tree.generation;
  mas.index = p.index;
  mas.last = p.last;
  mas.status = "active";
  if (p.shape === SHAPE_NEW_ROOT) {
    newRootStore(mas, entry);
  } else if (p.shape === SHAPE_EXACT) {
    exactFitStore(mas, entry, p);
  } else {
    const ctx = writeContext(tree);
    newLeafItems(tree, entry, p, ctx);
    const policy = tree.policy;
    if (p.shape === SHAPE_LEAF && (policy.inPlace || policy.leafInPlace(tree, p.lnode))) {
      nodeStoreInPlace(mas, p, ctx);
    } else {
      structuralStore(mas, p, leafBigNode(tree, p, ctx), ctx.newAt);
    }
  }
}

/** The ZERO entry and other reserved values never sit directly in the root (§1.6). */
export function rootStorable(entry: unknown): boolean {
  return entry !== XA_ZERO_ENTRY;
}
