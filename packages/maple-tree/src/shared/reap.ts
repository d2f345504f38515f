// Recovery from a writer that died holding a shared tree's lock (a worker terminated inside
// `write()`): the SharedRcu `watchWorker` idea applied to the writers' lock. Another thread takes
// the lock over and puts the tree back in the state of the last finished write section.
//
// What a dead section can have left (shared/write-policy.ts keeps everything else private):
//   - the published version is intact: a section is published when it ends;
//   - writer-only words of published nodes: parent words re-parented to its private copies, dead
//     marks on nodes it consumed — a walk of the published tree rewrites both;
//   - nodes only it knew about: taken from the free list or the top (dead word 0, unreachable),
//     taken from the reclaimed stack into its local free list (dead word 2, in no list), and the
//     header's free list with links it overwrote. So the free list is rebuilt from the dead words
//     (arena.ts M_DEAD): every unreachable node marked 0 or 2, plus the reclaimed stack as taken
//     now (3); nodes marked 1 wait for a grace period and stay out, as do nodes pushed (3) after
//     the stack was taken, which the next writer takes back;
//   - the seqcount odd and the stamp stale: ended and bumped so every thread reloads the state.
// Left behind: private nodes the dead section consumed (marked 1 but never retired).

import {
  M_DEAD,
  M_END,
  M_NEXT_FREE,
  M_PARENT,
  M_PSLOT,
  M_TYPE,
  META,
  NODE_LEAF,
  POISON_PIVOT,
  POISON_SLOT,
  STRIDE,
} from "../core/arena.js";
import type { MapleTreeCore } from "../core/tree.js";
import {
  H_COUNT,
  H_FREE_COUNT,
  H_FREE_HEAD,
  H_GEN,
  H_LIVE,
  H_RECLAIMED,
  H_ROOT,
  H_SEQ,
  H_STAMP,
  H_TOP,
  rootNodeOf,
} from "./layout.js";

/**
 * Puts the header and the published nodes of `mt`'s shared tree back in a state a new writer can
 * take over after the lock holder died mid-section. The caller holds the lock (took it over).
 * Returns the nodes put back on the free list.
 */
export function recoverDeadSection(mt: MapleTreeCore, capacity: number): number {
  const words = mt.shared as Int32Array;
  const arena = mt.arena;
  const meta = arena.meta;
  const slots = arena.slots;
  // Nodes the dead writer took from the top are typed: the top is past the last of them.
  let top = words[H_TOP];
  while (top <= capacity && meta[top * META + M_TYPE] !== 0) top++;
  const mark = new Uint8Array(top); // 1 reachable, 2 in the stack taken now
  // 1. The published tree: writer-only words rewritten, range count recounted.
  let ranges = 0;
  const walk = (node: number, parent: number, pslot: number): void => {
    mark[node] = 1;
    meta[node * META + M_PARENT] = parent;
    meta[node * META + M_PSLOT] = pslot;
    if (Atomics.load(meta, node * META + M_DEAD) !== 0)
      Atomics.store(meta, node * META + M_DEAD, 0);
    const end = meta[node * META + M_END];
    const base = node * STRIDE;
    if (meta[node * META + M_TYPE] === NODE_LEAF) {
      for (let i = 0; i <= end; i++) if (slots[base + i] !== 0) ranges++;
      return;
    }
    for (let i = 0; i <= end; i++) walk(slots[base + i], node, i);
  };
  const rootNode = rootNodeOf(Atomics.load(words, H_ROOT));
  if (rootNode !== 0) walk(rootNode, 0, 0);
  Atomics.store(words, H_COUNT, ranges);
  // 2. The free list, rebuilt.
  for (let id = Atomics.exchange(words, H_RECLAIMED, 0); id !== 0; ) {
    mark[id] = 2;
    id = meta[id * META + M_NEXT_FREE];
  }
  let head = 0;
  let free = 0;
  for (let id = top - 1; id >= 1; id--) {
    if (mark[id] === 1) continue;
    const dead = meta[id * META + M_DEAD];
    if (dead === 1 || (dead === 3 && mark[id] !== 2)) continue; // a grace period's, or pushed since
    if (dead === 0 && arena.poison) {
      arena.pivots.fill(POISON_PIVOT, id * STRIDE, id * STRIDE + STRIDE);
      arena.slots.fill(POISON_SLOT, id * STRIDE, id * STRIDE + STRIDE);
    }
    meta[id * META + M_DEAD] = 2;
    meta[id * META + M_NEXT_FREE] = head;
    head = id;
    free++;
  }
  words[H_TOP] = top;
  words[H_FREE_HEAD] = head;
  words[H_FREE_COUNT] = free;
  words[H_LIVE] = top - 1 - free;
  // 3. Every view re-syncs and reloads: new generation, new stamp, the seqcount even again.
  Atomics.add(words, H_GEN, 1);
  words[H_STAMP] = (words[H_STAMP] + 1) | 0;
  if ((Atomics.load(words, H_SEQ) & 1) !== 0) Atomics.add(words, H_SEQ, 1);
  return free;
}
