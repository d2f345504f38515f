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
} from "./arena.js";
import { descendToLeaf as descendToLeaf_ } from "./descend.js";
import { entryOf as entryOf_ } from "./entries.js";
import { MAX_INDEX as MAX_INDEX_, XA_ZERO_ENTRY as XA_ZERO_ENTRY_ } from "./entry.js";
import { MA_STATE_BULK, type MaState } from "./state.js";
import { updateGapsFrom as updateGapsFrom_ } from "./store-gap.js";
import { BIG_BASE as BIG_BASE_, bPiv as bPiv_, bSlot as bSlot_ } from "./store-node.js";
import {
  releaseHandle as releaseHandle_,
  retireSubtree as retireSubtree_,
} from "./store-retire.js";
import type { MapleTreeCore } from "./tree.js";
import { structuralStore } from "./write/commit.js";
import { writeContext } from "./write/context.js";
import { updateGap } from "./write/gap-meta.js";
import { resumeAt } from "./write/resume.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
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
const updateGapsFrom = updateGapsFrom_;
const BIG_BASE = BIG_BASE_;
const bPiv = bPiv_;
const bSlot = bSlot_;
const releaseHandle = releaseHandle_;
const retireSubtree = retireSubtree_;

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

const plan: Plan = {
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
 * Returns the plan (a module-level object, valid until the next call).
 */
export function planStore(mas: MaState, entry: unknown): Plan {
  const tree = mas.tree;
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const p = plan;
  let index = mas.index;
  let last = mas.last;
  const isNull = entry === null;

  const hL = resumeAt(mas, index)
    ? (slots[mas.node * STRIDE + mas.offset] as number)
    : descendToLeaf(mas, index);
  p.old = entryOf(tree.entries.values, hL);
  const lnode = mas.node;
  const lbase = lnode * STRIDE;
  const lmin = mas.min;
  const lmax = mas.max;
  const lend = mas.end;
  let lcut = mas.offset;
  if (isNull) {
    const sMin = lcut > 0 ? pivots[lbase + lcut - 1] + 1 : lmin;
    if (hL === 0) index = sMin;
    else if (index === sMin && lcut > 0 && slots[lbase + lcut - 1] === 0) {
      lcut--;
      index = lcut > 0 ? pivots[lbase + lcut - 1] + 1 : lmin;
    }
  }

  let rnode: number;
  let rmax: number;
  let rcut: number;
  let rend: number;
  if (last <= lmax) {
    rnode = lnode;
    rmax = lmax;
    rend = lend;
    rcut = lcut;
    while (rcut < rend && pivots[lbase + rcut] < last) rcut++;
  } else {
    // A write spanning leaves mostly ends in L's next sibling: take it from the parent's slots
    // (no second descent) when `last` is below that sibling's pivot.
    const parent = meta[lnode * META + M_PARENT] as number;
    const ps = meta[lnode * META + M_PSLOT] as number;
    const pb = parent * STRIDE;
    if (
      parent !== 0 &&
      ps + 1 < (meta[parent * META + M_END] as number) &&
      last <= pivots[pb + ps + 1]
    ) {
      rnode = slots[pb + ps + 1] as number;
      rmax = pivots[pb + ps + 1] as number;
      rend = meta[rnode * META + M_END] as number;
      const rb = rnode * STRIDE;
      rcut = 0;
      while (rcut < rend && pivots[rb + rcut] < last) rcut++;
    } else {
      const s = writeContext(tree).scratchState();
      descendToLeaf(s, last);
      rnode = s.node;
      rmax = s.max;
      rend = s.end;
      rcut = s.offset;
    }
  }
  if (isNull) {
    const rbase = rnode * STRIDE;
    const sMax = rcut < rend ? pivots[rbase + rcut] : rmax;
    if (slots[rbase + rcut] === 0) last = sMax;
    else if (last === sMax && rcut < rend && slots[rbase + rcut + 1] === 0) {
      rcut++;
      last = rcut < rend ? pivots[rbase + rcut] : rmax;
    }
    if (last === rmax && last < MAX_INDEX) {
      // The next leaf may start with NULL: absorb it (no leaf but the rightmost ends in NULL,
      // so the previous leaf never needs the same look).
      // Mostly R's next sibling under the same parent: taken from the parent's slots.
      const parent = meta[rnode * META + M_PARENT] as number;
      const ps = meta[rnode * META + M_PSLOT] as number;
      const pb = parent * STRIDE;
      if (parent !== 0 && ps + 1 < (meta[parent * META + M_END] as number)) {
        const next = slots[pb + ps + 1] as number;
        if (slots[next * STRIDE] === 0) {
          rnode = next;
          rmax = pivots[pb + ps + 1] as number;
          rend = meta[next * META + M_END] as number;
          rcut = 0;
          last = rend > 0 ? pivots[next * STRIDE] : rmax;
        }
      } else {
        const s = writeContext(tree).scratchState();
        if (descendToLeaf(s, last + 1) === 0) {
          rnode = s.node;
          rmax = s.max;
          rend = s.end;
          rcut = 0;
          last = rend > 0 ? pivots[rnode * STRIDE] : rmax;
        }
      }
    }
  }
  p.index = index;
  p.last = last;
  p.lnode = lnode;
  p.lmin = lmin;
  p.lmax = lmax;
  p.lcut = lcut;
  p.rnode = rnode;
  p.rmax = rmax;
  p.rcut = rcut;
  p.rend = rend;
  p.pullNull = isNull && last === rmax && last < MAX_INDEX;
  if (index === 0 && last === MAX_INDEX) {
    p.shape = SHAPE_NEW_ROOT;
    p.n = 1;
    return p;
  }
  const rbase = rnode * STRIDE;
  const lsMin = lcut > 0 ? pivots[lbase + lcut - 1] + 1 : lmin;
  const rsMax = rcut < rend ? pivots[rbase + rcut] : rmax;
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
    return p;
  }
  const n = lcut + (index > lsMin ? 1 : 0) + 1 + (last < rsMax ? 1 : 0) + (rend - rcut);
  p.n = n;
  const isRoot = meta[lnode * META + M_PARENT] === 0;
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
  return p;
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
 * is `plan.old`.
 */
export function commitStore(mas: MaState, entry: unknown, p: Plan): void {
  const tree = mas.tree;
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const entries = tree.entries;
  const inPlace = tree.policy.inPlace;
  tree.generation++;
  // The state is positioned by this write: fresh for the reads that follow (an in-loop store).
  mas.generation = tree.generation;
  mas.index = p.index;
  mas.last = p.last;
  mas.status = "active";

  if (p.shape === SHAPE_NEW_ROOT) {
    const oldRoot = tree.rootNode;
    if (entry === null) {
      tree.rootNode = 0;
      tree.height = 0;
      retireSubtree(tree, oldRoot);
      mas.status = "start";
      mas.node = 0;
      return;
    }
    const leaf = arena.alloc(NODE_LEAF);
    slots[leaf * STRIDE] = entries.word(entry);
    tree.rootNode = leaf;
    tree.height = 1;
    retireSubtree(tree, oldRoot);
    positionLeaf(mas, leaf, 0, MAX_INDEX, 0, 0, 0);
    if (tree.isAlloc) updateGapsFrom(tree, leaf, 0, MAX_INDEX);
    return;
  }

  const lnode = p.lnode;
  const lbase = lnode * STRIDE;
  if (p.shape === SHAPE_EXACT) {
    const off = p.lcut;
    const h = slots[lbase + off];
    if (entry === null) {
      slots[lbase + off] = 0;
      releaseHandle(tree, h);
    } else if (h > 0 && inPlace && typeof entry !== "number") {
      // Same range, same handle: only the value behind it changes (no reader to protect).
      entries.values[h] = entry;
    } else {
      slots[lbase + off] = entries.word(entry);
      releaseHandle(tree, h);
    }
    positionLeaf(mas, lnode, p.lmin, p.lmax, off, meta[lnode * META + M_END], tree.height - 1);
    // Gaps only move when the slot changes between NULL and non-NULL.
    if (tree.isAlloc && (h === 0) !== (entry === null)) updateGap(tree, lnode, p.lmin, p.lmax);
    return;
  }

  const rnode = p.rnode;
  const rbase = rnode * STRIDE;
  const lcut = p.lcut;
  const rcut = p.rcut;
  const rend = p.rend;
  const lsMin = lcut > 0 ? pivots[lbase + lcut - 1] + 1 : p.lmin;
  const lh = slots[lbase + lcut];
  const rh = slots[rbase + rcut];
  const rsMax = rcut < rend ? pivots[rbase + rcut] : p.rmax;
  const leftRem = p.index > lsMin;
  const rightRem = p.last < rsMax;
  const newHandle = entry === null ? 0 : entries.word(entry);
  // One range split in three: the right piece gets a handle of its own.
  const rightHandle =
    rightRem && leftRem && lnode === rnode && lcut === rcut && rh !== 0
      ? entries.word(entryOf(entries.values, rh))
      : rh;
  // Handles of the overwritten leaf slots.
  if (lnode === rnode) {
    for (let i = lcut; i <= rcut; i++) {
      if ((i === lcut && leftRem) || (i === rcut && rightRem && !(leftRem && lcut === rcut))) {
        continue;
      }
      releaseHandle(tree, slots[lbase + i]);
    }
  } else {
    const lend = meta[lnode * META + M_END];
    for (let i = leftRem ? lcut + 1 : lcut; i <= lend; i++) releaseHandle(tree, slots[lbase + i]);
    const stopAt = rightRem ? rcut - 1 : rcut;
    for (let i = 0; i <= stopAt; i++) releaseHandle(tree, slots[rbase + i]);
  }

  if (p.shape === SHAPE_LEAF && inPlace) {
    // In place (slot store, append, node rewrite): shift the tail, write the 1..3 new items.
    const e = rend;
    const m = (leftRem ? 1 : 0) + 1 + (rightRem ? 1 : 0);
    const tailFrom = rcut + 1;
    const tailTo = lcut + m;
    const tailLen = e - rcut;
    const E = tailTo + tailLen - 1;
    // Word loops, not copyWithin: a tail is at most 15 words, less than the builtin call costs.
    if (tailLen > 0 && tailTo > tailFrom) {
      const d = tailTo - tailFrom;
      for (let i = lbase + e; i >= lbase + tailFrom; i--) slots[i + d] = slots[i] as number;
      for (let i = lbase + e - 1; i >= lbase + tailFrom; i--) pivots[i + d] = pivots[i] as number;
    } else if (tailLen > 0 && tailTo < tailFrom) {
      const d = tailFrom - tailTo;
      for (let i = lbase + tailFrom; i <= lbase + e; i++) slots[i - d] = slots[i] as number;
      for (let i = lbase + tailFrom; i < lbase + e; i++) pivots[i - d] = pivots[i] as number;
    }
    let pos = lcut;
    if (leftRem) {
      slots[lbase + pos] = lh;
      pivots[lbase + pos++] = p.index - 1;
    }
    const newOff = pos;
    slots[lbase + pos] = newHandle;
    if (pos < E) pivots[lbase + pos] = p.last;
    pos++;
    if (rightRem) {
      slots[lbase + pos] = rightHandle;
      if (pos < E) pivots[lbase + pos] = rsMax;
    }
    // Words past the new end are zero (the node may have shrunk).
    for (let i = E; i < e; i++) pivots[lbase + i] = 0;
    if (E < STRIDE - 1) pivots[lbase + E] = 0;
    for (let i = E + 1; i <= e; i++) slots[lbase + i] = 0;
    meta[lnode * META + M_END] = E;
    positionLeaf(mas, lnode, p.lmin, p.lmax, newOff, E, tree.height - 1);
    if (tree.isAlloc) updateGap(tree, lnode, p.lmin, p.lmax);
    return;
  }

  // Leaf level big node: L's items before the write, the new items, R's items after it.
  let at = BIG_BASE;
  for (let i = 0; i < lcut; i++) {
    bPiv[at] = pivots[lbase + i];
    bSlot[at++] = slots[lbase + i];
  }
  if (leftRem) {
    bPiv[at] = p.index - 1;
    bSlot[at++] = lh;
  }
  const newAt = at;
  bPiv[at] = p.last;
  bSlot[at++] = newHandle;
  if (rightRem) {
    bPiv[at] = rsMax;
    bSlot[at++] = rightHandle;
  }
  for (let i = rcut + 1; i <= rend; i++) {
    bPiv[at] = i < rend ? pivots[rbase + i] : p.rmax;
    bSlot[at++] = slots[rbase + i];
  }
  structuralStore(mas, p, at, newAt);
}

/** Puts `mas` on leaf slot `offset` of `node` ([min, max], data end `end`) at `depth`. */
function positionLeaf(
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

/** The ZERO entry and other reserved values never sit directly in the root (§1.6). */
export function rootStorable(entry: unknown): boolean {
  return entry !== XA_ZERO_ENTRY;
}
