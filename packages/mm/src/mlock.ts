// The mlock family (kernel mm/mlock.c): mlock, mlock2 (MLOCK_ONFAULT), munlock, mlockall
// (MCL_CURRENT / MCL_FUTURE / MCL_ONFAULT), munlockall, and the RLIMIT_MEMLOCK test that mmap
// (MAP_LOCKED or after MCL_FUTURE), brk and mremap share (`mlock_future_ok()`). Locking sets
// VM_LOCKED (plus VM_LOCKONFAULT) on each VMA of the range, splitting and merging like mprotect,
// then populates it (writable private pages are write-faulted in) unless on-fault. VM_SPECIAL,
// hugetlb and droppable VMAs are left alone. A hole stops the walk with ENOMEM after the VMAs
// before it changed.

import {
  EINVAL,
  ENOMEM,
  EPERM,
  MCL_CURRENT,
  MCL_FUTURE,
  MCL_ONFAULT,
  MLOCK_ONFAULT,
  PAGE_SIZE,
  RLIMIT_MEMLOCK,
  U64_MODULUS,
} from "./constants.js";
import { populateRange } from "./fault.js";
import { MemFile } from "./file.js";
import { hasHighFlag } from "./high-flags.js";
import type { MmStruct } from "./mm.js";
import { lockedVm, totalVm } from "./overcommit.js";
import { isExecOnly } from "./pkey.js";
import { vmaModifyChecked } from "./split.js";
import {
  isAccessible,
  VM_DROPPABLE_NAME,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_SPECIAL,
} from "./vm-flags.js";
import { pageAlign, ShmemObject, type Vma } from "./vma.js";

/** The RLIMIT_MEMLOCK soft limit in pages. */
function lockLimitPages(mm: MmStruct): number {
  const b = mm.rlimits.soft(RLIMIT_MEMLOCK);
  return b === Number.POSITIVE_INFINITY ? b : Math.floor(b / PAGE_SIZE);
}

/** Kernel `can_do_mlock()`. */
function canDoMlock(mm: MmStruct): boolean {
  return mm.rlimits.soft(RLIMIT_MEMLOCK) !== 0 || mm.caps.ipcLock;
}

/** Kernel `mlock_future_ok()`: may a mapping of `bytes` with `flags` be locked. */
export function mlockFutureOk(mm: MmStruct, flags: number, bytes: number): boolean {
  if ((flags & VM_LOCKED) === 0 || mm.caps.ipcLock) return true;
  return bytes / PAGE_SIZE + lockedVm(mm) <= lockLimitPages(mm);
}

/**
 * Kernel `__mm_populate()`: faults the range in, VMA by VMA (on-fault, VM_IO and VM_PFNMAP VMAs
 * skipped). A PROT_NONE VMA cannot be faulted in (get_user_pages without FOLL_FORCE): the walk
 * stops there with -ENOMEM (mlock's `__mlock_posix_error_return(-EFAULT)`); callers that ignore
 * errors (mmap, brk, mlockall) go on with 0.
 */
export function populateLocked(
  mm: MmStruct,
  start: number,
  end: number,
  ignoreErrors = true,
): number {
  for (const v of mm.tree.range(start, end)) {
    if ((v.flags & (VM_IO | VM_PFNMAP | VM_LOCKONFAULT)) !== 0) continue;
    // PROT_NONE, or exec-only memory behind a protection key: get_user_pages faults.
    if (!isAccessible(v.flags) || isExecOnly(mm, v.flags)) {
      if (ignoreErrors) continue;
      return -ENOMEM;
    }
    const lo = Math.max(start, v.start);
    let hi = Math.min(end, v.end);
    // A guard marker stops get_user_pages (-EFAULT): the pages before it are populated.
    let guarded = false;
    if (mm.guards.size > 0) {
      for (let a = lo; a < hi; a += PAGE_SIZE) {
        if (mm.guards.has(a / PAGE_SIZE)) {
          hi = a;
          guarded = true;
          break;
        }
      }
    }
    // Shared memory past its object's size faults SIGBUS: get_user_pages fails there too.
    const f = v.file;
    if ((f instanceof ShmemObject || f instanceof MemFile) && v.pgoffAt(hi) > f.sizePages) {
      hi = Math.min(hi, Math.max(lo, v.start + (f.sizePages - v.pgoff) * PAGE_SIZE));
      guarded = true;
    }
    if (hi > lo) populateRange(mm, lo, hi);
    if (guarded && !ignoreErrors) return -ENOMEM;
  }
  return 0;
}

/** Kernel `mlock_fixup()`: gives `[start, end)` of `vma` the lock flags; the VMA, or -errno. */
function mlockFixup(
  mm: MmStruct,
  vma: Vma,
  start: number,
  end: number,
  newFlags: number,
): Vma | number {
  const old = vma.flags;
  if (
    newFlags === old ||
    (old & (VM_SPECIAL | VM_HUGETLB)) !== 0 ||
    hasHighFlag(vma, VM_DROPPABLE_NAME)
  ) {
    return vma;
  }
  return vmaModifyChecked(mm, vma, start, end, newFlags);
}

