// Tree duplication, node for node (kernel __mt_dup / mtree_dup; docs/spec/maple-tree.md §6.2).
//
// The copy has the source's shape, pivots, gaps and height: every node reachable from the source
// root is copied word for word into a fresh node of the target arena, in DFS pre-order, and only
// the links are rewritten (child ids in internal nodes, parent ids in every node). Dead nodes
// still waiting for a grace period in an RCU-mode source are not reachable, so never copied.
// Leaf entries are shallow: the copy stores the same values, each behind a handle of its own in
// the target's entry table (a handle belongs to exactly one range of one tree, see core/entry-table.ts).
// All nodes are reserved before anything is written, so -ENOMEM leaves the target empty.
// When the source arena holds the reachable nodes and at most as many free ones, and the target
// arena is unused (the common fork case), the node arrays are copied whole with their ids and free
// list, so no link needs rewriting.

import {
  M_DEAD as M_DEAD_,
  M_END as M_END_,
  M_GAP as M_GAP_,
  M_PARENT as M_PARENT_,
  M_PSLOT as M_PSLOT_,
  M_TYPE as M_TYPE_,
  META as META_,
  NODE_LEAF as NODE_LEAF_,
  type NodeArena,
  STRIDE as STRIDE_,
} from "../core/arena.js";
import { type EntryTable, entryOf } from "../core/entry-table.js";
import { EINVAL, ENOMEM } from "../core/errors.js";
import { XA_ZERO_ENTRY } from "../core/index-space.js";
import { MA_STATE } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { GFP_KERNEL, type Gfp, reserveNodes } from "./alloc.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the copy loop
// uses module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
const M_DEAD = M_DEAD_;
const M_END = M_END_;
const M_GAP = M_GAP_;
const M_PARENT = M_PARENT_;
const M_PSLOT = M_PSLOT_;
const M_TYPE = M_TYPE_;
const META = META_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;

/** Nodes reachable from `node` (internal nodes are walked; leaves counted from their parent). */
function countNodes(arena: NodeArena, node: number, height: number): number {
  if (height === 1) return 1;
  const end = arena.meta[node * META + M_END];
  if (height === 2) return end + 2;
  let n = 1;
  const base = node * STRIDE;
  for (let i = 0; i <= end; i++) n += countNodes(arena, arena.slots[base + i], height - 1);
  return n;
}

/** A value transform applied while copying (MapleTree.dup(map)); never sees XA_ZERO_ENTRY. */
export type DupMap = ((value: unknown) => unknown) | null;

function mapped(map: DupMap, v: unknown): unknown {
  return map === null || v === XA_ZERO_ENTRY ? v : map(v);
}

/** Gives every handle in the leaves below `node` of `dst` a new handle in `dstEntries`. */
function rehandle(
  dst: NodeArena,
  node: number,
  height: number,
  values: unknown[],
  dstEntries: EntryTable,
  map: DupMap,
): void {
  const end = dst.meta[node * META + M_END];
  const base = node * STRIDE;
  const slots = dst.slots;
  for (let i = 0; i <= end; i++) {
    const s = slots[base + i];
    if (height > 1) rehandle(dst, s, height - 1, values, dstEntries, map);
    else if (s !== 0) slots[base + i] = dstEntries.word(mapped(map, entryOf(values, s)));
  }
}

/**
 * Copies source node `id` and its subtree into `dst` (reserved), under `parent` at slot `pslot`;
 * returns the new node's id. Word loops rather than `subarray().set()`: a node is 16 words, and
 * making a view per node costs more than copying it.
 */
function copyNode(
  src: NodeArena,
  values: unknown[],
  dst: NodeArena,
  dstEntries: EntryTable,
  map: DupMap,
  verbatim: boolean,
  id: number,
  parent: number,
  pslot: number,
): number {
  const sm = id * META;
  const smeta = src.meta;
  const type = smeta[sm + M_TYPE];
  const copy = dst.alloc(type);
  const end = smeta[sm + M_END];
  const dm = copy * META;
  const dmeta = dst.meta;
  dmeta[dm + M_PARENT] = parent;
  dmeta[dm + M_END] = end;
  dmeta[dm + M_PSLOT] = pslot;
  dmeta[dm + M_GAP] = smeta[sm + M_GAP];
  dmeta[dm + M_DEAD] = 0;
  const sb = id * STRIDE;
  const db = copy * STRIDE;
  // Pivot and gap words past the end are 0 in the source and in the fresh node alike.
  const sp = src.pivots;
  const dp = dst.pivots;
  for (let i = 0; i < end; i++) dp[db + i] = sp[sb + i];
  const sgaps = src.gaps;
  const dgaps = dst.gaps;
  if (sgaps !== null && dgaps !== null && type !== NODE_LEAF) {
    for (let i = 0; i <= end; i++) dgaps[db + i] = sgaps[sb + i];
  }
  const sslots = src.slots;
  const dslots = dst.slots;
  if (type === NODE_LEAF) {
    if (verbatim) {
      for (let i = 0; i <= end; i++) dslots[db + i] = sslots[sb + i];
    } else {
      for (let i = 0; i <= end; i++) {
        const h = sslots[sb + i];
        dslots[db + i] = h === 0 ? 0 : dstEntries.word(mapped(map, entryOf(values, h)));
      }
    }
  } else {
    for (let i = 0; i <= end; i++) {
      dslots[db + i] = copyNode(
        src,
        values,
        dst,
        dstEntries,
        map,
        verbatim,
        sslots[sb + i],
        copy,
        i,
      );
    }
  }
  return copy;
}

/**
 * Can the target's (unused) entry table simply become a copy of the source's? Yes when the source
 * has no free and no pending handle: then every handle is referenced by exactly one range
 * (core/entry-table.ts ownership rule), and the copied leaf words can keep their handles.
 */
