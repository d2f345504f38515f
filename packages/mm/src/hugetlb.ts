// MAP_HUGETLB anonymous memory over the machine's pool of huge pages (kernel mm/hugetlb.c,
// fs/hugetlbfs/inode.c), as recorded on 6.18 with a pool of 2 MiB pages:
//   - each mmap makes an unlinked hugetlbfs file, shown as "/anon_hugepage (deleted)" on the
//     hugetlbfs mount of its page size; the length is rounded up to whole huge pages, a MAP_FIXED
//     address and the offset must be huge aligned (EINVAL), placement is huge aligned;
//   - the VMA is VM_HUGETLB | VM_DONTEXPAND (smaps `ht de`, never merges, never charged to
//     overcommit); MAP_NORESERVE adds VM_NORESERVE (`nr`) whatever the overcommit mode;
//   - without MAP_NORESERVE the pages are reserved from the pool at mmap (ENOMEM when it cannot
//     cover them); a fault takes a reserved page, or any free one, else SIGBUS; a read faults a
//     page in as a write does (hugetlb has no zero page);
//   - a split at an address off the huge page size is refused with EINVAL (munmap, mprotect,
//     madvise...: `hugetlb_vm_op_split`); mremap needs huge aligned addresses and cannot grow;
//   - unmapping a private range gives its pages and reservations back to the pool; a shared file
//     keeps them until its last mapper is gone.
// The pool is MmSystem.hugePages (free 2 MiB pages) less MmSystem.hugeReserved; 1 GiB pages have
// no pool (a reserved 1 GiB mapping gives ENOMEM, a MAP_NORESERVE one maps and faults SIGBUS).
// Not modelled: MADV_DONTNEED/FREE/REMOVE freeing huge pages, surplus pages
// (nr_overcommit_hugepages), hugetlbfs files opened by path, MFD_HUGETLB.

import {
  EINVAL,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PAGE_SIZE,
  PMD_SIZE,
} from "./constants.js";
import type { MmStruct } from "./mm.js";
import type { MmSystem } from "./sysctl.js";
import { VM_HUGETLB } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** 1 GiB, the gigantic page size (`MAP_HUGE_1GB`). */
export const HUGE_1G = 1024 * 1024 * 1024;

/** `major:minor` of the internal hugetlbfs mount of each page size, as on the recording machine. */
const HUGETLB_DEV: Readonly<Record<number, string>> = { [PMD_SIZE]: "00:11", [HUGE_1G]: "00:12" };

/** The unlinked hugetlbfs file behind one MAP_HUGETLB mmap (kernel `hugetlb_file_setup()`). */
export class HugetlbFile {
  /** Inode number shown in /proc maps. */
  readonly ino: number;
  /** Huge page size in bytes. */
  readonly hugeSize: number;
  /** Made by a MAP_SHARED mmap (its pages are shared by every mapper, fork included). */
  readonly shared: boolean;
  /** Huge pages (index in the file) faulted in: each holds one page taken from the pool. */
  readonly present = new Set<number>();
  /** Huge pages (index in the file) reserved at mmap and not faulted in yet. */
  readonly reserved = new Set<number>();
  /** First u64 of each written base page, by page index in the file. Absent = zero. */
  readonly values = new Map<number, number>();
  /** The mms mapping a shared file: its pages go back to the pool with the last one. */
  readonly mappers = new Set<MmStruct>();
  /** Present pages a fork child copied from its parent: not taken from the pool. */
  readonly uncharged = new Set<number>();

  constructor(ino: number, hugeSize: number, shared: boolean) {
    this.ino = ino;
    this.hugeSize = hugeSize;
    this.shared = shared;
  }

  /** `major:minor` of its hugetlbfs mount. */
  get dev(): string {
    return HUGETLB_DEV[this.hugeSize] ?? "00:11";
  }

  /** The name column of /proc maps. */
  get mapsName(): string {
    return "/anon_hugepage (deleted)";
  }

  /** The huge page holding base page `pgoff` of the file. */
  hugeIndex(pgoff: number): number {
    return Math.floor((pgoff * PAGE_SIZE) / this.hugeSize);
  }

  /**
   * A fork child's copy of a private file: the child sees the pages present now (kernel
   * `copy_hugetlb_page_range()` shares them copy-on-write; the model copies them and does not
   * charge the pool for the copies), and holds no reservation of the parent's.
   */
  forkCopy(): HugetlbFile {
    // The same inode in /proc maps: it is one file; only the private pages are per process.
    const c = new HugetlbFile(this.ino, this.hugeSize, false);
    for (const i of this.present) {
      c.present.add(i);
      c.uncharged.add(i);
    }
    for (const [k, v] of this.values) c.values.set(k, v);
    return c;
  }
}

/** The huge page size of a hugetlb VMA (0 for any other VMA). */
export function hugeSizeOf(vma: Vma): number {
  return vma.file instanceof HugetlbFile ? vma.file.hugeSize : 0;
}

/**
 * Kernel `hugetlb_vm_op_split()` (the VMA's `may_split`): 0 when `vma` may be split at `addr`,
 * -EINVAL when it is a hugetlb VMA and `addr` is off its huge page size.
 */
export function hugetlbMaySplit(vma: Vma, addr: number): number {
  if ((vma.flags & VM_HUGETLB) === 0) return 0;
  const size = hugeSizeOf(vma);
  return size !== 0 && addr % size !== 0 ? -EINVAL : 0;
}

/** Huge pages the pool can still hand out (free pages not held by a reservation). */
function available(sys: MmSystem): number {
  return sys.hugePages - sys.hugeReserved;
}

/**
 * Kernel `hugetlb_reserve_pages()` for a new mapping of huge pages `[first, first + n)` of `file`:
 * true and the pages reserved, or false (nothing changed) when the pool cannot cover them.
 */
