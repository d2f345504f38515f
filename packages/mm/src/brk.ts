// brk (kernel mm/mmap.c `SYSCALL_DEFINE1(brk)` and `do_brk_flags()`), as observed in
// linux-mm.md §6.9: the break is stored unaligned; growth needs one free page (plus the guard gap
// of a growsdown VMA) below the next mapping and extends only a VMA starting at or above
// start_brk; shrinking unmaps everything between the new and the old break (refused over a sealed
// VMA). Growth obeys RLIMIT_DATA (`check_data_rlimit()`, taking the ELF data segment as empty, and
// `may_expand_vm()`), RLIMIT_AS, RLIMIT_MEMLOCK after mlockall(MCL_FUTURE) and overcommit; a
// locked heap is populated. Failure returns the old break.

import { PAGE_SIZE, RLIMIT_DATA } from "./constants.js";
import { mergeNewRange } from "./merge.js";
import { mlockFutureOk, populateLocked } from "./mlock.js";
import type { MmStruct } from "./mm.js";
import { munmapChecked } from "./munmap.js";
import { mayExpandVm, vmEnoughMemory } from "./overcommit.js";
import { vmStartGap } from "./placement.js";
import {
  VM_ACCOUNT,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
} from "./vm-flags.js";
import { NO_FOREIGN, pageAlign, Vma } from "./vma.js";

/** Kernel `VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT` on x86-64 without READ_IMPLIES_EXEC. */
const BRK_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;

/** `brk(2)`: the new break, or the old one when the request is refused. */
export function doBrk(mm: MmStruct, brk: number): number {
  const origBrk = mm.currentBrk;
  if (brk < mm.startBrk || brk > mm.taskSize) return origBrk;
  // check_data_rlimit(): the heap (plus the data segment, taken as empty) within RLIMIT_DATA.
  if (brk - mm.startBrk > mm.rlimits.soft(RLIMIT_DATA)) return origBrk;
  const newBrk = pageAlign(brk);
  const oldBrk = pageAlign(mm.currentBrk);
  if (oldBrk === newBrk) {
    mm.currentBrk = brk;
    return brk;
  }
  if (brk <= mm.currentBrk) {
    // Shrink: there must be a VMA in [newbrk, oldbrk); everything there goes.
    const v = mm.tree.findIntersection(newBrk, oldBrk);
    if (v === null || v.start >= oldBrk) return origBrk;
    if (munmapChecked(mm, newBrk, oldBrk) < 0) return origBrk;
    mm.currentBrk = brk;
    return brk;
  }
  // check_brk_limits(): RLIMIT_MEMLOCK for a heap locked by mlockall(MCL_FUTURE).
  if (!mlockFutureOk(mm, mm.defFlags, newBrk - oldBrk)) return origBrk;
  // Grow: one free page (and the next VMA's stack guard gap) must remain above the new break.
  const next = mm.tree.findIntersection(oldBrk, newBrk + PAGE_SIZE + mm.stackGuardGap);
  if (next !== null && newBrk + PAGE_SIZE > vmStartGap(mm, next)) return origBrk;
  // Kernel vma_prev_limit(&vmi, start_brk): the VMA below the old break, if it reaches above
  // start_brk (mas_prev() stops at entries ending below the limit; a heap merged with the bss
  // below start_brk still counts, lock-s006 #157).
  let brkVma = mm.tree.prevOf(oldBrk);
  if (brkVma !== null && brkVma.end <= mm.startBrk) brkVma = null;
  // do_brk_flags(): address-space limits, map count, then the overcommit charge.
  const flags = BRK_FLAGS | mm.defFlags;
  const pages = (newBrk - oldBrk) / PAGE_SIZE;
  if (!mayExpandVm(mm, flags, pages)) return origBrk;
  if (mm.tree.count > mm.maxMapCount) return origBrk;
  if (vmEnoughMemory(mm, pages) < 0) return origBrk;
  let done = false;
  if (brkVma !== null && brkVma.end === oldBrk) {
    done =
      mergeNewRange(
        mm.tree,
        brkVma,
        null,
        {
          start: oldBrk,
          end: newBrk,
          flags,
          pgoff: oldBrk / PAGE_SIZE,
          file: null,
          anonVma: null,
          anonVmaForked: false,
          name: null,
          foreignFlags: NO_FOREIGN,
        },
        true,
      ) !== null;
  }
  if (!done) mm.tree.insert(new Vma(oldBrk, newBrk, flags, oldBrk / PAGE_SIZE, null));
  mm.currentBrk = brk;
  if ((mm.defFlags & VM_LOCKED) !== 0) populateLocked(mm, oldBrk, newBrk);
  return brk;
}
