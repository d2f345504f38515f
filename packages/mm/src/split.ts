// VMA splitting (kernel mm/vma.c `split_vma()` / `__split_vma()`): a VMA cut at a page boundary
// becomes two VMAs that keep everything (flags, anon_vma and its fork status, backing object);
// the upper piece's pgoff advances by the pages below the cut (linux-mm.md §6.3).

import { ENOMEM } from "./constants.js";
import { hugetlbMaySplit } from "./hugetlb.js";
import { mergeExistingRange } from "./merge.js";
import type { MmStruct } from "./mm.js";
import type { Vma } from "./vma.js";
import type { VmaTree } from "./vma-tree.js";

/**
 * Splits `vma` at `addr` (`vma.start < addr < vma.end`). The lower piece stays `vma` itself, the
 * upper piece is a new VMA, returned (no pair allocated: splits are on the mprotect hot path). One tree write, as the kernel's
 * `__split_vma()`: the upper piece is stored over its part of `vma`'s range (readers never see a
 * hole, and a failed write changes nothing).
 */
export function splitVma(tree: VmaTree, vma: Vma, addr: number): Vma {
  const hi = vma.slice(addr, vma.end);
  tree.store(hi, addr, hi.end);
  tree.count++;
  vma.end = addr;
  tree.modified(vma);
  return hi;
}

/**
 * Changes the range of a stored VMA (kernel `vma_set_range()` plus the tree update): one write
 * over the new range, then a clear of what the VMA no longer covers.
 */
export function resizeVma(
  tree: VmaTree,
  vma: Vma,
  start: number,
  end: number,
  pgoff: number,
): void {
  const oldStart = vma.start;
  const oldEnd = vma.end;
  tree.store(vma, start, end);
  vma.start = start;
  vma.end = end;
  vma.pgoff = pgoff;
  if (oldStart < start) tree.clear(oldStart, Math.min(start, oldEnd));
  if (oldEnd > end) tree.clear(Math.max(end, oldStart), oldEnd);
}

/**
 * Kernel `vma_modify()` for a flags change (mprotect, madvise, mlock, mseal): gives `[start, end)`
 * of `vma` the flags `flags` and high flags `foreign`, merging with a neighbour when the rules
 * allow, else splitting `vma` at the range ends. Each split is refused with `-ENOMEM` once the mm
 * holds `max_map_count` VMAs (kernel `split_vma()`), and a refused second split leaves the first
 * in place, as in the kernel; so does a hugetlb VMA's refusal of a split off its huge page size
 * (`-EINVAL`). Returns the VMA now holding the range, or `-ENOMEM` / `-EINVAL`.
 */
export function vmaModifyChecked(
  mm: MmStruct,
  vma: Vma,
  start: number,
  end: number,
  flags: number,
  foreign: readonly string[] = vma.foreignFlags,
): Vma | number {
  const tree = mm.tree;
  const merged = mergeExistingRange(tree, vma, start, end, flags, foreign);
  if (merged !== null) return merged;
  let v = vma;
  if (v.start < start) {
    if (tree.count >= mm.maxMapCount) return -ENOMEM;
    const e = hugetlbMaySplit(v, start);
    if (e !== 0) return e;
    v = splitVma(tree, v, start);
  }
  if (v.end > end) {
    if (tree.count >= mm.maxMapCount) return -ENOMEM;
    const e = hugetlbMaySplit(v, end);
    if (e !== 0) return e;
    splitVma(tree, v, end);
  }
  v.flags = flags;
  v.foreignFlags = foreign;
  tree.modified(v);
  return v;
}
