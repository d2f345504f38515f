// The VMA record (kernel `struct vm_area_struct`) and what it points at: the anon_vma identity
// (with whether it came through fork), the shmem object of shared anonymous memory, or an opaque
// file for VMAs loaded from a real /proc/<pid>/maps. Pure data plus the small predicates the
// split/merge code asks of a VMA; the address-space logic lives in the syscall files.

import { PAGE_SIZE } from "./constants.js";
import type { MemFile } from "./file.js";
import type { HugetlbFile } from "./hugetlb.js";
import { mapsPerms, vmFlagsToString } from "./vm-flags.js";

/** Kernel `struct anon_vma`, reduced to its identity: two VMAs share one iff `===`. */
export class AnonVma {
  /** Per-mm ordinal, for debugging and dumps. */
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
}

/**
 * A shmem object (the inode behind `/dev/zero (deleted)`): created by every MAP_SHARED|MAP_ANONYMOUS
 * mmap, shared by fork and by `mremap(old_len = 0)`. Its size never changes after creation
 * (linux-mm.md §6.5: growing a shared mapping leaves pages past the size raising SIGBUS).
 */
export class ShmemObject {
  /** The inode number shown in /proc maps. */
  readonly ino: number;
  /** Object size in pages (`i_size >> PAGE_SHIFT`). */
  readonly sizePages: number;
  /** Page contents by page index: the first u64 of each written page. Absent = zero. */
  readonly pages = new Map<number, number>();
  constructor(ino: number, sizePages: number) {
    this.ino = ino;
    this.sizePages = sizePages;
  }
}

/** A file mapping loaded from real /proc maps text: kept opaque, rendered as read. */
export class FileRef {
  constructor(
    /** `major:minor` as printed (`"fe:00"`). */
    readonly dev: string,
    /** Inode number as printed. */
    readonly ino: number,
    /** Path as printed. */
    readonly path: string,
  ) {}
}

/**
 * Kernel `vma->vm_file`: what backs a VMA (null = anonymous): shared anonymous memory, a file of
 * the in-memory file model, a MAP_HUGETLB hugetlbfs file, or an opaque file read from real /proc
 * maps.
 */
export type VmFile = ShmemObject | FileRef | MemFile | HugetlbFile;

/** Kernel `struct vm_area_struct`: `[start, end)` with flags, pgoff and backing. */
export class Vma {
  /** Kernel `vm_start` (inclusive, page aligned). */
  start: number;
  /** Kernel `vm_end` (exclusive, page aligned). */
  end: number;
  /** Kernel `vm_flags`, bits 0..30 (see vm-flags.ts). */
  flags: number;
  /** Kernel `vm_pgoff`: for private anonymous memory the hidden `start >> 12` at creation. */
  pgoff: number;
  /** Kernel `vm_file`: null for anonymous memory. */
  file: VmFile | null;
  /** Kernel `anon_vma`: null until the first write fault (or borrowed from a neighbour). */
  anonVma: AnonVma | null = null;
  /**
   * True when this VMA's `anon_vma_chain` holds more than one link, i.e. its anon_vma came
   * through fork (kernel `vma_had_uncowed_parents()`): such a VMA never merges with an
   * anon_vma-less neighbour.
   */
  anonVmaForked = false;
  /** Name of a VMA loaded from /proc maps that is not derived from state (`[stack]`, `[vdso]`...). */
  name: string | null = null;
  /**
   * True once the VMA was freed (kernel `vm_area_free()`): set through the mm's RCU domain, so a
   * reader inside a read-side section never sees a VMA it found turn freed under it.
   */
  freed = false;
  /** smaps mnemonics of flag bits above 30, kept from parsed text (compared by merges). */
  foreignFlags: readonly string[] = NO_FOREIGN;
  /**
   * The /proc maps line of a plain anonymous VMA as last rendered (proc-maps.ts), or null: one
   * field, so making and cloning VMAs (every split) costs one word more, not four.
   * @internal
   */
  mapsLine: MapsLineCache | null = null;

  constructor(start: number, end: number, flags: number, pgoff: number, file: VmFile | null) {
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.pgoff = pgoff;
    this.file = file;
  }

  /** Kernel `vma_pages()`. */
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }

  /** Kernel `vma_is_anonymous()`: no file and no vm_ops (shared anon has shmem ops). */
  get isAnonymous(): boolean {
    return this.file === null;
  }

  /** The page offset of `addr` in the backing object (kernel `linear_page_index()`). */
  pgoffAt(addr: number): number {
    return this.pgoff + (addr - this.start) / PAGE_SIZE;
  }

  /** smaps `VmFlags` line value. */
  get vmFlags(): string {
    return vmFlagsToString(this.flags, this.foreignFlags);
  }

  /** The shmem object, when this is shared anonymous memory. */
  get shmem(): ShmemObject | null {
    return this.file instanceof ShmemObject ? this.file : null;
  }

  /** Kernel `vm_area_dup()`: a copy of every field, anon_vma link included. */
  clone(): Vma {
    const v = new Vma(this.start, this.end, this.flags, this.pgoff, this.file);
    v.anonVma = this.anonVma;
    v.anonVmaForked = this.anonVmaForked;
    v.name = this.name;
    v.foreignFlags = this.foreignFlags;
    v.mapsLine = this.mapsLine;
    return v;
  }

  /** The `[start, end)` piece of this VMA as a new VMA (pgoff advanced), for splits. */
  slice(start: number, end: number): Vma {
    const v = this.clone();
    v.start = start;
    v.end = end;
    v.pgoff = this.pgoff + (start - this.start) / PAGE_SIZE;
    return v;
  }

  /** The perms column of /proc maps: `rwx` then `s` (VM_MAYSHARE) or `p`. */
  get perms(): string {
    return mapsPerms(this.flags);
  }
}

/**
 * A rendered maps line (newline included) and the start, end and perms bits it was rendered for:
 * valid while the VMA still has them (a plain anonymous VMA's line changes only with them).
 * Never changed once made, so clones may share it.
 */
export interface MapsLineCache {
  readonly line: string;
  readonly start: number;
  readonly end: number;
  readonly permBits: number;
}

/** The shared empty list of foreign flag names (most VMAs). */
export const NO_FOREIGN: readonly string[] = Object.freeze([]);

/** Kernel `PAGE_ALIGN()` on numbers (may exceed 2^53 for hostile lengths; callers check). */
export function pageAlign(x: number): number {
  return Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
}
