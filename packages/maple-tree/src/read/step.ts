// Slot-to-slot movement of a positioned maple state: the kernel's mas_next_slot / mas_prev_slot
// and the leaf crossings under them (mas_next_node / mas_prev_node). Every forward or backward
// read (mas_next*, mas_prev*, mas_find*, mt_find) steps through here.
//
// Leaf crossing climbs through M_PARENT / M_PSLOT while the state sits on the last (first) child,
// steps one child over, and descends the leftmost (rightmost) path; the new leaf's bounds are
// re-derived from the pivots passed on the way, as the kernel's mas_ascend does. One climb and one
// descent: O(height) per crossing, and no allocation.
//
// This is also the one place where a state's position is checked before it is used
// (`positionFresh`, else `reposition`): a node marked dead (RCU replacement) or a tree written
// since the state was positioned makes the state re-walk from the root to its save point, like
// the kernel's mas_rewalk_if_dead, before it moves.

import {
  M_END as M_END_,
  M_PARENT as M_PARENT_,
  M_PSLOT as M_PSLOT_,
  META as META_,
  type NodeArena,
  STRIDE as STRIDE_,
} from "../core/arena.js";
import { descendToLeaf as descendToLeaf_ } from "../core/descend.js";
import { entryOf as entryOf_ } from "../core/entry-table.js";
import { EINVAL } from "../core/errors.js";
import {
  isIndex,
  MAX_INDEX as MAX_INDEX_,
  XA_ZERO_ENTRY as XA_ZERO_ENTRY_,
} from "../core/index-space.js";
import { type MaState, mas_set_err } from "../core/state.js";
import { rangeWalk as rangeWalk_ } from "./walk.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const M_END = M_END_;
const M_PARENT = M_PARENT_;
const M_PSLOT = M_PSLOT_;
const META = META_;
const STRIDE = STRIDE_;
const entryOf = entryOf_;
const MAX_INDEX = MAX_INDEX_;
const XA_ZERO_ENTRY = XA_ZERO_ENTRY_;
const rangeWalk = rangeWalk_;
const descendToLeaf = descendToLeaf_;

/** Implied minimum of `node`: the first parent pivot found on the way up, else 0. */
function impliedMin(arena: NodeArena, node: number): number {
  const meta = arena.meta;
  let n = node;
  for (;;) {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) return 0;
    const slot = meta[n * META + M_PSLOT];
    if (slot > 0) return arena.pivots[parent * STRIDE + slot - 1] + 1;
    n = parent;
  }
}

/** Implied maximum of `node`: the first parent pivot bounding it on the way up, else MAX. */
function impliedMax(arena: NodeArena, node: number): number {
  const meta = arena.meta;
  let n = node;
  for (;;) {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) return MAX_INDEX;
    const slot = meta[n * META + M_PSLOT];
    if (slot < meta[parent * META + M_END]) return arena.pivots[parent * STRIDE + slot];
    n = parent;
  }
}

/**
 * Is the state's node still the live node it walked to: set, not dead, and the tree not written
 * since? (The RCU check of the kernel's `ma_dead_node`, plus the generation for non-RCU trees.)
 */
export function positionFresh(mas: MaState): boolean {
  const node = mas.node;
  const tree = mas.tree;
  return node !== 0 && mas.generation === tree.generation && tree.nodeLive(node);
}

/**
 * The slow path of a step whose position is not fresh (status active, or a re-activated
 * overflow/underflow). A state that has no node (re-activated without ever walking), whose node
 * died, or whose tree was written since it was positioned, re-walks from the root to `savePoint`
 * (kernel `mas_rewalk`). Returns false when the tree has no nodes any more; the state is then
 * left as a finished forward (`forward`) or backward read would leave it on that tree.
 */
function reposition(mas: MaState, savePoint: number, forward: boolean): boolean {
  const tree = mas.tree;
  if (!isIndex(savePoint)) {
    // Only reachable if the caller wrote a bad index/last into an active state.
    mas_set_err(mas, -EINVAL);
    return false;
  }
  // A reader of a shared tree that met a dead node restarts from the newest published root.
  tree.policy.resync(tree);
  if (tree.rootNode !== 0) {
    rangeWalk(mas, savePoint);
    return true;
  }
  mas.node = 0;
  if (tree.rootEntry === null) {
    // Empty tree: the one NULL range.
    mas.index = 0;
    mas.last = MAX_INDEX;
  } else if (forward) {
    // Only [0, 0] exists, so nothing lies after any position.
    mas.index = 1;
    mas.last = MAX_INDEX;
  } else if (savePoint > 0) {
    // [0, 0] is what lies before any index > 0 (as kernel mas_prev_setup returns it).
    mas.index = 0;
    mas.last = 0;
    mas.status = "root";
    return false;
  }
  mas.status = "none";
  return false;
}

