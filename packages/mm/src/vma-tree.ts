// Where an mm's own VMA tree is kept (the shared mirror of it is shared-maps*.ts; mm.ts and
// vma-iter.ts only import a type and MAX_INDEX). The VMAs of an mm live in a tree created with
// MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU (kernel `MM_MT_FLAGS`), each stored
// over `[vm_start, vm_end - 1]`. Everything here is written against the kernel API names of
// docs/spec/api.md (the kernel's mm/vma.h `vma_iter_*` helpers play the same role), so the rest of
// mm is plain VMA logic.

import {
  __mas_set_range,
  __mt_dup_map,
  DEFINE_MTREE,
  GFP_KERNEL,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_USE_RCU,
  mas_destroy,
  mas_empty_area,
  mas_empty_area_rev,
  mas_expected_entries,
  mas_find,
  mas_is_err,
  mas_pause,
  mas_reset,
  mas_set,
  mas_set_range,
  mas_store,
  mas_store_gfp,
  mt_clear_in_rcu,
  mt_find,
  mt_for_each_range,
  mt_in_rcu,
  mt_prev,
  mt_set_in_rcu,
  mtree_destroy,
  mtree_load,
  type Reclaimer,
} from "@maplemm/maple-tree/kernel";
import type { DirtyRanges } from "./dirty-ranges.js";
import { MmError } from "./errors.js";
import type { Vma } from "./vma.js";

/**
 * A store the tree could not get nodes for. Only reachable with a `nodeCapacity` too small for
 * the address space (the kernel preallocates and returns -ENOMEM; here the syscall stops with this
 * error and may have applied part of its change).
 */
function treeFull(what: string, vma: Vma, err: number): MmError {
  return new MmError(
    "ENOMEM",
    `vma-tree: ${what} of [0x${vma.start.toString(16)}, 0x${vma.end.toString(16)}) failed with ${err} (node capacity reached)`,
  );
}

/** Kernel `MM_MT_FLAGS`. */
export const MM_MT_FLAGS = MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU;

/** A gap window found by {@link VmaTree.emptyAreaRev}: `[index, last]`, both inclusive. */
export interface GapWindow {
  index: number;
  last: number;
}

/** The VMA tree of one mm (kernel `mm->mm_mt` plus the `vma_iter_*` helpers). */
export class VmaTree {
  /** The maple tree itself. */
  readonly mt: MapleTreeCore;
  /** Number of VMAs stored (kernel `mm->map_count`). */
  count = 0;
  /** A reusable write state (kernel `struct vma_iterator`). */
  private readonly mas: MaState;
  private readonly ref = { value: 0 };
  /** Reused by the gap search (placement runs on every non-fixed mmap). */
  private readonly gapState: MaState;
  private readonly gap: GapWindow = { index: 0, last: 0 };
  /** Where freed VMAs and tree nodes go (the mm's RCU domain, or at once). */
  readonly reclaimer: Reclaimer | undefined;

  /** Node capacity of the tree's arena (undefined = the maple tree's default). */
  readonly nodeCapacity: number | undefined;
  /**
   * Where every stored or cleared range goes while the mm's maps are shared (shared-maps-sync.ts
   * diffs only these windows after each syscall); null when not shared.
   */
  dirty: DirtyRanges | null = null;

  constructor(reclaimer?: Reclaimer, nodeCapacity?: number) {
    this.reclaimer = reclaimer;
    this.nodeCapacity = nodeCapacity;
    this.mt = DEFINE_MTREE(MM_MT_FLAGS, {
      ...(reclaimer === undefined ? {} : { reclaimer }),
      ...(nodeCapacity === undefined ? {} : { capacity: nodeCapacity }),
    });
    this.mas = MA_STATE(this.mt, 0, 0);
    this.gapState = MA_STATE(this.mt, 0, 0);
  }

  /** Kernel `vma_lookup()`: the VMA containing `addr`, or null. */
  lookup(addr: number): Vma | null {
    if (addr > MAX_INDEX) return null;
    return mtree_load(this.mt, addr) as Vma | null;
  }

  /** Kernel `find_vma()`: the first VMA with `vm_end > addr`, or null. */
  find(addr: number): Vma | null {
    if (addr > MAX_INDEX) return null;
    // The VMA holding addr is the answer when there is one: a point load costs a fraction of the
    // mt_find walk (measured 10x on the bench mm).
    const v = mtree_load(this.mt, addr) as Vma | null;
    if (v !== null) return v;
    this.ref.value = addr;
    return mt_find(this.mt, this.ref, MAX_INDEX) as Vma | null;
  }

