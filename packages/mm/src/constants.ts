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

/** `MADV_FREE`: lazily free private anonymous pages (kept until memory pressure). */
export const MADV_FREE = 8;
/** `MADV_REMOVE`: punch a hole in the backing shmem. */
export const MADV_REMOVE = 9;
/** `MADV_MERGEABLE` (KSM). */
export const MADV_MERGEABLE = 12;
/** `MADV_UNMERGEABLE` (KSM). */
export const MADV_UNMERGEABLE = 13;
/** `MADV_COLD`. */
export const MADV_COLD = 20;
/** `MADV_PAGEOUT`. */
export const MADV_PAGEOUT = 21;
/** `MADV_POPULATE_READ`. */
export const MADV_POPULATE_READ = 22;
/** `MADV_POPULATE_WRITE`. */
export const MADV_POPULATE_WRITE = 23;
/** `MADV_DONTNEED_LOCKED`. */
export const MADV_DONTNEED_LOCKED = 24;
/** `MADV_COLLAPSE`. */
export const MADV_COLLAPSE = 25;
/** `MADV_HWPOISON` (EINVAL: the oracle kernel has no CONFIG_MEMORY_FAILURE). */
export const MADV_HWPOISON = 100;
/** `MADV_SOFT_OFFLINE` (EINVAL, as MADV_HWPOISON). */
export const MADV_SOFT_OFFLINE = 101;
/** `MADV_GUARD_INSTALL`: later accesses to the range raise SIGSEGV. */
export const MADV_GUARD_INSTALL = 102;
/** `MADV_GUARD_REMOVE`. */
export const MADV_GUARD_REMOVE = 103;

/** `MLOCK_ONFAULT` (mlock2 flag). */
export const MLOCK_ONFAULT = 1;
/** `MCL_CURRENT` (mlockall). */
export const MCL_CURRENT = 1;
/** `MCL_FUTURE` (mlockall). */
export const MCL_FUTURE = 2;
/** `MCL_ONFAULT` (mlockall). */
export const MCL_ONFAULT = 4;

/** `MAP_HUGE_SHIFT`: where MAP_HUGETLB's log2 page size sits in the flags. */
export const MAP_HUGE_SHIFT = 26;
/** `MAP_HUGE_MASK`. */
export const MAP_HUGE_MASK = 0x3f;

/** `RLIMIT_DATA`. */
export const RLIMIT_DATA = 2;
/** `RLIMIT_STACK`. */
export const RLIMIT_STACK = 3;
/** `RLIMIT_MEMLOCK`. */
export const RLIMIT_MEMLOCK = 8;
/** `RLIMIT_AS`. */
export const RLIMIT_AS = 9;
/** `RLIM_NLIMITS`: resources 0..15 exist. */
export const RLIM_NLIMITS = 16;
/** `RLIM_INFINITY` (as the u64 the kernel stores). */
export const RLIM_INFINITY = 0xffffffffffffffffn;

/** `ADDR_COMPAT_LAYOUT` personality bit: the legacy bottom-up mmap layout from the next exec. */
export const ADDR_COMPAT_LAYOUT = 0x0200000;
/** `ADDR_NO_RANDOMIZE` personality bit (the model never randomises). */
export const ADDR_NO_RANDOMIZE = 0x0040000;

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
/** `EOPNOTSUPP`. */
export const EOPNOTSUPP = 95;

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
  [EOPNOTSUPP]: "EOPNOTSUPP",
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
/** Default `RLIMIT_MEMLOCK`: 8 MiB (kernel `MLOCK_LIMIT`), soft and hard. */
export const DEFAULT_RLIMIT_MEMLOCK = 8 * 1024 * 1024;
/** x86-64 `TASK_UNMAPPED_BASE` without randomisation: the legacy layout's mmap base. */
export const TASK_UNMAPPED_BASE = Math.ceil(TASK_SIZE_64 / 3 / PAGE_SIZE) * PAGE_SIZE;
/** Kernel `vm.overcommit_ratio` default. */
export const DEFAULT_OVERCOMMIT_RATIO = 50;
/** Default MemTotal of the model (bytes): 16 GiB. */
export const DEFAULT_MEM_TOTAL = 16 * 1024 * 1024 * 1024;
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
/** `MS_ASYNC`. */
export const MS_ASYNC = 1;
/** `MS_INVALIDATE`. */
export const MS_INVALIDATE = 2;
/** `MS_SYNC`. */
export const MS_SYNC = 4;
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
