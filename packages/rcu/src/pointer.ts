// Shared-memory pointer helpers and the publication protocol for nodes stored in a
// SharedArrayBuffer (docs/spec/rcu.md §2.4). The shared maple tree follows this protocol:
//
//   P1  A word that can change while a reader may reach its node (root, slots stored in place, the
//       parent/dead word) is read with rcuDereference (Atomics.load) and written with
//       rcuAssignPointer (Atomics.store) — never with plain typed-array accesses.
//   P2  Every other node word (pivots, type, metadata, gaps) is written with plain stores BEFORE
//       publication and never again until reclamation; plain reads of it are then race-free,
//       because the reader reached the node through an Atomics.load that observed the publishing
//       Atomics.store (JS Atomics are sequentially consistent: the store "synchronizes-with" it).
//   P3  Replacement order: build the new node -> rcuAssignPointer it into the parent slot / root ->
//       mark the old node dead (rcuAssignPointer(parentWord(old), old)) -> retire(old) -> after the
//       grace period, poison it (debug) and return it to the pool.
//   P4  Readers load what they need from a node, THEN rcuDereference its parent word; a dead node
//       means "restart from the root" (mtree_load) or re-walk (mas_rewalk). Check at every level.
//   P5  Never overlay reclamation bookkeeping on node words (the kernel's rcu_head does): retire
//       lists live in the domain's side ring, so a dead node keeps stale but valid data until the
//       grace period ends.
//   P6  64-bit values are two Uint32 words written before publication; no in-place update of a
//       multi-word value in shared mode (fall back to copy-on-write).
//   P7  Pointers are Int32 node indices, 0 = NULL. A node is never reused before a grace period, so
//       an index stays valid for the whole read section (no ABA).
//   P8  A node index must not be kept after readUnlock; to keep an object longer, take a reference
//       (refcount word, Atomics.add) inside the section.

import { RcuError } from "./errors.js";

/**
 * `rcu_dereference(p)`: the subscribe half. An `Atomics.load`, so every plain write the updater
 * made before the matching {@link rcuAssignPointer} is visible to what the caller reads next.
 */
export function rcuDereference(a: Int32Array, i: number): number {
  return Atomics.load(a, i);
}

/**
 * `rcu_assign_pointer(p, v)`: the publish half. An `Atomics.store`; initialise the node with plain
 * stores before calling it.
 */
export function rcuAssignPointer(a: Int32Array, i: number, v: number): void {
  Atomics.store(a, i, v);
}

/**
 * `RCU_INIT_POINTER(p, v)`: a plain store, only for NULL or for a location no reader can reach yet.
 */
export function rcuInitPointer(a: Int32Array, i: number, v: number): void {
  a[i] = v;
}

/**
 * `rcu_dereference_check(p, c)`: {@link rcuDereference} that throws
 * `ERR_RCU_UNPROTECTED_DEREFERENCE` unless the caller is inside a read section of `domain` or
 * `updaterHoldsLock` is true (the lockdep condition of update-side code).
 */
export function rcuDereferenceCheck(
  domain: { readonly inReadSection: boolean },
  a: Int32Array,
  i: number,
  updaterHoldsLock = false,
): number {
  if (!domain.inReadSection && !updaterHoldsLock) {
    throw new RcuError(
      "ERR_RCU_UNPROTECTED_DEREFERENCE",
      `rcuDereferenceCheck: word ${i} dereferenced outside a read section and without the update lock`,
    );
  }
  return Atomics.load(a, i);
}
