// The normal write API (kernel mtree_store_range, mtree_insert_range, mtree_erase, mtree_destroy
// and friends; docs/spec/maple-tree.md §3), tree initialisation, and the flag-based locks. Each
// function takes the tree lock itself and runs the advanced API underneath, as the kernel does;
// the lock is a flag (single-threaded JS), restored afterwards so a caller's mtree_lock survives.

import { EINVAL as EINVAL_ } from "../core/errors.js";
import { isIndex as isIndex_, MAX_INDEX as MAX_INDEX_ } from "../core/index-space.js";
import { MA_STATE as MA_STATE_, type MaState } from "../core/state.js";
import {
  MapleTreeCore,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_LOCK_MASK,
  type TreeOptions,
} from "../core/tree.js";
import {
  mas_destroy as mas_destroy_,
  mas_erase as mas_erase_,
  mas_insert as mas_insert_,
  mas_nomem as mas_nomem_,
  storeArgsOk as storeArgsOk_,
  storeGfp as storeGfp_,
} from "./advanced.js";
import { GFP_KERNEL as GFP_KERNEL_, type Gfp } from "./alloc.js";
import { retireSubtree } from "./retire.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); every normal-API
// write passes here, so the calls use module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
const GFP_KERNEL = GFP_KERNEL_;
const isIndex = isIndex_;
const MAX_INDEX = MAX_INDEX_;
const EINVAL = EINVAL_;
const MA_STATE = MA_STATE_;
const mas_destroy = mas_destroy_;
const mas_erase = mas_erase_;
const mas_insert = mas_insert_;
const mas_nomem = mas_nomem_;
const storeArgsOk = storeArgsOk_;
const storeGfp = storeGfp_;

// One state per tree for the normal API's own writes, reset per call (kernel code puts an MA_STATE
// on the stack; a reused object spares the allocation on every mtree_* write). It is the tree's
// (`writeState`). The only user code a normal write runs is the reclaimer (RCU mode), and it runs
// with the tree's lock held (mt_lock_is_held): like a kernel RCU callback it must not write the
// tree, so no second normal write can take this state while one is using it.
function normalState(mt: MapleTreeCore, first: number, last: number): MaState {
  let mas = mt.writeState;
  if (mas === null) {
    mas = MA_STATE(mt, first, last);
    mt.writeState = mas;
    return mas;
  }
  // Still standing on a leaf of this tree with nothing written since: the write may start there
  // (write/resume.ts checks that the leaf holds `first`), like a kernel state kept for the next
  // write.
  const keep = mas.status === "active" && mas.generation === mt.generation;
  mas.index = first;
  mas.last = last;
  mas.err = 0;
  mas.flags = 0;
  mas.reserved = 0;
  if (keep) return mas;
  mas.status = "start";
  mas.node = 0;
  mas.min = 0;
  mas.max = MAX_INDEX;
  mas.offset = 0;
  mas.end = 0;
  mas.depth = 0;
  return mas;
}

/** Kernel `DEFINE_MTREE()` / `MTREE_INIT()`: a new empty tree with `flags`. */
export function DEFINE_MTREE(flags = 0, options: TreeOptions = {}): MapleTreeCore {
  return new MapleTreeCore(flags, options);
}

/** Kernel `mt_init_flags()`: re-initialises `mt` as an empty tree with `flags` (nodes dropped). */
export function mt_init_flags(mt: MapleTreeCore, flags: number): void {
  mt.resetStorage(flags);
  mt.locked = false;
}

/** Kernel `mt_init()`: `mt_init_flags(mt, 0)`. */
export function mt_init(mt: MapleTreeCore): void {
  mt_init_flags(mt, 0);
}

/** Kernel `mtree_lock()`: takes the tree lock (a flag: JS is single-threaded). */
export function mtree_lock(mt: MapleTreeCore): void {
  mt.locked = true;
}

/** Kernel `mtree_unlock()`. */
export function mtree_unlock(mt: MapleTreeCore): void {
  mt.locked = false;
}

/**
 * Kernel `mt_lock_is_held()` (lockdep builds): whether the tree's lock is held — `mtree_lock` /
 * `mas_lock`, or a normal-API write in progress. A tree with MT_FLAGS_LOCK_EXTERN uses a lock
 * this port does not see, so it answers true, as the kernel does without lockdep.
 */
export function mt_lock_is_held(mt: MapleTreeCore): boolean {
  return (mt.flags & MT_FLAGS_LOCK_MASK) === MT_FLAGS_LOCK_EXTERN || mt.locked;
}

