// The store engine: one write of an entry (or NULL) over [index, last] in a tree that has nodes
// (kernel mas_wr_store_entry and every store shape of docs/spec/maple-tree.md §1.5), plus the
// root-level shapes of §1.6 (store root, root expand, new root).
//
// One algorithm covers the shapes. After NULL widening the write touches a run of leaf slots from
// the leaf holding `index` (L) to the leaf holding `last` (R). The new contents of [L.min, R.max]
// are assembled in the big node (store-node.ts): L's slots before the write, the left remainder,
// the new range, the right remainder, R's slots after. Then, level by level:
//   - too few items for a non-root node off the right edge: pull in the next node of the level
//     (rebalance);
//   - too many: push into a sibling with room, or cut into 2..3 nodes (split, 3-way split);
//   - if L and R are the same node and one node results, it replaces L (in place outside RCU
//     mode, which is the exact-fit / slot-store / append / node-rewrite fast path) and we stop;
//   - else the new nodes replace [L..R]'s slots in the parent level, whose big node is the
//     parents' slots around them, and we go up (spanning store); at the root, 2+ nodes make a
//     new root (growth) and a 1-child internal root is dropped (collapse).
// Nodes strictly inside the run are freed whole; consumed nodes (whose surviving items moved
// into new nodes) are marked dead and freed after the new nodes are published (through the tree's
// reclaimer in RCU mode).
//
// Invariant kept by every write (and checked by mt_validate): no leaf ends in a NULL slot unless
// it is the rightmost leaf. It is why NULL widening never has to look into the previous leaf.

import {
  M_DEAD as M_DEAD_,
  M_END as M_END_,
  M_PARENT as M_PARENT_,
  M_PSLOT as M_PSLOT_,
  M_TYPE as M_TYPE_,
  META as META_,
  minEndOf as minEndOf_,
  NODE_ARANGE as NODE_ARANGE_,
  NODE_LEAF as NODE_LEAF_,
  NODE_RANGE as NODE_RANGE_,
  STRIDE as STRIDE_,
  slotsOf as slotsOf_,
} from "./arena.js";
import { descendToLeaf as descendToLeaf_ } from "./descend.js";
import { MAX_INDEX as MAX_INDEX_, XA_ZERO_ENTRY as XA_ZERO_ENTRY_ } from "./entry.js";
import { MaState } from "./state.js";
import { updateGapsFrom as updateGapsFrom_ } from "./store-gap.js";
import {
  BIG_BASE as BIG_BASE_,
  bPiv as bPiv_,
  bSlot as bSlot_,
  cuts as cuts_,
  splitBig as splitBig_,
  writeNode as writeNode_,
} from "./store-node.js";
import type { MapleTreeCore } from "./tree.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
const M_DEAD = M_DEAD_;
const M_END = M_END_;
const M_PARENT = M_PARENT_;
const M_PSLOT = M_PSLOT_;
const M_TYPE = M_TYPE_;
const META = META_;
const minEndOf = minEndOf_;
const NODE_ARANGE = NODE_ARANGE_;
const NODE_LEAF = NODE_LEAF_;
const NODE_RANGE = NODE_RANGE_;
const STRIDE = STRIDE_;
const slotsOf = slotsOf_;
const descendToLeaf = descendToLeaf_;
const MAX_INDEX = MAX_INDEX_;
const XA_ZERO_ENTRY = XA_ZERO_ENTRY_;
const updateGapsFrom = updateGapsFrom_;
const BIG_BASE = BIG_BASE_;
const bPiv = bPiv_;
const bSlot = bSlot_;
const cuts = cuts_;
const splitBig = splitBig_;
const writeNode = writeNode_;

/** Result of a store analysis: where the write lands, after NULL widening. */
interface Plan {
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

// A second state for descents that must not disturb the caller's.
let scratchMas: MaState | null = null;
function scratch(tree: MapleTreeCore): MaState {
  if (scratchMas === null) scratchMas = new MaState(tree, 0, 0);
  scratchMas.tree = tree;
  return scratchMas;
}

/** Internal node type of a tree (arange in allocation trees). */
export function internalType(tree: MapleTreeCore): number {
  return tree.isAlloc ? NODE_ARANGE : NODE_RANGE;
}

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

