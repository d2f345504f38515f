// MmStruct: one process address space (kernel `struct mm_struct`): the VMA tree, the layout
// (mmap_base, TASK_SIZE, brk), private page contents, and the reference counts. The syscalls
// live one per file (mmap.ts, munmap.ts, ...); this file holds the state and the public surface
// of docs/spec/api.md "mm".

import type { Reclaimer } from "@maplemm/maple-tree/kernel";
import { u64 } from "./args.js";
import { doBrk } from "./brk.js";
import {
  DEFAULT_MAX_MAP_COUNT,
  DEFAULT_MMAP_BASE,
  DEFAULT_MMAP_MIN_ADDR,
  DEFAULT_RLIMIT_STACK,
  DEFAULT_STACK_GUARD_GAP,
  PAGE_SIZE,
  TASK_SIZE_64,
} from "./constants.js";
import { describe, MmError } from "./errors.js";
import { handleFault, peekPage, peekVma } from "./fault.js";
import { type DupStrategy, dup_mmap } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { doMremap } from "./mremap.js";
import { doMunmap } from "./munmap.js";
import { countPages, type PageMap } from "./pages.js";
import { type HeapBounds, type ParsedMapping, parseProcMaps, renderMaps } from "./proc-maps.js";
import type { SharedMaps } from "./shared-maps.js";
import { MapsMirror, type ShareMapsOptions } from "./shared-maps-sync.js";
import {
  parseVmFlags,
  VM_EXEC,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from "./vm-flags.js";
import { AnonVma, FileRef, ShmemObject, Vma } from "./vma.js";
import { VmaTree } from "./vma-tree.js";

/** Options of {@link MmStruct} (all numbers are byte addresses or sizes). */
export interface MmOptions {
  /** Top of the top-down mmap area (kernel `mm->mmap_base`). */
  mmapBase?: number;
  /** End of user space (kernel `TASK_SIZE`). */
  taskSize?: number;
  /** Kernel `stack_guard_gap`. */
  stackGuardGap?: number;
  /** Kernel `mm->start_brk`. */
  startBrk?: number;
  /** Kernel `mm->brk` (defaults to `startBrk`). */
  brk?: number;
  /** `RLIMIT_STACK` soft limit. */
  rlimitStack?: number;
  /** `vm.mmap_min_addr`. */
  mmapMinAddr?: number;
  /** `vm.max_map_count`. */
  maxMapCount?: number;
  /** Text of a real `/proc/<pid>/maps` or `smaps`: the VMAs the mm starts with. */
  initialMaps?: string;
  /** dup_mmap strategy used by {@link MmStruct.fork} (default `"seed"`). */
  dupStrategy?: DupStrategy;
  /**
   * The RCU domain (an `@maplemm/rcu` `Rcu`/`SharedRcu`, or any maple-tree `Reclaimer`) through
   * which tree nodes and freed VMAs are released; forks share it. Default: freed at once.
   */
  rcu?: Reclaimer;
  /** Most maple-tree nodes the VMA tree may use (allocation failure testing). Default: unbounded. */
  nodeCapacity?: number;
}

/** Identity counters shared by an mm and every mm forked from it. */
export interface MmIds {
  anonVma: number;
  shmem: number;
}

/** Where a heap starts by default: just above a small PIE loaded at ELF_ET_DYN_BASE, ASLR off. */
const DEFAULT_START_BRK = 0x555555559000;

function checkOption(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw new MmError(
      "EINVAL",
      `new MmStruct: option ${name} must be a non-negative integer, got ${describe(v)}`,
    );
  }
  return v;
}

