// fork's address-space copy (kernel kernel/fork.c `dup_mmap()`), linux-mm.md §6.8: every VMA is
// copied 1:1 (nothing merges), VM_DONTCOPY VMAs are left out, VM_WIPEONFORK VMAs arrive empty and
// without anon_vma, and a copied VMA with an anon_vma gets a new one of its own that is
// "inherited" (it never merges with an anon_vma-less neighbour). Private pages are shared
// copy-on-write: the child starts with the parent's values. Shared anon objects are shared.
// On -ENOMEM part-way the child is torn down (its nodes and its own VMA copies) and the parent
// is untouched: dup_mmap only reads it.
//
// Two tree strategies give the same result: "seed" (walk the old tree, one mas_store per copied
// VMA, as the maple tree's original dup_mmap) and "modern" (duplicate the whole tree, then
// replace each entry in place or clear the VM_DONTCOPY ranges, as with __mt_dup).

import { PAGE_SIZE } from "./constants.js";
import { MemFile } from "./file.js";
import { HugetlbFile } from "./hugetlb.js";
import type { MmStruct } from "./mm.js";
import { dropPages } from "./pages.js";
import { VM_DONTCOPY, VM_LOCKED, VM_LOCKONFAULT, VM_WIPEONFORK } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** Which dup_mmap tree strategy to use. */
export type DupStrategy = "seed" | "modern";

/**
 * Kernel `dup_mmap(mm, oldmm)`: fills the empty `mm` with copies of `oldmm`'s VMAs and pages.
 * Returns 0, or -ENOMEM (then `mm` is left empty and `oldmm` unchanged).
 */
export function dup_mmap(
  mm: MmStruct,
  oldmm: MmStruct,
  strategy: DupStrategy = oldmm.dupStrategy,
): number {
  const made: Vma[] = [];
  // VMAs whose private pages the child does not see: collected by the copy (no second walk).
  // Private COW copies of file pages are inherited like anonymous ones.
  const dropped: Vma[] = [];
  // Each private hugetlb file of the parent has one copy in the child, shared by its pieces.
  const hugeCopies = new Map<HugetlbFile, HugetlbFile>();
  const copy = (v: Vma): Vma | null => {
    if ((v.flags & (VM_DONTCOPY | VM_WIPEONFORK)) !== 0) dropped.push(v);
    // The child's VMAs are in the file's i_mmap now: truncation visits the child too.
    else if (v.file instanceof MemFile) {
      v.file.mappers.add(mm);
      mm.mapsFiles = true;
    }
    if ((v.flags & VM_DONTCOPY) !== 0) return null;
    const c = v.clone();
    c.flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
    if (c.file instanceof HugetlbFile) c.file = hugetlbForkFile(mm, c.file, hugeCopies);
    if ((v.flags & VM_WIPEONFORK) !== 0) {
      c.anonVma = null;
      c.anonVmaForked = false;
    } else if (v.anonVma !== null) {
      // anon_vma_fork(): a new anon_vma chained to the parent's, hence "inherited".
      c.anonVma = mm.newAnonVma();
      c.anonVmaForked = true;
    }
    made.push(c);
    return c;
  };
  const err =
    strategy === "modern" ? oldmm.tree.dupModern(mm.tree, copy) : oldmm.tree.dupSeed(mm.tree, copy);
  if (err !== 0) {
    for (const c of made) if (c.file instanceof MemFile) c.file.mappers.delete(mm);
    mm.tree.abandon(made);
    return err;
  }
  // Copy-on-write: the child sees the parent's private pages, except where it did not copy or
  // wiped the VMA.
  const pages = new Map(oldmm.pages);
  if (pages.size > 0) {
    for (const v of dropped) dropPages(pages, v.start / PAGE_SIZE, v.end / PAGE_SIZE);
  }
  mm.pages = pages;
  if (hugeCopies.size > 0 || oldmm.anyHugetlb) mm.anyHugetlb = true;
  mm.gateVmas.push(...oldmm.gateVmas);
  return 0;
}

/**
 * The child's file for a hugetlb VMA: a shared file gains the child as a mapper; a private one is
 * copied once per fork (its pages seen by the child; hugetlb.ts HugetlbFile.forkCopy).
 */
function hugetlbForkFile(
  child: MmStruct,
  file: HugetlbFile,
  copies: Map<HugetlbFile, HugetlbFile>,
): HugetlbFile {
  if (file.shared) {
    file.mappers.add(child);
    return file;
  }
  let c = copies.get(file);
  if (c === undefined) {
    c = file.forkCopy();
    copies.set(file, c);
  }
  return c;
}