  const hL = descendToLeaf(mas, index);
  p.old = hL === 0 ? null : tree.entries.values[hL];
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
    const s = scratch(tree);
    descendToLeaf(s, last);
    rnode = s.node;
    rmax = s.max;
    rend = s.end;
    rcut = s.offset;
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
      const s = scratch(tree);
      if (descendToLeaf(s, last + 1) === 0) {
        rnode = s.node;
        rmax = s.max;
        rend = s.end;
        rcut = 0;
        last = rend > 0 ? pivots[rnode * STRIDE] : rmax;
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
  if (lnode === rnode && lcut === rcut && index === lsMin && last === rsMax && !p.pullNull) {
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
    (n > minEndOf(NODE_LEAF) || isRoot || (rmax === MAX_INDEX && n > lend))
  ) {
    p.shape = SHAPE_LEAF;
  } else {
    p.shape = SHAPE_TREE;
  }
  return p;
}

/** Worst-case nodes a planned store allocates (maple-tree.md §4.5 table, simplified). */
export function nodesNeeded(tree: MapleTreeCore, p: Plan): number {
  switch (p.shape) {
    case SHAPE_EXACT:
      return 0;
    case SHAPE_LEAF:
      return tree.inRcu ? 1 : 0;
    case SHAPE_NEW_ROOT:
      return 1;
    default:
      return tree.height * 3 + 1;
  }
}

// Nodes to free once the new ones are published: consumed nodes (marked dead already) and whole
// subtrees inside the written range.
const deadList = new Int32Array(512);
let deadCount = 0;
const wholeList = new Int32Array(512);
let wholeCount = 0;

/** Marks node `id` replaced by this write (idempotent); it is freed once the write is published. */
function consume(meta: Int32Array, id: number): void {
  if (meta[id * META + M_DEAD] !== 0) return;
  meta[id * META + M_DEAD] = 1;
  deadList[deadCount++] = id;
}

/** Releases an entry handle that left the tree (after readers, in RCU mode). */
export function releaseHandle(tree: MapleTreeCore, h: number): void {
  if (h === 0) return;
  if (tree.inRcu) deferRelease(tree, h);
  else tree.entries.release(h);
}

// The closures live in their own functions so the non-RCU paths allocate no context.
function deferRelease(tree: MapleTreeCore, h: number): void {
  const entries = tree.entries;
  tree.reclaimer.defer(() => entries.release(h));
}

function deferFree(tree: MapleTreeCore, id: number): void {
  const arena = tree.arena;
  tree.reclaimer.defer(() => arena.free(id));
}

/** Retires node `id` (already unlinked): dead mark, then free now or after readers. */
export function retireNode(tree: MapleTreeCore, id: number): void {
  tree.arena.meta[id * META + M_DEAD] = 1;
  if (tree.inRcu) deferFree(tree, id);
  else tree.arena.free(id);
}

/** Retires a whole unlinked subtree with its entry handles, skipping nodes consumed by a write. */
export function retireSubtree(tree: MapleTreeCore, id: number): void {
  const arena = tree.arena;
  const meta = arena.meta;
  if (meta[id * META + M_DEAD] !== 0) return;
  const end = meta[id * META + M_END];
  const base = id * STRIDE;
  if (meta[id * META + M_TYPE] === NODE_LEAF) {
    for (let i = 0; i <= end; i++) releaseHandle(tree, arena.slots[base + i]);
  } else {
    for (let i = 0; i <= end; i++) retireSubtree(tree, arena.slots[base + i]);
  }
  retireNode(tree, id);
}

/** The implied maximum of node `id`, from its ancestors' pivots. */
function nodeMax(tree: MapleTreeCore, id: number): number {
  const arena = tree.arena;
  const meta = arena.meta;
  let n = id;
  for (;;) {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) return MAX_INDEX;
    const ps = meta[n * META + M_PSLOT];
    if (ps < meta[parent * META + M_END]) return arena.pivots[parent * STRIDE + ps];
    n = parent;
  }
}

/** The node at the same depth as `id` that holds index `at` (> id's max). */
function nodeAtDepth(tree: MapleTreeCore, at: number, up: number): number {
  const s = scratch(tree);
  descendToLeaf(s, at);
  let n = s.node;
  const meta = tree.arena.meta;
  for (let i = 0; i < up; i++) n = meta[n * META + M_PARENT];
  return n;
}

/** Appends all items of node `id` (implied max `max`) to the big node at `at`; returns new stop. */
function appendNode(tree: MapleTreeCore, id: number, max: number, at: number): number {
  const arena = tree.arena;
  const base = id * STRIDE;
  const end = arena.meta[id * META + M_END];
  for (let i = 0; i < end; i++) {
    bPiv[at] = arena.pivots[base + i];
    bSlot[at++] = arena.slots[base + i];
  }
  bPiv[at] = max;
  bSlot[at++] = arena.slots[base + end];
  return at;
}

