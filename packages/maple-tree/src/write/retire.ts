// Retiring what a write unlinked: entry handles, single nodes and whole subtrees. The tree's write
// policy (write/policy.ts) says when: outside RCU mode at once; in RCU mode replaced nodes are
// marked dead and, with their handles, freed through the tree's reclaimer once no reader can hold
// them (docs/spec/maple-tree.md §5); a shared tree holds published nodes until its new root is
// published (shared/write-policy.ts). The hand-over to the reclaimer is here.

import {
  M_DEAD as M_DEAD_,
  M_END as M_END_,
  M_TYPE as M_TYPE_,
  META as META_,
  NODE_LEAF as NODE_LEAF_,
  STRIDE as STRIDE_,
} from "../core/arena.js";
import type { MapleTreeCore } from "../core/tree.js";

// Imported bindings are read through getters under some loaders (Vite SSR, tsx); the hot paths
// use module-local copies.
// They measured faster under plain node too (docs/reports/2026-12-07-read-speed.md), and a copy
// serves only the module that holds it, so each hot file keeps this prologue of its own.
const M_DEAD = M_DEAD_;
const M_END = M_END_;
const M_TYPE = M_TYPE_;
const META = META_;
const NODE_LEAF = NODE_LEAF_;
const STRIDE = STRIDE_;

/**
 * A range holding slot word `h` left the tree: the range count drops now; a handle is freed at
 * once, or after readers in RCU mode. Inline integers and NULL need nothing more.
 */
export function releaseHandle(tree: MapleTreeCore, h: number): void {
  if (h <= 0) {
    if (h < 0) tree.entries.drop(h);
    return;
  }
  const entries = tree.entries;
  entries.drop(h);
  if (tree.policy.deferHandles) deferRelease(tree, h);
  else entries.free(h);
}

// The closures live in their own functions so the non-RCU paths allocate no context.
function deferRelease(tree: MapleTreeCore, h: number): void {
  const entries = tree.entries;
  entries.freeLater();
  tree.reclaimer.defer(() => entries.free(h, true));
}

/** Hands node `id` to the tree's reclaimer (a grace period later it is freed). */
export function handOver(tree: MapleTreeCore, id: number): void {
  const arena = tree.arena;
  // A reclaimer that can poll: the tree frees by grace-period cookie itself (reclaim-poll.ts).
  if (arena.reclaim?.retire(id)) return;
  const reclaimer = tree.reclaimer;
  if (arena.poison && reclaimer.getState && reclaimer.pollState) {
    checkedDeferFree(tree, id);
    return;
  }
  reclaimer.defer(() => arena.free(id));
}

/**
 * Debug (poison mode) variant of {@link handOver}: remembers the grace period current at the
 * retire and refuses to free before it has fully elapsed, so a reclaimer that frees early fails
 * loudly, naming the node, instead of handing a node a reader may still hold to the next write.
 */
function checkedDeferFree(tree: MapleTreeCore, id: number): void {
  const arena = tree.arena;
  const reclaimer = tree.reclaimer;
  const cookie = (reclaimer.getState as () => number)();
  reclaimer.defer(() => {
    if (!(reclaimer.pollState as (c: number) => boolean)(cookie)) {
      throw new Error(
        `maple-tree: premature reclamation: node ${id} was freed before the grace period that began when it was retired had ended`,
      );
    }
    arena.free(id);
  });
}

/** Retires a whole unlinked subtree with its entry handles, skipping nodes consumed by a write. */
export function retireSubtree(tree: MapleTreeCore, id: number): void {
  const arena = tree.arena;
  const meta = arena.meta;
  if (meta[id * META + M_DEAD] !== 0) return;
  const end = meta[id * META + M_END];
  const base = id * STRIDE;
  if (meta[id * META + M_TYPE] === NODE_LEAF) {
    for (let i = 0; i <= end; i++) releaseHandle(tree, arena.slots[base + i]);
  } else {
    for (let i = 0; i <= end; i++) retireSubtree(tree, arena.slots[base + i]);
  }
  // Dead mark, then free now or after readers (a shared tree marks a published node only once
  // the new root is published: until then it is live).
  tree.policy.retireNode(tree, id);
}
