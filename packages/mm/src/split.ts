// VMA splitting (kernel mm/vma.c `split_vma()` / `__split_vma()`): a VMA cut at a page boundary
// becomes two VMAs that keep everything (flags, anon_vma and its fork status, backing object);
// the upper piece's pgoff advances by the pages below the cut (linux-mm.md §6.3).

import type { Vma } from "./vma.js";
import type { VmaTree } from "./vma-tree.js";

/**
 * Splits `vma` at `addr` (`vma.start < addr < vma.end`). The lower piece stays `vma` itself, the
 * upper piece is a new VMA; both are returned, lower first.
 */
export function splitVma(tree: VmaTree, vma: Vma, addr: number): [Vma, Vma] {
  tree.remove(vma);
  const hi = vma.slice(addr, vma.end);
  vma.end = addr;
  tree.insert(vma);
  tree.insert(hi);
  return [vma, hi];
}

/** Changes the range of a stored VMA (kernel `vma_set_range()` plus the tree update). */
export function resizeVma(
  tree: VmaTree,
  vma: Vma,
  start: number,
  end: number,
  pgoff: number,
): void {
  tree.remove(vma);
  vma.start = start;
  vma.end = end;
  vma.pgoff = pgoff;
  tree.insert(vma);
}
