// Page faults (kernel arch/x86/mm/fault.c `do_user_addr_fault()`, mm/memory.c
// `do_anonymous_page()` / `do_shared_fault()`, mm/rmap.c `__anon_vma_prepare()`, mm/mmap.c
// `expand_downwards()`), reduced to what the oracle observes (linux-mm.md §6.2, §6.7):
//   - a write to private memory needs an anon_vma, borrowed from an adjacent neighbour that
//     differs only in rwx (and has a non-inherited anon_vma) or freshly allocated;
//   - a read maps the zero page: no anon_vma, nothing counted;
//   - below a growsdown VMA the stack expands first (guard gap, RLIMIT_STACK), then the
//     access is checked;
//   - shared anonymous memory and files past their size raise SIGBUS; a private write to a file
//     page copies it into the mm (MAP_PRIVATE copy-on-write), a shared write goes to the cache.

import { PAGE_SIZE } from "./constants.js";
import { MemFile } from "./file.js";
import { HugetlbFile, hugetlbFault, hugetlbPeek } from "./hugetlb.js";
import type { MmStruct } from "./mm.js";
import { isExecOnly } from "./pkey.js";
import { resizeVma } from "./split.js";
import { notePte, noteZeroPte, thpFault } from "./thp.js";
import {
  isAccessible,
  VM_ACCESS_FLAGS,
  VM_GROWSDOWN,
  VM_IO,
  VM_MAYSHARE,
  VM_PFNMAP,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
} from "./vm-flags.js";
import { ShmemObject, type Vma } from "./vma.js";

/**
 * Whether a load may read a VMA with `flags`: any access right, except exec-only memory where
 * the CPU has protection keys (x86 `execute_only_pkey()`: PROT_EXEC alone gets a pkey that
 * denies reads).
 */
function readable(mm: MmStruct, flags: number): boolean {
  return isAccessible(flags) && !isExecOnly(mm, flags);
}

