// The structural part of a store (splits, pushes into siblings, rebalance, spanning stores,
// root growth and collapse): the level-by-level rebuild described in store.ts, with the helpers
// it needs to find neighbours and bounds of nodes. Nodes replaced by a write are consumed (marked
// dead) as the levels are built and retired once the new nodes are published.

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
import { MAX_INDEX as MAX_INDEX_ } from "./entry.js";
import { MaState } from "./state.js";
import type { Plan } from "./store.js";
import { updateGapsFrom as updateGapsFrom_ } from "./store-gap.js";
import {
  BIG_BASE as BIG_BASE_,
  bPiv as bPiv_,
  bSlot as bSlot_,
  cuts as cuts_,
  splitBig as splitBig_,
  writeNode as writeNode_,
} from "./store-node.js";
import {
  deferFree as deferFree_,
  retireNode as retireNode_,
  retireSubtree as retireSubtree_,
} from "./store-retire.js";
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
const updateGapsFrom = updateGapsFrom_;
const BIG_BASE = BIG_BASE_;
const bPiv = bPiv_;
const bSlot = bSlot_;
const cuts = cuts_;
const splitBig = splitBig_;
const writeNode = writeNode_;
const deferFree = deferFree_;
const retireNode = retireNode_;
const retireSubtree = retireSubtree_;

let scratchMas: MaState | null = null;
/** A second state on `tree`, for descents that must not disturb the caller's state. */
export function scratch(tree: MapleTreeCore): MaState {
  if (scratchMas === null) scratchMas = new MaState(tree, 0, 0);
  scratchMas.tree = tree;
  return scratchMas;
}

/** Internal node type of a tree (arange in allocation trees). */
export function internalType(tree: MapleTreeCore): number {
  return tree.isAlloc ? NODE_ARANGE : NODE_RANGE;
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
  // In a shared tree the node may be in a version another thread is reading: its dead word is
  // one of the two kinds of word that change while visible (shared-layout.ts), so atomically.
  if (atomicDead) Atomics.store(meta, id * META + M_DEAD, 1);
  else meta[id * META + M_DEAD] = 1;
  deadList[deadCount++] = id;
}
/** The rebuild in progress is on a shared tree (set per rebuild, read by `consume`). */
let atomicDead = false;

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

/**
 * The node after `id` at its depth (it holds index `at` = id's max + 1): the next slot of the same
 * parent when there is one (no descent), else found from the root.
 */
function nextAtDepth(tree: MapleTreeCore, id: number, at: number, up: number): number {
  const meta = tree.arena.meta;
  const parent = meta[id * META + M_PARENT] as number;
  if (parent !== 0) {
    const ps = meta[id * META + M_PSLOT] as number;
    if (ps < (meta[parent * META + M_END] as number)) {
      return tree.arena.slots[parent * STRIDE + ps + 1] as number;
    }
  }
  return nodeAtDepth(tree, at, up);
}

