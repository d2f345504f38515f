// The advanced write API (kernel mas_store, mas_store_gfp, mas_insert, mas_erase, the
// preallocation and -ENOMEM retry protocol; docs/spec/maple-tree.md §4.5) and the writes on a
// tree without nodes (§1.6: direct root entry, root expansion). Writes into node trees are
// planned and carried out by store.ts.
//
// Every write decides its worst case of nodes and reserves it before changing anything, so a
// failed write (-ENOMEM) leaves the tree exactly as it was.

import { NODE_LEAF as NODE_LEAF_, STRIDE as STRIDE_ } from "../core/arena.js";
import { descendToLeaf as descendToLeaf_ } from "../core/descend.js";
import { entryOf as entryOf_ } from "../core/entry-table.js";
import { EEXIST as EEXIST_, EINVAL as EINVAL_, ENOMEM as ENOMEM_ } from "../core/errors.js";
import { isIndex as isIndex_, MAX_INDEX as MAX_INDEX_ } from "../core/index-space.js";
import {
  MA_STATE_BULK,
  MA_STATE_PREALLOC as MA_STATE_PREALLOC_,
  type MaState,
  mas_is_err as mas_is_err_,
  mas_reset as mas_reset_,
  mas_set_err as mas_set_err_,
} from "../core/state.js";
import {
  GFP_KERNEL as GFP_KERNEL_,
  GFP_NOWAIT as GFP_NOWAIT_,
  type Gfp,
  reserveNodes as reserveNodes_,
} from "./alloc.js";
import { BIG_BASE as BIG_BASE_, writeNode as writeNode_ } from "./big-node.js";
import { writeContext } from "./context.js";
import { updateGapsFrom as updateGapsFrom_ } from "./gap-bookkeeping.js";
import { resumeAt } from "./resume.js";
import { releaseHandle as releaseHandle_ } from "./retire.js";
import {
  commitStore as commitStore_,
  nodesNeeded as nodesNeeded_,
  planStore as planStore_,
  rootStorable as rootStorable_,
} from "./store.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
const GFP_KERNEL = GFP_KERNEL_;
const GFP_NOWAIT = GFP_NOWAIT_;
const reserveNodes = reserveNodes_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;
const descendToLeaf = descendToLeaf_;
const entryOf = entryOf_;
const releaseHandle = releaseHandle_;
const isIndex = isIndex_;
const MAX_INDEX = MAX_INDEX_;
const EEXIST = EEXIST_;
const EINVAL = EINVAL_;
const ENOMEM = ENOMEM_;
const MA_STATE_PREALLOC = MA_STATE_PREALLOC_;
const mas_is_err = mas_is_err_;
const mas_reset = mas_reset_;
const mas_set_err = mas_set_err_;
const commitStore = commitStore_;
const nodesNeeded = nodesNeeded_;
const planStore = planStore_;
const rootStorable = rootStorable_;
const updateGapsFrom = updateGapsFrom_;
const BIG_BASE = BIG_BASE_;
const writeNode = writeNode_;

/** True when [index, last] and `entry` are acceptable to a write (api.md "Indices", "Entries"). */
export function storeArgsOk(index: unknown, last: unknown, entry: unknown): boolean {
  return isIndex(index) && isIndex(last) && index <= last && entry !== undefined;
}

/**
 * One write attempt of `entry` over [mas.index, mas.last] with `gfp` rules for the nodes it
 * needs. Returns the first entry overwritten; on -ENOMEM the state is in error, the tree and
 * `index`/`last` unchanged, and the request is remembered for `mas_nomem`.
 */
function tryStore(mas: MaState, entry: unknown, gfp: Gfp): unknown {
  const tree = mas.tree;
  const policy = tree.policy;
  if (!policy.writeOk(mas, entry)) return null;
  if (tree.rootNode === 0) return storeRoot(mas, entry, gfp);
  const p = planStore(mas, entry);
  const bulk = (mas.flags & MA_STATE_BULK) === 0 ? null : tree.bulk;
  const need = bulk === null ? nodesNeeded(tree, p) : bulk.storeNodes(tree, p);
  if (!reserveNodes(mas, need, gfp)) return noMemory(mas, need);
  policy.prepare(mas, p);
  commitStore(mas, entry, p);
  if ((mas.flags & MA_STATE_PREALLOC) === 0) mas.reserved = 0;
  return p.old;
}