  /** Kernel `find_vma_intersection()`: the first VMA intersecting `[start, end)`, or null. */
  findIntersection(start: number, end: number): Vma | null {
    if (start >= end || start > MAX_INDEX) return null;
    const v = mtree_load(this.mt, start) as Vma | null;
    if (v !== null) return v;
    this.ref.value = start;
    return mt_find(this.mt, this.ref, Math.min(end - 1, MAX_INDEX)) as Vma | null;
  }

  /**
   * The VMA before the range holding `addr` (kernel `vma_prev()` after positioning at `addr`):
   * when `addr` is inside a VMA, the one before that VMA; in a gap, the one below the gap.
   */
  prevOf(addr: number): Vma | null {
    if (addr > MAX_INDEX) return null;
    return mt_prev(this.mt, addr, 0) as Vma | null;
  }

  /** Kernel `vma_next()` of `vma`: the first VMA starting at or after `vma.end`. */
  nextOf(vma: Vma): Vma | null {
    return this.find(vma.end);
  }

  /** The VMAs intersecting `[start, end)`, in address order (kernel `for_each_vma_range`). */
  range(start: number, end: number, out: Vma[] = []): Vma[] {
    out.length = 0;
    if (start >= end) return out;
    const max = Math.min(end - 1, MAX_INDEX);
    if (start > max) return out;
    // Most ranges start inside a VMA (munmap, mprotect of a mapping): a point load finds it.
    const first = mtree_load(this.mt, start) as Vma | null;
    if (first !== null) {
      out.push(first);
      if (first.end > max) return out;
      this.ref.value = first.end;
    } else this.ref.value = start;
    for (;;) {
      const v = mt_find(this.mt, this.ref, max) as Vma | null;
      if (v === null) break;
      out.push(v);
      if (this.ref.value === 0 || this.ref.value > max) break;
    }
    return out;
  }

  /**
   * Every VMA in address order into `out` (the leaves read in one pass, as {@link each}: less
   * than half the time of a `mas_find` loop on the bench mm).
   */
  all(out: Vma[]): Vma[] {
    out.length = 0;
    mt_for_each_range(this.mt, 0, MAX_INDEX, (v) => {
      out.push(v as Vma);
    });
    return out;
  }

  /**
   * Calls `fn` for every VMA in address order, reading the leaves in one pass (the maple tree's
   * bulk scan, no state per step); `fn` returning `false` stops. For whole-mm walks (maps).
   */
  each(fn: (v: Vma) => unknown): void {
    mt_for_each_range(this.mt, 0, MAX_INDEX, fn as (v: unknown) => unknown);
  }

  /** Every VMA in address order (kernel `for_each_vma`). */
  [Symbol.iterator](): IterableIterator<Vma> {
    return new VmaWalk(MA_STATE(this.mt, 0, 0));
  }

  /** Stores `vma` over its range (kernel `vma_iter_store_gfp()`), which must hold no VMA. */
  insert(vma: Vma): void {
    mas_set_range(this.mas, vma.start, vma.end - 1);
    const err = mas_store_gfp(this.mas, vma, GFP_KERNEL);
    if (err !== 0) throw treeFull("insert", vma, err);
    this.count++;
    if (this.dirty !== null) this.dirty.add(vma.start, vma.end);
  }

  /** Clears the range of `vma` (kernel `vma_iter_clear()`); `vma` must be the VMA stored there. */
  remove(vma: Vma): void {
    mas_set_range(this.mas, vma.start, vma.end - 1);
    const err = mas_store_gfp(this.mas, null, GFP_KERNEL);
    if (err !== 0) throw treeFull("remove", vma, err);
    this.count--;
    if (this.dirty !== null) this.dirty.add(vma.start, vma.end);
  }

  /**
   * Stores `vma` over `[start, end)` in one write (kernel `vma_iter_store()`): VMAs the range
   * covers in part keep the rest of theirs, VMAs it covers whole are gone from the tree (the
   * caller {@link forget}s them). The count does not change; the caller sets the VMAs' fields.
   */
  store(vma: Vma, start: number, end: number): void {
    mas_set_range(this.mas, start, end - 1);
    const err = mas_store_gfp(this.mas, vma, GFP_KERNEL);
    if (err !== 0) throw treeFull("store", vma, err);
    if (this.dirty !== null) this.dirty.add(start, end);
  }

  /**
   * Clears `[start, end)` in one write (kernel `vma_iter_clear()`). The count does not change:
   * the caller {@link forget}s each VMA that was inside.
   */
  clear(start: number, end: number): void {
    mas_set_range(this.mas, start, end - 1);
    const err = mas_store_gfp(this.mas, null, GFP_KERNEL);
    if (err !== 0) {
      throw new MmError(
        "ENOMEM",
        `vma-tree: clear of [0x${start.toString(16)}, 0x${end.toString(16)}) failed with ${err} (node capacity reached)`,
      );
    }
    if (this.dirty !== null) this.dirty.add(start, end);
  }