/** The node before `id` at its depth (it holds `at` = id's min - 1); as {@link nextAtDepth}. */
function prevAtDepth(tree: MapleTreeCore, id: number, at: number, up: number): number {
  const meta = tree.arena.meta;
  const parent = meta[id * META + M_PARENT] as number;
  if (parent !== 0) {
    const ps = meta[id * META + M_PSLOT] as number;
    if (ps > 0) return tree.arena.slots[parent * STRIDE + ps - 1] as number;
  }
  return nodeAtDepth(tree, at, up);
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

/** Puts `mas` on leaf slot `offset` of `node` ([min, max], data end `end`) at `depth`. */
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

// New nodes of the level just built (ids and maxima), carried to the parent level.
const midId = new Int32Array(8);
const midMax = new Float64Array(8);

/**
 * The level-by-level rebuild of a structural store. The leaf level's big node is items
 * [BIG_BASE, stop0); `newAt` is the written range's item. Leaves `mas` positioned on it.
 */
export function rebuild(mas: MaState, p: Plan, stop0: number, newAt: number): void {
  const tree = mas.tree;
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const rcu = tree.inRcu;
  const itype = internalType(tree);
  atomicDead = tree.shared !== null;
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
  // Leading big node items that are L's own children at their slots already (not re-adopted).
  let keep = 0;
  for (;;) {
    const type = leaf ? NODE_LEAF : itype;
    const cap = slotsOf(type);
    const minN = minEndOf(type) + 1;
    const up = tree.height - 1 - depth;
    if (pullNull) {
      // A NULL write ending at this leaf's max: the next leaf joins (its first slot is not NULL).
      const N = nextAtDepth(tree, R, rmax + 1, up);
      const nmax = nodeMax(tree, N);
      stop = appendNode(tree, N, nmax, stop);
      // R now lies inside the run: mark it before anything retires the run's interior. N is
      // the new right end (reused or consumed when the level is left).
      if (R !== L) consume(meta, R);
      R = N;
      rmax = nmax;
      pullNull = false;
    }
    const isRoot = meta[L * META + M_PARENT] === 0 && L === R;
    let n = stop - start;
    if (!isRoot && n < minN && rmax !== MAX_INDEX) {
      // Rebalance: the next node of this level joins (a node off the right edge always has one).
      const N = nextAtDepth(tree, R, rmax + 1, up);
      const nmax = nodeMax(tree, N);
      stop = appendNode(tree, N, nmax, stop);
      // R now lies inside the run: mark it before anything retires the run's interior. N is
      // the new right end (reused or consumed when the level is left).
      if (R !== L) consume(meta, R);
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
        const N = prevAtDepth(tree, L, lmin - 1, up);
        if (leaf) leafMin = nodeMin(tree, N);
        start = prependNode(tree, N, lmin - 1, start);
        keep = 0;
        // N is the new left end; L stays the right end unless it lies inside the run now.
        if (L !== R) consume(meta, L);
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
          keep = 0;
          L = sib; // the old L is the right end now

          n = stop - start;
        }
      }
      if (n > cap && ps < pend && L === R) {
        const sib = slots[parent * STRIDE + ps + 1];
        const sn = meta[sib * META + M_END] + 1;
        if (n + sn <= room) {
          const smax = ps + 1 < pend ? pivots[parent * STRIDE + ps + 1] : nodeMax(tree, parent);
          stop = appendNode(tree, sib, smax, stop);
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
        writeNode(arena, node, type, start, stop, keep);
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

    // Build the k new nodes of this level. Outside RCU mode the first and last reuse L and R
    // (their items are in the big node already), which saves allocations and often leaves the
    // parent's slots as they were.
    const reuseL = !rcu && meta[L * META + M_DEAD] === 0;
    const reuseR = !rcu && k >= 2 && R !== L && meta[R * META + M_DEAD] === 0;
    let from = start;
    for (let j = 0; j < k; j++) {
      const id = j === 0 && reuseL ? L : j === k - 1 && reuseR ? R : arena.alloc(type);
      writeNode(
        arena,
        id,
        type,
        from,
        cuts[j],
        j === 0 && id === L ? Math.min(keep, cuts[0] - from) : 0,
      );
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
    if (!reuseL) consume(meta, L);
    if (R !== L && !reuseR) consume(meta, R);

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
    if (PL === PR && k === rc - lc + 1 && sameChildren(slots, PL * STRIDE + lc, k)) {
      // The new nodes are the old children, in place: only the pivots between them moved.
      for (let j = 0; j < k - 1; j++) pivots[PL * STRIDE + lc + j] = midMax[j];
      top = PL;
      // Only allocation trees need the bound (gap update); the walk up is not free.
      if (tree.isAlloc) topMax = nodeMax(tree, PL);
      break;
    }
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
    keep = lc;
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

/** Are slots [at, at + k) of a node exactly the new nodes `midId[0..k)`? */
function sameChildren(slots: Int32Array, at: number, k: number): boolean {
  for (let j = 0; j < k; j++) if (slots[at + j] !== midId[j]) return false;
  return true;
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