/**
 * Leaf crossing in a shared tree: a fresh descent to `target` from the root this state's thread
 * is reading. Parent words there are rewritten by writers while readers can see the node (a
 * child is re-parented to its parent's copy), so readers never climb; the version they read is
 * immutable, so the leaf found starts (ends) exactly next to the one left. O(height).
 */
function crossByDescent(mas: MaState, target: number, past: "overflow" | "underflow"): boolean {
  if (target < 0 || target > MAX_INDEX || mas.tree.rootNode === 0) {
    mas.status = past;
    return false;
  }
  descendToLeaf(mas, target);
  // The version being read is immutable, so the leaf found must start (end) at the target; if
  // not, a node changed under the reader, which only a premature free can cause.
  if ((past === "overflow" ? mas.min : mas.max) !== target) {
    throw new Error(
      `maple-tree: shared-tree reader crossed to a leaf [${mas.min}, ${mas.max}] that does not meet ${target}: a node was freed or reused inside its read section`,
    );
  }
  return true;
}

/**
 * Moves to the next leaf (kernel `mas_next_node`). On success `node`, `min`, `max`, `end` describe
 * the new leaf (the caller sets `offset`). Returns false with status overflow, position kept, when
 * the current leaf already reaches `max` or is the last one. Mirror of {@link prevNode}, kept
 * apart as the kernel's two functions are: every line differs in which word it reads (the
 * parent's end or 0, the next or previous pivot, the first or last child), and this is the leaf
 * crossing of every iteration (docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
 */
export function nextNode(mas: MaState, max: number): boolean {
  if (mas.max >= max) {
    mas.status = "overflow";
    return false;
  }
  if (mas.tree.policy.crossByDescent) return crossByDescent(mas, mas.max + 1, "overflow");
  const arena = mas.tree.arena;
  const meta = arena.meta;
  const pivots = arena.pivots;
  const slots = arena.slots;
  let n = mas.node;
  let level = 0;
  let off: number;
  let parentEnd: number;
  do {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) {
      mas.status = "overflow";
      return false;
    }
    off = meta[n * META + M_PSLOT];
    parentEnd = meta[parent * META + M_END];
    n = parent;
    level++;
  } while (off === parentEnd);
  off++;
  let childMax = off < parentEnd ? pivots[n * STRIDE + off] : impliedMax(arena, n);
  let child = slots[n * STRIDE + off];
  while (--level > 0) {
    if (meta[child * META + M_END] > 0) childMax = pivots[child * STRIDE];
    child = slots[child * STRIDE];
  }
  mas.min = mas.max + 1;
  mas.max = childMax;
  mas.node = child;
  mas.end = meta[child * META + M_END];
  return true;
}

/**
 * Moves to the previous leaf (kernel `mas_prev_node`); the caller sets `offset`. Returns false with
 * status underflow, position kept, when the current leaf starts at or below `min` or is the first.
 * Mirror of {@link nextNode}, kept apart (see there).
 */
export function prevNode(mas: MaState, min: number): boolean {
  if (mas.min === 0 || mas.min - 1 < min) {
    mas.status = "underflow";
    return false;
  }
  if (mas.tree.policy.crossByDescent) return crossByDescent(mas, mas.min - 1, "underflow");
  const arena = mas.tree.arena;
  const meta = arena.meta;
  const pivots = arena.pivots;
  const slots = arena.slots;
  let n = mas.node;
  let level = 0;
  let off: number;
  do {
    const parent = meta[n * META + M_PARENT];
    if (parent === 0) {
      mas.status = "underflow";
      return false;
    }
    off = meta[n * META + M_PSLOT];
    n = parent;
    level++;
  } while (off === 0);
  off--;
  let childMin = off > 0 ? pivots[n * STRIDE + off - 1] + 1 : impliedMin(arena, n);
  let child = slots[n * STRIDE + off];
  while (--level > 0) {
    const end = meta[child * META + M_END];
    if (end > 0) childMin = pivots[child * STRIDE + end - 1] + 1;
    child = slots[child * STRIDE + end];
  }
  mas.max = mas.min - 1;
  mas.min = childMin;
  mas.node = child;
  mas.end = meta[child * META + M_END];
  return true;
}

/**
 * Kernel `mas_next_slot()`: from the state's slot, moves to the next range and returns its entry.
 * With `empty` false, NULL ranges are skipped while they end below `max`. A step that would start
 * beyond `max`, or a NULL range reaching `max`, sets status overflow and returns null (with
 * `index`/`last` = that NULL range in the second case). A non-NULL range that starts at or below
 * `max` is returned even if it ends beyond it.
 */
