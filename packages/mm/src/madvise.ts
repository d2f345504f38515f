// madvise (kernel mm/madvise.c `do_madvise()` / `madvise_walk_vmas()` / `madvise_vma_behavior()`)
// for the advice values that change VMA flags or drop pages. The walk applies the advice to every
// mapped part of the range and reports ENOMEM afterwards if it met a hole; a VMA that rejects the
// advice stops the walk and the VMAs before it keep the change (linux-mm.md §6.4).

import { int32 } from "./args.js";
import {
  EINVAL,
  ENOMEM,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_HUGEPAGE,
  MADV_KEEPONFORK,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
  PAGE_SIZE,
  U64_MODULUS,
} from "./constants.js";
import { vmaModifyFlags } from "./merge.js";
import type { MmStruct } from "./mm.js";
import { dropPages } from "./pages.js";
import { thpCollapse, thpZap } from "./thp.js";
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_RAND_READ,
  VM_SEQ_READ,
  VM_SHARED,
  VM_SPECIAL,
  VM_WIPEONFORK,
} from "./vm-flags.js";
import { pageAlign, type Vma } from "./vma.js";

const SUPPORTED = new Set([
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_DONTDUMP,
  MADV_DODUMP,
  MADV_WIPEONFORK,
  MADV_KEEPONFORK,
  MADV_COLLAPSE,
]);

/** The new flags `advice` gives `vma`, or `-errno` (kernel `madvise_vma_behavior()`). */
function newFlagsFor(vma: Vma, advice: number): number {
  const f = vma.flags;
  switch (advice) {
    case MADV_NORMAL:
      return f & ~(VM_RAND_READ | VM_SEQ_READ);
    case MADV_SEQUENTIAL:
      return (f & ~VM_RAND_READ) | VM_SEQ_READ;
    case MADV_RANDOM:
      return (f & ~VM_SEQ_READ) | VM_RAND_READ;
    case MADV_DONTFORK:
      return f | VM_DONTCOPY;
    case MADV_DOFORK:
      if ((f & VM_IO) !== 0) return -EINVAL;
      return f & ~VM_DONTCOPY;
    case MADV_WIPEONFORK:
      if (vma.file !== null || (f & VM_SHARED) !== 0) return -EINVAL;
      return f | VM_WIPEONFORK;
    case MADV_KEEPONFORK:
      return f & ~VM_WIPEONFORK;
    case MADV_DONTDUMP:
      return f | VM_DONTDUMP;
    case MADV_DODUMP:
      if ((f & VM_SPECIAL) !== 0) return -EINVAL;
      return f & ~VM_DONTDUMP;
    case MADV_HUGEPAGE:
      return (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
    case MADV_NOHUGEPAGE:
      return (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
    default:
      return f;
  }
}

/** Applies `advice` to `[start, end)` inside `vma`; returns the VMA now holding it, or -errno. */
function visit(mm: MmStruct, vma: Vma, start: number, end: number, advice: number): Vma | number {
  if (advice === MADV_WILLNEED) return vma;
  if (advice === MADV_DONTNEED) {
    if ((vma.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) !== 0) return -EINVAL;
    if (vma.file === null) dropPages(mm.pages, start / PAGE_SIZE, end / PAGE_SIZE);
    thpZap(mm, start, end);
    return vma;
  }
  if (advice === MADV_COLLAPSE) {
    const r = thpCollapse(mm, vma, start, end);
    return r < 0 ? r : vma;
  }
  const nf = newFlagsFor(vma, advice);
  if (nf < 0) return nf;
  if (nf === vma.flags) return vma;
  return vmaModifyFlags(mm.tree, vma, start, end, nf);
}

/** `madvise(2)`: 0 or `-errno`. */
export function doMadvise(mm: MmStruct, startIn: number, lenIn: number, adviceIn: number): number {
  const advice = int32("madvise", "advice", adviceIn);
  if (!SUPPORTED.has(advice)) return -EINVAL;
  let start = startIn;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlign(lenIn);
  if (lenIn !== 0 && (len === 0 || len >= U64_MODULUS)) return -EINVAL;
  const end = start + len;
  if (end >= U64_MODULUS) return -EINVAL;
  if (end === start) return 0;
  let unmappedError = 0;
  let vma = mm.tree.find(start);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.start) {
      unmappedError = -ENOMEM;
      start = vma.start;
      if (start >= end) break;
    }
    const tmp = Math.min(vma.end, end);
    const r = visit(mm, vma, start, tmp, advice);
    if (typeof r === "number") return r;
    start = Math.max(tmp, r.end);
    if (start >= end) break;
    vma = mm.tree.find(start);
  }
  return unmappedError;
}