/** Prepends all items of node `id` (implied max `max`) before `start`; returns the new start. */
function prependNode(tree: MapleTreeCore, id: number, max: number, start: number): number {
  const arena = tree.arena;
  const base = id * STRIDE;
  const end = arena.meta[id * META + M_END];
  let at = start - end - 1;
  const first = at;
  for (let i = 0; i < end; i++) {
    bPiv[at] = arena.pivots[base + i];
    bSlot[at++] = arena.slots[base + i];
  }
  bPiv[at] = max;
  bSlot[at] = arena.slots[base + end];
  return first;
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
  const rcu = tree.inRcu;
  tree.generation++;
  // The state is positioned by this write: fresh for the reads that follow (an in-loop store).
  mas.generation = tree.generation;
  mas.index = p.index;
  mas.last = p.last;
  mas.status = "active";

  if (p.shape === SHAPE_NEW_ROOT) {
    const oldRoot = tree.rootNode;
    deadCount = 0;
    if (entry === null) {
      tree.rootNode = 0;
      tree.height = 0;
      retireSubtree(tree, oldRoot);
      mas.status = "start";
      mas.node = 0;
      return;
    }
    const leaf = arena.alloc(NODE_LEAF);
    slots[leaf * STRIDE] = entries.alloc(entry);
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
    } else if (h !== 0 && !rcu) {
      entries.values[h] = entry;
    } else {
      slots[lbase + off] = entries.alloc(entry);
      releaseHandle(tree, h);
    }
    positionLeaf(mas, lnode, p.lmin, p.lmax, off, meta[lnode * META + M_END], tree.height - 1);
    if (tree.isAlloc) updateGapsFrom(tree, lnode, p.lmin, p.lmax);
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
  const newHandle = entry === null ? 0 : entries.alloc(entry);
  // One range split in three: the right piece gets a handle of its own.
  const rightHandle =
    rightRem && leftRem && lnode === rnode && lcut === rcut && rh !== 0
      ? entries.alloc(entries.values[rh])
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

  if (p.shape === SHAPE_LEAF && !rcu) {
    // In place (slot store, append, node rewrite): shift the tail, write the 1..3 new items.
    const e = rend;
    const m = (leftRem ? 1 : 0) + 1 + (rightRem ? 1 : 0);
    const tailFrom = rcut + 1;
    const tailTo = lcut + m;
    const tailLen = e - rcut;
    const E = tailTo + tailLen - 1;
    if (tailLen > 0 && tailTo !== tailFrom) {
      slots.copyWithin(lbase + tailTo, lbase + tailFrom, lbase + e + 1);
      if (tailLen > 1) pivots.copyWithin(lbase + tailTo, lbase + tailFrom, lbase + e);
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
    if (tree.isAlloc) updateGapsFrom(tree, lnode, p.lmin, p.lmax);
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
  rebuild(mas, p, at, newAt);
}

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

// New nodes of the level just built (ids and maxima), carried to the parent level.
const midId = new Int32Array(8);
const midMax = new Float64Array(8);

/** The level-by-level rebuild of a structural store; the leaf big node is [BIG_BASE, stop). */
function rebuild(mas: MaState, p: Plan, stop0: number, newAt: number): void {
  const tree = mas.tree;
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const rcu = tree.inRcu;
  const itype = internalType(tree);
  deadCount = 0;
  wholeCount = 0;
  let start = BIG_BASE;
  let stop = stop0;
  let L = p.lnode;
  let R = p.rnode;
  let rmax = p.rmax;
  let depth = tree.height - 1;
  let leaf = true;
  // The new range (leaf level) or new nodes (above) end the level's items: an append.
  let appendLike = newAt >= stop0 - 2;
  // Where the written range ends up (the state's final position), found at the leaf level.
  let leafMin = p.lmin;
  let posNode = 0;
  let posMin = 0;
  let posMax = 0;
  let posOff = 0;
  let posEnd = 0;
  let pullNull = p.pullNull;
  let top = 0; // the node that was published (for the gap update)
  let topMax = 0;
  for (;;) {
    const type = leaf ? NODE_LEAF : itype;
    const cap = slotsOf(type);
    const minN = minEndOf(type) + 1;
    const up = tree.height - 1 - depth;
    if (L !== R) consume(meta, R);
    if (pullNull) {
      // A NULL write ending at this leaf's max: the next leaf joins (its first slot is not NULL).
      const N = nodeAtDepth(tree, rmax + 1, up);
      const nmax = nodeMax(tree, N);
      stop = appendNode(tree, N, nmax, stop);
      consume(meta, N);
      R = N;
      rmax = nmax;
      pullNull = false;
    }
    const isRoot = meta[L * META + M_PARENT] === 0 && L === R;
    let n = stop - start;
    if (!isRoot && n < minN && rmax !== MAX_INDEX) {
      // Rebalance: the next node of this level joins (a node off the right edge always has one).
      const N = nodeAtDepth(tree, rmax + 1, up);
      const nmax = nodeMax(tree, N);
      stop = appendNode(tree, N, nmax, stop);
      // L (and R, when it differs) are consumed when this level is left.
      consume(meta, N);
      R = N;
      rmax = nmax;
      n = stop - start;
    } else if (!isRoot && n < minN && (L !== R || n <= meta[L * META + M_END])) {
      // Rebalance at the right edge, when the node shrank: the previous node of this level
      // joins. (A right-edge node that grows, like the tail of a sequential load, may stay
      // small: mt_validate exempts the edge; one that shrinks is merged so erasures let the
      // tree get shorter again.)
      const lmin = nodeMin(tree, L);
      if (lmin > 0) {
        const N = nodeAtDepth(tree, lmin - 1, up);
        if (leaf) leafMin = nodeMin(tree, N);
        start = prependNode(tree, N, lmin - 1, start);
        consume(meta, L);
        consume(meta, N);
        L = N;
        n = stop - start;
      }
    } else if (!isRoot && n > cap && L === R && (!leaf || newAt >= stop - 2)) {
      // Push into a sibling under the same parent if both fit in two nodes (B*-tree style), so
      // the parent keeps its slot count and the split does not ripple upwards. In leaves only
      // for appends (the new range ends the node): there it packs sequential loads densely,
      // while for inserts in the middle a push leaves two nearly full leaves that the next few
      // inserts split anyway (measured: about twice the restructuring of a plain split).
      const parent = meta[L * META + M_PARENT];
      const ps = meta[L * META + M_PSLOT];
      const pend = meta[parent * META + M_END];
      const room = 2 * cap - 2;
      if (ps > 0) {
        const sib = slots[parent * STRIDE + ps - 1];
        const sn = meta[sib * META + M_END] + 1;
        if (n + sn <= room && start - sn >= 0) {
          if (leaf) leafMin = nodeMin(tree, sib);
          start = prependNode(tree, sib, pivots[parent * STRIDE + ps - 1], start);
          consume(meta, L);
          L = sib;
          n = stop - start;
        }
      }
      if (n > cap && ps < pend && L === R) {
        const sib = slots[parent * STRIDE + ps + 1];
        const sn = meta[sib * META + M_END] + 1;
        if (n + sn <= room) {
          const smax = ps + 1 < pend ? pivots[parent * STRIDE + ps + 1] : nodeMax(tree, parent);
          stop = appendNode(tree, sib, smax, stop);
          consume(meta, sib);
          R = sib;
          rmax = smax;
          n = stop - start;
        }
      }
    }
    const k = splitBig(start, stop, cap, minN, leaf, rmax === MAX_INDEX && appendLike);

    if (L === R && k === 1) {
      // Stop level: one node replaces L; the parent's pivot for it is unchanged.
      let node: number;
      if (!rcu) {
        node = L;
        writeNode(arena, node, type, start, stop);
      } else {
        node = arena.alloc(type);
        writeNode(arena, node, type, start, stop);
        const parent = meta[L * META + M_PARENT];
        meta[node * META + M_PARENT] = parent;
        meta[node * META + M_PSLOT] = meta[L * META + M_PSLOT];
        if (parent === 0) tree.rootNode = node;
        else slots[parent * STRIDE + meta[L * META + M_PSLOT]] = node;
        consume(meta, L);
      }
      top = node;
      topMax = rmax;
      if (leaf) {
        posNode = node;
        posMin = p.lmin;
        posMax = p.lmax;
        posOff = newAt - start;
        posEnd = stop - start - 1;
      }
      if (isRoot && !leaf && n === 1) {
        collapseRoot(tree);
        top = tree.rootNode;
      }
      break;
    }

    // Build the k new nodes of this level.
    let from = start;
    for (let j = 0; j < k; j++) {
      const id = arena.alloc(type);
      writeNode(arena, id, type, from, cuts[j]);
      midId[j] = id;
      midMax[j] = j === k - 1 ? rmax : bPiv[cuts[j] - 1];
      if (leaf && newAt >= from && newAt < cuts[j]) {
        posNode = id;
        posMin = j === 0 ? leafMin : bPiv[from - 1] + 1;
        posMax = midMax[j];
        posOff = newAt - from;
        posEnd = cuts[j] - from - 1;
      }
      from = cuts[j];
    }
    if (tree.isAlloc) {
      let m = nodeMin(tree, L);
      for (let j = 0; j < k; j++) {
        updateGapsFrom(tree, midId[j], m, midMax[j], true);
        m = midMax[j] + 1;
      }
    }
    consume(meta, L);
    consume(meta, R);

    if (isRoot) {
      // Root growth: a new root above the k nodes.
      const root = arena.alloc(itype);
      for (let j = 0; j < k; j++) {
        bPiv[BIG_BASE + j] = midMax[j];
        bSlot[BIG_BASE + j] = midId[j];
      }
      writeNode(arena, root, itype, BIG_BASE, BIG_BASE + k);
      meta[root * META + M_PARENT] = 0;
      tree.rootNode = root;
      tree.height = tree.height + 1;
      top = root;
      topMax = MAX_INDEX;
      break;
    }

    // Go up: the parent level's big node is PL's slots before L, the new nodes, PR's after R.
    const PL = meta[L * META + M_PARENT];
    const lc = meta[L * META + M_PSLOT];
    const PR = meta[R * META + M_PARENT];
    const rc = meta[R * META + M_PSLOT];
    const plBase = PL * STRIDE;
    const prBase = PR * STRIDE;
    const prEnd = meta[PR * META + M_END];
    if (PL === PR) {
      for (let i = lc + 1; i < rc; i++) wholeList[wholeCount++] = slots[plBase + i];
    } else {
      const plEnd = meta[PL * META + M_END];
      for (let i = lc + 1; i <= plEnd; i++) wholeList[wholeCount++] = slots[plBase + i];
      for (let i = 0; i < rc; i++) wholeList[wholeCount++] = slots[prBase + i];
    }
    const prMax = nodeMax(tree, PR);
    start = BIG_BASE;
    let at = start;
    for (let i = 0; i < lc; i++) {
      bPiv[at] = pivots[plBase + i];
      bSlot[at++] = slots[plBase + i];
    }
    for (let j = 0; j < k; j++) {
      bPiv[at] = midMax[j];
      bSlot[at++] = midId[j];
    }
    for (let i = rc + 1; i <= prEnd; i++) {
      bPiv[at] = i < prEnd ? pivots[prBase + i] : prMax;
      bSlot[at++] = slots[prBase + i];
    }
    stop = at;
    appendLike = rc === prEnd;
    L = PL;
    R = PR;
    rmax = prMax;
    depth--;
    leaf = false;
  }

  // Published: retire what the write unlinked.
  for (let i = 0; i < wholeCount; i++) retireSubtree(tree, wholeList[i]);
  for (let i = 0; i < deadCount; i++) {
    if (rcu) deferFree(tree, deadList[i]);
    else arena.free(deadList[i]);
  }
  deadCount = 0;
  wholeCount = 0;
  if (tree.isAlloc && top !== 0) updateGapsFrom(tree, top, nodeMin(tree, top), topMax);
  positionLeaf(mas, posNode, posMin, posMax, posOff, posEnd, tree.height - 1);
}

/** The implied minimum of node `id`, from its ancestors' pivots. */
function nodeMin(tree: MapleTreeCore, id: number): number {
  const arena = tree.arena;
  const meta = arena.meta;
  let n = id;
  for (;;) {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) return 0;
    const ps = meta[n * META + M_PSLOT];
    if (ps > 0) return arena.pivots[parent * STRIDE + ps - 1] + 1;
    n = parent;
  }
}

/** Drops internal roots with a single child (the tree gets shorter). */
function collapseRoot(tree: MapleTreeCore): void {
  const arena = tree.arena;
  const meta = arena.meta;
  let root = tree.rootNode;
  while (meta[root * META + M_TYPE] !== NODE_LEAF && meta[root * META + M_END] === 0) {
    const child = arena.slots[root * STRIDE];
    meta[child * META + M_PARENT] = 0;
    meta[child * META + M_PSLOT] = 0;
    tree.rootNode = child;
    tree.height = tree.height - 1;
    retireNode(tree, root);
    root = child;
  }
}

/** The ZERO entry and other reserved values never sit directly in the root (§1.6). */
export function rootStorable(entry: unknown): boolean {
  return entry !== XA_ZERO_ENTRY;
}
