// mremap (kernel mm/mremap.c: `check_mremap_params()`, `remap_move()`, `check_prep_vma()`,
// `mremap_at()`, `mremap_to()`, `expand_vma()`, `move_vma()`, mm/vma.c `copy_vma()`), following
// linux-mm.md §6.5:
//   - same size without FIXED: no-op; shrink: munmap of the whole tail range;
//   - grow in place when the range ends at the VMA end and the space above is free (merging
//     with the next VMA), else move with MAYMOVE (top-down placement while the old VMA exists);
//   - FIXED unmaps the destination first; a pure FIXED move carries every VMA of the source range
//     and keeps the holes, unmapping only the destination pieces that receive a VMA;
//   - DONTUNMAP leaves the old VMA in place, empty; old_len 0 duplicates a shared mapping;
//   - a moved VMA without anon_vma is re-based (pgoff = new address), a faulted one keeps pgoff.

import { int32 } from "./args.js";
import {
  EAGAIN,
  EFAULT,
  EINVAL,
  ENOMEM,
  EPERM,
  MAP_FIXED,
  MAP_SHARED,
  MREMAP_DONTUNMAP,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  PAGE_SIZE,
  U64_MODULUS,
} from "./constants.js";
import { hugeSizeOf } from "./hugetlb.js";
import { mergeNewRange } from "./merge.js";
import { mlockFutureOk, populateLocked } from "./mlock.js";
import type { MmStruct } from "./mm.js";
import { isSealed } from "./mseal.js";
import { munmapChecked, unmapRange } from "./munmap.js";
import { mayExpandVm, vmEnoughMemory } from "./overcommit.js";
import { movePages } from "./pages.js";
import { getUnmappedArea } from "./placement.js";
import { thpMove } from "./thp.js";
import {
  VM_ACCOUNT,
  VM_DONTEXPAND,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYSHARE,
  VM_PFNMAP,
  VM_SHARED,
} from "./vm-flags.js";
import { pageAlign, type Vma } from "./vma.js";

/** One remap request (kernel `struct vma_remap_struct`). */
interface Remap {
  addr: number;
  oldLen: number;
  newLen: number;
  flags: number;
  newAddr: number;
}