  /**
   * A VMA no longer in the tree because a {@link store} or {@link clear} covered it whole: it
   * leaves the count and is freed as {@link free} does, without a write of its own.
   */
  forget(vma: Vma): void {
    this.count--;
    if (this.dirty !== null) this.dirty.add(vma.start, vma.end);
    this.release(vma);
  }

  /**
   * Notes that a stored VMA changed in place (its flags: kernel `vm_flags_reset()` under the VMA
   * write lock), so shared maps pick the change up.
   */
  modified(vma: Vma): void {
    if (this.dirty !== null) this.dirty.add(vma.start, vma.end);
  }

  /**
   * Removes `vma` from the tree and frees it (kernel `vma_iter_clear()` + `vm_area_free()`): in
   * RCU mode the VMA is marked freed only after a grace period.
   */
  free(vma: Vma): void {
    this.remove(vma);
    this.release(vma);
  }

  /**
   * The highest window of `size` free indices inside `[min, max]` (kernel `mas_empty_area_rev()`,
   * as `vma_iter_area_highest()` uses it): on success `last` is the top of the highest gap that
   * fits (clipped to `max`) and `index = last - size + 1`. O(log n) through the tree's gap
   * tracking (MT_FLAGS_ALLOC_RANGE).
   */
  // emptyAreaRev and emptyArea are one shape with the kernel's two searches: kept apart so each
  // is a direct call (mmap's path), not a search passed in.
  emptyAreaRev(min: number, max: number, size: number): GapWindow | null {
    if (size <= 0 || max < min || max - min + 1 < size) return null;
    const mas = this.gapState;
    mas_set(mas, min);
    if (mas_empty_area_rev(mas, min, max, size) !== 0) return null;
    this.gap.index = mas.index;
    this.gap.last = mas.last;
    return this.gap;
  }

  /**
   * The lowest window of `size` free indices inside `[min, max]` (kernel `mas_empty_area()`, as
   * `vma_iter_area_lowest()` uses it), or null.
   */
  emptyArea(min: number, max: number, size: number): GapWindow | null {
    if (size <= 0 || max < min || max - min + 1 < size) return null;
    const mas = this.gapState;
    mas_set(mas, min);
    if (mas_empty_area(mas, min, max, size) !== 0) return null;
    this.gap.index = mas.index;
    this.gap.last = mas.last;
    return this.gap;
  }

  /** Kernel `mt_set_in_rcu()` unless the tree already is in RCU mode. */
  setInRcu(): void {
    if (!mt_in_rcu(this.mt)) mt_set_in_rcu(this.mt);
  }

  /**
   * The seed's dup_mmap copy loop into the empty tree `into`: `mas_expected_entries(count)`
   * reserves the nodes up front, then one `mas_store` per VMA `copy` returns (null = skip),
   * walking this tree with its leaf scan (the kernel: `mas_for_each`), and `mas_destroy` returns
   * what was not used. Returns 0, or -ENOMEM when the reservation (or a store) could not get
   * nodes (`into` then holds the VMAs copied so far).
   */
  dupSeed(into: VmaTree, copy: (v: Vma) => Vma | null): number {
    const dst = MA_STATE(into.mt, 0, 0);
    const reserved = mas_expected_entries(dst, this.count);
    if (reserved !== 0) {
      mas_destroy(dst);
      return reserved;
    }
    const rcu = into.clearRcu();
    let err = 0;
    // The kernel walks the old tree with mas_for_each; the leaf scan visits the same VMAs in the
    // same order in less than half the time (the stores go to the other tree).
    mt_for_each_range(this.mt, 0, MAX_INDEX, (e) => {
      const v = copy(e as Vma);
      if (v === null) return true;
      // Kernel vma_iter_bulk_store(): index/last set on the positioned state (no reset).
      __mas_set_range(dst, v.start, v.end - 1);
      mas_store(dst, v);
      if (mas_is_err(dst)) {
        err = dst.err;
        return false;
      }
      into.count++;
      return true;
    });
    mas_destroy(dst);
    if (rcu) mt_set_in_rcu(into.mt);
    return err;
  }

  /**
   * Kernel dup_mmap's `mt_clear_in_rcu()` before its copy loop: the new tree has no reader yet,
   * so its stores may change nodes in place (the loop's end sets RCU mode back). Returns whether
   * the tree was in RCU mode.
   */
  private clearRcu(): boolean {
    const rcu = mt_in_rcu(this.mt);
    if (rcu) mt_clear_in_rcu(this.mt);
    return rcu;
  }