/**
 * A write found too few nodes: the state goes in error (-ENOMEM) and the request is kept beside
 * it (kernel `mas->node_request`, in the tree's write context) for `mas_nomem`. Returns null.
 */
function noMemory(mas: MaState, need: number): null {
  const ctx = writeContext(mas.tree);
  ctx.requestMas = mas;
  ctx.requestNodes = need;
  mas_set_err(mas, -ENOMEM);
  return null;
}

/** Writes into a tree without nodes: kernel `mas_store_root` / `mas_root_expand`. */
function storeRoot(mas: MaState, entry: unknown, gfp: Gfp): unknown {
  const tree = mas.tree;
  const index = mas.index;
  const last = mas.last;
  const old = index === 0 ? tree.rootEntry : null;
  if (entry === null) {
    if (index === 0 && tree.rootEntry !== null) {
      tree.rootEntry = null;
      tree.generation++;
    }
    mas_reset(mas);
    return old;
  }
  if (index === 0 && last === 0 && rootStorable(entry)) {
    tree.rootEntry = entry;
    tree.generation++;
    mas_reset(mas);
    return old;
  }
  if (!reserveNodes(mas, 1, gfp)) return noMemory(mas, 1);
  const entries = tree.entries;
  const big = writeContext(tree);
  const bPiv = big.bPiv;
  const bSlot = big.bSlot;
  let at = BIG_BASE;
  if (tree.rootEntry !== null && index > 0) {
    bPiv[at] = 0;
    bSlot[at++] = entries.word(tree.rootEntry);
  }
  if (index > (at === BIG_BASE ? 0 : 1)) {
    bPiv[at] = index - 1; // the NULL range before the entry
    bSlot[at++] = 0;
  }
  bPiv[at] = last;
  bSlot[at++] = entries.word(entry);
  if (last < MAX_INDEX) {
    bPiv[at] = MAX_INDEX; // the NULL tail
    bSlot[at++] = 0;
  }
  const leaf = tree.arena.alloc(NODE_LEAF);
  writeNode(tree.arena, big, leaf, NODE_LEAF, BIG_BASE, at);
  tree.rootEntry = null;
  tree.rootNode = leaf;
  tree.height = 1;
  tree.generation++;
  mas.generation = tree.generation;
  updateGapsFrom(tree, leaf, 0, MAX_INDEX);
  if ((mas.flags & MA_STATE_PREALLOC) === 0) mas.reserved = 0;
  mas.status = "active";
  descendToLeaf(mas, index);
  return old;
}

/**
 * Kernel `mas_store()`: writes `entry` (null erases) over [mas.index, mas.last] and returns the
 * first entry overwritten. Nodes come from the state's preallocation, else with GFP_NOWAIT
 * rules; on failure the state is in error (-ENOMEM) and null is returned. Bad indices or an
 * `undefined` entry put the state in error (-EINVAL). Afterwards the state is positioned on the
 * written range (widened over NULL neighbours for a NULL write); direct root writes leave it at
 * status start.
 */
export function mas_store(mas: MaState, entry: unknown): unknown {
  if (!storeArgsOk(mas.index, mas.last, entry)) {
    mas_set_err(mas, -EINVAL);
    return null;
  }
  if (
    mas.status === "active" &&
    entry !== null &&
    mas.generation === mas.tree.generation &&
    mas.tree.policy.slotStore
  ) {
    const old = replaceInPlace(mas, entry);
    if (old !== null) return old;
  }
  return tryStore(mas, entry, GFP_NOWAIT);
}

/**
 * The exact fit of a state that already stands on the range it writes (a `mas_find` loop that
 * replaces each entry, as `dup_mmap` does): when [index, last] is exactly the current slot and
 * both the old and the new entry are non-NULL, only the slot word changes — no descent, no node,
 * no gap (NULL-ness is unchanged), safe for RCU readers (one word). Returns the old entry, or
 * null when the fast case does not apply (the caller then takes the general path).
 */
