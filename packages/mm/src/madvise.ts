// madvise (kernel mm/madvise.c `do_madvise()` / `madvise_walk_vmas()` / `madvise_vma_behavior()`
// / `madvise_populate()`), every advice of Linux 6.18. The walk applies the advice to every mapped
// part of the range and reports ENOMEM afterwards if it met a hole; a VMA that rejects the advice
// stops the walk and the VMAs before it keep the change (linux-mm.md §6.4). Flag changes split and
// merge like mprotect, and a split refused at max_map_count gives EAGAIN. Sealed read-only
// anonymous memory refuses the discarding advices (EPERM). POPULATE_READ/WRITE fault the range in
// page by page and stop at the first hole (ENOMEM) or unsuitable VMA (EINVAL).
// What no memory pressure means here: FREE, COLD and PAGEOUT keep every page (no swap is modelled).
// HWPOISON and SOFT_OFFLINE give EINVAL, as on the oracle kernel (no CONFIG_MEMORY_FAILURE).
// DONTNEED and the zaps split or drop transparent huge pages, COLLAPSE maps them (thp.ts).

import { int32 } from "./args.js";
import {
  EACCES,
  EAGAIN,
  EFAULT,
  EINVAL,
  ENOMEM,
  EPERM,
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
  MADV_HUGEPAGE,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_REMOVE,
  MADV_SEQUENTIAL,
  MADV_UNMERGEABLE,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
  PAGE_SIZE,
  PMD_SIZE,
  U64_MODULUS,
} from "./constants.js";
import { anonVmaPrepare, handleFault, populateRange } from "./fault.js";
import { MemFile } from "./file.js";
import { hasHighFlag, withHighFlag } from "./high-flags.js";
import type { MmStruct } from "./mm.js";
import { canMadviseModify } from "./mseal.js";
import { dropPages } from "./pages.js";
import { vmaModifyChecked } from "./split.js";
import { thpCollapse, thpZap } from "./thp.js";
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_DROPPABLE_NAME,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_MAYBE_GUARD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MERGEABLE_NAME,
  VM_MIXEDMAP,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_RAND_READ,
  VM_READ,
  VM_SEQ_READ,
  VM_SHARED,
  VM_SPECIAL,
  VM_WIPEONFORK,
  VM_WRITE,
} from "./vm-flags.js";
import { pageAlign, ShmemObject, type Vma } from "./vma.js";

/** Kernel `madvise_behavior_valid()` on the oracle kernel. */
const VALID = new Set([
  MADV_NORMAL,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_REMOVE,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_MERGEABLE,
  MADV_UNMERGEABLE,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_DONTDUMP,
  MADV_DODUMP,
  MADV_WIPEONFORK,
  MADV_KEEPONFORK,
  MADV_COLD,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_DONTNEED_LOCKED,
  MADV_COLLAPSE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
]);

function isDroppable(vma: Vma): boolean {
  return hasHighFlag(vma, VM_DROPPABLE_NAME);
}

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
      if (isDroppable(vma)) return -EINVAL;
      return f & ~VM_WIPEONFORK;
    case MADV_DONTDUMP:
      return f | VM_DONTDUMP;
    case MADV_DODUMP:
      if (((f & VM_HUGETLB) === 0 && (f & VM_SPECIAL) !== 0) || isDroppable(vma)) return -EINVAL;
      return f & ~VM_DONTDUMP;
    case MADV_HUGEPAGE:
      return (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
    case MADV_NOHUGEPAGE:
      return (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
    default:
      return f;
  }
}

/** Kernel `vma_ksm_compatible()`: KSM never merges these (MERGEABLE is then a silent no-op). */
function ksmCompatible(vma: Vma): boolean {
  const bad =
    VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP;
  return (vma.flags & bad) === 0 && !isDroppable(vma);
}

/** Kernel `is_valid_guard_vma()` (droppable memory takes guards too: lock-s050 #43). */
function validGuardVma(vma: Vma, allowLocked: boolean): boolean {
  let bad = VM_SPECIAL | VM_HUGETLB | VM_MIXEDMAP;
  if (!allowLocked) bad |= VM_LOCKED;
  return (vma.flags & bad) === 0;
}

/** A flag or high-flag change of `[start, end)`: the VMA holding it, or -EAGAIN at the map limit. */
function modify(
  mm: MmStruct,
  vma: Vma,
  start: number,
  end: number,
  flags: number,
  foreign: readonly string[],
): Vma | number {
  if (flags === vma.flags && foreign === vma.foreignFlags) return vma;
  const r = vmaModifyChecked(mm, vma, start, end, flags, foreign);
  return r === -ENOMEM ? -EAGAIN : r;
}

