// Transparent huge pages as the kernel accounts them in THP "madvise" mode (mm/huge_memory.c
// `do_huge_pmd_anonymous_page()`, `__split_huge_pmd()`, mm/khugepaged.c `madvise_collapse()`),
// reduced to per-PMD state of one mm:
//   - `thp`: 2 MiB ranges mapped by one anonymous huge page (smaps AnonHugePages);
//   - `hugeZero`: ranges mapped by the huge zero page after a read fault;
//   - `tables`: ranges that have a PTE table (any 4 KiB fault there): no huge page faults in.
// A fault in a VM_HUGEPAGE private anonymous VMA that covers the whole aligned 2 MiB, with nothing
// mapped there yet, maps a huge page (512 pages present: smaps Anonymous 2048 kB). A VMA boundary
// inside such a range, a partial unmap or MADV_DONTNEED splits it into PTEs (pages stay).

import { EINVAL, HPAGE_PMD_NR, PAGE_SIZE, PMD_SIZE } from "./constants.js";
import type { MmStruct } from "./mm.js";
import { VM_HUGEPAGE, VM_MAYSHARE, VM_NOHUGEPAGE } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** Per-mm huge page state, keyed by PMD index (`addr / PMD_SIZE`). */
export class ThpState {
  /** PMD-mapped anonymous huge pages. */
  readonly thp = new Set<number>();
  /** PMDs mapping the huge zero page. */
  readonly hugeZero = new Set<number>();
  /** PMDs with a PTE table. */
  readonly tables = new Set<number>();
  /** Private anonymous pages (pfns) mapped to the zero page by a read fault (mincore sees them). */
  readonly zero = new Set<number>();
  /**
   * Huge pages this mm got through fork, still shared with the parent: a write splits the PMD
   * and copies at PTE level (`do_huge_pmd_wp_page` on a non-exclusive folio). The parent's side of
   * the sharing is not tracked: its huge pages are taken as exclusive again (the child wrote or
   * exited first, as fork children of the traces do).
   */
  readonly forkShared = new Set<number>();

  /** A copy for a fork child (copy_page_range copies both PMD and PTE mappings). */
  clone(): ThpState {
    const c = new ThpState();
    for (const k of this.thp) c.thp.add(k);
    for (const k of this.hugeZero) c.hugeZero.add(k);
    for (const k of this.tables) c.tables.add(k);
    for (const p of this.zero) c.zero.add(p);
    return c;
  }
}

/** Kernel `thp_vma_suitable_order()` + madvise-mode `hugepage_vma_check()` for a fault at `k`. */
function thpFaultable(vma: Vma, k: number): boolean {
  if (vma.file !== null || (vma.flags & VM_MAYSHARE) !== 0) return false;
  if ((vma.flags & (VM_HUGEPAGE | VM_NOHUGEPAGE)) !== VM_HUGEPAGE) return false;
  return vma.start <= k * PMD_SIZE && (k + 1) * PMD_SIZE <= vma.end;
}

/**
 * A fault at `page` of the private anonymous `vma` (a write when `write`): returns true when it
 * was handled at PMD level (a huge page or the huge zero page), false for a normal 4 KiB fault,
 * after which the range has a PTE table.
 */
export function thpFault(mm: MmStruct, vma: Vma, page: number, write: boolean): boolean {
  const st = mm.thpState;
  const k = Math.floor(page / PMD_SIZE);
  if (st.thp.has(k)) {
    if (!write || !st.forkShared.has(k)) return true;
    st.thp.delete(k);
    st.forkShared.delete(k);
    st.tables.add(k);
    return false;
  }
  const eligible = !st.tables.has(k) && thpFaultable(vma, k);
  if (st.hugeZero.has(k)) {
    if (!write) return true;
    st.hugeZero.delete(k);
    if (!eligible) {
      st.tables.add(k);
      return false;
    }
  } else if (!eligible) {
    st.tables.add(k);
    return false;
  }
  if (!write) {
    st.hugeZero.add(k);
    return true;
  }
  mapHuge(mm, k);
  return true;
}

/** Maps a huge page at PMD `k`: all 512 pages present (zero unless already there). */
function mapHuge(mm: MmStruct, k: number): void {
  const st = mm.thpState;
  st.forkShared.delete(k);
  const base = (k * PMD_SIZE) / PAGE_SIZE;
  for (let p = base; p < base + HPAGE_PMD_NR; p++) if (!mm.pages.has(p)) mm.pages.set(p, 0);
  st.thp.add(k);
  st.tables.delete(k);
  st.hugeZero.delete(k);
}

