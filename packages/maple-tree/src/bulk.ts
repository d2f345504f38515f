// Bulk loading, the seed's fork path (docs/spec/maple-tree.md §6.1): `mas_expected_entries` tells
// a state how many entries are about to be stored in ascending order into a fresh tree, and
// reserves the worst case of nodes for all of them at once, so none of the stores that follow can
// fail. The stores themselves are ordinary `mas_store` calls: appends at the right edge are cut so
// that the left node is packed full (store.ts), which is the left-heavy fill the kernel's bulk mode
// produced, and the last node of the right edge needs no rebalancing because the right edge is
// exempt from minimum occupancy (mt_validate). `mas_destroy` returns what was not used.

import { GFP_KERNEL, type Gfp, reserveNodes } from "./alloc.js";
import { isIndex } from "./entry.js";
import { EINVAL, ENOMEM } from "./errors.js";
import { MA_STATE_BULK, MA_STATE_PREALLOC, type MaState, mas_set_err } from "./state.js";

/** Slots a bulk-filled leaf holds (the kernel's formula keeps two spare of 16). */
const BULK_LEAF_FILL = 14;

/**
 * The nodes `nr_entries` ascending stores can need at most: every entry may come with a NULL
 * gap before it (2n + 1 ranges), leaves are packed to 14, and each level above holds at least
 * 8 (allocation trees, 10 slots) or 14 children; plus 3 for the root growth and the last split
 * (the kernel's `mas_expected_entries` arithmetic, with every internal level counted).
 */
export function bulkNodes(nrEntries: number, alloc: boolean): number {
  const ranges = Math.max(nrEntries, 2 * nrEntries + 1);
  let level = Math.ceil(ranges / BULK_LEAF_FILL);
  let nodes = level;
  let height = 1;
  const fanout = alloc ? 8 : BULK_LEAF_FILL;
  while (level > 1) {
    level = Math.ceil(level / fanout);
    nodes += level;
    height++;
  }
  // Each store still checks room for its own worst case (height * 3 + 1) before it writes, so
  // the reservation covers the last store's check too.
  return nodes + 3 + (height + 1) * 3 + 1;
}

/**
 * Kernel `mas_expected_entries()`: reserves the nodes for `nr_entries` ascending stores through
 * `mas` into an empty tree, so they cannot fail; call `mas_destroy` after the last one. Returns 0,
 * -EINVAL (`nr_entries` not a non-negative integer, or the tree is not empty) or -ENOMEM (the
 * arena's capacity cannot hold them; nothing is reserved and the state is in error).
 *
 * Context: the writer (holds the tree lock or the external lock), before the first store.
 */
export function mas_expected_entries(
  mas: MaState,
  nrEntries: number,
  gfp: Gfp = GFP_KERNEL,
): number {
  const tree = mas.tree;
  if (!isIndex(nrEntries) || tree.rootNode !== 0 || tree.rootEntry !== null) {
    mas_set_err(mas, -EINVAL);
    return -EINVAL;
  }
  if (nrEntries === 0) return 0;
  if (!reserveNodes(mas, bulkNodes(nrEntries, tree.isAlloc), gfp)) {
    mas.reserved = 0;
    mas_set_err(mas, -ENOMEM);
    return -ENOMEM;
  }
  mas.flags |= MA_STATE_BULK | MA_STATE_PREALLOC;
  return 0;
}