/** Kernel `mas_lock()`: the lock of the state's tree. */
export function mas_lock(mas: MaState): void {
  mtree_lock(mas.tree);
}

/** Kernel `mas_unlock()`. */
export function mas_unlock(mas: MaState): void {
  mtree_unlock(mas.tree);
}

/**
 * Kernel `mtree_store_range()`: writes `entry` over [first, last] (null erases). Returns 0,
 * -EINVAL (indices not integers in 0..MAX_INDEX, first > last, `undefined` entry; nothing
 * changes) or -ENOMEM (nothing changes).
 */
export function mtree_store_range(
  mt: MapleTreeCore,
  first: number,
  last: number,
  entry: unknown,
  gfp: Gfp = GFP_KERNEL,
): number {
  if (!storeArgsOk(first, last, entry)) return -EINVAL;
  return storeRangeChecked(mt, first, last, entry, gfp);
}

/**
 * {@link mtree_store_range} of arguments the caller has checked (the idiomatic classes check
 * them first, to name the bad one): the same write without checking them again.
 */
export function storeRangeChecked(
  mt: MapleTreeCore,
  first: number,
  last: number,
  entry: unknown,
  gfp: Gfp = GFP_KERNEL,
): number {
  const mas = normalState(mt, first, last);
  const held = mt.locked;
  mt.locked = true;
  const ret = storeGfp(mas, entry, gfp);
  mt.locked = held;
  return ret;
}

/** Kernel `mtree_store()`: `mtree_store_range(mt, index, index, entry, gfp)`. */
export function mtree_store(
  mt: MapleTreeCore,
  index: number,
  entry: unknown,
  gfp: Gfp = GFP_KERNEL,
): number {
  return mtree_store_range(mt, index, index, entry, gfp);
}

/**
 * Kernel `mtree_insert_range()`: writes `entry` over [first, last] only if all of it is empty.
 * Returns 0, -EEXIST, -EINVAL or -ENOMEM; on any error nothing changes. Its parameters and
 * prologue are mtree_store_range's (the kernel's signature); the bodies differ in the write.
 */
export function mtree_insert_range(
  mt: MapleTreeCore,
  first: number,
  last: number,
  entry: unknown,
  gfp: Gfp = GFP_KERNEL,
): number {
  if (!storeArgsOk(first, last, entry)) return -EINVAL;
  const mas = normalState(mt, first, last);
  const held = mt.locked;
  mt.locked = true;
  for (;;) {
    mas_insert(mas, entry);
    if (!mas_nomem(mas, gfp)) break;
  }
  mt.locked = held;
  mas_destroy(mas);
  return mas.status === "error" ? mas.err : 0;
}

/** Kernel `mtree_insert()`: `mtree_insert_range(mt, index, index, entry, gfp)`. */
export function mtree_insert(
  mt: MapleTreeCore,
  index: number,
  entry: unknown,
  gfp: Gfp = GFP_KERNEL,
): number {
  return mtree_insert_range(mt, index, index, entry, gfp);
}

/**
 * Kernel `mtree_erase()`: empties the whole range holding `index`. Returns the erased entry, or
 * null when there was none (or `index` is not a valid index; nothing changes).
 */
export function mtree_erase(mt: MapleTreeCore, index: number): unknown {
  if (!isIndex(index)) return null;
  const mas = normalState(mt, index, index);
  const held = mt.locked;
  mt.locked = true;
  const entry = mas_erase(mas);
  mt.locked = held;
  return entry;
}

/**
 * Kernel `__mt_destroy()`: frees every node (after readers, in RCU mode) and every entry handle;
 * the tree is empty and its height 0, other flags kept. Entries themselves are the caller's.
 */
export function __mt_destroy(mt: MapleTreeCore): void {
  mt.policy.checkWriter(mt);
  const root = mt.rootNode;
  mt.rootNode = 0;
  mt.rootEntry = null;
  mt.flags = mt.attr;
  mt.generation++;
  if (root !== 0) retireSubtree(mt, root);
}

/** Kernel `mtree_destroy()`: `__mt_destroy` under the tree lock. */
export function mtree_destroy(mt: MapleTreeCore): void {
  const held = mt.locked;
  mt.locked = true;
  __mt_destroy(mt);
  mt.locked = held;
}

/** Kernel `mtree_empty()`: the tree holds nothing (no node, no direct root entry). */
export function mtree_empty(mt: MapleTreeCore): boolean {
  return mt.rootNode === 0 && mt.rootEntry === null;
}

/** Kernel `mt_height()`: 0 empty or direct root, 1 a single leaf, +1 per internal level. */
export function mt_height(mt: MapleTreeCore): number {
  return mt.height;
}
