// Where a mapping goes when the caller does not fix the address (kernel mm/mmap.c
// `__get_unmapped_area()`, arch/x86 `arch_get_unmapped_area_topdown()`, mm/vma.c
// `unmapped_area_topdown()`, mm/huge_memory.c `__thp_get_unmapped_area()`), as observed in
// linux-mm.md §6.6–6.7:
//   - the highest gap below mmap_base that fits, the mapping at its top;
//   - a growsdown VMA counts as starting stack_guard_gap lower;
//   - a free hint is used as is, an occupied one falls back to the plain search;
//   - private anonymous mappings of a 2 MiB multiple without hint are THP aligned by searching
//     len + 2 MiB and taking the highest aligned start in that gap;
//   - when nothing fits below mmap_base, the lowest gap above TASK_SIZE / 3 (x86 bottom-up);
//   - MAP_32BIT, and every search of the legacy layout, go bottom-up (arch_get_unmapped_area(),
//     find_start_end()): the lowest fit in [0x40000000, 0x80000000) for MAP_32BIT, in
//     [mmap_base, TASK_SIZE) for the legacy layout; a hint must fit below the range's end.
// The gap search itself is VmaTree.emptyAreaRev (the only tree access here).

import {
  EINVAL,
  ENOMEM,
  MAP_32BIT,
  MAP_FIXED,
  MAP_SHARED,
  PAGE_SIZE,
  PMD_SIZE,
} from "./constants.js";
import type { MmStruct } from "./mm.js";
import { VM_GROWSDOWN } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** Kernel `vm_start_gap()`: where a VMA begins for placement purposes. */
export function vmStartGap(mm: MmStruct, vma: Vma): number {
  if ((vma.flags & VM_GROWSDOWN) === 0) return vma.start;
  return Math.max(0, vma.start - mm.stackGuardGap);
}

/**
 * Kernel `unmapped_area_topdown()` with `low_limit = max(PAGE_SIZE, mmap_min_addr)` and
 * `high_limit = mmap_base`: the start of the highest fitting gap's top `length` bytes, or
 * `-ENOMEM`.
 */
export function unmappedAreaTopdown(mm: MmStruct, length: number): number {
  const low = Math.max(PAGE_SIZE, mm.mmapMinAddr);
  let high = mm.mmapBase;
  for (;;) {
    if (high <= low) return -ENOMEM;
    const w = mm.tree.emptyAreaRev(low, high - 1, length);
    if (w === null) return -ENOMEM;
    const gapEnd = w.last + 1;
    const next = mm.tree.find(gapEnd);
    if (next !== null && (next.flags & VM_GROWSDOWN) !== 0) {
      const sg = vmStartGap(mm, next);
      if (sg < gapEnd) {
        high = sg;
        continue;
      }
    }
    return gapEnd - length;
  }
}

/**
 * Kernel `unmapped_area()` as x86's bottom-up `arch_get_unmapped_area()` calls it when the
 * top-down search fails: the lowest fitting gap in `[mmap_legacy_base, TASK_SIZE)`, where
 * `mmap_legacy_base = PAGE_ALIGN(TASK_SIZE / 3)` without randomisation. A growsdown VMA above
 * the gap still counts from its guard gap.
 */
export function unmappedAreaBottomup(
  mm: MmStruct,
  length: number,
  lowIn = Math.ceil(mm.taskSize / 3 / PAGE_SIZE) * PAGE_SIZE,
  high = mm.taskSize,
): number {
  let low = Math.max(lowIn, mm.mmapMinAddr);
  if (length > high - low) return -ENOMEM;
  for (;;) {
    if (high <= low) return -ENOMEM;
    const w = mm.tree.emptyArea(low, high - 1, length);
    if (w === null) return -ENOMEM;
    const gap = w.index;
    const next = mm.tree.find(gap + length);
    if (
      next !== null &&
      (next.flags & VM_GROWSDOWN) !== 0 &&
      vmStartGap(mm, next) < gap + length - 1
    ) {
      low = next.end;
      continue;
    }
    return gap;
  }
}

