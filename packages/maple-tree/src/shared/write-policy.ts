// How a write changes a shared tree: copy on write all the way to the root, then one atomic store.
//
// In the local RCU mode (write/) a write builds new nodes and publishes them with a slot
// store into a live parent, and updates the largest-gap words of live ancestors in place. Readers
// in other threads would then need an atomic load for every child pointer and could read a gap
// word (a Float64, which ECMAScript does not promise to read untorn) while it changes. A shared
// tree removes both: before a store is carried out, the internal nodes above the leaves it
// changes are copied (`privatize`, O(height) nodes, children re-parented to the copies), the
// store then works on those private copies exactly as in the local RCU mode, and the new version
// becomes visible when the write section ends, in one `Atomics.store` of the header's root word
// (`publishShared`). Nodes born in the open section are private: later stores of the same section
// change them without copying again, and free them at once when they unlink them (no reader can
// have seen them; write/retire.ts). So in a shared tree:
//   - every node reachable from a published root is immutable until it is freed, except its
//     dead word (Atomics) and its parent words, which only writers read (readers never climb);
//   - a reader that loads the root once can read that whole version, gaps included, for as long
//     as its read section lasts (a kernel-layer move that finds its node dead restarts from the
//     newest root instead, as the kernel's do);
//   - a write section is atomic for readers: they see all of it or none of it;
//   - published nodes the section unlinked (old paths, consumed leaves) wait on `pendingRetire` until
//     the root and generation are published, then are marked dead and handed to the reclaimer,
//     so a grace period never starts while they are still reachable from the published root.

import { M_DEAD, M_END, M_GAP, M_PARENT, M_PSLOT, M_TYPE, META, STRIDE } from "../core/arena.js";
import { isInlineValue } from "../core/entry-table.js";
import { EINVAL } from "../core/errors.js";
import { type MaState, mas_set_err } from "../core/state.js";
import type { MapleTreeCore } from "../core/tree.js";
import { writeContext } from "../write/context.js";
import { WritePolicy } from "../write/policy.js";
import { handOver } from "../write/retire.js";
import { type Plan, SHAPE_NEW_ROOT } from "../write/store.js";
import { H_COUNT, H_GEN, H_ROOT, packRoot } from "./layout.js";

/** A private copy of internal node `old` (children re-parented to it); `old` goes to pendingRetire. */
function copyNode(tree: MapleTreeCore, old: number): number {
  const arena = tree.arena;
  const meta = arena.meta;
  const type = meta[old * META + M_TYPE];
  const id = arena.alloc(type, true);
  const from = old * STRIDE;
  const to = id * STRIDE;
  // Word loops: on 16-word rows they measured faster than copyWithin (docs/reports/2026-11-25-shared-tree-bench.md).
  const pivots = arena.pivots;
  const slots = arena.slots;
  for (let i = 0; i < STRIDE; i++) {
    pivots[to + i] = pivots[from + i];
    slots[to + i] = slots[from + i];
  }
  const gaps = arena.gaps;
  if (gaps !== null) for (let i = 0; i < STRIDE; i++) gaps[to + i] = gaps[from + i];
  meta[id * META + M_PARENT] = meta[old * META + M_PARENT];
  meta[id * META + M_PSLOT] = meta[old * META + M_PSLOT];
  meta[id * META + M_END] = meta[old * META + M_END];
  meta[id * META + M_GAP] = meta[old * META + M_GAP];
  meta[id * META + M_DEAD] = 0;
  const end = meta[id * META + M_END];
  for (let i = 0; i <= end; i++) meta[arena.slots[to + i] * META + M_PARENT] = id;
  tree.pendingRetire.push(old);
  return id;
}

/**
 * Makes every internal ancestor of `leaf` private to the write section: copies the ones still
 * shared with the published version, top-down, so the slot and gap words the store is about to
 * change are in nodes no reader can reach. Ancestors born in this section are private already.
 */
function privatize(tree: MapleTreeCore, leaf: number): void {
  const arena = tree.arena;
  const meta = arena.meta;
  const path = writeContext(tree).path;
  let depth = 0;
  let n = meta[leaf * META + M_PARENT];
  while (n !== 0 && !arena.bornInSection(n)) {
    path[depth++] = n;
    n = meta[n * META + M_PARENT];
  }
  const slots = tree.arena.slots;
  for (let i = depth - 1; i >= 0; i--) {
    const old = path[i];
    const copy = copyNode(tree, old);
    const parent = meta[copy * META + M_PARENT];
    if (parent === 0) tree.rootNode = copy;
    else slots[parent * STRIDE + meta[copy * META + M_PSLOT]] = copy;
  }
}