/**
 * After a syscall: every PMD-level mapping whose range is no longer covered by one VMA is split
 * (kernel `vma_adjust_trans_huge()` / `split_huge_pmd`).
 */
export function thpFixup(mm: MmStruct): void {
  const st = mm.thpState;
  for (const set of [st.thp, st.hugeZero]) {
    for (const k of set) {
      const v = mm.tree.lookup(k * PMD_SIZE);
      if (v !== null && v.end >= (k + 1) * PMD_SIZE) continue;
      set.delete(k);
      if (set === st.thp || v !== null) st.tables.add(k);
    }
  }
}

/** Kernel `free_pgtables()` after unmapping `[start, end)`: PMD ranges left without VMAs empty. */
function freeTables(mm: MmStruct, start: number, end: number): void {
  const st = mm.thpState;
  for (let k = Math.floor(start / PMD_SIZE); k * PMD_SIZE < end; k++) {
    if (!st.tables.has(k) && !st.hugeZero.has(k) && !st.thp.has(k)) continue;
    if (mm.tree.findIntersection(k * PMD_SIZE, (k + 1) * PMD_SIZE) !== null) continue;
    st.tables.delete(k);
    st.hugeZero.delete(k);
    st.thp.delete(k);
  }
}

/**
 * MADV_DONTNEED / munmap (`unmapped`) of `[start, end)`: PMD mappings wholly inside are zapped
 * (the PMD is empty again), ones partly inside are split first (their range keeps a PTE table);
 * after an unmap, PMD ranges with no VMA left lose their tables, and MADV_DONTNEED frees the
 * tables of the whole PMDs it covers (6.18 CONFIG_PT_RECLAIM, observed: a partial zap keeps them).
 */
export function thpZap(mm: MmStruct, start: number, end: number, unmapped = false): void {
  const st = mm.thpState;
  if (st.zero.size > 0) dropZero(st, start / PAGE_SIZE, end / PAGE_SIZE);
  if (unmapped && st.tables.size + st.thp.size + st.hugeZero.size > 0) freeTables(mm, start, end);
  if (!unmapped && st.tables.size > 0) {
    // CONFIG_PT_RECLAIM: MADV_DONTNEED frees the PTE tables of the whole PMDs it emptied.
    for (let k = Math.ceil(start / PMD_SIZE); (k + 1) * PMD_SIZE <= end; k++) st.tables.delete(k);
  }
  if (st.thp.size === 0 && st.hugeZero.size === 0) return;
  for (let k = Math.floor(start / PMD_SIZE); k * PMD_SIZE < end; k++) {
    if (!st.thp.has(k) && !st.hugeZero.has(k)) continue;
    st.thp.delete(k);
    st.hugeZero.delete(k);
    if (start > k * PMD_SIZE || end < (k + 1) * PMD_SIZE) st.tables.add(k);
  }
}

/** Notes that a 4 KiB mapping now exists at `page` (a PTE table for its PMD). */
export function notePte(mm: MmStruct, page: number): void {
  mm.thpState.tables.add(Math.floor(page / PMD_SIZE));
}

/** A read fault mapped the zero page at `page` (private anonymous memory). */
export function noteZeroPte(mm: MmStruct, page: number): void {
  const st = mm.thpState;
  st.tables.add(Math.floor(page / PMD_SIZE));
  st.zero.add(page / PAGE_SIZE);
}

function dropZero(st: ThpState, lo: number, hi: number): void {
  if (hi - lo <= st.zero.size) {
    for (let p = lo; p < hi; p++) st.zero.delete(p);
    return;
  }
  for (const p of st.zero) if (p >= lo && p < hi) st.zero.delete(p);
}

/**
 * MADV_COLLAPSE over `[start, end)` of `vma` (kernel `madvise_collapse()`), as observed on 6.18:
 * the VMA must be private anonymous, not VM_NOHUGEPAGE (VM_HUGEPAGE is not needed), hold a whole
 * aligned 2 MiB and have an anon_vma, else EINVAL; then PMD by PMD in address order, an existing
 * PMD mapping (the huge zero page included) counts as done, a PTE table becomes a huge page
 * (whatever its PTEs map, read-only VMAs too), and a PMD with no table fails the call with EINVAL,
 * leaving the later PMDs as they were. 0 when every PMD succeeded.
 */