function replaceInPlace(mas: MaState, entry: unknown): unknown {
  const tree = mas.tree;
  const node = mas.node;
  if (node === 0) return null;
  const arena = tree.arena;
  const pivots = arena.pivots;
  const base = node * STRIDE;
  const off = mas.offset;
  const end = mas.end;
  const lo = off > 0 ? pivots[base + off - 1] + 1 : mas.min;
  const hi = off < end ? pivots[base + off] : mas.max;
  if (lo !== mas.index || hi !== mas.last) return null;
  const slots = arena.slots;
  const h = slots[base + off];
  if (h === 0) return null;
  const entries = tree.entries;
  const old = entryOf(entries.values, h);
  if (h > 0 && tree.policy.inPlace && typeof entry !== "number") {
    entries.values[h] = entry; // same range, same handle, no reader to protect
  } else {
    slots[base + off] = entries.word(entry);
    releaseHandle(tree, h);
  }
  tree.generation++;
  mas.generation = tree.generation;
  return old;
}

/**
 * Kernel `mas_store_gfp()`: `mas_store` with the `mas_nomem` retry loop. Returns 0, -EINVAL
 * (bad range or `undefined` entry; tree unchanged) or -ENOMEM (tree unchanged).
 */
export function mas_store_gfp(mas: MaState, entry: unknown, gfp: Gfp = GFP_KERNEL): number {
  if (!storeArgsOk(mas.index, mas.last, entry)) {
    mas_set_err(mas, -EINVAL);
    return -EINVAL;
  }
  return storeGfp(mas, entry, gfp);
}

/** {@link mas_store_gfp} of arguments the caller has checked (mtree_store_range). */
export function storeGfp(mas: MaState, entry: unknown, gfp: Gfp): number {
  const index = mas.index;
  const last = mas.last;
  // An exact fit (kernel mas_wr_slot_store of a range replaced as it is): one slot word. The
  // leaf comes from a state still on it, else from one descent, which the general path below
  // then starts from (planStore resumes on it) when the write is not an exact fit.
  if (entry !== null && mas.tree.policy.slotStore && onLeaf(mas, index)) {
    if (replaceInPlace(mas, entry) !== null) {
      mas_destroy(mas);
      return 0;
    }
  }
  for (;;) {
    tryStore(mas, entry, GFP_NOWAIT);
    if (mas.status !== "error") break;
    if (!mas_nomem(mas, gfp)) {
      mas_destroy(mas);
      return mas.err;
    }
    mas.index = index;
    mas.last = last;
  }
  mas_destroy(mas);
  return 0;
}

/**
 * Puts `mas` on the leaf slot holding `index`: where it stands when it can resume there
 * (resume.ts), else by one descent from the root, after which the state is active at this
 * generation, as a walk leaves it. False for a tree without nodes.
 */
function onLeaf(mas: MaState, index: number): boolean {
  if (resumeAt(mas, index)) return true;
  const tree = mas.tree;
  if (tree.rootNode === 0) return false;
  descendToLeaf(mas, index);
  mas.status = "active";
  mas.generation = tree.generation;
  return true;
}

/**
 * Kernel `mas_nomem()`: after a write failed with -ENOMEM, obtains the nodes it asked for with
 * `gfp` rules. On success the state is at status start (retry the write) and true is returned;
 * otherwise false (the state stays in error). Not in error with -ENOMEM: false.
 */
export function mas_nomem(mas: MaState, gfp: Gfp = GFP_KERNEL): boolean {
  if (mas.status !== "error" || mas.err !== -ENOMEM) return false;
  const ctx = writeContext(mas.tree);
  const need = ctx.requestMas === mas ? ctx.requestNodes : mas.tree.height * 3 + 2;
  if (!reserveNodes(mas, need, gfp)) return false;
  ctx.requestMas = null;
  mas_reset(mas);
  return true;
}

/**
 * Kernel `mas_preallocate()`: reserves the worst case of nodes the write of `entry` over
 * [mas.index, mas.last] can need, so `mas_store_prealloc` cannot fail. Returns 0, -EINVAL or
 * -ENOMEM (the state is then reset and holds nothing).
 */
export function mas_preallocate(mas: MaState, entry: unknown, gfp: Gfp = GFP_KERNEL): number {
  if (!storeArgsOk(mas.index, mas.last, entry)) {
    mas_set_err(mas, -EINVAL);
    return -EINVAL;
  }
  const tree = mas.tree;
  let need: number;
  if (tree.rootNode === 0) {
    need = entry === null || (mas.index === 0 && mas.last === 0 && rootStorable(entry)) ? 0 : 1;
  } else {
    need = nodesNeeded(tree, planStore(mas, entry));
  }
  mas_reset(mas);
  if (!reserveNodes(mas, need, gfp)) {
    mas_destroy(mas);
    return -ENOMEM;
  }
  mas.flags |= MA_STATE_PREALLOC;
  return 0;
}