/**
 * Before a planned store: privatize the paths above the leaves the plan changes, so the store
 * (the local RCU write, store.ts and write/) works on them. Readers see it when the write
 * section ends (`publishShared`).
 */
function copyUp(mas: MaState, p: Plan): void {
  if (p.shape === SHAPE_NEW_ROOT) return;
  const tree = mas.tree;
  privatize(tree, p.lnode);
  if (p.rnode !== p.lnode) privatize(tree, p.rnode);
}

/**
 * A shared tree takes integer entries only (its other threads have no handle table) and writes
 * only under its lock. Puts the state in error (-EINVAL) and returns false otherwise.
 */
function sharedWriteOk(mas: MaState, entry: unknown): boolean {
  checkSharedWriter(mas.tree);
  if (entry === null || isInlineValue(entry)) return true;
  mas_set_err(mas, -EINVAL);
  return false;
}

/**
 * A shared tree's write unlinked node `id`. Born in the open write section, no reader ever saw
 * it: free it now. Otherwise it is in the published version: it stays live (no dead mark) and
 * waits on `pendingRetire` for the section's publication (`publishShared`).
 */
function retireShared(tree: MapleTreeCore, id: number): void {
  if (tree.arena.bornInSection(id)) tree.arena.free(id);
  else tree.pendingRetire.push(id);
}

/** Throws unless this thread is inside the shared tree's write section (holds its lock). */
export function checkSharedWriter(tree: MapleTreeCore): void {
  if (!tree.sharedWriting) {
    throw new Error(
      "maple-tree: a shared tree is written only inside SharedMapleTree.write()/writeAsync()",
    );
  }
}

/**
 * Ends a write section's changes: makes the writer's current version the published one (kernel
 * `rcu_assign_pointer` of the root), then retires what the section unlinked from the previous
 * version: root word, then generation, then dead marks and frees. A write section is atomic for
 * readers: they see all of it or none of it.
 */
export function publishShared(tree: MapleTreeCore): void {
  const words = tree.shared as Int32Array;
  checkSharedWriter(tree);
  Atomics.store(words, H_ROOT, packRoot(tree.rootNode, tree.height, tree.rootEntry));
  Atomics.store(words, H_GEN, tree.generation | 0);
  Atomics.store(words, H_COUNT, tree.entries.size);
  const pending = tree.pendingRetire;
  if (pending.length === 0) return;
  const meta = tree.arena.meta;
  for (let i = 0; i < pending.length; i++) {
    const id = pending[i];
    Atomics.store(meta, id * META + M_DEAD, 1);
    handOver(tree, id);
  }
  pending.length = 0;
}

/**
 * The shared tree's write policy (write/policy.ts): copy on write up to the root, one atomic
 * publication per write section, dead words written and read with Atomics, published nodes
 * retired only after the new root is published, readers crossing leaves by descent.
 */
export const SHARED_POLICY: WritePolicy = new WritePolicy({
  mode: "shared",
  inPlace: false,
  // A leaf this write section made is private: later stores of the section change it in place.
  leafInPlace: (tree, id) => tree.arena.bornInSection(id),
  slotStore: false,
  deferHandles: true,
  atomicDead: true,
  crossByDescent: true,
  readersElsewhere: true,
  fixedMode: true,
  corruptionHint: ": a shared-tree reader met a node freed or reused inside its read section",
  writeOk: sharedWriteOk,
  checkWriter: checkSharedWriter,
  // The copy-up of at most two paths below the root.
  extraNodes: (tree, p) => (p.shape === SHAPE_NEW_ROOT ? 0 : 2 * tree.height),
  prepare: copyUp,
  retireConsumed: retireShared,
  retireNode: retireShared,
  // A reader that met a dead node restarts from the newest published root; the writer's view is
  // the newest already.
  resync: (tree) => {
    if (!tree.sharedWriting) tree.syncFromShared();
  },
  // A shared tree's frees wait on the header's reclaimed stack until a writer takes them back:
  // the writer takes them now so the live count is exact.
  collectFrees: (tree) => {
    if (tree.sharedWriting) tree.arena.reserve(0);
  },
});
