// Linux x86-64 user ABI constants the address space speaks: mmap/mprotect/mremap/madvise
// arguments, page geometry, the default layout and errno values (include/uapi/asm-generic/mman*.h,
// arch/x86/include/asm/page_64_types.h, include/uapi/asm-generic/errno-base.h).

/** Kernel `PAGE_SHIFT` (x86-64, 4 KiB pages). */
export const PAGE_SHIFT = 12;
/** Kernel `PAGE_SIZE`. */
export const PAGE_SIZE = 4096;
/** Kernel `PMD_SIZE`: the 2 MiB huge-page size used for THP alignment of anonymous mappings. */
export const PMD_SIZE = 0x200000;

/** `PROT_NONE`. */
export const PROT_NONE = 0x0;
/** `PROT_READ`. */
export const PROT_READ = 0x1;
/** `PROT_WRITE`. */
export const PROT_WRITE = 0x2;
/** `PROT_EXEC`. */
export const PROT_EXEC = 0x4;
/** `PROT_SEM` (accepted by mmap and mprotect on x86, no effect). */
export const PROT_SEM = 0x8;
/** `PROT_GROWSDOWN`: mprotect extends the change down to the start of a growsdown VMA. */
export const PROT_GROWSDOWN = 0x01000000;
/** `PROT_GROWSUP` (not supported on x86: EINVAL in mprotect). */
export const PROT_GROWSUP = 0x02000000;

/** `MAP_SHARED`. */
export const MAP_SHARED = 0x01;
/** `MAP_PRIVATE`. */
export const MAP_PRIVATE = 0x02;
/** `MAP_SHARED_VALIDATE`: MAP_SHARED that rejects unknown flags (EINVAL for anonymous memory). */
export const MAP_SHARED_VALIDATE = 0x03;
/** `MAP_DROPPABLE`. */
export const MAP_DROPPABLE = 0x08;
/** `MAP_TYPE`: the mask of the sharing type. */
export const MAP_TYPE = 0x0f;
/** `MAP_FIXED`. */
export const MAP_FIXED = 0x10;
/** `MAP_ANONYMOUS`. */
export const MAP_ANONYMOUS = 0x20;
/** `MAP_32BIT` (x86). */
export const MAP_32BIT = 0x40;
/** `MAP_GROWSDOWN`. */
export const MAP_GROWSDOWN = 0x0100;
/** `MAP_DENYWRITE` (ignored). */
export const MAP_DENYWRITE = 0x0800;
/** `MAP_EXECUTABLE` (ignored). */
export const MAP_EXECUTABLE = 0x1000;
/** `MAP_LOCKED`. */
export const MAP_LOCKED = 0x2000;
/** `MAP_NORESERVE`. */
export const MAP_NORESERVE = 0x4000;
/** `MAP_POPULATE`. */
export const MAP_POPULATE = 0x8000;
/** `MAP_NONBLOCK`. */
export const MAP_NONBLOCK = 0x10000;
/** `MAP_STACK` (no effect on placement here). */
export const MAP_STACK = 0x20000;
/** `MAP_HUGETLB`. */
export const MAP_HUGETLB = 0x40000;
/** `MAP_SYNC`. */
export const MAP_SYNC = 0x80000;
/** `MAP_FIXED_NOREPLACE`: like MAP_FIXED but EEXIST instead of replacing. */
export const MAP_FIXED_NOREPLACE = 0x100000;

/** `MREMAP_MAYMOVE`. */
export const MREMAP_MAYMOVE = 1;
/** `MREMAP_FIXED`. */
export const MREMAP_FIXED = 2;
/** `MREMAP_DONTUNMAP`. */
export const MREMAP_DONTUNMAP = 4;

/** `MADV_NORMAL`. */
export const MADV_NORMAL = 0;
/** `MADV_RANDOM`. */
export const MADV_RANDOM = 1;
/** `MADV_SEQUENTIAL`. */
export const MADV_SEQUENTIAL = 2;
/** `MADV_WILLNEED`. */
export const MADV_WILLNEED = 3;
/** `MADV_DONTNEED`. */
export const MADV_DONTNEED = 4;
/** `MADV_HUGEPAGE`. */
export const MADV_HUGEPAGE = 14;
/** `MADV_NOHUGEPAGE`. */
export const MADV_NOHUGEPAGE = 15;
/** `MADV_DONTDUMP`. */
export const MADV_DONTDUMP = 16;
/** `MADV_DODUMP`. */
export const MADV_DODUMP = 17;
/** `MADV_DONTFORK`. */
export const MADV_DONTFORK = 10;
/** `MADV_DOFORK`. */
export const MADV_DOFORK = 11;
/** `MADV_WIPEONFORK`. */
export const MADV_WIPEONFORK = 18;
/** `MADV_KEEPONFORK`. */
export const MADV_KEEPONFORK = 19;

