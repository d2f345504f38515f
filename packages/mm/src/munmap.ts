// munmap (kernel mm/vma.c `do_vmi_munmap()` / `do_vmi_align_munmap()`): split the VMAs at the
// range ends, remove everything inside, drop the pages. Holes are fine; nothing is merged
// afterwards (linux-mm.md §6.2, §6.3).

import { EINVAL, PAGE_SIZE } from "./constants.js";
import type { MmStruct } from "./mm.js";
import { dropPages } from "./pages.js";
import { splitVma } from "./split.js";
import type { Vma } from "./vma.js";
import { pageAlign } from "./vma.js";

const scratch: Vma[] = [];

/**
 * Removes every mapping in the page-aligned range `[start, end)`: the VMAs at the ends are split
 * there, then one clear of the whole range (kernel `vms_complete_munmap_vmas()`).
 */
export function unmapRange(mm: MmStruct, start: number, end: number): void {
  // The scratch list stays valid while splitting: splits and clears never call range().
  const victims = mm.tree.range(start, end, scratch);
  if (victims.length === 0) return;
  const first = victims[0] as Vma;
  if (first.start < start) victims[0] = splitVma(mm.tree, first, start)[1];
  const last = victims[victims.length - 1] as Vma;
  if (last.end > end) victims[victims.length - 1] = splitVma(mm.tree, last, end)[0];
  mm.tree.clear(start, end);
  for (let i = 0; i < victims.length; i++) mm.tree.forget(victims[i] as Vma);
  dropPages(mm.pages, start / PAGE_SIZE, end / PAGE_SIZE);
}

/** `munmap(2)` (kernel `__vm_munmap()`): 0 or `-EINVAL`. */
export function doMunmap(mm: MmStruct, start: number, len: number): number {
  if (start % PAGE_SIZE !== 0 || start > mm.taskSize || len > mm.taskSize - start) return -EINVAL;
  const end = start + pageAlign(len);
  if (end === start) return -EINVAL;
  unmapRange(mm, start, end);
  return 0;
}
