// The write side's scratch "big node" (kernel `struct maple_big_node`) and the node assembly
// built on it: how a run of (pivot, slot) items is cut into 1..3 nodes and written into arena
// nodes, generically over node type (16-slot leaf/range, 10-slot arange). Module-level typed
// arrays, so assembling a node allocates no JS objects.
//
// Item i of the big node covers [bPiv[i-1] + 1, bPiv[i]]: every item carries its own maximum,
// including the last one, so any cut point yields correct pivots for both sides.

import {
  M_END as M_END_,
  M_GAP as M_GAP_,
  M_PARENT as M_PARENT_,
  M_PSLOT as M_PSLOT_,
  META as META_,
  NODE_ARANGE as NODE_ARANGE_,
  NODE_LEAF as NODE_LEAF_,
  type NodeArena,
  STRIDE as STRIDE_,
} from "./arena.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
const M_END = M_END_;
const M_GAP = M_GAP_;
const M_PARENT = M_PARENT_;
const M_PSLOT = M_PSLOT_;
const META = META_;
const NODE_ARANGE = NODE_ARANGE_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;

/** Capacity of the big node: 3 nodes' worth plus head room for a prepended sibling. */
export const BIG = 96;
/** Where a big node is built, leaving room to prepend a left sibling's items without a shift. */
export const BIG_BASE = 32;
/** Item maxima of the big node. */
export const bPiv = new Float64Array(BIG);
/** Item slot words of the big node (entry handles in leaves, child ids in internal nodes). */
export const bSlot = new Int32Array(BIG);
/** Cut points of the last `splitBig`: piece j is items [cuts[j-1] (or start), cuts[j]). */
export const cuts = new Int32Array(8);

/**
 * Chooses how to cut the big node items [start, stop) into nodes of capacity `cap` with at
 * least `minN` items each, fills `cuts`, and returns the number of pieces (1..4). Leaves are
 * never cut right after a NULL item (no leaf but the rightmost ends in NULL). Normally the cut is
 * even. `packed` (an append at the right edge of the tree) fills the earlier pieces up to one
 * free slot (15 of 16: sequentially loaded trees are ~9% smaller than at 14, which is what keeps
 * numbers-as-entries under 32 B per entry at N = 1e6) and leaves the rest to the last
 * piece, which the right-edge exemption allows to be small: sequential loads then restructure
 * about once per node instead of once every few appends.
 */
export function splitBig(
  start: number,
  stop: number,
  cap: number,
  minN: number,
  leaf: boolean,
  packed: boolean,
): number {
  const n = stop - start;
  if (n <= cap) {
    cuts[0] = stop;
    return 1;
  }
  for (let k = Math.ceil(n / cap); k <= 4; k++) {
    if (packed && tryCuts(start, stop, k, cap, minN, leaf, true)) return k;
    if (tryCuts(start, stop, k, cap, minN, leaf, false)) return k;
  }
  throw new Error(`maple-tree internal: cannot split ${n} items into nodes of ${cap}`);
}

function tryCuts(
  start: number,
  stop: number,
  k: number,
  cap: number,
  minN: number,
  leaf: boolean,
  packed: boolean,
): boolean {
  let from = start;
  const lastMin = packed ? 1 : minN;
  for (let j = 0; j < k - 1; j++) {
    const left = stop - from;
    let size = packed ? Math.min(cap - 1, left - 1) : Math.ceil(left / (k - j));
    if (leaf && bSlot[from + size - 1] === 0) {
      // Move the cut off the NULL: prefer the side that keeps both parts legal.
      if (size + 1 <= cap && left - size - 1 >= lastMin) size++;
      else size--;
    }
    if (size < minN || size > cap) return false;
    from += size;
    cuts[j] = from;
  }
  const last = stop - from;
  if (last < lastMin || last > cap) return false;
  cuts[k - 1] = stop;
  return true;
}

/**
 * Writes big node items [from, to) into node `id` of `type` (whose old contents, if any, are
 * overwritten: pivots past the new end and unused slots are zeroed). Internal nodes adopt their
 * children (parent id and parent slot), except the first `keep` ones, which the caller knows are
 * `id`'s children at those slots already (each adoption touches the child's meta words, a cache
 * miss apiece). Gaps of arange nodes are not computed here.
 */
export function writeNode(
  arena: NodeArena,
  id: number,
  type: number,
  from: number,
  to: number,
  keep = 0,
): void {
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  const base = id * STRIDE;
  const cnt = to - from;
  const end = cnt - 1;
  for (let i = 0; i < end; i++) pivots[base + i] = bPiv[from + i];
  for (let i = end; i < STRIDE; i++) pivots[base + i] = 0;
  for (let i = 0; i < cnt; i++) slots[base + i] = bSlot[from + i];
  for (let i = cnt; i < STRIDE; i++) slots[base + i] = 0;
  meta[id * META + M_END] = end;
  if (type !== NODE_LEAF) {
    for (let i = keep; i < cnt; i++) {
      const c = bSlot[from + i] * META;
      meta[c + M_PARENT] = id;
      meta[c + M_PSLOT] = i;
    }
  }
  if (type === NODE_ARANGE) meta[id * META + M_GAP] = 0;
}
