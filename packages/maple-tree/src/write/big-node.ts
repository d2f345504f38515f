// The write side's "big node" (kernel `struct maple_big_node`): its size, and how a run of its
// (pivot, slot) items is written into an arena node, generically over node type (16-slot
// leaf/range, 10-slot arange). The arrays themselves are the tree's write context's
// (write/context.ts), typed arrays made once per tree, so assembling a node allocates no JS
// objects and two trees' writers never share them.
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
} from "../core/arena.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
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

/** The big node's arrays (held by the tree's write context, write/context.ts). */
export interface BigNode {
  /** Item maxima. */
  readonly bPiv: Float64Array;
  /** Item slot words (entry handles in leaves, child ids in internal nodes). */
  readonly bSlot: Int32Array;
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
  big: BigNode,
  id: number,
  type: number,
  from: number,
  to: number,
  keep = 0,
): void {
  const { pivots, slots, meta } = arena;
  const { bPiv, bSlot } = big;
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
