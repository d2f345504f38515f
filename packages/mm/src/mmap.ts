// mmap (kernel arch/x86 `sys_mmap`, mm/mmap.c `ksys_mmap_pgoff()` / `do_mmap()`, mm/vma.c
// `__mmap_region()`): argument checks in the kernel's order (linux-mm.md §7), placement,
// unmapping what a MAP_FIXED range covers, merging with the neighbours or a new VMA (a new shmem
// object for anonymous MAP_SHARED, the fd's file otherwise), then MAP_POPULATE.

import { int32 } from "./args.js";
import {
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  EPERM,
  LEGACY_MAP_MASK,
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGE_MASK,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_STACK,
  MAP_SYNC,
  MAP_TYPE,
  MAX_LFS_FILESIZE,
  PAGE_SIZE,
  PMD_SIZE,
  PROT_WRITE,
  RLIMIT_AS,
  RLIMIT_DATA,
  U64_MODULUS,
} from "./constants.js";
import { populateRange } from "./fault.js";
import { type FdEntry, type MemFile, OpenFile } from "./file.js";
import { withHighFlag } from "./high-flags.js";
import { HUGE_1G, HugetlbFile, hugetlbRelease, hugetlbReserve, hugetlbShared } from "./hugetlb.js";
import { mergeNewRange } from "./merge.js";
import { mlockFutureOk, populateLocked } from "./mlock.js";
import type { MmStruct } from "./mm.js";
import { munmapGather, splitRangeEnds, unmapRange } from "./munmap.js";
import { mayExpandVm, vmEnoughMemory } from "./overcommit.js";
import {
  getUnmappedArea,
  unmappedAreaBottomup,
  unmappedAreaTopdown,
  vmStartGap,
} from "./placement.js";
import {
  calcVmProtBits,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_DROPPABLE_NAME,
  VM_GROWSDOWN,
  VM_HUGETLB,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_SHARED,
  VM_SYNC,
  VM_WIPEONFORK,
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
  if ((flags & MAP_SYNC) !== 0) f |= VM_SYNC;
  return f;
}

/** Pages of `[start, end)` already mapped, and those of them charged (VM_ACCOUNT). */
function replacedPages(mm: MmStruct, start: number, end: number): [number, number] {
  let nr = 0;
  let acct = 0;
  for (const v of mm.tree.range(start, end)) {
    const n = (Math.min(end, v.end) - Math.max(start, v.start)) / PAGE_SIZE;
    nr += n;
    if ((v.flags & VM_ACCOUNT) !== 0) acct += n;
  }
  return [nr, acct];
}

/**
 * The checks of kernel `__mmap_prepare()` after gathering what the range replaces: RLIMIT_AS /
 * RLIMIT_DATA (`may_expand_vm`), then the overcommit charge of a private writable mapping or a
 * shared anonymous object. 0 or -ENOMEM.
 */
function mmapPrepare(
  mm: MmStruct,
  addr: number,
  len: number,
  flags: number,
  anonymous: boolean,
): number {
  const pages = len / PAGE_SIZE;
  const accountable = (flags & (VM_NORESERVE | VM_SHARED | VM_WRITE | VM_HUGETLB)) === VM_WRITE;
  // A shared file was charged when it was made (memfd and tmpfs files: VM_NORESERVE, nothing).
  const sharedAcct = anonymous && (flags & (VM_SHARED | VM_NORESERVE)) === VM_SHARED;
  const over = mm.system.sysctls.overcommit_memory;
  const limitsFinite =
    mm.rlimits.soft(RLIMIT_AS) !== Number.POSITIVE_INFINITY ||
    mm.rlimits.soft(RLIMIT_DATA) !== Number.POSITIVE_INFINITY;
  const charge = (accountable || sharedAcct) && over !== 1;
  if (!limitsFinite && !charge) return 0;
  // The heuristic (mode 0) refuses only a request larger than RAM + swap: when the whole request
  // fits, what the range replaces cannot change the answer, so it is not looked up.
  const sys = mm.system;
  if (!limitsFinite && over === 0 && pages <= sys.totalramPages + sys.totalSwapPages) return 0;
  const [nr, acct] = replacedPages(mm, addr, addr + len);
  if (!mayExpandVm(mm, flags, pages - nr)) return -ENOMEM;
  if (accountable && over !== 1 && pages - acct > 0 && vmEnoughMemory(mm, pages - acct) < 0) {
    return -ENOMEM;
  }
  if (sharedAcct && over !== 1 && vmEnoughMemory(mm, pages) < 0) return -ENOMEM;
  return 0;
}