function impliesNewAddr(r: Remap): boolean {
  return (r.flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0;
}

/**
 * `check_prep_vma()` + `resize_is_valid()`: -errno, or 0 when the request may go on. A sealed
 * VMA gives EPERM; growth obeys RLIMIT_MEMLOCK for a locked VMA (EAGAIN), RLIMIT_AS / RLIMIT_DATA
 * and the overcommit charge of an accounted one (ENOMEM).
 */
function checkPrepVma(mm: MmStruct, vma: Vma | null, r: Remap): number {
  if (vma === null) return -EFAULT;
  if (mm.anySealed && isSealed(vma)) return -EPERM;
  const huge = hugeSizeOf(vma);
  if (huge !== 0) {
    // align_hugetlb(): lengths round up to huge pages; addresses must be huge aligned; no growth
    // (the hugetlb reservation cannot be split).
    r.oldLen = Math.ceil(r.oldLen / huge) * huge;
    r.newLen = Math.ceil(r.newLen / huge) * huge;
    if (r.addr % huge !== 0 || r.newAddr % huge !== 0) return -EINVAL;
    if (r.newLen > r.oldLen) return -EINVAL;
  }
  const willMapNew = r.newLen > r.oldLen || impliesNewAddr(r);
  if (!willMapNew) return 0;
  const err = checkGrowth(mm, vma, r);
  if (err !== 0) return err;
  // A shrinking move only needs the part that survives inside the VMA: the tail is unmapped
  // first (errors.jsonl #38 moves [A+100, A+102) out of a range spanning two VMAs).
  if (Math.min(r.oldLen, r.newLen) > vma.end - r.addr) return -EFAULT;
  if (r.oldLen === 0 && (vma.flags & (VM_SHARED | VM_MAYSHARE)) === 0) return -EINVAL;
  // Only a growing mapping must be expandable (a hugetlb VMA moves at its size).
  if (r.newLen === r.oldLen) return 0;
  if ((vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EFAULT;
  return 0;
}

/** Guard markers travel with the page tables (move_page_tables). */
function moveGuards(mm: MmStruct, from: number, to: number, len: number): void {
  const lo = from / PAGE_SIZE;
  const n = len / PAGE_SIZE;
  const moved: number[] = [];
  for (const p of mm.guards) if (p >= lo && p < lo + n) moved.push(p - lo);
  for (const d of moved) mm.guards.delete(lo + d);
  for (const d of moved) mm.guards.add(to / PAGE_SIZE + d);
}

/** The growth limits of `resize_is_valid()` and `vrm_charge()`. */
function checkGrowth(mm: MmStruct, vma: Vma, r: Remap): number {
  if (r.newLen <= r.oldLen) return 0;
  const delta = r.newLen - r.oldLen;
  if (!mlockFutureOk(mm, vma.flags, delta)) return -EAGAIN;
  if (!mayExpandVm(mm, vma.flags, delta / PAGE_SIZE)) return -ENOMEM;
  if ((vma.flags & VM_ACCOUNT) !== 0 && vmEnoughMemory(mm, delta / PAGE_SIZE) < 0) return -ENOMEM;
  return 0;
}

/** `vrm_set_new_addr()`: where the moved range goes, or -errno. */
function setNewAddr(mm: MmStruct, vma: Vma, r: Remap): number {
  let mapFlags = 0;
  if ((r.flags & MREMAP_FIXED) !== 0) mapFlags |= MAP_FIXED;
  if ((vma.flags & VM_MAYSHARE) !== 0) mapFlags |= MAP_SHARED;
  const hint = impliesNewAddr(r) ? r.newAddr : 0;
  return getUnmappedArea(mm, hint, r.newLen, mapFlags, vma.file !== null);
}

/**
 * `move_vma()` + `copy_vma()`: maps `[newAddr, newAddr + newLen)` like the VMA holding
 * `r.addr` (merging when allowed), moves the pages, then unmaps the source (or, for DONTUNMAP,
 * leaves it empty).
 */
function moveVma(mm: MmStruct, vma: Vma, r: Remap): number {
  const newEnd = r.newAddr + r.newLen;
  let pgoff = vma.pgoffAt(r.addr);
  if (vma.isAnonymous && vma.anonVma === null) pgoff = r.newAddr / PAGE_SIZE;
  const prev = mm.tree.prevOf(r.newAddr);
  const next = mm.tree.find(newEnd);
  const vmaStart = vma.start;
  const vmaEnd = vma.end;
  const merged = mergeNewRange(mm.tree, prev, next, {
    start: r.newAddr,
    end: newEnd,
    flags: vma.flags,
    pgoff,
    file: vma.file,
    anonVma: vma.anonVma,
    anonVmaForked: vma.anonVmaForked,
    name: vma.name,
    foreignFlags: vma.foreignFlags,
  });
  if (merged === null) {
    const nv = vma.clone();
    nv.start = r.newAddr;
    nv.end = newEnd;
    nv.pgoff = pgoff;
    mm.tree.insert(nv);
  }
  movePages(
    mm.pages,
    r.addr / PAGE_SIZE,
    r.newAddr / PAGE_SIZE,
    Math.min(r.oldLen, r.newLen) / PAGE_SIZE,
  );
  thpMove(mm, r.addr, r.newAddr, Math.min(r.oldLen, r.newLen));
  if (mm.guards.size > 0) moveGuards(mm, r.addr, r.newAddr, Math.min(r.oldLen, r.newLen));
  if ((r.flags & MREMAP_DONTUNMAP) !== 0) {
    // dontunmap_complete(): the old VMA is never locked any more, even when the new range merged
    // into it (lock-s001 #153, lock-s020 #182), and one moved whole no longer needs its anon_vma.
    if ((vma.flags & VM_LOCKED_MASK) !== 0) {
      vma.flags &= ~VM_LOCKED_MASK;
      mm.tree.modified(vma);
    }
    if (merged !== vma && r.addr === vmaStart && r.addr + r.oldLen === vmaEnd) {
      vma.anonVma = null;
      vma.anonVmaForked = false;
    }
  } else if (r.oldLen > 0) {
    unmapRange(mm, r.addr, r.addr + r.oldLen);
  }
  return r.newAddr;
}

/** `mremap_to()`: a move to a caller-chosen (FIXED) or hinted (DONTUNMAP) address. */
function mremapTo(mm: MmStruct, r: Remap): number {
  let vma: Vma | null;
  if ((r.flags & MREMAP_FIXED) !== 0) {
    const e = munmapChecked(mm, r.newAddr, r.newAddr + r.newLen);
    if (e < 0) return e;
    vma = mm.tree.lookup(r.addr);
    if (vma === null) return -EFAULT;
  } else {
    vma = mm.tree.lookup(r.addr) as Vma;
  }
  if (r.newLen < r.oldLen) {
    const e = munmapChecked(mm, r.addr + r.newLen, r.addr + r.oldLen);
    if (e < 0) return e;
    r.oldLen = r.newLen;
    vma = mm.tree.lookup(r.addr) as Vma;
  }
  const at = setNewAddr(mm, vma, r);
  if (at < 0) return at;
  r.newAddr = at;
  return moveVma(mm, vma, r);
}

/** `vma_expandable()`: may `vma` grow in place by `delta` bytes. */
function expandable(mm: MmStruct, vma: Vma, delta: number): boolean {
  const end = vma.end + delta;
  if (mm.tree.findIntersection(vma.end, end) !== null) return false;
  return end - vma.start <= mm.taskSize && end <= mm.taskSize;
}

/** `expand_vma()`: grow in place, else move (MAYMOVE) or fail with ENOMEM. */
function expandVma(mm: MmStruct, vma: Vma, r: Remap): number {
  const delta = r.newLen - r.oldLen;
  if (vma.end === r.addr + r.oldLen && expandable(mm, vma, delta)) {
    const next = mm.tree.find(vma.end);
    const merged = mergeNewRange(mm.tree, vma, next, {
      start: vma.end,
      end: vma.end + delta,
      flags: vma.flags,
      pgoff: vma.pgoffAt(vma.end),
      file: vma.file,
      anonVma: vma.anonVma,
      anonVmaForked: vma.anonVmaForked,
      name: vma.name,
      foreignFlags: vma.foreignFlags,
    });
    return merged === null ? -ENOMEM : r.addr;
  }
  if ((r.flags & MREMAP_MAYMOVE) === 0) return -ENOMEM;
  const at = setNewAddr(mm, vma, r);
  if (at < 0) return at;
  r.newAddr = at;
  return moveVma(mm, vma, r);
}

/** `remap_move()`: a FIXED move with old_len == new_len, over several VMAs and holes. */
function remapMove(mm: MmStruct, r: Remap): number {
  const start = r.addr;
  const end = r.addr + r.oldLen;
  let target = r.newAddr;
  let res = -EFAULT;
  let seen = false;
  let lastEnd = 0;
  let cursor = start;
  for (;;) {
    const vma = mm.tree.findIntersection(cursor, end);
    if (vma === null) break;
    const addr = Math.max(vma.start, start);
    const len = Math.min(end, vma.end) - addr;
    if (!seen && start < vma.start) return -EFAULT;
    const offset = seen ? vma.start - lastEnd : 0;
    lastEnd = vma.end;
    cursor = vma.end;
    const piece: Remap = {
      addr,
      oldLen: len,
      newLen: len,
      flags: r.flags,
      newAddr: target + offset,
    };
    let out = checkPrepVma(mm, vma, piece);
    if (out === 0) out = mremapTo(mm, piece);
    if (out < 0) return out;
    if (!seen) res = out;
    target = out + len;
    seen = true;
  }
  return res;
}

/** `mremap(2)`: the new address, or `-errno`. */
export function doMremap(
  mm: MmStruct,
  addr: number,
  oldLenIn: number,
  newLenIn: number,
  flagsIn: number,
  newAddr: number,
): number {
  const flags = int32("mremap", "flags", flagsIn);
  if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) !== 0) return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  const oldLen = pageAlign(oldLenIn);
  const newLen = pageAlign(newLenIn);
  if (newLen === 0 || newLen >= U64_MODULUS) return -EINVAL;
  if (newLen > mm.taskSize) return -EINVAL;
  const r: Remap = { addr, oldLen: oldLen >= U64_MODULUS ? 0 : oldLen, newLen, flags, newAddr };
  if (impliesNewAddr(r)) {
    if (newAddr > mm.taskSize - newLen) return -EINVAL;
    if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
    if ((flags & MREMAP_MAYMOVE) === 0) return -EINVAL;
    if ((flags & MREMAP_DONTUNMAP) !== 0 && oldLen !== newLen) return -EINVAL;
    if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
    if (mm.tree.count + 2 >= mm.maxMapCount - 3) return -ENOMEM;
  }
  if ((flags & MREMAP_FIXED) !== 0 && oldLen === newLen) return remapMove(mm, r);
  const vma = mm.tree.lookup(addr);
  const err = checkPrepVma(mm, vma, r);
  if (err !== 0) return err;
  const locked = ((vma as Vma).flags & VM_LOCKED) !== 0;
  if (impliesNewAddr(r)) return populateGrowth(mm, locked, r, mremapTo(mm, r));
  if (newLen === oldLen) return addr;
  if (newLen < oldLen) {
    const e = munmapChecked(mm, addr + newLen, Math.min(addr + oldLen, mm.taskSize));
    return e < 0 ? e : addr;
  }
  return populateGrowth(mm, locked, r, expandVma(mm, vma as Vma, r));
}

/** A locked mapping that grew has its new part populated (`mm_populate(new + old_len, delta)`). */
function populateGrowth(mm: MmStruct, locked: boolean, r: Remap, ret: number): number {
  if (ret >= 0 && locked && r.newLen > r.oldLen) populateLocked(mm, ret + r.oldLen, ret + r.newLen);
  return ret;
}
