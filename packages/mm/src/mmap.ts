// mmap (kernel arch/x86 `sys_mmap`, mm/mmap.c `ksys_mmap_pgoff()` / `do_mmap()`, mm/vma.c
// `__mmap_region()`), for anonymous memory: argument checks in the kernel's order (linux-mm.md
// §7), placement, unmapping what a MAP_FIXED range covers, merging with the neighbours or a new
// VMA (a new shmem object for MAP_SHARED), then MAP_POPULATE.

import { int32 } from "./args.js";
import {
  EBADF,
  EEXIST,
  EINVAL,
  ENOMEM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_STACK,
  MAP_TYPE,
  PAGE_SIZE,
  U64_MODULUS,
} from "./constants.js";
import { populateRange } from "./fault.js";
import { mergeNewRange } from "./merge.js";
import type { MmStruct } from "./mm.js";
import { unmapRange } from "./munmap.js";
import { getUnmappedArea } from "./placement.js";
import {
  calcVmProtBits,
  VM_ACCOUNT,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_SHARED,
  VM_WRITE,
} from "./vm-flags.js";
import { NO_FOREIGN, pageAlign, Vma } from "./vma.js";

/** Kernel `round_hint_to_min()`. */
function roundHintToMin(mm: MmStruct, hint: number): number {
  const h = hint - (hint % PAGE_SIZE);
  if (h !== 0 && h < mm.mmapMinAddr) return pageAlign(mm.mmapMinAddr);
  return h;
}

/** Kernel `calc_vm_flag_bits()` for anonymous memory. */
function calcVmFlagBits(flags: number): number {
  let f = 0;
  if ((flags & MAP_GROWSDOWN) !== 0) f |= VM_GROWSDOWN;
  if ((flags & MAP_LOCKED) !== 0) f |= VM_LOCKED;
  if ((flags & MAP_STACK) !== 0) f |= VM_NOHUGEPAGE;
  return f;
}

/**
 * Kernel `__mmap_region()` for anonymous memory: maps `[addr, addr + len)` with `vmFlags`,
 * replacing whatever was there. Returns the VMA now covering the range. `fixed` false says the
 * range came from placement (no MAP_FIXED), so it is free and the unmap step is skipped.
 */
export function mmapRegion(
  mm: MmStruct,
  addr: number,
  len: number,
  vmFlags: number,
  pgoff: number,
  fixed = true,
): Vma {
  let flags = vmFlags;
  if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) flags |= VM_ACCOUNT;
  const end = addr + len;
  if (fixed) unmapRange(mm, addr, end);
  // The range is empty now: only VMAs touching it can merge, and a point load finds each (a
  // tenth of the mt_prev / mt_find walks; a VMA that does not touch could not merge anyway).
  const prev = addr > 0 ? mm.tree.lookup(addr - 1) : null;
  const next = mm.tree.lookup(end);
  const merged = mergeNewRange(mm.tree, prev, next, {
    start: addr,
    end,
    flags,
    pgoff,
    file: null,
    anonVma: null,
    anonVmaForked: false,
    name: null,
    foreignFlags: NO_FOREIGN,
  });
  if (merged !== null) return merged;
  const file = (flags & VM_SHARED) !== 0 ? mm.newShmem(len / PAGE_SIZE) : null;
  const vma = new Vma(addr, end, flags, pgoff, file);
  mm.tree.insert(vma);
  return vma;
}

/** `mmap(2)` of anonymous memory: the address, or `-errno`. */
export function doMmap(
  mm: MmStruct,
  addrIn: number,
  lenIn: number,
  protIn: number,
  flagsIn: number,
  fd: number,
  off: number,
): number {
  const prot = int32("mmap", "prot", protIn);
  let flags = int32("mmap", "flags", flagsIn);
  int32("mmap", "fd", fd);
  // arch/x86 sys_mmap: the byte offset must be page aligned, even for anonymous memory.
  if (off % PAGE_SIZE !== 0) return -EINVAL;
  // ksys_mmap_pgoff: a file mapping needs a file; no file descriptor is ever valid here.
  if ((flags & MAP_ANONYMOUS) === 0) return -EBADF;
  // do_mmap
  if (lenIn === 0) return -EINVAL;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  let addr = addrIn;
  if ((flags & MAP_FIXED) === 0) addr = roundHintToMin(mm, addr);
  const len = pageAlign(lenIn);
  if (len === 0 || len >= U64_MODULUS) return -ENOMEM;
  if (mm.tree.count > mm.maxMapCount) return -ENOMEM;
  let vmFlags =
    calcVmProtBits(prot) | calcVmFlagBits(flags) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  addr = getUnmappedArea(mm, addr, len, flags);
  if (addr < 0) return addr;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && mm.tree.findIntersection(addr, addr + len) !== null) {
    return -EEXIST;
  }
  let pgoff: number;
  switch (flags & MAP_TYPE) {
    case MAP_SHARED:
      if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
      pgoff = 0;
      vmFlags |= VM_SHARED | VM_MAYSHARE;
      break;
    case MAP_PRIVATE:
      pgoff = addr / PAGE_SIZE;
      break;
    default:
      return -EINVAL;
  }
  if ((flags & MAP_NORESERVE) !== 0) vmFlags |= VM_NORESERVE;
  mmapRegion(mm, addr, len, vmFlags, pgoff, (flags & MAP_FIXED) !== 0);
  if ((flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE) populateRange(mm, addr, addr + len);
  return addr;
}