/** Kernel `apply_vma_lock_flags()`: 0 or `-errno`. */
function applyVmaLockFlags(mm: MmStruct, start: number, len: number, flags: number): number {
  const end = start + len;
  if (end >= U64_MODULUS) return -EINVAL;
  if (end === start) return 0;
  let vma = mm.tree.lookup(start);
  if (vma === null) return -ENOMEM;
  let nstart = start;
  let tmp = vma.start;
  for (;;) {
    if (vma.start !== tmp) return -ENOMEM;
    const newFlags = (vma.flags & ~VM_LOCKED_MASK) | flags;
    tmp = Math.min(vma.end, end);
    const r = mlockFixup(mm, vma, nstart, tmp, newFlags);
    if (typeof r === "number") return r;
    tmp = Math.max(tmp, Math.min(r.end, end));
    nstart = tmp;
    if (tmp >= end) return 0;
    const next = mm.tree.find(tmp);
    if (next === null || next.start >= end) return -ENOMEM;
    vma = next;
  }
}

/** Kernel `count_mm_mlocked_page_nr()`: locked pages already inside `[start, start + len)`. */
function countMlockedPages(mm: MmStruct, start: number, len: number): number {
  const end = len === 0 || start + len >= U64_MODULUS ? U64_MODULUS : start + len;
  let count = 0;
  for (const v of mm.tree.range(start, end)) {
    if ((v.flags & VM_LOCKED) === 0) continue;
    if (start > v.start) count -= start - v.start;
    if (end < v.end) {
      count += end - v.start;
      break;
    }
    count += v.end - v.start;
  }
  return count / PAGE_SIZE;
}

/** Page-aligned `[start, len)` as do_mlock computes it; len wraps like C. */
function lockRange(startIn: number, lenIn: number): [number, number] {
  const off = startIn % PAGE_SIZE;
  let len = pageAlign(lenIn + off);
  if (len >= U64_MODULUS) len -= U64_MODULUS;
  return [startIn - off, len];
}

/** Kernel `do_mlock()` (mlock and mlock2): 0 or `-errno`. */
export function doMlock(mm: MmStruct, startIn: number, lenIn: number, flags: number): number {
  if (!canDoMlock(mm)) return -EPERM;
  const [start, len] = lockRange(startIn, lenIn);
  const limit = lockLimitPages(mm);
  let locked = len / PAGE_SIZE;
  if (!mm.caps.ipcLock) {
    locked += lockedVm(mm);
    if (locked > limit) locked -= countMlockedPages(mm, start, len);
    if (locked > limit) return -ENOMEM;
  }
  const err = applyVmaLockFlags(mm, start, len, flags);
  if (err !== 0) return err;
  return len > 0 ? populateLocked(mm, start, start + len, false) : 0;
}

/** `mlock2(2)` flags check, then {@link doMlock}. */
export function doMlock2(mm: MmStruct, start: number, len: number, flags: number): number {
  if ((flags & ~MLOCK_ONFAULT) !== 0) return -EINVAL;
  const vmFlags = (flags & MLOCK_ONFAULT) !== 0 ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED;
  return doMlock(mm, start, len, vmFlags);
}

/** `munlock(2)`: 0 or `-errno`. */
export function doMunlock(mm: MmStruct, startIn: number, lenIn: number): number {
  const [start, len] = lockRange(startIn, lenIn);
  return applyVmaLockFlags(mm, start, len, 0);
}

/** Kernel `apply_mlockall_flags()`: MCL_FUTURE goes to def_flags, MCL_CURRENT to every VMA. */
function applyMlockallFlags(mm: MmStruct, flags: number): void {
  mm.defFlags &= ~VM_LOCKED_MASK;
  if ((flags & MCL_FUTURE) !== 0) {
    mm.defFlags |= VM_LOCKED;
    if ((flags & MCL_ONFAULT) !== 0) mm.defFlags |= VM_LOCKONFAULT;
    if ((flags & MCL_CURRENT) === 0) return;
  }
  let toAdd = 0;
  if ((flags & MCL_CURRENT) !== 0) {
    toAdd = VM_LOCKED;
    if ((flags & MCL_ONFAULT) !== 0) toAdd |= VM_LOCKONFAULT;
  }
  let addr = 0;
  for (;;) {
    const vma = mm.tree.find(addr);
    if (vma === null) return;
    const r = mlockFixup(mm, vma, vma.start, vma.end, (vma.flags & ~VM_LOCKED_MASK) | toAdd);
    // Errors are ignored, as in the kernel: the walk goes on after the VMA.
    addr = typeof r === "number" ? vma.end : Math.max(vma.end, r.end);
  }
}

/** `mlockall(2)`: 0 or `-errno`. */
export function doMlockall(mm: MmStruct, flags: number): number {
  if (
    flags === 0 ||
    (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) !== 0 ||
    flags === MCL_ONFAULT
  ) {
    return -EINVAL;
  }
  if (!canDoMlock(mm)) return -EPERM;
  if ((flags & MCL_CURRENT) !== 0 && !mm.caps.ipcLock && totalVm(mm) > lockLimitPages(mm)) {
    return -ENOMEM;
  }
  applyMlockallFlags(mm, flags);
  if ((flags & MCL_CURRENT) !== 0) populateLocked(mm, 0, mm.taskSize);
  return 0;
}

/** `munlockall(2)`: 0. */
export function doMunlockall(mm: MmStruct): number {
  applyMlockallFlags(mm, 0);
  return 0;
}