function tableCopies(se: EntryTable, de: EntryTable): boolean {
  return (
    de.values.length === 1 &&
    de.size === 0 &&
    se.pendingFrees === 0 &&
    se.handles === se.values.length - 1
  );
}

/**
 * Whole-arena copy, used when it copies about the reachable nodes: the source arena holds no
 * dead node awaiting a grace period, no more free nodes than live ones (the free list is copied
 * too), and the target arena was never used.
 * Node ids are kept, so no node link needs rewriting; the entry table is copied whole too when
 * every handle in it is in use, else the leaves' entry words are made anew in the target's table.
 * Returns false (nothing done) when it does not apply.
 */
function copyWhole(mt: MapleTreeCore, newTree: MapleTreeCore, need: number, map: DupMap): boolean {
  const src = mt.arena;
  const dst = newTree.arena;
  // Every live node is reachable (none waits for a grace period); free ones are copied with
  // the free list, which stays usable in the copy, while they are at most as many as the live.
  if (dst.top !== 1 || dst.live !== 0 || src.live !== need || src.top - 1 > 2 * need) return false;
  if (dst.poison !== src.poison) return false;
  if (!dst.copyFrom(src)) return false;
  const se = mt.entries;
  const de = newTree.entries;
  if (map === null && tableCopies(se, de)) {
    de.copyFrom(se);
  } else {
    rehandle(dst, mt.rootNode, mt.height, se.values, de, map);
  }
  return true;
}

/**
 * The body of `__mt_dup`, with an optional value transform (the idiomatic `dup(map)`): the copy
 * stores `map(v)` wherever the source stores `v` (XA_ZERO_ENTRY is kept as is).
 */
export function dupTree(mt: MapleTreeCore, newTree: MapleTreeCore, gfp: Gfp, map: DupMap): number {
  if (mt.attr !== newTree.attr) return -EINVAL;
  if (newTree.rootNode !== 0 || newTree.rootEntry !== null) return -EINVAL;
  if (mt === newTree) return -EINVAL;
  // A shared tree is written only by copy-on-write stores (shared/write-policy.ts), never block-copied.
  if (newTree.policy.fixedMode) return -EINVAL;
  if (mt.rootNode === 0) {
    newTree.rootEntry = mt.rootEntry === null ? null : mapped(map, mt.rootEntry);
    newTree.flags = mt.flags;
    newTree.generation++;
    return 0;
  }
  const src = mt.arena;
  const need = countNodes(src, mt.rootNode, mt.height);
  if (gfp === GFP_KERNEL && need <= newTree.arena.capacity && copyWhole(mt, newTree, need, map)) {
    newTree.rootNode = mt.rootNode;
  } else {
    const mas = MA_STATE(newTree, 0, 0);
    if (!reserveNodes(mas, need, gfp)) return -ENOMEM;
    // reserve() may have grown the target's arrays; copyNode reads them from the arena.
    // With a table copy the leaf words keep their handles (copied verbatim).
    const verbatim = map === null && tableCopies(mt.entries, newTree.entries);
    if (verbatim) newTree.entries.copyFrom(mt.entries);
    newTree.rootNode = copyNode(
      src,
      mt.entries.values,
      newTree.arena,
      newTree.entries,
      map,
      verbatim,
      mt.rootNode,
      0,
      0,
    );
  }
  newTree.flags = mt.flags;
  newTree.generation++;
  return 0;
}

/**
 * Kernel `__mt_dup()`: makes the empty tree `newTree` a node-for-node copy of `mt` (same shape,
 * pivots, gaps, height and flags; the same entry values). The caller holds both trees' locks.
 * Returns 0; -EINVAL when `mt_attr(mt) !== mt_attr(newTree)`, `newTree` is not empty or is a shared
 * tree (SharedMapleTree: copy-on-write stores only); -ENOMEM
 * when `newTree`'s arena cannot hold the copy (or `gfp` is not GFP_KERNEL and the
 * `mt_set_non_kernel` budget is too small). On an error `newTree` is left as it was (empty).
 * Cost: O(nodes + entries), no re-insertion.
 */
export function __mt_dup(mt: MapleTreeCore, newTree: MapleTreeCore, gfp: Gfp = GFP_KERNEL): number {
  return dupTree(mt, newTree, gfp, null);
}

/**
 * {@link __mt_dup} that stores `map(v)` wherever `mt` stores `v` (XA_ZERO_ENTRY is kept as is),
 * in the same pass as the node copy: kernel `dup_mmap()`'s `__mt_dup` followed by its loop that
 * replaces each entry in place with the new mm's copy of it (`vma_iter_bulk_store`), without the
 * walk and the store per entry. Not a kernel function (this port's addition for `@maplemm/mm`).
 * `map` is called once per non-NULL range, in index order, and only when the copy succeeds; it
 * must not touch either tree. Returns and fails as {@link __mt_dup}.
 */
export function __mt_dup_map(
  mt: MapleTreeCore,
  newTree: MapleTreeCore,
  map: (value: unknown) => unknown,
  gfp: Gfp = GFP_KERNEL,
): number {
  return dupTree(mt, newTree, gfp, map);
}

/** Kernel `mtree_dup()`: {@link __mt_dup} taking `newTree`'s lock, then `mt`'s. */
export function mtree_dup(
  mt: MapleTreeCore,
  newTree: MapleTreeCore,
  gfp: Gfp = GFP_KERNEL,
): number {
  const heldNew = newTree.locked;
  const heldOld = mt.locked;
  newTree.locked = true;
  mt.locked = true;
  const ret = dupTree(mt, newTree, gfp, null);
  mt.locked = heldOld;
  newTree.locked = heldNew;
  return ret;
}