/** Kernel `struct mm_struct`: an address space whose VMAs live in a maple tree. */
export class MmStruct implements HeapBounds {
  /** The VMA tree (kernel `mm_mt`). */
  tree: VmaTree;
  /** Present private anonymous pages and their first u64. */
  pages: PageMap = new Map();
  /** Kernel `mmap_base`. */
  readonly mmapBase: number;
  /** Kernel `TASK_SIZE`. */
  readonly taskSize: number;
  /** Kernel `stack_guard_gap`. */
  readonly stackGuardGap: number;
  /** `RLIMIT_STACK`. */
  readonly rlimitStack: number;
  /** `vm.mmap_min_addr`. */
  readonly mmapMinAddr: number;
  /** `vm.max_map_count`. */
  readonly maxMapCount: number;
  /** Kernel `start_brk`. */
  startBrk: number;
  /** Kernel `mm->brk` (unaligned, as the kernel stores it); `brk()` is the syscall. */
  currentBrk: number;
  /** Mappings above TASK_SIZE read from /proc maps (`[vsyscall]`): rendered, never in the tree. */
  readonly gateVmas: Vma[] = [];
  /** Identity counters shared with forks. */
  readonly ids: MmIds;
  /** Kernel `mm_users`: word 0 of a private array, or the shared maps' word once shared. */
  private usersWord: Int32Array = new Int32Array([1]);
  private usersAt = 0;
  /** The shared maps mirror, once {@link shareMaps} ran. */
  private mirror: MapsMirror | null = null;
  /** exit_mmap ran. */
  private exited = false;
  /** Kernel `mm_count`. */
  count = 1;
  /** dup_mmap strategy used by {@link fork}. */
  dupStrategy: DupStrategy;
  /** The RCU domain releasing nodes and VMAs, if any. */
  readonly rcu: Reclaimer | undefined;