  /**
   * The modern dup_mmap copy into the empty tree `into`: `__mt_dup` makes a node-for-node copy in
   * which every entry already is `copy(old)` (`__mt_dup_map`: the kernel's replace-in-place loop
   * done during the node copy, measured 2x faster than a `mas_find` + `mas_store` per VMA), then
   * the ranges whose `copy` returned null (VM_DONTCOPY: they hold the borrowed parent VMA until
   * then) are cleared in address order, as the kernel's `vma_iter_clear_gfp()`. Returns 0, or
   * -ENOMEM (`into` then holds a mix of copies and borrowed VMAs: the caller abandons it).
   */
  dupModern(into: VmaTree, copy: (v: Vma) => Vma | null): number {
    const skipped: Vma[] = [];
    const err = __mt_dup_map(this.mt, into.mt, (e) => {
      const v = copy(e as Vma);
      if (v !== null) return v;
      skipped.push(e as Vma);
      return e;
    });
    if (err !== 0) return err;
    into.count = this.count;
    if (skipped.length === 0) return 0;
    const rcu = into.clearRcu();
    const mas = MA_STATE(into.mt, 0, 0);
    for (const v of skipped) {
      mas_set_range(mas, v.start, v.end - 1);
      const r = mas_store_gfp(mas, null, GFP_KERNEL);
      if (r !== 0) return r;
      into.count--;
    }
    mas_destroy(mas);
    if (rcu) mt_set_in_rcu(into.mt);
    return 0;
  }

  /** Kernel `exit_mmap()`'s tree part: frees every VMA, then `mtree_destroy()`. */
  destroy(): void {
    const all = this.all([]);
    mtree_destroy(this.mt);
    this.count = 0;
    for (const v of all) this.release(v);
  }

  /** Tears down a half-built tree: its nodes and only the VMAs in `own` (the rest are borrowed). */
  abandon(own: readonly Vma[]): void {
    mtree_destroy(this.mt);
    this.count = 0;
    for (const v of own) this.release(v);
  }

  /** Kernel `vm_area_free()`: marks `vma` freed after a grace period (at once without RCU). */
  private release(vma: Vma): void {
    if (this.reclaimer === undefined) vma.freed = true;
    else
      this.reclaimer.defer(() => {
        vma.freed = true;
      });
  }
}

/**
 * The iterator behind `for (const v of tree)`: `mas_find` steps written out (kernel
 * `for_each_vma` is a `mas_find` loop too). A generator around the maple tree's `mas_for_each`
 * generator cost about as much as rendering the VMAs it walked.
 */
class VmaWalk implements IterableIterator<Vma> {
  private readonly mas: MaState;
  constructor(mas: MaState) {
    this.mas = mas;
  }
  next(): IteratorResult<Vma, undefined> {
    const v = mas_find(this.mas, MAX_INDEX) as Vma | null;
    return v === null ? { done: true, value: undefined } : { done: false, value: v };
  }
  [Symbol.iterator](): IterableIterator<Vma> {
    return this;
  }
}

/**
 * Kernel `struct vma_iterator`: a cursor over an mm's VMAs. It survives changes to the tree
 * between steps (the kernel's `vma_iter_set(vmi, prev->vm_end)` after dropping the lock): each
 * step returns the first VMA that starts at or above the end of the one returned before, as the
 * tree is at that moment.
 */
export class VmaIterator {
  /** The maple state walking the tree. */
  readonly mas: MaState;
  /** Where the walk resumes: the end of the last VMA returned (or the start address). */
  private resumeAt: number;
  /** A VMA is only returned if it starts at or above this (the end of the last one returned). */
  private minStart = Number.NEGATIVE_INFINITY;
  private generation: number;

  constructor(tree: VmaTree, addr: number) {
    this.mas = MA_STATE(tree.mt, addr, addr);
    this.resumeAt = addr;
    this.generation = tree.mt.generation;
  }

  /** Kernel `vma_find(vmi, max)`: the next VMA starting below `max`, or null. */
  find(max: number): Vma | null {
    const mas = this.mas;
    if (max <= 0) return null;
    if (mas.tree.generation !== this.generation && mas.status !== "start") {
      // Written since the last step: re-walk from where we were instead of trusting old nodes.
      mas_pause(mas);
      if (this.resumeAt === 0) mas_reset(mas);
      else mas.last = this.resumeAt - 1;
    }
    for (;;) {
      const v = mas_find(mas, max - 1) as Vma | null;
      this.generation = mas.tree.generation;
      if (v === null) return null;
      if (v.start < this.minStart) continue;
      this.minStart = v.end;
      this.resumeAt = v.end;
      return v;
    }
  }
}
