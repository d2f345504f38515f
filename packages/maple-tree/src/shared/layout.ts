// The words of a shared tree that are not node words: the header every thread maps, the root word
// format, and the handle a thread passes to another to attach. The nodes themselves stay in the
// arena's shared arrays (arena.ts); this file owns what sits beside them.
//
// Header invariants (Int32Array over `handle.header`):
//   H_ROOT   the published root, the ONE word a writer changes to make a new tree version visible
//            (Atomics.store after every node of the version is written; readers Atomics.load it
//            once per read section): 0 = empty; > 0 = node id | height << ROOT_HEIGHT_SHIFT;
//            < 0 = a direct root entry at [0, 0], as its inline slot word (core/entry-table.ts).
//   H_GEN    the generation of the published version, stored BEFORE the nodes it unlinked are
//            retired, so a state positioned in an older version is re-walked, never trusted,
//            in any later read section (a reader loads it before H_ROOT).
//   H_SEQ    a seqcount: odd while a write section runs (readStable retries across it).
//   H_LOCK   the writers' mutex: 0 free, 1 held, 2 held with waiters (futex style); H_OWNER
//            names the holder's thread so a holder that died can be reaped (shared/reap.ts).
//   H_RECLAIMED  head of the lock-free stack of nodes freed after their grace period, linked
//            through M_NEXT_FREE; any thread pushes (CAS), the lock holder takes all (exchange).
//   H_CAPACITY, H_FLAGS, H_POISON are set at creation and never change.
//   The rest (H_COUNT, H_TOP, H_LIVE, H_FREE_*) is the writer state, read and written only under
//   H_LOCK; H_STAMP says which release wrote it last, so the next holder can skip reloading it.

import { META, SHARED_CAPACITY_MAX, STRIDE } from "../core/arena.js";

// Words 7-11 hold the arena's allocation state; arena.ts defines them.
export { H_FREE_COUNT, H_FREE_HEAD, H_LIVE, H_RECLAIMED, H_TOP } from "../core/arena.js";

import { INLINE_MAX } from "../core/entry-table.js";

/** Largest entry a shared tree stores: entries are the integers 0 .. SHARED_ENTRY_MAX (2^31 - 2). */
export const SHARED_ENTRY_MAX = INLINE_MAX;

export const H_MAGIC = 0;
export const H_LOCK = 1;
export const H_SEQ = 2;
export const H_ROOT = 3;
export const H_GEN = 4;
export const H_FLAGS = 5;
export const H_COUNT = 6;
export const H_STAMP = 12;
export const H_CAPACITY = 13;
/** 1 when the tree was created in poison mode: every thread that frees its nodes poisons them. */
export const H_POISON = 14;
/** The lock holder's thread id + 1 (0: none), so a dead holder can be reaped (shared/reap.ts). */
export const H_OWNER = 15;
/** Int32 words in a header. */
export const HEADER_WORDS = 32;
/** Identifies a maplemm shared tree header, layout version 1. */
export const SHARED_MAGIC = 0x4d4d5431;

/** Bits of the root word below the height: node ids are < 2^22 (SHARED_CAPACITY_MAX). */
export const ROOT_HEIGHT_SHIFT = 22;
const ROOT_NODE_MASK = (1 << ROOT_HEIGHT_SHIFT) - 1;

/**
 * Everything another thread needs to map a shared tree: structured-cloneable (postMessage it, or
 * put it in `workerData`). The buffers are fixed-size; nothing is ever reallocated.
 */
export interface SharedTreeHandle {
  /** Tree words: lock, seqcount, root, generation, flags, counts, allocation state. */
  readonly header: SharedArrayBuffer;
  /** Node pivots (Float64, 16 per node). */
  readonly pivots: SharedArrayBuffer;
  /** Node slots (Int32, 16 per node). */
  readonly slots: SharedArrayBuffer;
  /** Node meta words (Int32, 6 per node). */
  readonly meta: SharedArrayBuffer;
  /** Largest-gap words of allocation trees (Float64, 16 per node), else null. */
  readonly gaps: SharedArrayBuffer | null;
}

/** The root word for a tree whose root is `node` (0 for none) of `height`, or `rootEntry`. */
export function packRoot(node: number, height: number, rootEntry: unknown): number {
  if (node !== 0) return node | (height << ROOT_HEIGHT_SHIFT);
  if (rootEntry === null) return 0;
  return -(rootEntry as number) - 1;
}

/** Node id of a root word (0 when it is empty or a direct entry). */
export function rootNodeOf(word: number): number {
  return word > 0 ? word & ROOT_NODE_MASK : 0;
}

/** Height of a root word. */
export function rootHeightOf(word: number): number {
  return word > 0 ? word >>> ROOT_HEIGHT_SHIFT : 0;
}

/** Direct root entry of a root word, else null. */
export function rootEntryOf(word: number): number | null {
  return word < 0 ? -word - 1 : null;
}

/** Points `mt`'s root fields at the version root word `word` describes (readers and writers). */
export function adoptRoot(
  mt: { rootNode: number; height: number; rootEntry: unknown },
  word: number,
): void {
  mt.rootNode = rootNodeOf(word);
  mt.height = rootHeightOf(word);
  mt.rootEntry = rootEntryOf(word);
}

/** Checks a value claimed to be a handle; returns the problem or null. */
export function handleProblem(handle: unknown): string | null {
  if (typeof handle !== "object" || handle === null) return "not an object";
  const h = handle as Record<string, unknown>;
  for (const k of ["header", "pivots", "slots", "meta"]) {
    if (!(h[k] instanceof SharedArrayBuffer)) return `${k} is not a SharedArrayBuffer`;
  }
  if (h.gaps !== null && !(h.gaps instanceof SharedArrayBuffer)) {
    return "gaps is neither null nor a SharedArrayBuffer";
  }
  const header = h.header as SharedArrayBuffer;
  if (header.byteLength !== HEADER_WORDS * 4) return "header has the wrong size";
  const words = new Int32Array(header);
  if (Atomics.load(words, H_MAGIC) !== SHARED_MAGIC) return "header is not a maplemm shared tree";
  const capacity = Atomics.load(words, H_CAPACITY);
  if (capacity < 1 || capacity > SHARED_CAPACITY_MAX) return "header capacity is out of range";
  const room = capacity + 1;
  if ((h.pivots as SharedArrayBuffer).byteLength !== room * STRIDE * 8) return "pivots size";
  if ((h.slots as SharedArrayBuffer).byteLength !== room * STRIDE * 4) return "slots size";
  if ((h.meta as SharedArrayBuffer).byteLength !== room * META * 4) return "meta size";
  const gaps = h.gaps as SharedArrayBuffer | null;
  if (gaps !== null && gaps.byteLength !== room * STRIDE * 8) return "gaps size";
  return null;
}
