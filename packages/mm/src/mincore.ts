// mincore (kernel mm/mincore.c `sys_mincore()` / `do_mincore()`): one byte per page of the range,
// 1 when the page is resident. For private anonymous memory that is a present PTE (a written page,
// the zero page after a read fault, a huge page or the huge zero page); for files and shared
// memory it is the page cache (a present PTE implies a cached page, a private copy counts too).
// The walk stops with ENOMEM at the first page outside every VMA (the bytes before it are filled).

import { EFAULT, EINVAL, ENOMEM, PAGE_SIZE, PMD_SIZE, TASK_SIZE_64 } from "./constants.js";
import { MemFile } from "./file.js";
import type { MmStruct } from "./mm.js";
import { ShmemObject, type Vma } from "./vma.js";

/** Whether the page at `addr` of `vma` is resident (mincore's byte, bit 0). */
export function pageIncore(mm: MmStruct, vma: Vma, addr: number): boolean {
  const pfn = addr / PAGE_SIZE;
  if (mm.pages.has(pfn)) return true;
  const f = vma.file;
  if (f instanceof ShmemObject || f instanceof MemFile) {
    const idx = vma.pgoffAt(addr);
    return idx < f.sizePages && f.pages.has(idx);
  }
  if (f !== null) return false;
  const st = mm.thpState;
  const k = Math.floor(addr / PMD_SIZE);
  return st.thp.has(k) || st.hugeZero.has(k) || st.zero.has(pfn);
}

/**
 * `mincore(2)`: fills `vec[0 .. pages)` and returns 0, or -errno (EINVAL unaligned start, ENOMEM
 * for a range past user space or a hole, EFAULT when `vec` is too short: the model's stand-in for
 * an unwritable user buffer). `len` is the exact u64.
 */
export function doMincore(mm: MmStruct, start: number, len: bigint, vec: Uint8Array): number {
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  // access_ok(start, len): start + len, without wrapping, at most USER_PTR_MAX (TASK_SIZE_MAX - 1).
  const sum = BigInt(start) + len;
  if (sum > BigInt(TASK_SIZE_64 - 1)) return -ENOMEM;
  const pages = Number((len + 0xfffn) >> 12n);
  if (vec.length < pages) return -EFAULT;
  let addr = start;
  let i = 0;
  while (i < pages) {
    const vma = mm.tree.lookup(addr);
    if (vma === null) return -ENOMEM;
    const end = Math.min(vma.end, addr + (pages - i) * PAGE_SIZE);
    for (; addr < end; addr += PAGE_SIZE) vec[i++] = pageIncore(mm, vma, addr) ? 1 : 0;
  }
  return 0;
}
