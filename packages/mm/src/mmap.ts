// mmap (kernel arch/x86 `sys_mmap`, mm/mmap.c `ksys_mmap_pgoff()` / `do_mmap()`, mm/vma.c
// `__mmap_region()`): argument checks in the kernel's order (linux-mm.md §7), placement,
// unmapping what a MAP_FIXED range covers, merging with the neighbours or a new VMA (a new shmem
// object for anonymous MAP_SHARED, the fd's file otherwise), then MAP_POPULATE.

import { int32 } from "./args.js";
import {
  EACCES,
  EBADF,
  EEXIST,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  LEGACY_MAP_MASK,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_STACK,
  MAP_TYPE,
  MAX_LFS_FILESIZE,
  PAGE_SIZE,
  PROT_WRITE,
  U64_MODULUS,
} from "./constants.js";
import { populateRange } from "./fault.js";
import { type FdEntry, type MemFile, OpenFile } from "./file.js";
import { mergeNewRange } from "./merge.js";
import type { MmStruct } from "./mm.js";
import { unmapRange } from "./munmap.js";
import { mmapPkey } from "./pkey.js";
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
 * replacing whatever was there. Returns the VMA now covering the range.
 */
export function mmapRegion(
  mm: MmStruct,
  addr: number,
  len: number,
  vmFlags: number,
  pgoff: number,
  file: MemFile | null = null,
): Vma {
  let flags = vmFlags;
  if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) flags |= VM_ACCOUNT;
  const end = addr + len;
  unmapRange(mm, addr, end);
  const prev = mm.tree.prevOf(addr);
  const next = mm.tree.find(end);
  const merged = mergeNewRange(mm.tree, prev, next, {
    start: addr,
    end,
    flags,
    pgoff,
    file,
    anonVma: null,
    anonVmaForked: false,
    name: null,
    foreignFlags: NO_FOREIGN,
  });
  if (merged !== null) return merged;
  const backing = file ?? ((flags & VM_SHARED) !== 0 ? mm.newShmem(len / PAGE_SIZE) : null);
  const vma = new Vma(addr, end, flags, pgoff, backing);
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
  if ((flags & MAP_ANONYMOUS) === 0) {
    file = mm.files.get(fd);
    if (file === null) return -EBADF;
    if ((flags & MAP_HUGETLB) !== 0) return -EINVAL;
  }
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
  vmFlags |= mmapPkey(mm, prot);
  addr = getUnmappedArea(mm, addr, len, flags, file !== null);
  if (addr < 0) return addr;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && mm.tree.findIntersection(addr, addr + len) !== null) {
    return -EEXIST;
  }
  if (file !== null) {
    const r = fileMmapFlags(file, off / PAGE_SIZE, len, prot, flags, vmFlags);
    if (r < 0) return r;
    const vf = (flags & MAP_NORESERVE) !== 0 ? r | VM_NORESERVE : r;
    const f = (file as OpenFile).file;
    mmapRegion(mm, addr, len, vf, off / PAGE_SIZE, f);
    f.mappers.add(mm);
    if ((flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE)
      populateRange(mm, addr, addr + len);
    return addr;
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
  mmapRegion(mm, addr, len, vmFlags, pgoff);
  if ((flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE) populateRange(mm, addr, addr + len);
  return addr;
}