export function thpCollapse(mm: MmStruct, vma: Vma, start: number, end: number): number {
  if (vma.file !== null || (vma.flags & (VM_MAYSHARE | VM_NOHUGEPAGE)) !== 0) return -EINVAL;
  if (Math.ceil(vma.start / PMD_SIZE) * PMD_SIZE + PMD_SIZE > vma.end) return -EINVAL;
  if (vma.anonVma === null) return -EINVAL;
  const st = mm.thpState;
  const hi = Math.floor(end / PMD_SIZE);
  for (let k = Math.ceil(start / PMD_SIZE); k < hi; k++) {
    if (st.thp.has(k) || st.hugeZero.has(k)) continue;
    if (!st.tables.has(k)) return -EINVAL;
    mapHuge(mm, k);
  }
  return 0;
}

/** smaps `AnonHugePages` of `vma` in kB. */
export function anonHugeKb(mm: MmStruct, vma: Vma): number {
  const st = mm.thpState;
  if (st.thp.size === 0) return 0;
  let n = 0;
  for (let k = Math.floor(vma.start / PMD_SIZE); k * PMD_SIZE < vma.end; k++) {
    if (st.thp.has(k)) n++;
  }
  return n * 2048;
}

/**
 * mremap's `move_page_tables()` for PMD state, after the pages of `[from, from + len)` moved to
 * `to`: a whole huge (or huge zero) PMD, or a whole PTE table, moves as one when source and
 * destination are equally aligned (`move_huge_pmd` / `move_normal_pmd`: the source PMD is empty
 * afterwards); otherwise huge PMDs are split and, extent by extent, every source PMD that is not
 * empty gets PTE tables allocated over the destination range its part maps to.
 */
export function thpMove(mm: MmStruct, from: number, to: number, len: number): void {
  const st = mm.thpState;
  const delta = to - from;
  const aligned = delta % PMD_SIZE === 0;
  const moved: [number, Set<number>][] = [];
  const spans: number[] = [];
  for (let k = Math.floor(from / PMD_SIZE); k * PMD_SIZE < from + len; k++) {
    const lo = Math.max(from, k * PMD_SIZE);
    const hi = Math.min(from + len, (k + 1) * PMD_SIZE);
    const whole = lo === k * PMD_SIZE && hi === (k + 1) * PMD_SIZE;
    let mapped = false;
    for (const set of [st.thp, st.hugeZero, st.tables]) {
      if (!set.has(k)) continue;
      mapped = true;
      if (whole && aligned) {
        set.delete(k);
        moved.push([k + delta / PMD_SIZE, set]);
        if (set === st.thp && st.forkShared.delete(k))
          moved.push([k + delta / PMD_SIZE, st.forkShared]);
      } else if (set !== st.tables) {
        set.delete(k);
        st.tables.add(k);
      }
    }
    if (mapped && !(whole && aligned)) spans.push(lo + delta, hi + delta);
  }
  for (let i = 0; i < spans.length; i += 2) {
    const lo = spans[i] as number;
    const hi = spans[i + 1] as number;
    for (let k = Math.floor(lo / PMD_SIZE); k * PMD_SIZE < hi; k++) st.tables.add(k);
  }
  for (const [k, set] of moved) set.add(k);
  if (st.zero.size > 0) {
    const lo = from / PAGE_SIZE;
    const hi = (from + len) / PAGE_SIZE;
    const zs: number[] = [];
    for (const p of st.zero) if (p >= lo && p < hi) zs.push(p);
    dropZero(st, lo, hi);
    dropZero(st, to / PAGE_SIZE, (to + len) / PAGE_SIZE);
    for (const p of zs) st.zero.add(p + delta / PAGE_SIZE);
  }
}

/**
 * A fork child's page-table state, from its parent's copy: `copy_page_range()` copies only VMAs
 * with an anon_vma (others fault again), and nothing of VMAs the child did not get.
 */
export function thpForked(child: MmStruct): void {
  const st = child.thpState;
  for (const k of st.thp) st.forkShared.add(k);
  for (const p of st.zero) {
    const v = child.tree.lookup(p * PAGE_SIZE);
    if (v === null || v.anonVma === null) st.zero.delete(p);
  }
  thpFixup(child);
}