/** Kernel `anon_vma_compatible()`: `a` directly below `b`, equal but for rwx, linear pgoff. */
function anonVmaCompatible(a: Vma, b: Vma): boolean {
  return (
    a.end === b.start &&
    a.file === b.file &&
    ((a.flags ^ b.flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) === 0 &&
    b.pgoff === a.pgoff + (b.start - a.start) / PAGE_SIZE
  );
}

/** Kernel `anon_vma_prepare()`: gives `vma` an anon_vma (next neighbour first, then prev). */
export function anonVmaPrepare(mm: MmStruct, vma: Vma): void {
  if (vma.anonVma !== null) return;
  // The two tries mirror each other (kernel find_mergeable_anon_vma()): each neighbour is tested
  // with the pair in address order, so the arguments swap; written out, as the kernel does.
  const next = mm.tree.lookup(vma.end);
  if (
    next !== null &&
    anonVmaCompatible(vma, next) &&
    next.anonVma !== null &&
    !next.anonVmaForked
  ) {
    vma.anonVma = next.anonVma;
    vma.anonVmaForked = false;
    return;
  }
  const prev = mm.tree.prevOf(vma.start);
  if (
    prev !== null &&
    anonVmaCompatible(prev, vma) &&
    prev.anonVma !== null &&
    !prev.anonVmaForked
  ) {
    vma.anonVma = prev.anonVma;
    vma.anonVmaForked = false;
    return;
  }
  vma.anonVma = mm.newAnonVma();
  vma.anonVmaForked = false;
}

/** Kernel `expand_downwards()`: grows the growsdown `vma` down to the page of `addr`. */
function expandDownwards(mm: MmStruct, vma: Vma, addr: number): boolean {
  const address = addr - (addr % PAGE_SIZE);
  if (address < mm.mmapMinAddr) return false;
  const prev = mm.tree.prevOf(vma.start);
  if (
    prev !== null &&
    (prev.flags & VM_GROWSDOWN) === 0 &&
    isAccessible(prev.flags) &&
    address - prev.end < mm.stackGuardGap
  ) {
    return false;
  }
  anonVmaPrepare(mm, vma);
  if (address >= vma.start) return true;
  const size = vma.end - address;
  const grow = (vma.start - address) / PAGE_SIZE;
  if (grow > vma.pgoff) return false;
  if (size > mm.rlimitStack) return false;
  resizeVma(mm.tree, vma, address, vma.end, vma.pgoff - grow);
  return true;
}

/**
 * A touch of the u64 at `addr`: a load, then for a write a store of `value` (the oracle's touch
 * is `old = *p; *p = val`, so a write to memory that faults on reads gets the read's signal, e.g.
 * SIGBUS on `--xs` shmem past its size: random/full-s101 #231). 0, or the signal.
 */
export function handleFault(
  mm: MmStruct,
  addr: number,
  write: boolean,
  value: number,
): 0 | "SIGSEGV" | "SIGBUS" {
  const r = faultOnce(mm, addr, false, 0);
  if (r !== 0 || !write) return r;
  return faultOnce(mm, addr, true, value);
}

/** One access at `addr` (kernel `do_user_addr_fault()` + `handle_mm_fault()`). */
function faultOnce(
  mm: MmStruct,
  addr: number,
  write: boolean,
  value: number,
): 0 | "SIGSEGV" | "SIGBUS" {
  const vma = mm.tree.find(addr);
  if (vma === null) return "SIGSEGV";
  if (vma.start > addr) {
    if ((vma.flags & VM_GROWSDOWN) === 0) return "SIGSEGV";
    if (!expandDownwards(mm, vma, addr)) return "SIGSEGV";
  }
  if (write ? (vma.flags & VM_WRITE) === 0 : !readable(mm, vma.flags)) return "SIGSEGV";
  const page = addr - (addr % PAGE_SIZE);
  // A guard marker (MADV_GUARD_INSTALL) faults every access.
  if (mm.guards.size > 0 && mm.guards.has(page / PAGE_SIZE)) return "SIGSEGV";
  const file = vma.file;
  if (file instanceof HugetlbFile) return hugetlbFault(mm, vma, file, page, write, value);
  if (file instanceof ShmemObject || file instanceof MemFile) {
    // shmem_fault(): past i_size is SIGBUS; otherwise the page cache page (allocated on a read
    // too). A shared write stores into it; a private write copies it first (do_cow_fault).
    const idx = vma.pgoffAt(page);
    if (idx >= file.sizePages) return "SIGBUS";
    if (!file.pages.has(idx)) file.pages.set(idx, 0);
    notePte(mm, page);
    if (!write) return 0;
    if ((vma.flags & VM_SHARED) !== 0) {
      file.pages.set(idx, value);
      return 0;
    }
  } else if (file === null && thpFault(mm, vma, page, write)) {
    // do_huge_pmd_anonymous_page() prepares the anon_vma before it maps even the huge zero page.
    anonVmaPrepare(mm, vma);
    if (write) mm.pages.set(page / PAGE_SIZE, value);
    return 0;
  }
  if (write) {
    anonVmaPrepare(mm, vma);
    mm.pages.set(page / PAGE_SIZE, value);
  } else if (file === null && !mm.pages.has(page / PAGE_SIZE)) {
    noteZeroPte(mm, page);
  }
  return 0;
}

/** What a read of the first u64 of the page at `addr` returns, without changing anything. */
export function peekPage(mm: MmStruct, addr: number): number | "SIGBUS" | "SIGSEGV" {
  const vma = mm.tree.lookup(addr);
  if (vma === null) return "SIGSEGV";
  return peekVma(mm, vma, addr);
}

/** {@link peekPage} for an address inside `vma`. */
export function peekVma(mm: MmStruct, vma: Vma, addr: number): number | "SIGBUS" | "SIGSEGV" {
  if (!readable(mm, vma.flags)) return "SIGSEGV";
  const page = addr - (addr % PAGE_SIZE);
  if (mm.guards.size > 0 && mm.guards.has(page / PAGE_SIZE)) return "SIGSEGV";
  const file = vma.file;
  if (file instanceof HugetlbFile) return hugetlbPeek(mm, vma, file, page);
  if (file instanceof ShmemObject || file instanceof MemFile) {
    const idx = vma.pgoffAt(page);
    if (idx >= file.sizePages) return "SIGBUS";
    if ((vma.flags & VM_MAYSHARE) === 0) {
      const own = mm.pages.get(page / PAGE_SIZE);
      if (own !== undefined) return own;
    }
    return file.pages.get(idx) ?? 0;
  }
  return mm.pages.get(page / PAGE_SIZE) ?? 0;
}

/**
 * Kernel `__mm_populate()` after MAP_POPULATE: writable private VMAs are write-faulted page by
 * page (allocating pages and an anon_vma), everything else is read-faulted (zero page / shmem
 * page cache: nothing the model counts). Inaccessible and VM_IO/PFNMAP VMAs are skipped.
 */
export function populateRange(mm: MmStruct, start: number, end: number): void {
  for (const vma of mm.tree.range(start, end)) {
    if ((vma.flags & (VM_IO | VM_PFNMAP)) !== 0 || !isAccessible(vma.flags)) continue;
    const lo = Math.max(start, vma.start) / PAGE_SIZE;
    const hi = Math.min(end, vma.end) / PAGE_SIZE;
    const file = vma.file;
    if (file instanceof MemFile) {
      populateFile(mm, vma, file, lo, hi);
      continue;
    }
    if (file instanceof HugetlbFile) {
      // GUP faults each huge page in; the first that gets no page stops it (ENOMEM, ignored).
      const step = file.hugeSize / PAGE_SIZE;
      for (let p = lo; p < hi; p += step) {
        if (hugetlbFault(mm, vma, file, p * PAGE_SIZE, false, 0) !== 0) break;
      }
      continue;
    }
    if (file instanceof ShmemObject) {
      for (let p = lo; p < hi; p++) {
        const idx = vma.pgoffAt(p * PAGE_SIZE);
        if (idx >= file.sizePages) break;
        if (!file.pages.has(idx)) file.pages.set(idx, 0);
      }
      continue;
    }
    // GUP honours protection keys: nothing of an execute-only VMA is faulted in.
    if (file !== null || (vma.flags & VM_SHARED) !== 0 || isExecOnly(mm, vma.flags)) continue;
    if ((vma.flags & VM_WRITE) === 0) {
      // Read faults: the zero page, or the huge zero page (which prepares the anon_vma).
      for (let p = lo; p < hi; p++) {
        if (mm.pages.has(p)) continue;
        if (thpFault(mm, vma, p * PAGE_SIZE, false)) anonVmaPrepare(mm, vma);
        else noteZeroPte(mm, p * PAGE_SIZE);
      }
      continue;
    }
    anonVmaPrepare(mm, vma);
    for (let p = lo; p < hi; p++) {
      if (mm.pages.has(p) || thpFault(mm, vma, p * PAGE_SIZE, true)) continue;
      mm.pages.set(p, 0);
    }
  }
}

/**
 * {@link populateRange} on a file VMA, pages `[lo, hi)` (pfns): every page below EOF enters the
 * page cache; a writable private mapping write-faults, so each page is copied into the mm. The
 * first page past EOF stops the walk (its fault is SIGBUS, which populate ignores).
 */
function populateFile(mm: MmStruct, vma: Vma, file: MemFile, lo: number, hi: number): void {
  const cow = (vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  for (let p = lo; p < hi; p++) {
    const idx = vma.pgoffAt(p * PAGE_SIZE);
    if (idx >= file.sizePages) return;
    if (!file.pages.has(idx)) file.pages.set(idx, 0);
    if (!cow || mm.pages.has(p)) continue;
    anonVmaPrepare(mm, vma);
    mm.pages.set(p, file.pages.get(idx) ?? 0);
  }
}
