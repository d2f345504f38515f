// munmap (kernel mm/vma.c `do_vmi_munmap()` / `do_vmi_align_munmap()` /
// `vms_gather_munmap_vmas()`): split the VMAs at the range ends, remove everything inside, drop
// the pages and guard markers. Holes are fine; nothing is merged afterwards (linux-mm.md §6.2,
// §6.3). Before anything is removed the gather step refuses a range that would split one VMA in
// three at max_map_count (ENOMEM) or that holds a sealed VMA (EPERM, after the first split).

import { EINVAL, ENOMEM, EPERM, PAGE_SIZE } from "./constants.js";
import { HugetlbFile, hugetlbForget, hugetlbMaySplit } from "./hugetlb.js";
import type { MmStruct } from "./mm.js";
import { isSealed } from "./mseal.js";
import { dropPages } from "./pages.js";
import { splitVma } from "./split.js";
import { thpZap } from "./thp.js";
import type { Vma } from "./vma.js";
import { pageAlign } from "./vma.js";

const scratch: Vma[] = [];

/** Drops the guard markers of `[start, end)`. */
export function dropGuards(mm: MmStruct, start: number, end: number): void {
  const g = mm.guards;
  if (g.size === 0) return;
  const lo = start / PAGE_SIZE;
  const hi = end / PAGE_SIZE;
  if (hi - lo <= g.size) {
    for (let p = lo; p < hi; p++) g.delete(p);
    return;
  }
  for (const p of g) if (p >= lo && p < hi) g.delete(p);
}

/**
 * Removes every mapping in the page-aligned range `[start, end)`: the VMAs at the ends are split
 * there, then one clear of the whole range (kernel `vms_complete_munmap_vmas()`); the pages, huge
 * pages and guard markers of the range go with them.
 */
export function unmapRange(mm: MmStruct, start: number, end: number): void {
  // The scratch list stays valid while splitting: splits and clears never call range().
  const victims = mm.tree.range(start, end, scratch);
  if (victims.length === 0) return;
  const first = victims[0] as Vma;
  if (first.start < start) victims[0] = splitVma(mm.tree, first, start);
  const last = victims[victims.length - 1] as Vma;
  if (last.end > end) splitVma(mm.tree, last, end);
  const huge = mm.anyHugetlb ? hugetlbVictims(victims) : null;
  mm.tree.clear(start, end);
  for (let i = 0; i < victims.length; i++) mm.tree.forget(victims[i] as Vma);
  if (huge !== null) hugetlbForget(mm, huge);
  dropPages(mm.pages, start / PAGE_SIZE, end / PAGE_SIZE);
  thpZap(mm, start, end, true);
  dropGuards(mm, start, end);
}

/**
 * Kernel `vms_gather_munmap_vmas()`'s refusals for `[start, end)`: -ENOMEM when the first VMA
 * would be split in three at max_map_count, -EPERM when a VMA of the range is sealed (the first
 * VMA is split at `start` by then, and stays split), -EINVAL when a hugetlb VMA would be split
 * off its huge page size (at the end: after the start split). 0 when the unmap may go on.
 */
export function munmapGather(mm: MmStruct, start: number, end: number): number {
  if (!mm.anySealed && !mm.anyHugetlb && mm.tree.count < mm.maxMapCount) return 0;
  const first = mm.tree.findIntersection(start, end);
  if (first === null) return 0;
  if (start > first.start) {
    if (end < first.end && mm.tree.count >= mm.maxMapCount) return -ENOMEM;
    if (isSealed(first)) return -EPERM;
    const e = hugetlbMaySplit(first, start);
    if (e !== 0) return e;
    splitVma(mm.tree, first, start);
  }
  if (mm.anySealed) for (const v of mm.tree.range(start, end)) if (isSealed(v)) return -EPERM;
  if (mm.anyHugetlb) {
    // The end split of a hugetlb VMA off its huge page size fails after the start split.
    const last = mm.tree.lookup(end - 1);
    if (last !== null && last.end > end) {
      const e = hugetlbMaySplit(last, end);
      if (e !== 0) return e;
    }
  }
  return 0;
}

/** The hugetlb files of `victims` (hugetlbForget settles their pages once the range is gone). */
function hugetlbVictims(victims: readonly Vma[]): Set<HugetlbFile> {
  const files = new Set<HugetlbFile>();
  for (const v of victims) if (v.file instanceof HugetlbFile) files.add(v.file);
  return files;
}

/** Splits the VMAs straddling `start` and `end` (what a failed mmap leaves behind). */
export function splitRangeEnds(mm: MmStruct, start: number, end: number): void {
  const a = mm.tree.lookup(start);
  if (a !== null && a.start < start) splitVma(mm.tree, a, start);
  const b = mm.tree.lookup(end - 1);
  if (b !== null && b.end > end) splitVma(mm.tree, b, end);
}

/** Kernel `do_vmi_munmap()` of a checked, page-aligned range: 0 or -errno. */
export function munmapChecked(mm: MmStruct, start: number, end: number): number {
  const err = munmapGather(mm, start, end);
  if (err < 0) return err;
  unmapRange(mm, start, end);
  return 0;
}

/** `munmap(2)` (kernel `__vm_munmap()`): 0 or `-errno`. */
export function doMunmap(mm: MmStruct, start: number, len: number): number {
  if (start % PAGE_SIZE !== 0 || start > mm.taskSize || len > mm.taskSize - start) return -EINVAL;
  const end = start + pageAlign(len);
  if (end === start) return -EINVAL;
  return munmapChecked(mm, start, end);
}