export function hugetlbReserve(
  sys: MmSystem,
  file: HugetlbFile,
  first: number,
  n: number,
): boolean {
  if (file.hugeSize !== PMD_SIZE || available(sys) < n) return false;
  for (let i = first; i < first + n; i++) file.reserved.add(i);
  sys.hugeReserved += n;
  return true;
}

/** Kernel `hugetlb_no_page()`: faults huge page `idx` of `file` in; false = SIGBUS (no page). */
function hugetlbTake(sys: MmSystem, file: HugetlbFile, idx: number): boolean {
  if (file.present.has(idx)) return true;
  if (file.reserved.delete(idx)) sys.hugeReserved--;
  else if (file.hugeSize !== PMD_SIZE || available(sys) <= 0) return false;
  sys.hugePages--;
  file.present.add(idx);
  return true;
}

/** A fault of the base page at `page` of the hugetlb VMA `vma`: 0 or SIGBUS. */
export function hugetlbFault(
  mm: MmStruct,
  vma: Vma,
  file: HugetlbFile,
  page: number,
  write: boolean,
  value: number,
): 0 | "SIGBUS" {
  const pgoff = vma.pgoffAt(page);
  if (!hugetlbTake(mm.system, file, file.hugeIndex(pgoff))) return "SIGBUS";
  if (write) file.values.set(pgoff, value);
  return 0;
}

/**
 * What a read of the base page at `page` of the hugetlb VMA `vma` returns, without changing
 * anything: its value when present; 0 when the fault would get a page (a reservation, or a free
 * page of the pool); SIGBUS when it would not.
 */
export function hugetlbPeek(
  mm: MmStruct,
  vma: Vma,
  file: HugetlbFile,
  page: number,
): number | "SIGBUS" {
  const pgoff = vma.pgoffAt(page);
  const idx = file.hugeIndex(pgoff);
  if (file.present.has(idx)) return file.values.get(pgoff) ?? 0;
  if (file.reserved.has(idx)) return 0;
  return file.hugeSize === PMD_SIZE && available(mm.system) > 0 ? 0 : "SIGBUS";
}

/** Gives every page and reservation of `file` whose huge page index passes `gone` back to the pool. */
function releaseIf(sys: MmSystem, file: HugetlbFile, gone: (i: number) => boolean): void {
  for (const i of [...file.present]) {
    if (!gone(i)) continue;
    file.present.delete(i);
    if (!file.uncharged.delete(i)) sys.hugePages++;
  }
  for (const i of [...file.reserved]) {
    if (!gone(i)) continue;
    file.reserved.delete(i);
    sys.hugeReserved--;
  }
  const pph = file.hugeSize / PAGE_SIZE;
  for (const k of [...file.values.keys()]) if (gone(Math.floor(k / pph))) file.values.delete(k);
}

/** Gives back everything `file` holds (a file no VMA maps any more). */
export function hugetlbRelease(sys: MmSystem, file: HugetlbFile): void {
  releaseIf(sys, file, () => true);
}

/**
 * After an unmap (munmap, a MAP_FIXED overlay, mremap, exit) that removed VMAs of `files` from
 * `mm`: a private file gives back every page and reservation no VMA of `mm` maps any more (kernel
 * `__unmap_hugepage_range()` + `hugetlb_vm_op_close()`; an mremap move keeps the pages, whose new
 * VMA maps the same file offsets); a shared file that `mm` no longer maps loses it as a mapper,
 * and with its last mapper gives everything back (the unlinked inode is evicted).
 */
export function hugetlbForget(mm: MmStruct, files: Iterable<HugetlbFile>): void {
  for (const file of files) {
    const mapped: [number, number][] = [];
    for (const v of mm.tree) {
      if (v.file === file) mapped.push([file.hugeIndex(v.pgoff), file.hugeIndex(v.pgoffAt(v.end))]);
    }
    if (file.shared) {
      if (mapped.length > 0) continue;
      file.mappers.delete(mm);
      if (file.mappers.size === 0) hugetlbRelease(mm.system, file);
      continue;
    }
    const unmapped = (i: number) => !mapped.some(([lo, hi]) => i >= lo && i < hi);
    releaseIf(mm.system, file, unmapped);
  }
}

/** The smaps counters of a hugetlb VMA, in kB (kernel `smaps_hugetlb_range()`). */
export function hugetlbSmaps(vma: Vma): { pageKb: number; sharedKb: number; privateKb: number } {
  const file = vma.file;
  if (!(file instanceof HugetlbFile)) return { pageKb: 4, sharedKb: 0, privateKb: 0 };
  const lo = file.hugeIndex(vma.pgoff);
  const hi = file.hugeIndex(vma.pgoffAt(vma.end));
  let n = 0;
  for (const i of file.present) if (i >= lo && i < hi) n++;
  const kb = (n * file.hugeSize) / 1024;
  // A page mapped by more than one process counts as shared (folio_likely_mapped_shared()).
  const sharedPages = file.shared && file.mappers.size > 1;
  return {
    pageKb: file.hugeSize / 1024,
    sharedKb: sharedPages ? kb : 0,
    privateKb: sharedPages ? 0 : kb,
  };
}

/**
 * The MAP_TYPE of a MAP_HUGETLB mmap as the file branch of `do_mmap()` takes it: shared (MAP_SHARED
 * or MAP_SHARED_VALIDATE), private, or -EINVAL (MAP_DROPPABLE and the rest).
 */
export function hugetlbShared(flags: number): boolean | number {
  const type = flags & MAP_TYPE;
  if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) return true;
  if (type === MAP_PRIVATE) return false;
  return -EINVAL;
}
