// Page faults (kernel arch/x86/mm/fault.c `do_user_addr_fault()`, mm/memory.c
// `do_anonymous_page()` / `do_shared_fault()`, mm/rmap.c `__anon_vma_prepare()`, mm/mmap.c
// `expand_downwards()`), reduced to what the oracle observes (linux-mm.md §6.2, §6.7):
//   - a write to private memory needs an anon_vma, borrowed from an adjacent neighbour that
//     differs only in rwx (and has a non-inherited anon_vma) or freshly allocated;
//   - a read maps the zero page: no anon_vma, nothing counted;
//   - below a growsdown VMA the stack expands first (guard gap, RLIMIT_STACK), then the
//     access is checked;
//   - shared anonymous memory past the shmem object's size raises SIGBUS.

import { PAGE_SIZE } from "./constants.js";
import type { MmStruct } from "./mm.js";
import { resizeVma } from "./split.js";
import {
  isAccessible,
  VM_ACCESS_FLAGS,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_IO,
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
  if (mm.system.execOnlyPkey && (flags & VM_ACCESS_FLAGS) === VM_EXEC) return false;
  return isAccessible(flags);
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
  if (file instanceof ShmemObject) {
    const idx = vma.pgoffAt(page);
    if (idx >= file.sizePages) return "SIGBUS";
    if (write) file.pages.set(idx, value);
    return 0;
  }
  if (write) {
    anonVmaPrepare(mm, vma);
    mm.pages.set(page / PAGE_SIZE, value);
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
  if (file instanceof ShmemObject) {
    const idx = vma.pgoffAt(page);
    if (idx >= file.sizePages) return "SIGBUS";
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
    if ((vma.flags & (VM_WRITE | VM_SHARED)) !== VM_WRITE || vma.file !== null) continue;
    anonVmaPrepare(mm, vma);
    const lo = Math.max(start, vma.start) / PAGE_SIZE;
    const hi = Math.min(end, vma.end) / PAGE_SIZE;
    for (let p = lo; p < hi; p++) if (!mm.pages.has(p)) mm.pages.set(p, 0);
  }
}
