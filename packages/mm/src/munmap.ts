// munmap (kernel mm/vma.c `do_vmi_munmap()` / `do_vmi_align_munmap()`): split the VMAs at the
// range ends, remove everything inside, drop the pages. Holes are fine; nothing is merged
// afterwards (linux-mm.md §6.2, §6.3).

import { EINVAL, PAGE_SIZE } from "./constants.js";
import type { MmStruct } from "./mm.js";
import { dropPages } from "./pages.js";
import { splitVma } from "./split.js";
import { thpZap } from "./thp.js";
import type { Vma } from "./vma.js";
import { pageAlign } from "./vma.js";

const scratch: Vma[] = [];

/** Removes every mapping in the page-aligned range `[start, end)`. */
export function unmapRange(mm: MmStruct, start: number, end: number): void {
  // The scratch list stays valid while splitting: splits and removals never call range().
  const victims = mm.tree.range(start, end, scratch);
  if (victims.length === 0) return;
  for (let i = 0; i < victims.length; i++) {
    let v = victims[i] as Vma;
    if (v.start < start) v = splitVma(mm.tree, v, start)[1];
    if (v.end > end) v = splitVma(mm.tree, v, end)[0];
    mm.tree.free(v);
  }
  dropPages(mm.pages, start / PAGE_SIZE, end / PAGE_SIZE);
  thpZap(mm, start, end, true);
}

/** `munmap(2)` (kernel `__vm_munmap()`): 0 or `-EINVAL`. */
export function doMunmap(mm: MmStruct, start: number, len: number): number {
  if (start % PAGE_SIZE !== 0 || start > mm.taskSize || len > mm.taskSize - start) return -EINVAL;
  const end = start + pageAlign(len);
  if (end === start) return -EINVAL;
  unmapRange(mm, start, end);
  return 0;
}
