// mseal (kernel mm/mseal.c `do_mseal()` / `mseal_apply()`): seals the VMAs of a fully mapped
// range (VM_SEALED, smaps `sl`), splitting at the range ends. A sealed VMA cannot be unmapped,
// moved, resized or re-protected (munmap, mmap MAP_FIXED over it, mremap and mprotect give
// EPERM), and the discarding madvise advices are refused on its read-only anonymous memory
// (`can_madvise_modify()`). Sealing is for the life of the mm; fork copies it.

import {
  EINVAL,
  ENOMEM,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_REMOVE,
  MADV_WIPEONFORK,
  PAGE_SIZE,
  U64_MODULUS,
} from "./constants.js";
import { hasHighFlag, withHighFlag } from "./high-flags.js";
import type { MmStruct } from "./mm.js";
import { vmaModifyChecked } from "./split.js";
import { VM_SEALED_NAME, VM_WRITE } from "./vm-flags.js";
import { pageAlign, type Vma } from "./vma.js";

/** Kernel `vma_is_sealed()`. */
export function isSealed(vma: Vma): boolean {
  return hasHighFlag(vma, VM_SEALED_NAME);
}

/** Whether any VMA intersecting `[start, end)` is sealed. */
export function rangeHasSealed(mm: MmStruct, start: number, end: number): boolean {
  if (!mm.anySealed) return false;
  for (const v of mm.tree.range(start, end)) if (isSealed(v)) return true;
  return false;
}

/** Kernel `is_discard()`: the advices mseal refuses on read-only anonymous sealed memory. */
function isDiscard(advice: number): boolean {
  switch (advice) {
    case MADV_FREE:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_REMOVE:
    case MADV_DONTFORK:
    case MADV_WIPEONFORK:
    case MADV_GUARD_INSTALL:
      return true;
    default:
      return false;
  }
}

/** Kernel `can_madvise_modify()`: may `advice` act on `vma`. */
export function canMadviseModify(vma: Vma, advice: number): boolean {
  if (!isSealed(vma) || !isDiscard(advice)) return true;
  // File-backed mappings (shared anonymous memory is shmem, so file-backed too) are allowed.
  if (vma.file !== null) return true;
  return (vma.flags & VM_WRITE) !== 0;
}

/** Kernel `range_contains_unmapped()`. */
function rangeContainsUnmapped(mm: MmStruct, start: number, end: number): boolean {
  let prevEnd = start;
  for (const v of mm.tree.range(start, end)) {
    if (v.start > prevEnd) return true;
    prevEnd = v.end;
  }
  return prevEnd < end;
}

/** `mseal(2)`: 0 or `-errno`. */
export function doMseal(mm: MmStruct, start: number, lenIn: number, flags: number): number {
  if (flags !== 0) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlign(lenIn);
  if (lenIn !== 0 && len >= U64_MODULUS) return -EINVAL;
  const end = start + len;
  if (end >= U64_MODULUS) return -EINVAL;
  if (end === start) return 0;
  if (rangeContainsUnmapped(mm, start, end)) return -ENOMEM;
  let cur = start;
  while (cur < end) {
    const vma = mm.tree.find(cur) as Vma;
    const curEnd = Math.min(vma.end, end);
    let held: Vma = vma;
    if (!isSealed(vma)) {
      const r = vmaModifyChecked(
        mm,
        vma,
        cur,
        curEnd,
        vma.flags,
        withHighFlag(vma.foreignFlags, VM_SEALED_NAME, true),
      );
      if (typeof r === "number") return r;
      held = r;
      mm.anySealed = true;
    }
    cur = Math.max(curEnd, Math.min(held.end, end));
  }
  return 0;
}