/**
 * Kernel `__mmap_region()` for anonymous memory or `file`: maps `[addr, addr + len)` with `vmFlags`,
 * replacing whatever was there. Returns the VMA now covering the range. `fixed` false says the
 * range came from placement (no MAP_FIXED), so it is free and the unmap step is skipped.
 */
export function mmapRegion(
  mm: MmStruct,
  addr: number,
  len: number,
  vmFlags: number,
  pgoff: number,
  foreign: readonly string[] = NO_FOREIGN,
  file: MemFile | HugetlbFile | null = null,
  fixed = true,
): Vma | number {
  let flags = vmFlags;
  const end = addr + len;
  const gathered = munmapGather(mm, addr, end);
  if (gathered < 0) return gathered;
  const err = mmapPrepare(mm, addr, len, flags, file === null);
  if (err < 0) {
    // The kernel has already split the VMAs at the range ends; aborting leaves them split.
    splitRangeEnds(mm, addr, end);
    return err;
  }
  // accountable_mapping(): never a hugetlbfs file (its pages come from the pool).
  if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE | VM_HUGETLB)) === VM_WRITE) {
    flags |= VM_ACCOUNT;
  }
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
    file,
    anonVma: null,
    anonVmaForked: false,
    name: null,
    foreignFlags: foreign,
  });
  if (merged !== null) return merged;
  const backing = file ?? ((flags & VM_SHARED) !== 0 ? mm.newShmem(len / PAGE_SIZE) : null);
  const vma = new Vma(addr, end, flags, pgoff, backing);
  vma.foreignFlags = foreign;
  mm.tree.insert(vma);
  return vma;
}

/**
 * The file half of kernel `do_mmap()`: checks `file` may be mapped with `prot`/`flags` and returns
 * the VMA flags (`vmFlags` plus sharing), or -errno. MAP_SHARED drops unknown flags;
 * MAP_SHARED_VALIDATE refuses them (tmpfs has no MAP_SYNC).
 */
function fileMmapFlags(
  entry: FdEntry,
  pgoff: number,
  len: number,
  prot: number,
  flags: number,
  vmFlagsIn: number,
): number {
  // file_mmap_ok(): pgoff + len must stay within MAX_LFS_FILESIZE.
  const max = MAX_LFS_FILESIZE;
  if (BigInt(len) > max || BigInt(pgoff) > (max - BigInt(len)) >> 12n) return -EOVERFLOW;
  if (!(entry instanceof OpenFile)) return -ENODEV;
  let vmFlags = vmFlagsIn;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE && type !== MAP_PRIVATE) return -EINVAL;
  if (type === MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK) !== 0) return -EOPNOTSUPP;
  if (type !== MAP_PRIVATE) {
    if ((prot & PROT_WRITE) !== 0 && !entry.writable) return -EACCES;
    vmFlags |= VM_SHARED | VM_MAYSHARE;
    if (!entry.writable) vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
  }
  if (!entry.readable) return -EACCES;
  if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
  return vmFlags;
}

