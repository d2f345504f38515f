// VMA merging (kernel mm/vma.c `vma_merge_new_range()`, `vma_merge_existing_range()`,
// `vma_modify()`), with the rules observed on the oracle kernel (linux-mm.md §6.2):
//   1. flags equal, hidden ones included (ac nr dc wf gd rr sr dd ...);
//   2. same backing object (shmem objects are per-mmap, so shared mappings rarely merge);
//   3. contiguous pgoff;
//   4. compatible anon_vmas: both absent, the same one, or one absent and the other not
//      inherited through fork; when both neighbours would merge, they must also be compatible
//      with each other, otherwise only the left merge happens.

import { PAGE_SIZE } from "./constants.js";
import { splitVma } from "./split.js";
import { VM_MAYBE_GUARD, VM_SOFTDIRTY, VM_SPECIAL } from "./vm-flags.js";

/**
 * Kernel `VM_STICKY` (also in `VM_IGNORE_MERGE`): flags a merge ignores and the merged VMA keeps
 * when either side had them (observed: a `gu` VMA absorbs a new neighbour without it).
 */
const VM_STICKY = VM_SOFTDIRTY | VM_MAYBE_GUARD;

/** The merged VMA keeps the sticky flags of what it absorbed. */
function keepSticky(dst: Vma, flags: number): void {
  const add = flags & VM_STICKY & ~dst.flags;
  if (add !== 0) dst.flags |= add;
}

import type { AnonVma, Vma, VmFile } from "./vma.js";
import type { VmaTree } from "./vma-tree.js";

/** The proposed range and attributes of a merge (kernel `struct vma_merge_struct`). */
export interface MergeProposal {
  start: number;
  end: number;
  flags: number;
  pgoff: number;
  file: VmFile | null;
  anonVma: AnonVma | null;
  /** Whether `anonVma` came through fork (copy_vma of an inherited VMA). */
  anonVmaForked: boolean;
  name: string | null;
  foreignFlags: readonly string[];
}