/** `EPERM`. */
export const EPERM = 1;
/** `EBADF`. */
export const EBADF = 9;
/** `EAGAIN`. */
export const EAGAIN = 11;
/** `ENOMEM`. */
export const ENOMEM = 12;
/** `EACCES`. */
export const EACCES = 13;
/** `EFAULT`. */
export const EFAULT = 14;
/** `EEXIST`. */
export const EEXIST = 17;
/** `EINVAL`. */
export const EINVAL = 22;
/** `EOVERFLOW`. */
export const EOVERFLOW = 75;

/** errno value → name, for messages and trace comparison. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [EPERM]: "EPERM",
  [EBADF]: "EBADF",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES",
  [EFAULT]: "EFAULT",
  [EEXIST]: "EEXIST",
  [EINVAL]: "EINVAL",
  [EOVERFLOW]: "EOVERFLOW",
  // File and msync errnos (declared at the end of this file; literal keys avoid the TDZ).
  2: "ENOENT",
  16: "EBUSY",
  19: "ENODEV",
  95: "EOPNOTSUPP",
});

/** x86-64 4-level paging `TASK_SIZE`: user space ends here. */
export const TASK_SIZE_64 = 0x7ffffffff000;
/** The default `mmap_base` with ADDR_NO_RANDOMIZE and an 8 MiB stack rlimit (linux-mm.md §2). */
export const DEFAULT_MMAP_BASE = 0x7ffff7fff000;
/** Kernel default `stack_guard_gap`: 256 pages. */
export const DEFAULT_STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** Default `RLIMIT_STACK` soft limit: 8 MiB. */
export const DEFAULT_RLIMIT_STACK = 8 * 1024 * 1024;
/** Default `vm.mmap_min_addr`. */
export const DEFAULT_MMAP_MIN_ADDR = 4096;
/** Default `vm.max_map_count`. */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** 2^64, the modulus of C `unsigned long` arithmetic (as a double; only used in comparisons). */
export const U64_MODULUS = 2 ** 64;

// File mappings, msync, mincore and THP (file-syscalls.ts, msync.ts, mincore.ts, thp.ts).

/** `ENOENT`. */
export const ENOENT = 2;
/** `EBUSY`. */
export const EBUSY = 16;
/** `ENODEV`. */
export const ENODEV = 19;
/** `EOPNOTSUPP`. */
export const EOPNOTSUPP = 95;
/** `MS_ASYNC`. */
export const MS_ASYNC = 1;
/** `MS_INVALIDATE`. */
export const MS_INVALIDATE = 2;
/** `MS_SYNC`. */
export const MS_SYNC = 4;
/** `MADV_COLLAPSE`: synchronous collapse into transparent huge pages. */
export const MADV_COLLAPSE = 25;
/** Kernel `HPAGE_PMD_NR`: base pages in one PMD-mapped huge page. */
export const HPAGE_PMD_NR = PMD_SIZE / PAGE_SIZE;
/** Kernel `MAX_LFS_FILESIZE` (`LLONG_MAX`), as a bigint. */
export const MAX_LFS_FILESIZE = 2n ** 63n - 1n;
/** Kernel `LEGACY_MAP_MASK`: the flags MAP_SHARED_VALIDATE accepts for a file without MAP_SYNC. */
export const LEGACY_MAP_MASK =
  MAP_SHARED |
  MAP_PRIVATE |
  MAP_FIXED |
  MAP_ANONYMOUS |
  MAP_DENYWRITE |
  MAP_EXECUTABLE |
  0x4000000 |
  MAP_GROWSDOWN |
  MAP_LOCKED |
  MAP_NORESERVE |
  MAP_POPULATE |
  MAP_NONBLOCK |
  MAP_STACK |
  MAP_HUGETLB;