/** `mmap(2)`: the address, or `-errno`. */
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
  // ksys_mmap_pgoff: a file mapping needs an open file, and MAP_HUGETLB a hugetlbfs one.
  let file: FdEntry | null = null;
  let lenAsked = lenIn;
  let hugeSize = 0;
  if ((flags & MAP_ANONYMOUS) === 0) {
    file = mm.files.get(fd);
    if (file === null) return -EBADF;
    if ((flags & MAP_HUGETLB) !== 0) return -EINVAL;
  } else if ((flags & MAP_HUGETLB) !== 0) {
    // hstate_sizelog(): the default 2 MiB, or 1 GiB; the file is sized to whole huge pages.
    const log = (flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
    hugeSize = log === 0 || log === 21 ? PMD_SIZE : log === 30 ? HUGE_1G : 0;
    if (hugeSize === 0) return -EINVAL;
    lenAsked = Math.ceil(lenIn / hugeSize) * hugeSize;
  }
  // do_mmap
  if (lenAsked === 0) return -EINVAL;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  let addr = addrIn;
  if ((flags & MAP_FIXED) === 0) addr = roundHintToMin(mm, addr);
  const len = pageAlign(lenAsked);
  if (len === 0 || len >= U64_MODULUS) return -ENOMEM;
  if (mm.tree.count > mm.maxMapCount) return -ENOMEM;
  let vmFlags =
    calcVmProtBits(prot) |
    calcVmFlagBits(flags) |
    mm.defFlags |
    VM_MAYREAD |
    VM_MAYWRITE |
    VM_MAYEXEC;
  if (hugeSize !== 0) return mmapHugetlb(mm, addr, len, flags, vmFlags, off, hugeSize);
  addr = getUnmappedArea(mm, addr, len, flags, file !== null);
  if (addr < 0) return addr;
  // security_mmap_addr() -> cap_mmap_addr(): below mmap_min_addr needs CAP_SYS_RAWIO.
  if (addr < mm.mmapMinAddr && !mm.caps.sysRawio) return -EPERM;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && mm.tree.findIntersection(addr, addr + len) !== null) {
    return -EEXIST;
  }
  if (!mlockFutureOk(mm, vmFlags, len)) return -EAGAIN;
  // do_mmap decides to populate before __mmap_region may drop the lock flags (droppable).
  const populate =
    (vmFlags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE;
  if ((flags & MAP_NORESERVE) !== 0 && mm.system.sysctls.overcommit_memory !== 2) {
    vmFlags |= VM_NORESERVE;
  }
  if (file !== null) return mmapFile(mm, addr, len, prot, flags, vmFlags, file, off, populate);
  let pgoff: number;
  let foreign: readonly string[] = NO_FOREIGN;
  switch (flags & MAP_TYPE) {
    case MAP_SHARED:
      if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
      pgoff = 0;
      vmFlags |= VM_SHARED | VM_MAYSHARE;
      break;
    case MAP_DROPPABLE:
      // Neither locked nor a stack; never reserved, not inherited, not dumped.
      if ((flags & MAP_LOCKED) !== 0 || (vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
      foreign = withHighFlag(NO_FOREIGN, VM_DROPPABLE_NAME, true);
      vmFlags |= VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
      pgoff = addr / PAGE_SIZE;
      break;
    case MAP_PRIVATE:
      pgoff = addr / PAGE_SIZE;
      break;
    default:
      return -EINVAL;
  }
  const r = mmapRegion(mm, addr, len, vmFlags, pgoff, foreign, null, (flags & MAP_FIXED) !== 0);
  if (typeof r === "number") return r;
  if (foreign !== NO_FOREIGN && (r.flags & VM_LOCKED_MASK) !== 0) {
    // A droppable VMA is never locked: __mmap_region clears the flags after the merge attempt
    // (so mlockall(MCL_FUTURE) keeps it from merging, lock-s003 #127, lock-s013 #291).
    r.flags &= ~VM_LOCKED_MASK;
    mm.tree.modified(r);
  }
  if (populate) populateLocked(mm, addr, addr + len);
  return addr;
}

/**
 * The file branch of kernel `do_mmap()` + `__mmap_region()`: the fd's checks, then the mapping of
 * `file` at `addr` (already placed and checked against the limits), then MAP_POPULATE / locking.
 */
function mmapFile(
  mm: MmStruct,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  vmFlags: number,
  entry: FdEntry,
  off: number,
  populate: boolean,
): number {
  const vf = fileMmapFlags(entry, off / PAGE_SIZE, len, prot, flags, vmFlags);
  if (vf < 0) return vf;
  const f = (entry as OpenFile).file;
  const fixed = (flags & MAP_FIXED) !== 0;
  const r = mmapRegion(mm, addr, len, vf, off / PAGE_SIZE, NO_FOREIGN, f, fixed);
  if (typeof r === "number") return r;
  f.mappers.add(mm);
  mm.mapsFiles = true;
  if (!populate) return addr;
  if ((vf & VM_LOCKED) !== 0) populateLocked(mm, addr, addr + len);
  else populateRange(mm, addr, addr + len);
  return addr;
}

/**
 * MAP_HUGETLB (kernel `hugetlb_file_setup()` + hugetlbfs `hugetlb_get_unmapped_area()` and
 * `hugetlbfs_file_mmap()`; hugetlb.ts): `len` is already whole huge pages of `size`. A MAP_FIXED
 * address or an offset off the huge page size is EINVAL, so is MAP_GROWSDOWN or a type other than
 * shared or private; then the pages must be reserved from the pool (ENOMEM, nothing changed)
 * unless MAP_NORESERVE. The new VMA is VM_HUGETLB | VM_DONTEXPAND over a fresh unlinked file.
 */
function mmapHugetlb(
  mm: MmStruct,
  addrIn: number,
  len: number,
  flags: number,
  vmFlagsIn: number,
  off: number,
  size: number,
): number {
  const fixed = (flags & MAP_FIXED) !== 0;
  if (fixed && addrIn % size !== 0) return -EINVAL;
  const addr = fixed ? addrIn : hugetlbArea(mm, addrIn, len, size);
  if (addr < 0) return addr;
  if (addr < mm.mmapMinAddr && !mm.caps.sysRawio) return -EPERM;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && mm.tree.findIntersection(addr, addr + len) !== null) {
    return -EEXIST;
  }
  if (!mlockFutureOk(mm, vmFlagsIn, len)) return -EAGAIN;
  const shared = hugetlbShared(flags);
  if (typeof shared === "number") return shared;
  if ((vmFlagsIn & VM_GROWSDOWN) !== 0) return -EINVAL;
  const pgoff = off / PAGE_SIZE;
  if ((pgoff * PAGE_SIZE) % size !== 0) return -EINVAL;
  // do_mmap(): MAP_NORESERVE always means VM_NORESERVE for a hugetlbfs file.
  let vmFlags = vmFlagsIn | VM_HUGETLB | VM_DONTEXPAND;
  if ((flags & MAP_NORESERVE) !== 0) vmFlags |= VM_NORESERVE;
  if (shared) vmFlags |= VM_SHARED | VM_MAYSHARE;
  const file = new HugetlbFile(++mm.ids.shmem, size, shared);
  const first = (pgoff * PAGE_SIZE) / size;
  const n = len / size;
  if ((vmFlags & VM_NORESERVE) === 0 && !hugetlbReserve(mm.system, file, first, n)) return -ENOMEM;
  const r = mmapRegion(mm, addr, len, vmFlags, pgoff, NO_FOREIGN, file, fixed);
  if (typeof r === "number") {
    hugetlbRelease(mm.system, file);
    return r;
  }
  if (shared) file.mappers.add(mm);
  mm.anyHugetlb = true;
  const populate =
    (vmFlags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE;
  if (populate) populateRange(mm, addr, addr + len);
  return addr;
}

/**
 * Kernel `hugetlb_get_unmapped_area()` without MAP_FIXED: a free hint rounded up to the huge page
 * size, else the highest huge aligned fit below mmap_base (the lowest above TASK_UNMAPPED_BASE in
 * the legacy layout, or when top-down finds nothing), or -ENOMEM.
 */
function hugetlbArea(mm: MmStruct, addr: number, len: number, size: number): number {
  if (len > mm.taskSize) return -ENOMEM;
  if (addr !== 0) {
    const hint = Math.ceil(addr / size) * size;
    const vma = mm.tree.find(hint);
    if (mm.taskSize - len >= hint && (vma === null || hint + len <= vmStartGap(mm, vma))) {
      return hint;
    }
  }
  // vm_unmapped_area() with align_mask = size - PAGE_SIZE: a gap of len + align_mask, then the
  // start aligned down (top-down) or up (bottom-up) inside it.
  const padded = len + size - PAGE_SIZE;
  if (!mm.legacyLayout) {
    const r = unmappedAreaTopdown(mm, padded);
    if (r >= 0) return Math.floor((r + padded - len) / size) * size;
  }
  const b = unmappedAreaBottomup(mm, padded);
  if (b < 0) return b;
  return Math.ceil(b / size) * size;
}
