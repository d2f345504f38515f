// Switching a tree in and out of RCU mode (kernel mt_set_in_rcu / mt_clear_in_rcu / mt_in_rcu).
// The mode only changes how writers work (copy-on-write and deferred frees): writing the flag swaps
// the tree's write policy (write/policy.ts, tree.ts `flags`). What the API returns is the same
// either way (docs/spec/maple-tree.md §5).

import { type MapleTreeCore, MT_FLAGS_USE_RCU } from "./tree.js";

/**
 * Kernel `mt_in_rcu()`: is the tree in RCU mode?
 * @param mt - the tree
 */
export function mt_in_rcu(mt: MapleTreeCore): boolean {
  return (mt.flags & MT_FLAGS_USE_RCU) !== 0;
}

/**
 * Kernel `mt_set_in_rcu()`: from now on writers never change a node a reader could hold except by
 * a single-slot store, and replaced nodes go through the tree's reclaimer. Does nothing if the
 * tree is already in RCU mode. Context: the writer (holds the tree lock or the external lock).
 */
export function mt_set_in_rcu(mt: MapleTreeCore): void {
  if (mt_in_rcu(mt)) return;
  mt.flags |= MT_FLAGS_USE_RCU;
  mt.generation++;
}

/**
 * Kernel `mt_clear_in_rcu()`: back to in-place writes and immediate frees; callers guarantee no
 * lock-free reader remains. Nodes already handed to the reclaimer are still freed by it. Does
 * nothing if the tree is not in RCU mode, or is a shared tree (SharedMapleTree: readers in other
 * threads never go away). Context: the writer.
 */
export function mt_clear_in_rcu(mt: MapleTreeCore): void {
  // A shared tree always has readers in other threads: it stays in RCU mode.
  if (!mt_in_rcu(mt) || mt.policy.fixedMode) return;
  mt.flags &= ~MT_FLAGS_USE_RCU;
  mt.generation++;
}