function sameForeign(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Kernel `is_mergeable_vma()`: flags (soft-dirty aside), file and name agree. */
function attrsMatch(v: Vma, p: MergeProposal): boolean {
  return (
    ((v.flags ^ p.flags) & ~VM_STICKY) === 0 &&
    v.file === p.file &&
    v.name === p.name &&
    sameForeign(v.foreignFlags, p.foreignFlags)
  );
}

/**
 * Kernel `is_mergeable_anon_vma()`: `tgt` may absorb a range whose anon_vma is `srcAnon`
 * (`src` = the existing VMA being changed, null for a new range).
 */
function anonMergeable(tgt: Vma, srcAnon: AnonVma | null, srcForked: boolean): boolean {
  const tgtAnon = tgt.anonVma;
  if (tgtAnon === null && srcAnon !== null) return !srcForked;
  if (tgtAnon !== null && srcAnon === null) return !tgt.anonVmaForked;
  return tgtAnon === srcAnon;
}

/** Kernel `are_anon_vmas_compatible()`: may `a` and `b` end up in one VMA. */
function anonCompatible(a: Vma, b: Vma): boolean {
  return a.anonVma === null || b.anonVma === null || a.anonVma === b.anonVma;
}

function canMergeLeft(prev: Vma | null, p: MergeProposal): prev is Vma {
  return (
    prev !== null &&
    prev.end === p.start &&
    attrsMatch(prev, p) &&
    anonMergeable(prev, p.anonVma, p.anonVmaForked) &&
    prev.pgoff + prev.pages === p.pgoff
  );
}

function canMergeRight(
  next: Vma | null,
  p: MergeProposal,
  prev: Vma | null,
  left: boolean,
): next is Vma {
  if (
    next === null ||
    next.start !== p.end ||
    !attrsMatch(next, p) ||
    !anonMergeable(next, p.anonVma, p.anonVmaForked) ||
    next.pgoff !== p.pgoff + (p.end - p.start) / PAGE_SIZE
  ) {
    return false;
  }
  return !left || anonCompatible(prev as Vma, next);
}

/** Kernel `dup_anon_vma()`: `dst` takes `src`'s anon_vma when it has none. */
function dupAnon(dst: Vma, anon: AnonVma | null, forked: boolean): void {
  if (dst.anonVma === null && anon !== null) {
    dst.anonVma = anon;
    dst.anonVmaForked = forked;
  }
}

/**
 * Kernel `vma_merge_new_range()`: tries to cover the empty range `p` by growing `prev` and/or
 * `next`. Returns the VMA now covering it, or null (no merge: the caller creates a VMA).
 * `justExpand` (brk) only tries `prev`.
 */
export function mergeNewRange(
  tree: VmaTree,
  prev: Vma | null,
  next: Vma | null,
  p: MergeProposal,
  justExpand = false,
): Vma | null {
  if ((p.flags & VM_SPECIAL) !== 0) return null;
  const left = canMergeLeft(prev, p);
  const right = !justExpand && canMergeRight(next, p, prev, left);
  // Each outcome is one tree write of the VMA that grows over its whole new range (kernel
  // vma_expand() / commit_merge()); a neighbour it covers whole is forgotten, not cleared. The
  // three outcomes are written out apart (they differ in which VMA grows, which way, and whose
  // anon_vma it keeps), as the kernel's cases are.
  if (left && right) {
    const n = next as Vma;
    const pv = prev as Vma;
    keepSticky(pv, n.flags | p.flags);
    tree.store(pv, pv.start, n.end);
    tree.forget(n);
    pv.end = n.end;
    dupAnon(pv, n.anonVma ?? p.anonVma, n.anonVma !== null ? n.anonVmaForked : p.anonVmaForked);
    return pv;
  }
  if (left) {
    const pv = prev as Vma;
    keepSticky(pv, p.flags);
    tree.store(pv, pv.start, p.end);
    pv.end = p.end;
    dupAnon(pv, p.anonVma, p.anonVmaForked);
    return pv;
  }
  if (right) {
    const n = next as Vma;
    keepSticky(n, p.flags);
    tree.store(n, p.start, n.end);
    n.start = p.start;
    n.pgoff = p.pgoff;
    dupAnon(n, p.anonVma, p.anonVmaForked);
    return n;
  }
  return null;
}

/**
 * Kernel `vma_merge_existing_range()`: `[start, end)` of `middle` is to get `flags`; merges it
 * into `prev` (range at middle's start) and/or `next` (range at middle's end) when the rules
 * allow. Returns the VMA that now holds the range, or null. `foreign` is the range's new high
 * flags (high-flags.ts), middle's own by default.
 */
export function mergeExistingRange(
  tree: VmaTree,
  middle: Vma,
  start: number,
  end: number,
  flags: number,
  foreign: readonly string[] = middle.foreignFlags,
): Vma | null {
  if ((flags & VM_SPECIAL) !== 0) return null;
  const leftSide = start === middle.start;
  const rightSide = end === middle.end;
  if (!leftSide && !rightSide) return null;
  const p: MergeProposal = {
    start,
    end,
    flags,
    pgoff: middle.pgoffAt(start),
    file: middle.file,
    anonVma: middle.anonVma,
    anonVmaForked: middle.anonVmaForked,
    name: middle.name,
    foreignFlags: foreign,
  };
  // Only VMAs touching middle can merge: a point load finds each.
  const prev = leftSide && middle.start > 0 ? tree.lookup(middle.start - 1) : null;
  const next = rightSide ? tree.lookup(middle.end) : null;
  const left = leftSide && canMergeLeft(prev, p);
  const right = rightSide && canMergeRight(next, p, prev, left);
  if (!left && !right) return null;
  // One tree write of the neighbour that grows (kernel commit_merge()): `middle` keeps the part
  // it still has, or is forgotten when covered whole.
  if (left && right) {
    const pv = prev as Vma;
    const n = next as Vma;
    keepSticky(pv, flags | n.flags);
    tree.store(pv, pv.start, n.end);
    tree.forget(middle);
    tree.forget(n);
    pv.end = n.end;
    const src = n.anonVma !== null ? n : middle;
    dupAnon(pv, src.anonVma, src.anonVmaForked);
    return pv;
  }
  if (left) {
    const pv = prev as Vma;
    keepSticky(pv, flags);
    tree.store(pv, pv.start, end);
    pv.end = end;
    if (rightSide) tree.forget(middle);
    else {
      middle.pgoff = middle.pgoffAt(end);
      middle.start = end;
      tree.modified(middle);
    }
    dupAnon(pv, middle.anonVma, middle.anonVmaForked);
    return pv;
  }
  const n = next as Vma;
  keepSticky(n, flags);
  tree.store(n, start, n.end);
  if (leftSide) tree.forget(middle);
  else {
    middle.end = start;
    tree.modified(middle);
  }
  n.start = start;
  n.pgoff = p.pgoff;
  dupAnon(n, middle.anonVma, middle.anonVmaForked);
  return n;
}

/**
 * Kernel `vma_modify_flags()`: gives `[start, end)` of `vma` the flags `flags`, merging with a
 * neighbour when allowed and otherwise splitting `vma` at the range ends. Returns the VMA that
 * holds exactly the changed range (or more, after a merge).
 */
export function vmaModifyFlags(
  tree: VmaTree,
  vma: Vma,
  start: number,
  end: number,
  flags: number,
): Vma {
  const merged = mergeExistingRange(tree, vma, start, end, flags);
  if (merged !== null) return merged;
  let v = vma;
  if (v.start < start) v = splitVma(tree, v, start);
  if (v.end > end) splitVma(tree, v, end);
  v.flags = flags;
  tree.modified(v);
  return v;
}