export function nextSlot(mas: MaState, max: number, empty: boolean): unknown {
  if (!positionFresh(mas) && !reposition(mas, mas.last, true)) return null;
  const tree = mas.tree;
  const pivots = tree.arena.pivots;
  const slots = tree.arena.slots;
  const values = tree.entries.values;
  let base = mas.node * STRIDE;
  let off = mas.offset;
  let end = mas.end;
  if (mas.max >= max) {
    // The current range already reaches the limit: the next one starts beyond it.
    const pivot = off < end ? pivots[base + off] : mas.max;
    if (pivot >= max) {
      mas.status = "overflow";
      return null;
    }
  }
  for (;;) {
    if (off < end) {
      mas.index = pivots[base + off] + 1;
      off++;
      mas.last = off < end ? pivots[base + off] : mas.max;
    } else {
      if (mas.last >= max || !nextNode(mas, max)) {
        mas.offset = off;
        mas.status = "overflow";
        return null;
      }
      base = mas.node * STRIDE;
      end = mas.end;
      off = 0;
      mas.index = mas.min;
      mas.last = end > 0 ? pivots[base] : mas.max;
    }
    const entry = entryOf(values, slots[base + off]);
    if (entry !== null || empty) {
      mas.offset = off;
      return entry;
    }
    if (mas.last >= max) {
      mas.offset = off;
      mas.status = "overflow";
      return null;
    }
  }
}

/**
 * Kernel `mas_prev_slot()`: from the state's slot, moves to the previous range and returns its
 * entry. With `empty` false, NULL ranges are skipped while they start above `min`. If the current
 * range already starts at or below `min`, or a NULL range stepped onto does, the status becomes
 * underflow and null is returned. A non-NULL range that ends at or above `min` is returned even if
 * it starts below it.
 */
export function prevSlot(mas: MaState, min: number, empty: boolean): unknown {
  if (!positionFresh(mas) && !reposition(mas, mas.index, false)) {
    return mas.status === "root" ? mas.tree.rootEntry : null;
  }
  const tree = mas.tree;
  const pivots = tree.arena.pivots;
  const slots = tree.arena.slots;
  const values = tree.entries.values;
  let base = mas.node * STRIDE;
  let off = mas.offset;
  if (mas.min <= min) {
    const pivot = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
    if (pivot <= min) {
      mas.status = "underflow";
      return null;
    }
  }
  for (;;) {
    if (off > 0) {
      off--;
      mas.last = mas.index - 1;
      mas.index = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
    } else {
      if (mas.index <= min || !prevNode(mas, min)) {
        mas.offset = off;
        mas.status = "underflow";
        return null;
      }
      base = mas.node * STRIDE;
      off = mas.end;
      mas.last = mas.max;
      mas.index = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
    }
    const entry = entryOf(values, slots[base + off]);
    if (entry !== null || empty) {
      mas.offset = off;
      return entry;
    }
    if (mas.index <= min) {
      mas.offset = off;
      mas.status = "underflow";
      return null;
    }
  }
}

/** Callback of `mt_for_each_range` (and the internal range scan): return `false` to stop. */
export type RangeVisitor = (entry: unknown, first: number, last: number) => unknown;

/**
 * The bulk form of a forward scan: from the active state's slot, calls `fn` for every range
 * holding a real entry (not NULL, not XA_ZERO_ENTRY) up to the one that reaches `limit`, reading
 * leaf slots in a tight loop. Equivalent to repeating mt_find from one past each range: if `fn`
 * writes to the tree, the scan re-walks from one past the range it just reported.
 */
export function scanRanges(mas: MaState, limit: number, fn: RangeVisitor): void {
  const tree = mas.tree;
  for (;;) {
    const generation = tree.generation;
    const pivots = tree.arena.pivots;
    const slots = tree.arena.slots;
    const values = tree.entries.values;
    const base = mas.node * STRIDE;
    const end = mas.end;
    const nodeMax = mas.max;
    let off = mas.offset;
    let lo = mas.index;
    for (;;) {
      const hi = off < end ? pivots[base + off] : nodeMax;
      const entry = entryOf(values, slots[base + off]);
      if (entry !== null && entry !== XA_ZERO_ENTRY) {
        if (fn(entry, lo, hi) === false || hi >= limit) return;
        if (tree.generation !== generation) {
          // The visitor wrote to the tree: carry on as a fresh mt_find from hi + 1 would (on
          // a tree left without nodes, that finds nothing above index 0).
          if (tree.rootNode === 0) return;
          rangeWalk(mas, hi + 1);
          break;
        }
      } else if (hi >= limit) {
        return;
      }
      lo = hi + 1;
      if (off < end) {
        off++;
        continue;
      }
      // The leaf ends below the limit (so below MAX_INDEX): the next leaf starts at lo.
      mas.offset = off;
      if (!nextNode(mas, MAX_INDEX)) return;
      mas.offset = 0;
      mas.index = lo;
      break;
    }
  }
}

/**
 * What a read's setup returns when the answer is not decided yet and the state must step (the
 * kernel setups return `false` and leave the entry untouched). Never a tree entry.
 */
export const STEP: unique symbol = Symbol("maple-tree step");
