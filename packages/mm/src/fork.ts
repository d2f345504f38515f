// fork's address-space copy (kernel kernel/fork.c `dup_mmap()`), linux-mm.md §6.8: every VMA is
// copied 1:1 (nothing merges), VM_DONTCOPY VMAs are left out, VM_WIPEONFORK VMAs arrive empty and
// without anon_vma, and a copied VMA with an anon_vma gets a new one of its own that is
// "inherited" (it never merges with an anon_vma-less neighbour). Private pages are shared
// copy-on-write: the child starts with the parent's values. Shared anon objects are shared.
//
// Two tree strategies give the same result: "seed" (mas_expected_entries, walk the old tree,
// one mas_store per copied VMA, as the maple tree's original dup_mmap) and "modern" (duplicate the
// whole tree, then replace each entry in place or clear the VM_DONTCOPY ranges, as __mt_dup).

import { PAGE_SIZE } from "./constants.js";
import { MmStruct } from "./mm.js";
import { dropPages } from "./pages.js";
import { VM_DONTCOPY, VM_LOCKED, VM_LOCKONFAULT, VM_WIPEONFORK } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** Which dup_mmap tree strategy to use. */
export type DupStrategy = "seed" | "modern";

/** Kernel `dup_mmap()`: the child mm of `oldmm`. */
export function dupMmap(oldmm: MmStruct, strategy: DupStrategy): MmStruct {
  const child = new MmStruct(
    {
      mmapBase: oldmm.mmapBase,
      taskSize: oldmm.taskSize,
      stackGuardGap: oldmm.stackGuardGap,
      startBrk: oldmm.startBrk,
      brk: oldmm.currentBrk,
      rlimitStack: oldmm.rlimitStack,
      mmapMinAddr: oldmm.mmapMinAddr,
      maxMapCount: oldmm.maxMapCount,
      dupStrategy: oldmm.dupStrategy,
      ...(oldmm.rcu === undefined ? {} : { rcu: oldmm.rcu }),
    },
    oldmm.ids,
  );
  child.gateVmas.push(...oldmm.gateVmas);
  // anon_vma_fork() gives every copied VMA that has an anon_vma a new one of its own, chained to
  // the parent's: "inherited" for the merge rules (linux-mm.md §6.2(4)).
  const wiped: Vma[] = [];
  const copy = (v: Vma): Vma | null => {
    if ((v.flags & VM_DONTCOPY) !== 0) return null;
    const c = v.clone();
    c.flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
    if ((v.flags & VM_WIPEONFORK) !== 0) {
      c.anonVma = null;
      c.anonVmaForked = false;
      if (c.file === null) wiped.push(c);
    } else if (v.anonVma !== null) {
      c.anonVma = child.newAnonVma();
      c.anonVmaForked = true;
    }
    return c;
  };
  child.tree = strategy === "modern" ? oldmm.tree.dupModern(copy) : oldmm.tree.dupSeed(copy);
  // Copy-on-write: the child sees the parent's private pages, except where it did not copy or
  // wiped the VMA.
  const pages = new Map(oldmm.pages);
  for (const v of oldmm.tree) {
    if ((v.flags & (VM_DONTCOPY | VM_WIPEONFORK)) !== 0 || v.file !== null) {
      dropPages(pages, v.start / PAGE_SIZE, v.end / PAGE_SIZE);
    }
  }
  child.pages = pages;
  return child;
}
