// Where a write starts (kernel `mas_wr_prealloc_setup()`): a state still standing on the leaf
// whose range holds the write's first index, with nothing written to the tree since it got there,
// starts the write in that leaf instead of walking down from the root again. `mas_erase` is the
// common case: it walks to the range, then stores NULL over it.

import { M_END, M_TYPE, META, NODE_LEAF, STRIDE } from "../core/arena.js";
import type { MaState } from "../core/state.js";

/**
 * If `mas` is active on a leaf holding `index` and the tree has not been written since it was
 * positioned (its generation), points `mas.offset`/`mas.end` at `index`'s slot and returns true.
 * Otherwise changes nothing and returns false (walk from the root). A mode whose readers
 * re-descend instead of trusting a held position (a shared tree: other threads write it) walks.
 */
export function resumeAt(mas: MaState, index: number): boolean {
  const tree = mas.tree;
  const node = mas.node;
  if (
    mas.status !== "active" ||
    node === 0 ||
    mas.generation !== tree.generation ||
    tree.policy.crossByDescent ||
    index < mas.min ||
    index > mas.max
  ) {
    return false;
  }
  const arena = tree.arena;
  if (arena.meta[node * META + M_TYPE] !== NODE_LEAF) return false;
  const pivots = arena.pivots;
  const base = node * STRIDE;
  const end = arena.meta[node * META + M_END];
  // Writes in ascending order land at or after the slot the state stands on: scan from there.
  const at = mas.offset;
  let off = at > 0 && at <= end && pivots[base + at - 1] < index ? at : 0;
  while (off < end && pivots[base + off] < index) off++;
  mas.offset = off;
  mas.end = end;
  return true;
}