/** x86 `find_start_end()`: the bottom-up search range of MAP_32BIT or the legacy layout. */
function bottomupRange(mm: MmStruct, flags: number): [number, number] {
  if ((flags & MAP_32BIT) !== 0) return [0x40000000, 0x80000000];
  return [mm.mmapBase, mm.taskSize];
}

/**
 * x86 `arch_get_unmapped_area()` (bottom-up, MAP_32BIT or the legacy layout): a free hint below
 * the range's end, else the lowest fit; 2 MiB multiples without hint get THP alignment (a
 * top-down mm still adds a whole 2 MiB to an aligned fit, as `__thp_get_unmapped_area()` does).
 */
function bottomupArea(
  mm: MmStruct,
  addr: number,
  len: number,
  flags: number,
  thp: boolean,
): number {
  const [lo, hi] = bottomupRange(mm, flags);
  if (len > hi) return -ENOMEM;
  if (addr !== 0) {
    const hint = Math.ceil(addr / PAGE_SIZE) * PAGE_SIZE;
    const vma = mm.tree.find(hint);
    if (hi - len >= hint && (vma === null || hint + len <= vmStartGap(mm, vma))) return hint;
  }
  if (thp && addr === 0) {
    const padded = unmappedAreaBottomup(mm, len + PMD_SIZE, lo, hi);
    if (padded >= 0) {
      const sub = (PMD_SIZE - (padded % PMD_SIZE)) % PMD_SIZE;
      return sub === 0 && !mm.legacyLayout ? padded + PMD_SIZE : padded + sub;
    }
  }
  return unmappedAreaBottomup(mm, len, lo, hi);
}

/** x86 `arch_get_unmapped_area_topdown()` without hint: top-down, else bottom-up. */
function searchArea(mm: MmStruct, len: number): number {
  const r = unmappedAreaTopdown(mm, len);
  return r >= 0 ? r : unmappedAreaBottomup(mm, len);
}

/** x86 `mmap_address_hint_valid()` plus the free-range test of the hint. */
function hintUsable(mm: MmStruct, addr: number, len: number): boolean {
  if (mm.taskSize - len < addr) return false;
  const vma = mm.tree.find(addr);
  return vma === null || addr + len <= vmStartGap(mm, vma);
}

/**
 * Kernel `__get_unmapped_area()` for anonymous memory (mmap and mremap moves): the address to
 * map `len` bytes at, or `-errno`. MAP_SHARED (shmem with shmem_enabled=never) and file-backed
 * VMAs (`file`) get no THP alignment.
 */
export function getUnmappedArea(
  mm: MmStruct,
  addr: number,
  len: number,
  flags: number,
  file = false,
): number {
  if (len > mm.taskSize) return -ENOMEM;
  let ret: number;
  const thp = !file && (flags & MAP_SHARED) === 0 && len % PMD_SIZE === 0;
  if ((flags & MAP_FIXED) !== 0) {
    ret = addr;
  } else if ((flags & MAP_32BIT) !== 0 || mm.legacyLayout) {
    ret = bottomupArea(mm, addr, len, flags, thp);
    if (ret < 0) return ret;
  } else {
    if (addr !== 0) {
      const hint = addr - (addr % PAGE_SIZE);
      if (hintUsable(mm, hint, len)) return hint;
    }
    ret = -ENOMEM;
    if (thp && addr === 0) {
      // __thp_get_unmapped_area(): search len + 2 MiB, then move up to the next 2 MiB boundary
      // (a whole 2 MiB when already aligned, since the mm is top-down). From a top-down gap this
      // is the highest aligned start below gap_end - len.
      const padded = searchArea(mm, len + PMD_SIZE);
      if (padded >= 0) {
        const sub = (PMD_SIZE - (padded % PMD_SIZE)) % PMD_SIZE;
        ret = sub === 0 ? padded + PMD_SIZE : padded + sub;
      }
    }
    if (ret < 0) ret = searchArea(mm, len);
    if (ret < 0) return ret;
  }
  if (ret > mm.taskSize - len) return -ENOMEM;
  if (ret % PAGE_SIZE !== 0) return -EINVAL;
  return ret;
}
