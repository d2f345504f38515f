// Address-space accounting (kernel mm/mmap.c `may_expand_vm()`, mm/util.c
// `__vm_enough_memory()`): RLIMIT_AS against total_vm, RLIMIT_DATA against data_vm, and the
// overcommit policy for memory a mapping charges (VM_ACCOUNT). The kernel keeps total_vm,
// data_vm and locked_vm as counters; the model sums the VMAs when a finite limit or strict
// accounting asks, so the hot paths pay nothing under the default unlimited AS/DATA and heuristic
// overcommit.

import { ENOMEM, PAGE_SIZE, RLIMIT_AS, RLIMIT_DATA } from "./constants.js";
import type { MmStruct } from "./mm.js";
import {
  VM_ACCOUNT,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_NORESERVE,
  VM_SHARED,
  VM_WRITE,
} from "./vm-flags.js";
import { ShmemObject } from "./vma.js";

/** Kernel `is_data_mapping()`: private, writable, not a stack. */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE;
}

/** Kernel `mm->total_vm` in pages. */
export function totalVm(mm: MmStruct): number {
  let n = 0;
  for (const v of mm.tree) n += v.end - v.start;
  return n / PAGE_SIZE;
}

/** Kernel `mm->data_vm` in pages. */
export function dataVm(mm: MmStruct): number {
  let n = 0;
  for (const v of mm.tree) if (isDataMapping(v.flags)) n += v.end - v.start;
  return n / PAGE_SIZE;
}

/** Kernel `mm->locked_vm` in pages (the VM_LOCKED VMAs). */
export function lockedVm(mm: MmStruct): number {
  let n = 0;
  for (const v of mm.tree) if ((v.flags & VM_LOCKED) !== 0) n += v.end - v.start;
  return n / PAGE_SIZE;
}

/** Kernel `may_expand_vm()`: may the mm grow by `npages` pages of a mapping with `flags`. */
export function mayExpandVm(mm: MmStruct, flags: number, npages: number): boolean {
  const as = mm.rlimits.soft(RLIMIT_AS);
  if (as !== Number.POSITIVE_INFINITY && totalVm(mm) + npages > Math.floor(as / PAGE_SIZE)) {
    return false;
  }
  if (!isDataMapping(flags)) return true;
  const data = mm.rlimits.soft(RLIMIT_DATA);
  if (data === Number.POSITIVE_INFINITY) return true;
  const have = dataVm(mm);
  if (have + npages <= Math.floor(data / PAGE_SIZE)) return true;
  // The Valgrind workaround: a zero soft limit is judged against the hard one.
  if (data === 0) {
    const hard = mm.rlimits.hard(RLIMIT_DATA);
    return BigInt(have + npages) <= hard / BigInt(PAGE_SIZE);
  }
  return false;
}

/** The pages this mm has charged (VM_ACCOUNT VMAs and its shared anonymous objects). */
export function committedPages(mm: MmStruct): number {
  let n = 0;
  const seen = new Set<ShmemObject>();
  for (const v of mm.tree) {
    if ((v.flags & VM_ACCOUNT) !== 0) n += (v.end - v.start) / PAGE_SIZE;
    const f = v.file;
    if (f instanceof ShmemObject && (v.flags & VM_NORESERVE) === 0 && !seen.has(f)) {
      seen.add(f);
      n += f.sizePages;
    }
  }
  return n;
}

/**
 * Kernel `__vm_enough_memory()`: may `pages` more pages be committed. Mode 0 refuses one request
 * larger than RAM + swap; mode 1 allows everything; mode 2 compares everything committed with
 * (RAM × ratio% or overcommit_kbytes) + swap, less the admin reserve (callers without
 * CAP_SYS_ADMIN) and the user reserve (min(total_vm / 32, user_reserve_kbytes)).
 * 0 or `-ENOMEM`.
 */
export function vmEnoughMemory(mm: MmStruct, pages: number): number {
  const sys = mm.system;
  const s = sys.sysctls;
  if (s.overcommit_memory === 1) return 0;
  if (s.overcommit_memory === 0) {
    return pages > sys.totalramPages + sys.totalSwapPages ? -ENOMEM : 0;
  }
  let allowed =
    s.overcommit_kbytes !== 0
      ? Math.floor(s.overcommit_kbytes / 4)
      : Math.floor((sys.totalramPages * s.overcommit_ratio) / 100);
  allowed += sys.totalSwapPages;
  if (!mm.caps.sysAdmin) allowed -= Math.floor(s.admin_reserve_kbytes / 4);
  allowed -= Math.min(Math.floor(totalVm(mm) / 32), Math.floor(s.user_reserve_kbytes / 4));
  const committed = sys.otherCommittedPages + committedPages(mm) + pages;
  return committed < allowed ? 0 : -ENOMEM;
}