  constructor(options: MmOptions = {}, ids?: MmIds) {
    if (typeof options !== "object" || options === null) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: options must be an object, got ${describe(options)}`,
      );
    }
    this.mmapBase = checkOption("mmapBase", options.mmapBase, DEFAULT_MMAP_BASE);
    this.taskSize = checkOption("taskSize", options.taskSize, TASK_SIZE_64);
    this.stackGuardGap = checkOption(
      "stackGuardGap",
      options.stackGuardGap,
      DEFAULT_STACK_GUARD_GAP,
    );
    this.rlimitStack = checkOption("rlimitStack", options.rlimitStack, DEFAULT_RLIMIT_STACK);
    this.mmapMinAddr = checkOption("mmapMinAddr", options.mmapMinAddr, DEFAULT_MMAP_MIN_ADDR);
    this.maxMapCount = checkOption("maxMapCount", options.maxMapCount, DEFAULT_MAX_MAP_COUNT);
    const strategy = options.dupStrategy ?? "seed";
    if (strategy !== "seed" && strategy !== "modern") {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option dupStrategy must be "seed" or "modern", got ${describe(strategy)}`,
      );
    }
    this.dupStrategy = strategy;
    this.ids = ids ?? { anonVma: 0, shmem: 0 };
    if (
      options.rcu !== undefined &&
      (typeof options.rcu !== "object" || typeof options.rcu.defer !== "function")
    ) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option rcu must have a defer(free) method, got ${describe(options.rcu)}`,
      );
    }
    this.rcu = options.rcu;
    const cap = options.nodeCapacity;
    if (cap !== undefined && (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1)) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option nodeCapacity must be a positive integer, got ${describe(cap)}`,
      );
    }
    this.tree = new VmaTree(options.rcu, cap);
    let startBrk = options.startBrk;
    let brk = options.brk;
    if (options.initialMaps !== undefined) {
      const parsed = parseProcMaps(options.initialMaps);
      const heap = parsed.find((m) => m.name === "[heap]");
      if (heap !== undefined) {
        startBrk ??= heap.start;
        brk ??= heap.end;
      }
      // Mappings of one object share it (split or duplicated shmem, the pieces of a file).
      const objects = new Map<string, ShmemObject | FileRef>();
      for (const m of parsed) {
        if (m.dev === "00:01" && m.name.startsWith("/dev/zero")) {
          const key = `shmem:${m.ino}`;
          const pages = m.offset / PAGE_SIZE + (m.end - m.start) / PAGE_SIZE;
          const had = objects.get(key);
          if (!(had instanceof ShmemObject) || had.sizePages < pages)
            objects.set(key, new ShmemObject(m.ino, pages));
          if (m.ino > this.ids.shmem) this.ids.shmem = m.ino;
        } else if (!(m.dev === "00:00" && m.ino === 0)) {
          const key = `file:${m.dev}:${m.ino}:${m.name}`;
          if (!objects.has(key)) objects.set(key, new FileRef(m.dev, m.ino, m.name));
        }
      }
      for (const m of parsed) this.loadMapping(m, objects);
    }
    this.startBrk = checkOption("startBrk", startBrk, DEFAULT_START_BRK);
    this.currentBrk = checkOption("brk", brk, this.startBrk);
  }

  /** Kernel `mm_users` (`atomic_read`): shared with readers of {@link shareMaps} once shared. */
  get users(): number {
    return Atomics.load(this.usersWord, this.usersAt);
  }

  /**
   * Mirrors this mm's VMAs into shared memory so that other threads can read its
   * `/proc/<pid>/maps` lock-free (the kernel's speculative maps read): post the returned maps'
   * `handle` to a worker and `SharedMaps.attach` it there. From now on every syscall that changes
   * VMAs also updates the mirror, in one write section of its shared tree. `mm_users` moves into
   * the shared header, so a worker's `mmgetNotZero()` fails once the last user is gone. Throws an
   * MmError `EINVAL` for bad options, `EEXIST` when already shared (nothing changes then).
   */
  shareMaps(options: ShareMapsOptions): SharedMaps {
    this.live("shareMaps");
    if (this.mirror !== null) {
      throw new MmError("EEXIST", "shareMaps: this mm's maps are already shared");
    }
    const mirror = new MapsMirror(this, this.users, options);
    this.mirror = mirror;
    this.usersWord = mirror.usersWord;
    this.usersAt = MapsMirror.USERS;
    this.tree.dirty = mirror.dirty;
    return mirror.maps;
  }

  /** The shared maps made by {@link shareMaps}, or null. */
  get sharedMaps(): SharedMaps | null {
    return this.mirror === null ? null : this.mirror.maps;
  }

  /**
   * Brings the shared maps up to date now (each syscall does it; this is for a sync a full record
   * table or a busy tree lock put off). True when they equal the mm.
   */
  syncSharedMaps(): boolean {
    return this.mirror === null ? true : this.mirror.sync();
  }

  /** After a syscall: the mirror follows (a no-op when not shared or nothing changed). */
  private synced(): void {
    if (this.mirror !== null) this.mirror.sync();
  }

  /** Same as `new MmStruct({ ...options, initialMaps: text })`. */
  static fromProcMaps(text: string, options: MmOptions = {}): MmStruct {
    return new MmStruct({ ...options, initialMaps: text });
  }

  private loadMapping(m: ParsedMapping, objects: Map<string, ShmemObject | FileRef>): void {
    let flags: number;
    let foreign: string[] = [];
    if (m.vmFlags !== undefined) {
      const f = parseVmFlags(m.vmFlags);
      flags = f.flags;
      foreign = f.foreign;
    } else {
      flags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
      if (m.perms[0] === "r") flags |= VM_READ;
      if (m.perms[1] === "w") flags |= VM_WRITE;
      if (m.perms[2] === "x") flags |= VM_EXEC;
      if (m.perms[3] === "s") flags |= VM_SHARED | VM_MAYSHARE;
    }
    let file: ShmemObject | FileRef | null = null;
    let pgoff = m.start / PAGE_SIZE;
    if (m.dev === "00:01" && m.name.startsWith("/dev/zero")) {
      file = objects.get(`shmem:${m.ino}`) ?? null;
      pgoff = m.offset / PAGE_SIZE;
    } else if (!(m.dev === "00:00" && m.ino === 0)) {
      file = objects.get(`file:${m.dev}:${m.ino}:${m.name}`) ?? null;
      pgoff = m.offset / PAGE_SIZE;
    }
    const v = new Vma(m.start, m.end, flags, pgoff, file);
    if (foreign.length > 0) v.foreignFlags = Object.freeze(foreign);
    if (file === null && m.name !== "" && m.name !== "[heap]") v.name = m.name;
    if (file === null && m.anonKb !== undefined && m.anonKb > 0) v.anonVma = this.newAnonVma();
    // The gate area ([vsyscall]) lies above TASK_SIZE: /proc shows it, the VMA tree never holds it.
    if (m.end > this.taskSize) this.gateVmas.push(v);
    else this.tree.insert(v);
  }

  /** A fresh anon_vma identity. */
  newAnonVma(): AnonVma {
    return new AnonVma(++this.ids.anonVma);
  }

  /** A fresh shmem object of `pages` pages (shmem_zero_setup). */
  newShmem(pages: number): ShmemObject {
    return new ShmemObject(++this.ids.shmem, pages);
  }

  private live(fn: string): void {
    if (this.users <= 0) {
      // A reader thread may have dropped the last reference: exit_mmap runs here, on the owner.
      this.exitMmap();
      throw new MmError("EDEAD", `${fn}: the mm has no users left (after the last mmput)`);
    }
  }

  /** Kernel `exit_mmap()` + the mm_count reference mm_users held; runs once. */
  private exitMmap(): void {
    if (this.exited) return;
    this.exited = true;
    this.tree.destroy();
    this.pages.clear();
    if (this.mirror !== null) this.mirror.teardown();
    this.mmdrop();
  }

  /** `mmap(2)`: the mapped address, or `-errno`. */
  mmap(
    addr: number | bigint,
    len: number | bigint,
    prot: number,
    flags: number,
    fd = -1,
    off: number | bigint = 0,
  ): number {
    this.live("mmap");
    try {
      return doMmap(
        this,
        u64("mmap", "addr", addr),
        u64("mmap", "len", len),
        prot,
        flags,
        fd,
        u64("mmap", "off", off),
      );
    } finally {
      this.synced();
    }
  }

  /** `munmap(2)`: 0 or `-errno`. */
  munmap(addr: number | bigint, len: number | bigint): number {
    this.live("munmap");
    try {
      return doMunmap(this, u64("munmap", "addr", addr), u64("munmap", "len", len));
    } finally {
      this.synced();
    }
  }

  /** `mprotect(2)`: 0 or `-errno` (an ENOMEM at a hole keeps the earlier changes, as Linux). */
  mprotect(addr: number | bigint, len: number | bigint, prot: number): number {
    this.live("mprotect");
    try {
      return doMprotect(this, u64("mprotect", "addr", addr), u64("mprotect", "len", len), prot);
    } finally {
      this.synced();
    }
  }

  /** `mremap(2)`: the new address, or `-errno`. */
  mremap(
    oldAddr: number | bigint,
    oldLen: number | bigint,
    newLen: number | bigint,
    flags: number,
    newAddr: number | bigint = 0,
  ): number {
    this.live("mremap");
    try {
      return doMremap(
        this,
        u64("mremap", "oldAddr", oldAddr),
        u64("mremap", "oldLen", oldLen),
        u64("mremap", "newLen", newLen),
        flags,
        u64("mremap", "newAddr", newAddr),
      );
    } finally {
      this.synced();
    }
  }

  /** `madvise(2)`: 0 or `-errno`. */
  madvise(addr: number | bigint, len: number | bigint, advice: number): number {
    this.live("madvise");
    try {
      return doMadvise(this, u64("madvise", "addr", addr), u64("madvise", "len", len), advice);
    } finally {
      this.synced();
    }
  }

  /** `brk(2)`: the new break, or the unchanged old one on failure (brk never returns an error). */
  brk(addr: number | bigint): number {
    this.live("brk");
    try {
      return doBrk(this, u64("brk", "addr", addr));
    } finally {
      this.synced();
    }
  }

  /**
   * A page fault at `addr` (a one-word read, or a write of `value`): 0, or the signal Linux
   * delivers (`"SIGSEGV"` / `"SIGBUS"`). Stack VMAs grow down as in the kernel.
   */
  touch(addr: number | bigint, write: boolean, value = 1): 0 | "SIGSEGV" | "SIGBUS" {
    this.live("touch");
    try {
      return handleFault(this, u64("touch", "addr", addr), write === true, value);
    } finally {
      this.synced();
    }
  }

  /** The first u64 of the page at `addr` as a read would see it, without faulting anything in. */
  peek(addr: number): number | "SIGBUS" | "SIGSEGV" {
    return peekPage(this, addr);
  }

  /** {@link peek} of an address known to lie in `vma` (no tree lookup). */
  peekIn(vma: Vma, addr: number): number | "SIGBUS" | "SIGSEGV" {
    return peekVma(this, vma, addr);
  }

  /**
   * `fork(2)`'s address-space half: a child mm with this mm's layout, filled by `dup_mmap`.
   * Throws an MmError with code `ENOMEM` when the child's tree cannot get nodes (the child is torn
   * down, this mm is untouched).
   */
  fork(strategy: DupStrategy = this.dupStrategy): MmStruct {
    this.live("fork");
    const child = new MmStruct(this.layout(), this.ids);
    const err = dup_mmap(child, this, strategy);
    if (err !== 0) {
      child.mmput();
      throw new MmError(
        "ENOMEM",
        `fork: dup_mmap failed with ${err} (child torn down, parent unchanged)`,
      );
    }
    return child;
  }

  /** The options that recreate this mm's layout without its VMAs (what a fork child starts from). */
  layout(): MmOptions {
    return {
      mmapBase: this.mmapBase,
      taskSize: this.taskSize,
      stackGuardGap: this.stackGuardGap,
      startBrk: this.startBrk,
      brk: this.currentBrk,
      rlimitStack: this.rlimitStack,
      mmapMinAddr: this.mmapMinAddr,
      maxMapCount: this.maxMapCount,
      dupStrategy: this.dupStrategy,
      ...(this.rcu === undefined ? {} : { rcu: this.rcu }),
      ...(this.tree.nodeCapacity === undefined ? {} : { nodeCapacity: this.tree.nodeCapacity }),
    };
  }

  /** Kernel `find_vma()`: the first VMA ending above `addr`. */
  find_vma(addr: number): Vma | null {
    return this.tree.find(addr);
  }

  /** Kernel `find_vma_intersection()`: the first VMA intersecting `[start, end)`. */
  find_vma_intersection(start: number, end: number): Vma | null {
    return this.tree.findIntersection(start, end);
  }

  /** Kernel `vma_lookup()`: the VMA containing `addr`. */
  vma_lookup(addr: number): Vma | null {
    return this.tree.lookup(addr);
  }

  /** The VMAs in address order, optionally only those intersecting `[start, end)`. */
  vmas(start = 0, end = this.taskSize): Vma[] {
    return this.tree.range(start, end, []);
  }

  /** smaps `Anonymous` of `vma` in kB: 4 × its present private anonymous pages. */
  anonKb(vma: Vma): number {
    if (vma.file !== null) return 0;
    return 4 * countPages(this.pages, vma.start / PAGE_SIZE, vma.end / PAGE_SIZE);
  }

  /** `/proc/<pid>/maps`, byte for byte as Linux renders it. */
  procMaps(): string {
    // A reader thread's mmput may have ended the mm since the owner last looked.
    if (this.users <= 0) this.exitMmap();
    // Kernel m_start(): mmget_not_zero() fails once the mm is gone, and the file reads empty.
    if (this.exited) return "";
    return renderMaps(this.tree, this.gateVmas, this);
  }

  /** Kernel `mmget()`: one more user. */
  mmget(): void {
    this.live("mmget");
    Atomics.add(this.usersWord, this.usersAt, 1);
  }

  /**
   * Kernel `mmget_not_zero()`: a user reference unless the last user is gone. On success the VMA
   * tree is switched into RCU mode for good (`mt_set_in_rcu`, as the maple tree series did for
   * lockless readers); trees are created in RCU mode already (`MM_MT_FLAGS`), so this only
   * matters after someone cleared it.
   */
  mmget_not_zero(): boolean {
    const w = this.usersWord;
    let u = Atomics.load(w, this.usersAt);
    for (;;) {
      if (u <= 0) return false;
      const seen = Atomics.compareExchange(w, this.usersAt, u, u + 1);
      if (seen === u) break;
      u = seen;
    }
    this.tree.setInRcu();
    return true;
  }

  /** Kernel `mmput()`: drops a user; the last one tears the address space down (exit_mmap). */
  mmput(): void {
    const w = this.usersWord;
    let u = Atomics.load(w, this.usersAt);
    for (;;) {
      if (u <= 0) throw new MmError("ESTATE", "mmput: mm_users is already zero");
      const seen = Atomics.compareExchange(w, this.usersAt, u, u - 1);
      if (seen === u) break;
      u = seen;
    }
    if (u === 1) this.exitMmap();
  }

  /** Kernel `mmgrab()`: pins the struct (mm_count) without keeping the address space. */
  mmgrab(): void {
    if (this.count <= 0) throw new MmError("ESTATE", "mmgrab: mm_count is already zero");
    this.count++;
  }

  /** Kernel `mmdrop()`. */
  mmdrop(): void {
    if (this.count <= 0) throw new MmError("ESTATE", "mmdrop: mm_count is already zero");
    this.count--;
  }
}