/**
 * Kernel `mas_store_prealloc()`: the write prepared by `mas_preallocate` (the range may have
 * been adjusted with `__mas_set_range`), then `mas_destroy`. Running out of nodes here is a bug
 * in the caller and throws.
 */
export function mas_store_prealloc(mas: MaState, entry: unknown): void {
  if (!storeArgsOk(mas.index, mas.last, entry)) {
    mas_set_err(mas, -EINVAL);
    return;
  }
  tryStore(mas, entry, GFP_KERNEL);
  if (mas.status === "error") throw new Error("maple-tree: mas_store_prealloc ran out of nodes");
  mas_destroy(mas);
}

/**
 * Kernel `mas_destroy()`: after a bulk load, rebalances its last leaf if it asked for it
 * (bulk.ts); gives back unused preallocated nodes and clears MA_STATE_PREALLOC and MA_STATE_BULK.
 */
export function mas_destroy(mas: MaState): void {
  if ((mas.flags & MA_STATE_BULK) !== 0) mas.tree.bulk?.destroy(mas);
  mas.reserved = 0;
  mas.flags &= ~(MA_STATE_PREALLOC | MA_STATE_BULK);
}

/**
 * Kernel `mas_insert()`: writes `entry` over [mas.index, mas.last] only if every index there is
 * empty now. Otherwise the state is in error (-EEXIST) and the entry found at `index` (or null,
 * when the occupied part lies further right) is returned. -ENOMEM as `mas_store`.
 */
export function mas_insert(mas: MaState, entry: unknown): unknown {
  if (!storeArgsOk(mas.index, mas.last, entry)) {
    mas_set_err(mas, -EINVAL);
    return null;
  }
  const tree = mas.tree;
  if (tree.rootNode === 0) {
    if (tree.rootEntry !== null && mas.index === 0) {
      mas_set_err(mas, -EEXIST);
      return tree.rootEntry;
    }
  } else {
    const h = descendToLeaf(mas, mas.index);
    if (h !== 0) {
      mas_set_err(mas, -EEXIST);
      return entryOf(tree.entries.values, h);
    }
    const max = mas.offset < mas.end ? tree.arena.pivots[mas.node * STRIDE + mas.offset] : mas.max;
    if (mas.last > max) {
      mas_set_err(mas, -EEXIST);
      return null;
    }
  }
  tryStore(mas, entry, GFP_NOWAIT);
  return null;
}

/**
 * Kernel `mas_erase()`: finds the range holding `mas.index` and, if it holds an entry, stores
 * NULL over all of it (GFP_KERNEL with the `mas_nomem` loop). Returns the erased entry, or null
 * when the range was empty (nothing changes). `index`/`last` end as the (widened) NULL range.
 */
export function mas_erase(mas: MaState): unknown {
  const index = mas.index;
  if (!isIndex(index)) {
    mas_set_err(mas, -EINVAL);
    return null;
  }
  const tree = mas.tree;
  let first: number;
  let last: number;
  let entry: unknown;
  if (tree.rootNode === 0) {
    entry = index === 0 ? tree.rootEntry : null;
    mas.status = tree.rootEntry === null ? "none" : "root";
    first = index;
    last = index;
    if (entry === null) return null;
  } else {
    const h = descendToLeaf(mas, index);
    const pivots = tree.arena.pivots;
    const base = mas.node * STRIDE;
    first = mas.offset > 0 ? pivots[base + mas.offset - 1] + 1 : mas.min;
    last = mas.offset < mas.end ? pivots[base + mas.offset] : mas.max;
    mas.index = first;
    mas.last = last;
    mas.status = "active";
    mas.generation = tree.generation;
    if (h === 0) return null;
    entry = entryOf(tree.entries.values, h);
  }
  for (;;) {
    mas.index = first;
    mas.last = last;
    tryStore(mas, null, GFP_NOWAIT);
    if (!mas_is_err(mas)) break;
    if (!mas_nomem(mas, GFP_KERNEL)) {
      mas.index = index;
      mas.last = index;
      return null;
    }
  }
  mas_destroy(mas);
  return entry;
}
