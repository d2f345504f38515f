// Point lookups: the kernel's mas_start / mas_state_walk / mas_walk positioning of a maple state
// (docs/spec/maple-tree.md §4.4 "mas_walk") and the allocation-free mtree_load. Every read that
// has to (re)position a state from the root goes through `stateWalk` here, and every descent goes
// through the shared `descendToLeaf` (descend.ts).

import { STRIDE as STRIDE_ } from "../core/arena.js";
import { descendToLeaf as descendToLeaf_, leafWord as leafWord_ } from "../core/descend.js";
import { entryOf as entryOf_ } from "../core/entry-table.js";
import { EINVAL } from "../core/errors.js";
import {
  isIndex as isIndex_,
  MAX_INDEX as MAX_INDEX_,
  XA_ZERO_ENTRY as XA_ZERO_ENTRY_,
} from "../core/index-space.js";
import { MaState, type MaStatus, mas_set_err } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const STRIDE = STRIDE_;
const descendToLeaf = descendToLeaf_;
const leafWord = leafWord_;
const entryOf = entryOf_;
const isIndex = isIndex_;
const MAX_INDEX = MAX_INDEX_;
const XA_ZERO_ENTRY = XA_ZERO_ENTRY_;

/** Kernel `MAPLE_NODE_SLOTS`: the offset a state carries when it points at no node. */
const NO_OFFSET = 31;

/**
 * The state's status, read afresh: after a call that moved the state, TypeScript would otherwise
 * keep the narrowing of an earlier comparison.
 */
export function statusOf(mas: MaState): MaStatus {
  return mas.status;
}

/**
 * Checks the bounds a read op uses; on a bad one puts `mas` in error (-EINVAL) and returns false.
 * `index`, `last` and the tree are left as they were (api.md "Indices").
 */
export function readArgsOk(mas: MaState, limit: number): boolean {
  // An active state's index/last are the range it found (they are re-checked before any walk).
  if (isIndex(limit) && (mas.status === "active" || (isIndex(mas.index) && isIndex(mas.last)))) {
    return true;
  }
  mas_set_err(mas, -EINVAL);
  return false;
}

/**
 * Kernel `mas_start()` + `mas_state_walk()` for a state in status start: positions `mas` from the
 * root. Node tree: status active, `index`/`last` = the range holding `index` (found by
 * `descendToLeaf`), returns its entry. Empty tree: status none, NULL. Direct root entry: status
 * root, returns the entry when `index` is 0, else NULL. `index`/`last` are only changed in node
 * trees (the callers normalise the other cases as the kernel does).
 */
export function stateWalk(mas: MaState): unknown {
  const tree = mas.tree;
  mas.min = 0;
  mas.max = MAX_INDEX;
  mas.depth = 0;
  if (tree.rootNode !== 0) return rangeWalk(mas, mas.index);
  mas.node = 0;
  mas.offset = NO_OFFSET;
  mas.end = 0;
  if (tree.rootEntry === null) {
    mas.status = "none";
    return null;
  }
  mas.status = "root";
  return mas.index === 0 ? tree.rootEntry : null;
}

/**
 * Descends a node tree to the leaf slot holding `index` and makes that slot the state's position:
 * status active, `index`/`last` = the slot's range, `generation` = the tree's. Returns the entry.
 * This is also the kernel's `mas_rewalk` (re-positioning after a node died under the state).
 */
export function rangeWalk(mas: MaState, index: number): unknown {
  const tree = mas.tree;
  const handle = descendToLeaf(mas, index);
  const pivots = tree.arena.pivots;
  const base = mas.node * STRIDE;
  const off = mas.offset;
  mas.index = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
  mas.last = off < mas.end ? pivots[base + off] : mas.max;
  mas.status = "active";
  mas.generation = tree.generation;
  return entryOf(tree.entries.values, handle);
}

/**
 * Kernel `mas_walk()`: looks up `mas.index` and sets `index`/`last` to the range that holds it,
 * NULL ranges included, status active (node trees). Empty tree: NULL, `[0, MAX]`, status none.
 * Direct root entry: the entry with `last = 0` and status root for index 0, else NULL,
 * `[1, MAX]`, status none. Always walks from the root, whatever the status (error included).
 * Returns XA_ZERO_ENTRY raw. A bad `mas.index` puts the state in error (-EINVAL).
 */
export function mas_walk(mas: MaState): unknown {
  if (!isIndex(mas.index)) {
    mas_set_err(mas, -EINVAL);
    return null;
  }
  mas.status = "start";
  mas.err = 0;
  const entry = stateWalk(mas);
  const status = statusOf(mas);
  if (status === "none") {
    mas.index = 0;
    mas.last = MAX_INDEX;
  } else if (status === "root") {
    // next.ts's nextSetup ends the same way; kept in each kernel function (see next.ts).
    if (mas.index === 0) {
      mas.last = 0;
      return entry;
    }
    mas.index = 1;
    mas.last = MAX_INDEX;
    mas.status = "none";
    return null;
  }
  return entry;
}

/**
 * Kernel `mtree_load()`: the entry of the range that contains `index`, or null for a NULL range,
 * for XA_ZERO_ENTRY, and for an `index` that is not an integer in `0..MAX_INDEX`. Allocation-free.
 */
export function mtree_load(mt: MapleTreeCore, index: number): unknown {
  return isIndex(index) ? loadEntry(mt, index) : null;
}

/**
 * {@link mtree_load} for an `index` the caller has checked already (the idiomatic `get`/`has`
 * check once, with their own error): the entry at `index`, null for NULL and XA_ZERO_ENTRY.
 */
export function loadEntry(mt: MapleTreeCore, index: number): unknown {
  if (mt.rootNode === 0) return index === 0 ? mt.rootEntry : null;
  const word = leafWord(mt, index);
  // An inline word is a small integer, never XA_ZERO_ENTRY.
  if (word <= 0) return word === 0 ? null : -word - 1;
  const entry = mt.entries.values[word];
  return entry === XA_ZERO_ENTRY ? null : entry;
}

// The normal API's one-shot reads (mt_find, mt_next, mt_prev, getRange, findGap) run a state
// internally; each tree lends them its own (made on first use) instead of allocating a state per
// call. Reader state, not a writer's: none of them calls user code or writes while holding it, and
// being the tree's, it keeps no other tree alive.

/** Lends `mt`'s internal read state, reset (status start) at `[index, index]`. */
export function borrowReadState(mt: MapleTreeCore, index: number): MaState {
  let mas = mt.readState;
  if (mas === null) {
    mas = new MaState(mt, index, index);
    mt.readState = mas;
  }
  mas.index = index;
  mas.last = index;
  mas.status = "start";
  mas.node = 0;
  mas.err = 0;
  return mas;
}

/** Gives the internal read state back. */
export function releaseReadState(mas: MaState): void {
  mas.node = 0;
}
