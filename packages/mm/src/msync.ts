// msync (kernel mm/msync.c `sys_msync()`): argument checks, then a walk over the VMAs of the
// range. The model's page cache is always in sync, so msync only decides the return value:
// EINVAL for bad flags or an unaligned start, ENOMEM for a hole (at once for plain MS_ASYNC,
// after the walk otherwise), EBUSY for MS_INVALIDATE over a VM_LOCKED VMA.

import { int32 } from "./args.js";
import {
  EBUSY,
  EINVAL,
  ENOMEM,
  MS_ASYNC,
  MS_INVALIDATE,
  MS_SYNC,
  PAGE_SIZE,
  U64_MODULUS,
} from "./constants.js";
import type { MmStruct } from "./mm.js";
import { VM_LOCKED } from "./vm-flags.js";

/**
 * `msync(2)`: 0 or -errno; nothing in the mm changes. `lenIn` is the exact u64 (a bigint): a
 * length within a page of 2^64 wraps to 0 in PAGE_ALIGN, which a double cannot tell apart.
 */
export function doMsync(mm: MmStruct, startIn: number, lenIn: bigint, flagsIn: number): number {
  const flags = int32("msync", "flags", flagsIn);
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) !== 0) return -EINVAL;
  if (startIn % PAGE_SIZE !== 0) return -EINVAL;
  if ((flags & MS_ASYNC) !== 0 && (flags & MS_SYNC) !== 0) return -EINVAL;
  // len = PAGE_ALIGN(len) in u64: a length within a page of 2^64 wraps to 0.
  const len = Number(BigInt.asUintN(64, (lenIn + 0xfffn) & ~0xfffn));
  const end = startIn + len;
  if (end >= U64_MODULUS) return -ENOMEM;
  if (end === startIn) return 0;
  let start = startIn;
  let unmapped = 0;
  let vma = mm.tree.find(start);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.start) {
      if (flags === MS_ASYNC) return -ENOMEM;
      start = vma.start;
      if (start >= end) return -ENOMEM;
      unmapped = -ENOMEM;
    }
    if ((flags & MS_INVALIDATE) !== 0 && (vma.flags & VM_LOCKED) !== 0) return -EBUSY;
    start = vma.end;
    if (start >= end) return unmapped;
    vma = mm.tree.find(start);
  }
}
