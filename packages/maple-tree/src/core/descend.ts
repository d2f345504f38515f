// The one descent every read and write shares: from the root node down to the leaf slot holding
// an index, deriving each node's implied [min, max] from its parent's pivots on the way, as the
// kernel does (nodes never store their own bounds; see arena.ts).

import {
  HEIGHT_MAX,
  M_END as M_END_,
  M_TYPE as M_TYPE_,
  META as META_,
  NODE_LEAF as NODE_LEAF_,
  STRIDE as STRIDE_,
} from "./arena.js";
import { MAX_INDEX as MAX_INDEX_ } from "./index-space.js";
import type { MaState } from "./state.js";
import type { MapleTreeCore } from "./tree.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads this file and each read/ file on purpose: under plain node on the built dist,
// removing them cost lookups 3-10 % and iteration about a third
// (docs/reports/2026-12-07-read-speed.md, "Measure what users run";
// docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const M_END = M_END_;
const M_TYPE = M_TYPE_;
const META = META_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;
const MAX_INDEX = MAX_INDEX_;

/**
 * Descends from the root node to the leaf slot that contains `index` and positions `mas` on it:
 * `node`, `min`, `max` (the leaf's bounds), `offset`, `end`, `depth`. Returns the slot word (an
 * entry handle, 0 for NULL). The tree must have a root node. Does not touch `index`, `last` or
 * `status`; callers set those per the status machine. Allocation-free.
 */
export function descendToLeaf(mas: MaState, index: number): number {
  const arena = mas.tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  const meta = arena.meta;
  let node = mas.tree.rootNode;
  let min = 0;
  let max = MAX_INDEX;
  let depth = 0;
  for (;;) {
    const base = node * STRIDE;
    const end = meta[node * META + M_END];
    // The slot line is loaded before the pivot scan so that its miss overlaps with the meta and
    // pivot ones (as in leafWord).
    const slot0 = slots[base];
    let off = 0;
    while (off < end && pivots[base + off] < index) off++;
    const lo = off > 0 ? pivots[base + off - 1] + 1 : min;
    const hi = off < end ? pivots[base + off] : max;
    if (meta[node * META + M_TYPE] === NODE_LEAF) {
      // Positions the state field by field, as write/leaf-store.ts's helper does for the writer:
      // core/ does not import write/.
      mas.node = node;
      mas.min = min;
      mas.max = max;
      mas.offset = off;
      mas.end = end;
      mas.depth = depth;
      return off === 0 ? slot0 : slots[base + off];
    }
    node = off === 0 ? slot0 : slots[base + off];
    min = lo;
    max = hi;
    // Never true in a sound tree; a reader of a shared tree gets here only if a node it held
    // was freed and reused under it (a broken grace period): fail instead of walking garbage.
    if (!(node > 0) || ++depth > HEIGHT_MAX) throw corruptDescent(mas, node, depth);
  }
}

function corruptDescent(mas: MaState, node: number, depth: number): Error {
  return new Error(
    `maple-tree: corrupt descent to ${mas.index} (child word ${node} at depth ${depth})${mas.tree.policy.corruptionHint}`,
  );
}

/**
 * The slot word (0 for NULL) of the leaf slot holding `index`: the descent of
 * {@link descendToLeaf} stripped to what a point load needs, with no state to position. It counts
 * levels with the tree's height instead of reading node types, and reads no meta words: in each
 * node it binary-searches the 16 pivot words for the first slot whose range reaches `index`,
 * treating a 0 word after offset 0 as "past the data end" (pivot words past the end are 0 and
 * pivots strictly increase, so only offset 0 can hold a real 0 pivot; word 15 is always 0). Four
 * probes instead of a scan of up to 15 (measured ~15% faster in cache and ~40% at N = 1e6, where
 * it touches fewer cache lines and no meta line). The one ambiguous case, a first word of 0 (a
 * [min, 0] range, or a node with a single slot), reads the node's data end. The tree must have a
 * root node.
 */
export function leafWord(tree: MapleTreeCore, index: number): number {
  const arena = tree.arena;
  const pivots = arena.pivots;
  const slots = arena.slots;
  let node = tree.rootNode;
  for (let level = tree.height; ; level--) {
    const base = node * STRIDE;
    // The node's slot line and both candidates of the second probe are loaded before the first
    // probe: none depends on another, so in a tree larger than the cache their misses overlap
    // instead of following one another (1.3-1.5x faster at N = 1e5 / 1e6, ~3% slower when every
    // node is cached: docs/reports/2026-12-08-read-speed.md "Point load").
    const slot0 = slots[base];
    const low = pivots[base + 3];
    const high = pivots[base + 11];
    // Each probe adds its step when the pivot is below `index` and not a past-the-end 0, as
    // arithmetic on the comparison bits: no branch on the key, so no mispredicted jump per probe.
    let pivot = pivots[base + 7];
    let off = (+(pivot < index) & +(pivot !== 0)) << 3;
    pivot = off === 0 ? low : high;
    off += (+(pivot < index) & +(pivot !== 0)) << 2;
    pivot = pivots[base + off + 1];
    off += (+(pivot < index) & +(pivot !== 0)) << 1;
    pivot = pivots[base + off];
    if (pivot !== 0) off += +(pivot < index);
    else if (off === 0 && index > 0 && arena.meta[node * META + M_END] !== 0) off = 1;
    const word = off === 0 ? slot0 : slots[base + off];
    if (level <= 1) return word;
    node = word;
  }
}

/** Lower bound of slot `off` of `node`, whose implied minimum is `min`. */
export function slotMin(pivots: Float64Array, node: number, off: number, min: number): number {
  return off > 0 ? pivots[node * STRIDE + off - 1] + 1 : min;
}

/** Upper bound of slot `off` of `node` with data end `end` and implied maximum `max`. */
export function slotMax(
  pivots: Float64Array,
  node: number,
  off: number,
  end: number,
  max: number,
): number {
  return off < end ? pivots[node * STRIDE + off] : max;
}
