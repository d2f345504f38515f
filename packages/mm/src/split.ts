// VMA splitting (kernel mm/vma.c `split_vma()` / `__split_vma()`): a VMA cut at a page boundary
// becomes two VMAs that keep everything (flags, anon_vma and its fork status, backing object);
// the upper piece's pgoff advances by the pages below the cut (linux-mm.md §6.3).

import type { Vma } from "./vma.js";
import type { VmaTree } from "./vma-tree.js";

/**
 * Splits `vma` at `addr` (`vma.start < addr < vma.end`). The lower piece stays `vma` itself, the
 * upper piece is a new VMA; both are returned, lower first. One tree write, as the kernel's
 * `__split_vma()`: the upper piece is stored over its part of `vma`'s range (readers never see a
 * hole, and a failed write changes nothing).
 */
export function splitVma(tree: VmaTree, vma: Vma, addr: number): [Vma, Vma] {
  const hi = vma.slice(addr, vma.end);
  tree.store(hi, addr, hi.end);
  tree.count++;
  vma.end = addr;
  tree.modified(vma);
  return [vma, hi];
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