/** MADV_REMOVE: punches the shmem pages behind `[start, end)` (kernel `madvise_remove()`). */
function removeRange(vma: Vma, start: number, end: number): number {
  if ((vma.flags & VM_LOCKED) !== 0) return -EINVAL;
  const f = vma.file;
  if (!(f instanceof ShmemObject || f instanceof MemFile)) return -EINVAL;
  if ((vma.flags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return -EACCES;
  const lo = vma.pgoffAt(start);
  const hi = vma.pgoffAt(end);
  for (const idx of [...f.pages.keys()]) if (idx >= lo && idx < hi) f.pages.delete(idx);
  return 0;
}

/** Kernel `madvise_collapse()`'s first test: does the VMA hold an aligned 2 MiB block. */
function collapseSuitable(vma: Vma): boolean {
  if ((vma.flags & (VM_NOHUGEPAGE | VM_HUGETLB | VM_SPECIAL)) !== 0) return false;
  return Math.ceil(vma.start / PMD_SIZE) * PMD_SIZE + PMD_SIZE <= vma.end;
}

/**
 * Drops the private pages of `[start, end)`, guard markers kept (zap_page_range): anonymous pages
 * and a private file mapping's copies alike (a later read sees the page cache again).
 */
function zap(mm: MmStruct, vma: Vma, start: number, end: number): void {
  if ((vma.flags & VM_MAYSHARE) === 0) dropPages(mm.pages, start / PAGE_SIZE, end / PAGE_SIZE);
  thpZap(mm, start, end);
}

/** Applies `advice` to `[start, end)` inside `vma`; returns the VMA now holding it, or -errno. */
function visit(mm: MmStruct, vma: Vma, start: number, end: number, advice: number): Vma | number {
  if (!canMadviseModify(vma, advice)) return -EPERM;
  switch (advice) {
    case MADV_WILLNEED:
      return vma;
    case MADV_COLD:
    case MADV_PAGEOUT:
      return (vma.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) !== 0 ? -EINVAL : vma;
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_DONTNEED_LOCKED: {
      const bad =
        advice === MADV_DONTNEED_LOCKED
          ? VM_PFNMAP | VM_HUGETLB
          : VM_LOCKED | VM_PFNMAP | VM_HUGETLB;
      if ((vma.flags & bad) !== 0) return -EINVAL;
      if (advice === MADV_FREE) return vma.file === null ? vma : -EINVAL;
      zap(mm, vma, start, end);
      return vma;
    }
    case MADV_REMOVE: {
      const r = removeRange(vma, start, end);
      return r < 0 ? r : vma;
    }
    case MADV_GUARD_INSTALL:
      if (!validGuardVma(vma, false)) return -EINVAL;
      // Guard markers live in page tables fork must copy: a private VMA gets an anon_vma
      // (observed: a new neighbour no longer merges with it in a fork child, lock-s002 #21).
      if (vma.file === null) anonVmaPrepare(mm, vma);
      zap(mm, vma, start, end);
      for (let p = start / PAGE_SIZE; p < end / PAGE_SIZE; p++) mm.guards.add(p);
      if ((vma.flags & VM_MAYBE_GUARD) === 0) {
        vma.flags |= VM_MAYBE_GUARD;
        mm.tree.modified(vma);
      }
      return vma;
    case MADV_GUARD_REMOVE:
      if (!validGuardVma(vma, true)) return -EINVAL;
      if (mm.guards.size > 0) {
        for (let p = start / PAGE_SIZE; p < end / PAGE_SIZE; p++) mm.guards.delete(p);
      }
      return vma;
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE: {
      const on = advice === MADV_MERGEABLE;
      if (on && !ksmCompatible(vma)) return vma;
      return modify(
        mm,
        vma,
        start,
        end,
        vma.flags,
        withHighFlag(vma.foreignFlags, VM_MERGEABLE_NAME, on),
      );
    }
    case MADV_COLLAPSE: {
      if (!collapseSuitable(vma)) return -EINVAL;
      const r = thpCollapse(mm, vma, start, end);
      return r < 0 ? r : vma;
    }
    default: {
      const nf = newFlagsFor(vma, advice);
      if (nf < 0) return nf;
      return modify(mm, vma, start, end, nf, vma.foreignFlags);
    }
  }
}

/** Kernel `madvise_populate()`: faults `[start, end)` in, page by page, with reads or writes. */
function populate(mm: MmStruct, startIn: number, end: number, write: boolean): number {
  let start = startIn;
  while (start < end) {
    const vma = mm.tree.find(start);
    if (vma === null || vma.start > start) return -ENOMEM;
    // get_user_pages without FOLL_FORCE: a read needs VM_READ, a write VM_WRITE.
    if ((vma.flags & (VM_IO | VM_PFNMAP)) !== 0) return -EINVAL;
    if ((vma.flags & (write ? VM_WRITE : VM_READ)) === 0) return -EINVAL;
    const stop = Math.min(end, vma.end);
    const f = vma.file;
    for (let a = start; a < stop; a += PAGE_SIZE) {
      if (mm.guards.size > 0 && mm.guards.has(a / PAGE_SIZE)) return -EFAULT;
      // Shared memory past its object's size: the fault is SIGBUS (lock-s038 #25).
      if ((f instanceof ShmemObject || f instanceof MemFile) && vma.pgoffAt(a) >= f.sizePages) {
        return -EFAULT;
      }
      // A read faults as a load does: the zero page (or huge zero page), or the page cache page.
      if (write) populateRange(mm, a, a + PAGE_SIZE);
      else handleFault(mm, a, false, 0);
    }
    start = stop;
  }
  return 0;
}

/** `madvise(2)`: 0 or `-errno`. */
export function doMadvise(mm: MmStruct, startIn: number, lenIn: number, adviceIn: number): number {
  const advice = int32("madvise", "advice", adviceIn);
  if (!VALID.has(advice)) return -EINVAL;
  let start = startIn;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlign(lenIn);
  if (lenIn !== 0 && (len === 0 || len >= U64_MODULUS)) return -EINVAL;
  const end = start + len;
  if (end >= U64_MODULUS) return -EINVAL;
  if (end === start) return 0;
  if (advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE) {
    return populate(mm, start, end, advice === MADV_POPULATE_WRITE);
  }
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
    start = Math.max(tmp, Math.min(r.end, end));
    if (start >= end) break;
    vma = mm.tree.find(start);
  }
  return unmappedError;
}
