// mprotect (kernel mm/mprotect.c `do_mprotect_pkey()` / `mprotect_fixup()`): checks in the
// kernel's order, then VMA by VMA from the start: split or merge each changed range, VM_ACCOUNT
// added when a private mapping becomes writable and dropped when it stops being writable before
// any write fault (linux-mm.md §6.1). A hole stops the walk with ENOMEM, and the VMAs already
// changed keep their new protection (§6.4). A sealed VMA gives EPERM; becoming writable is
// checked against RLIMIT_DATA and charged to overcommit (ENOMEM); a split refused at
// max_map_count gives ENOMEM.

import { int32 } from "./args.js";
import {
  EACCES,
  EINVAL,
  ENOMEM,
  EPERM,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_READ,
  PROT_SEM,
  PROT_WRITE,
  U64_MODULUS,
} from "./constants.js";
import { populateLocked } from "./mlock.js";
import type { MmStruct } from "./mm.js";
import { isSealed } from "./mseal.js";
import { mayExpandVm, vmEnoughMemory } from "./overcommit.js";
import { vmaModifyChecked } from "./split.js";
import {
  calcVmProtBits,
  VM_ACCESS_FLAGS,
  VM_ACCOUNT,
  VM_GROWSDOWN,
  VM_HUGETLB,
  VM_LOCKED,
  VM_NORESERVE,
  VM_SHARED,
  VM_WRITE,
} from "./vm-flags.js";
import { pageAlign, type Vma } from "./vma.js";

/** Kernel `mprotect_fixup()`: gives `[start, end)` of `vma` the new flags; the VMA or -errno. */
function mprotectFixup(
  mm: MmStruct,
  vma: Vma,
  start: number,
  end: number,
  newFlagsIn: number,
): Vma | number {
  if (mm.anySealed && isSealed(vma)) return -EPERM;
  const oldFlags = vma.flags;
  let newFlags = newFlagsIn;
  if (newFlags === oldFlags) return vma;
  if ((newFlags & VM_WRITE) !== 0) {
    const pages = (end - start) / PAGE_SIZE;
    if (!mayExpandVm(mm, newFlags, pages) && mayExpandVm(mm, oldFlags, pages)) return -ENOMEM;
    if ((oldFlags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) === 0) {
      if (vmEnoughMemory(mm, pages) < 0) return -ENOMEM;
      newFlags |= VM_ACCOUNT;
    }
  } else if ((oldFlags & VM_ACCOUNT) !== 0 && vma.isAnonymous && vma.anonVma === null) {
    newFlags &= ~VM_ACCOUNT;
  }
  const r = vmaModifyChecked(mm, vma, start, end, newFlags);
  // A locked private mapping made writable is faulted in at once (populate_vma_page_range).
  if (
    typeof r !== "number" &&
    (oldFlags & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED &&
    (newFlags & VM_WRITE) !== 0
  ) {
    populateLocked(mm, start, end);
  }
  return r;
}

/** `mprotect(2)`: 0 or `-errno`. */
export function doMprotect(mm: MmStruct, startIn: number, lenIn: number, protIn: number): number {
  let prot = int32("mprotect", "prot", protIn);
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  let start = startIn;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (lenIn === 0) return 0;
  const len = pageAlign(lenIn);
  let end = start + len;
  if (end >= U64_MODULUS) end -= U64_MODULUS;
  if (end <= start) return -ENOMEM;
  // x86 arch_validate_prot(): only rwx and PROT_SEM.
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return -EINVAL;
  let vma = mm.tree.findIntersection(start, end);
  if (vma === null) return -ENOMEM;
  if ((grows & PROT_GROWSDOWN) !== 0) {
    if (vma.start >= end) return -ENOMEM;
    start = vma.start;
    if ((vma.flags & VM_GROWSDOWN) === 0) return -EINVAL;
  } else {
    if (vma.start > start) return -ENOMEM;
    if ((grows & PROT_GROWSUP) !== 0) return -EINVAL;
  }
  let nstart = start;
  let tmp = vma.start;
  const protBits = calcVmProtBits(prot);
  for (;;) {
    if (vma.start !== tmp) return -ENOMEM;
    const newFlags = protBits | (vma.flags & ~VM_ACCESS_FLAGS);
    if ((newFlags & ~(newFlags >> 4) & VM_ACCESS_FLAGS) !== 0) return -EACCES;
    tmp = Math.min(vma.end, end);
    const changed = mprotectFixup(mm, vma, nstart, tmp, newFlags);
    if (typeof changed === "number") return changed;
    tmp = changed.end;
    nstart = tmp;
    if (tmp >= end) return 0;
    const next = mm.tree.find(tmp);
    if (next === null || next.start >= end) return -ENOMEM;
    vma = next;
  }
}
