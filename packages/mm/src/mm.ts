// MmStruct: one process address space (kernel `struct mm_struct`): the VMA tree, the layout
// (mmap_base, TASK_SIZE, brk), private page contents, and the reference counts. The syscalls
// live one per file (mmap.ts, munmap.ts, ...); this file holds the state and the public surface
// of docs/spec/api.md "mm".

import type { Reclaimer } from "@maplemm/maple-tree/kernel";
import { int32, rlimArg, u64 } from "./args.js";
import { doBrk } from "./brk.js";
import { Caps, type MmCapability } from "./caps.js";
import {
  ADDR_NO_RANDOMIZE,
  DEFAULT_MAX_MAP_COUNT,
  DEFAULT_MMAP_BASE,
  DEFAULT_MMAP_MIN_ADDR,
  DEFAULT_STACK_GUARD_GAP,
  PAGE_SIZE,
  RLIMIT_STACK,
  TASK_SIZE_64,
} from "./constants.js";
import { describe, MmError } from "./errors.js";
import { handleFault, peekPage, peekVma } from "./fault.js";
import { FileTable, MemFile, Namespace } from "./file.js";
import { doClose, doFtruncate, doMemfdCreate, doOpen, doUnlink } from "./file-syscalls.js";
import { type DupStrategy, dup_mmap } from "./fork.js";
import { HugetlbFile, hugetlbForget } from "./hugetlb.js";
import { inferLayout, placeAnonPages } from "./live-layout.js";
import { doMadvise } from "./madvise.js";
import { doMincore } from "./mincore.js";
import { doMlock, doMlock2, doMlockall, doMunlock, doMunlockall } from "./mlock.js";
import { doMmap } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { doMremap } from "./mremap.js";
import { doMseal } from "./mseal.js";
import { doMsync } from "./msync.js";
import { doMunmap } from "./munmap.js";
import { countPages, dropPages, type PageMap } from "./pages.js";
import { doPersonality, mmapIsLegacy, pickMmapBase } from "./personality.js";
import { type HeapBounds, type ParsedMapping, parseProcMaps, renderMaps } from "./proc-maps.js";
import { type Rlimit, type RlimitOptions, Rlimits } from "./rlimit.js";
import type { SharedMaps } from "./shared-maps.js";
import { MapsMirror, type ShareMapsOptions } from "./shared-maps-sync.js";
import { renderSmapsEntry } from "./smaps.js";
import { MmSystem, type MmSystemOptions, type SysctlName } from "./sysctl.js";
import { ThpState, thpFixup, thpForked } from "./thp.js";
import {
  parseVmFlags,
  VM_EXEC,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WIPEONFORK,
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
  /** `RLIMIT_STACK` soft limit (the same as `rlimits.stack.cur`). */
  rlimitStack?: number;
  /** `vm.mmap_min_addr` (the same as `system.mmap_min_addr`). */
  mmapMinAddr?: number;
  /** `vm.max_map_count` (the same as `system.max_map_count`). */
  maxMapCount?: number;
  /**
   * The process's resource limits: `as`, `data`, `stack`, `memlock`, each `{ cur, max }` in bytes
   * (number, bigint or `Infinity`). Defaults: AS and DATA unlimited, STACK 8 MiB / unlimited,
   * MEMLOCK 8 MiB / 8 MiB. An unlimited stack puts the top-down mmap base at TASK_SIZE / 6 (as
   * at exec on x86; it does not select the legacy layout there).
   */
  rlimits?: RlimitOptions | Rlimits;
  /**
   * The machine: the `vm.*` sysctls (`overcommit_memory`, `overcommit_ratio`, `overcommit_kbytes`,
   * `max_map_count`, `mmap_min_addr`, `admin_reserve_kbytes`, `user_reserve_kbytes`), `memTotal`
   * and `swapTotal` in bytes (MemTotal 16 GiB and no swap by default), the free 2 MiB `hugePages`
   * (none by default) and `otherCommitted` bytes. Shared by forks; change it with
   * {@link MmStruct.sysctl}.
   */
  system?: MmSystemOptions | MmSystem;
  /**
   * The caller's capabilities: `true` (root with every capability the mm asks about), `false`
   * (an ordinary user: the default), or a list of `"CAP_IPC_LOCK"`, `"CAP_SYS_RAWIO"`,
   * `"CAP_SYS_ADMIN"`, `"CAP_SYS_RESOURCE"`.
   */
  privileged?: boolean | readonly MmCapability[];
  /**
   * The persona (`personality(2)`) the process was exec'd with; default ADDR_NO_RANDOMIZE (the
   * model never randomises). ADDR_COMPAT_LAYOUT selects the legacy bottom-up layout.
   */
  personality?: number;
  /**
   * Text of a real `/proc/<pid>/maps` or `smaps`: the VMAs the mm starts with. When `mmapBase` /
   * `taskSize` are not given they are inferred from it (live-layout.ts says how, and what cannot
   * be known); smaps `VmFlags` give exact flags, `Anonymous` / `AnonHugePages` present pages.
   */
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
  /**
   * fds `0 .. reservedFds-1` are open but cannot be mapped (stdio: a tty or pipe, mmap gives
   * ENODEV), so the first `memfd_create`/`open` returns `reservedFds`. Default 3.
   */
  reservedFds?: number;
  /**
   * With `initialMaps`: treat every loaded VMA that has anonymous pages as holding an anon_vma
   * inherited through fork (kernel `anon_vma_fork`: such VMAs never merge with a neighbour
   * without anon_vma). True for a process forked without exec; /proc cannot tell. Default false.
   */
  inheritedAnonVma?: boolean;
  /** `major:minor` shown in /proc maps for files made by {@link MmStruct.open} (default `"00:1b"`). */
  tmpfsDev?: string;
  /**
   * The CPU has x86 protection keys (`pku` in /proc/cpuinfo): PROT_EXEC-only mappings then get
   * the execute-only pkey (smaps `ProtectionKey: 1`) and every data access to them is SIGSEGV.
   * Default false.
   */
  pku?: boolean;
}

/** Identity counters shared by an mm and every mm forked from it. */
export interface MmIds {
  anonVma: number;
  /** Last shmem inode number (shared anonymous memory, memfds and tmpfs files share it). */
  shmem: number;
  /** The tmpfs namespace `open`/`unlink` use (made by the first mm when absent). */
  namespace?: Namespace;
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
  /** The resource limits (kernel `signal->rlim`); a fork child gets a copy. */
  readonly rlimits: Rlimits;
  /** The machine: sysctls, RAM, swap, hugetlb pool (shared with forks). */
  readonly system: MmSystem;
  /** The caller's capabilities; a fork child gets a copy. */
  readonly caps: Caps;
  /** The persona (kernel `current->personality`). */
  persona: number;
  /** True for the legacy bottom-up layout (chosen at creation, as at exec). */
  readonly legacyLayout: boolean;
  /** Kernel `mm->def_flags`: VM_LOCKED (+ VM_LOCKONFAULT) after mlockall(MCL_FUTURE). */
  defFlags = 0;
  /** True once any VMA was sealed: the seal checks cost nothing before. */
  anySealed = false;
  /** Whether a hugetlb VMA was ever made here (munmap then checks its split points). */
  anyHugetlb = false;
  /** Guard markers (MADV_GUARD_INSTALL) by page frame number: accesses raise SIGSEGV. */
  guards: Set<number> = new Set();
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
  /** The process's fd table (kernel `files_struct`); a fork gets a copy naming the same files. */
  files: FileTable;
  /** The CPU has protection keys (option `pku`). */
  readonly pku: boolean;
  /**
   * A MemFile was mapped here (by mmap, or inherited through fork): only then does exit walk the
   * VMAs to leave the files' mapper sets.
   */
  mapsFiles = false;
  /** Transparent huge page mappings and PTE tables by PMD (thp.ts). */
  thpState = new ThpState();

  constructor(options: MmOptions = {}, ids?: MmIds) {
    if (typeof options !== "object" || options === null) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: options must be an object, got ${describe(options)}`,
      );
    }
    const parsed = options.initialMaps !== undefined ? parseProcMaps(options.initialMaps) : null;
    // A live process's maps tell where its mmap area ends and which paging mode it runs in.
    const inferred = parsed !== null ? inferLayout(parsed, options.taskSize !== undefined) : {};
    this.taskSize = checkOption("taskSize", options.taskSize ?? inferred.taskSize, TASK_SIZE_64);
    this.stackGuardGap = checkOption(
      "stackGuardGap",
      options.stackGuardGap,
      DEFAULT_STACK_GUARD_GAP,
    );
    const stackCur =
      options.rlimitStack === undefined
        ? undefined
        : checkOption("rlimitStack", options.rlimitStack, 0);
    this.rlimits =
      options.rlimits instanceof Rlimits
        ? options.rlimits.clone()
        : new Rlimits(options.rlimits ?? {}, stackCur);
    this.system =
      options.system instanceof MmSystem ? options.system : new MmSystem(options.system ?? {});
    checkOption("mmapMinAddr", options.mmapMinAddr, DEFAULT_MMAP_MIN_ADDR);
    checkOption("maxMapCount", options.maxMapCount, DEFAULT_MAX_MAP_COUNT);
    if (options.mmapMinAddr !== undefined)
      this.system.set("mmap_min_addr", options.mmapMinAddr, "new MmStruct: option ");
    if (options.maxMapCount !== undefined)
      this.system.set("max_map_count", options.maxMapCount, "new MmStruct: option ");
    this.caps = new Caps(options.privileged ?? false);
    const persona = options.personality ?? ADDR_NO_RANDOMIZE;
    if (!Number.isInteger(persona) || persona < 0 || persona > 0xffffffff) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option personality must be a u32, got ${describe(persona)}`,
      );
    }
    this.persona = persona;
    const stackLimit = this.rlimits.soft(RLIMIT_STACK);
    this.legacyLayout = mmapIsLegacy(persona);
    const base = options.mmapBase ?? inferred.mmapBase;
    this.mmapBase =
      base === undefined
        ? pickMmapBase(this.taskSize, persona, stackLimit, this.stackGuardGap)
        : checkOption("mmapBase", base, DEFAULT_MMAP_BASE);
    const strategy = options.dupStrategy ?? "seed";
    if (strategy !== "seed" && strategy !== "modern") {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option dupStrategy must be "seed" or "modern", got ${describe(strategy)}`,
      );
    }
    this.dupStrategy = strategy;
    this.ids = ids ?? { anonVma: 0, shmem: 0 };
    if (options.pku !== undefined && typeof options.pku !== "boolean") {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option pku must be a boolean, got ${describe(options.pku)}`,
      );
    }
    // Either option says the CPU has PKU: `pku` of the mm, or `execOnlyPkey` of its machine.
    this.pku = options.pku ?? this.system.execOnlyPkey;
    const reserved = checkOption("reservedFds", options.reservedFds, 3);
    this.files = new FileTable(reserved);
    if (this.ids.namespace === undefined) {
      const dev = options.tmpfsDev ?? "00:1b";
      if (typeof dev !== "string" || !/^[0-9a-f]{2,}:[0-9a-f]{2,}$/.test(dev)) {
        throw new MmError(
          "EINVAL",
          `new MmStruct: option tmpfsDev must look like "00:1b", got ${describe(dev)}`,
        );
      }
      this.ids.namespace = new Namespace(dev);
    }
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
    if (parsed !== null) {
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
      const inherited = options.inheritedAnonVma === true;
      for (const m of parsed) this.loadMapping(m, objects, inherited);
    }
    this.startBrk = checkOption("startBrk", startBrk, DEFAULT_START_BRK);
    this.currentBrk = checkOption("brk", brk, this.startBrk);
  }

  /** `RLIMIT_STACK` soft limit in bytes (`Infinity` when unlimited): stack growth obeys it. */
  get rlimitStack(): number {
    return this.rlimits.soft(RLIMIT_STACK);
  }

  /** `vm.mmap_min_addr`. */
  get mmapMinAddr(): number {
    return this.system.sysctls.mmap_min_addr;
  }

  /** `vm.max_map_count`. */
  get maxMapCount(): number {
    return this.system.sysctls.max_map_count;
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
   * the shared header, so a worker's `mmget_not_zero()` fails once the last user is gone. Throws an
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
    const t = this.thpState;
    if (t.thp.size + t.hugeZero.size > 0) thpFixup(this);
    if (this.mirror !== null) this.mirror.sync();
  }

  /** Same as `new MmStruct({ ...options, initialMaps: text })`. */
  static fromProcMaps(text: string, options: MmOptions = {}): MmStruct {
    return new MmStruct({ ...options, initialMaps: text });
  }

  private loadMapping(
    m: ParsedMapping,
    objects: Map<string, ShmemObject | FileRef>,
    inherited: boolean,
  ): void {
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
    if (foreign.length > 0) {
      v.foreignFlags = Object.freeze(foreign);
      if (foreign.includes("sl")) this.anySealed = true;
    }
    if (file === null && m.name !== "" && m.name !== "[heap]") v.name = m.name;
    if (m.perms[3] === "p" && m.anonKb !== undefined && m.anonKb > 0) {
      // smaps Anonymous: private pages exist, so an anon_vma does (inherited if told so).
      v.anonVma = this.newAnonVma();
      v.anonVmaForked = inherited;
      const placed = placeAnonPages(m.start, m.end, m.anonKb, m.anonHugeKb ?? 0);
      for (const p of placed.pfns) this.pages.set(p, 0);
      for (const k of placed.pmds) this.thpState.thp.add(k);
    }
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

  // Every syscall below is written out as `live(); try { doX(...) } finally { synced() }` rather
  // than passed as a closure to one wrapper: a syscall allocates no closure, and each reads at once.
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
    if (this.mapsFiles) {
      for (const v of this.tree) if (v.file instanceof MemFile) v.file.mappers.delete(this);
    }
    const huge = new Set<HugetlbFile>();
    if (this.anyHugetlb) {
      for (const v of this.tree) if (v.file instanceof HugetlbFile) huge.add(v.file);
    }
    this.tree.destroy();
    hugetlbForget(this, huge);
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
    child.files = this.files.dup();
    child.thpState = this.thpState.clone();
    const err = dup_mmap(child, this, strategy);
    if (err === 0) thpForked(child);
    if (err !== 0) {
      child.mmput();
      throw new MmError(
        "ENOMEM",
        `fork: dup_mmap failed with ${err} (child torn down, parent unchanged)`,
      );
    }
    this.forkLimitsState(child);
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
      rlimits: this.rlimits,
      system: this.system,
      privileged: this.caps.list(),
      personality: this.persona,
      dupStrategy: this.dupStrategy,
      pku: this.pku,
      ...(this.rcu === undefined ? {} : { rcu: this.rcu }),
      ...(this.tree.nodeCapacity === undefined ? {} : { nodeCapacity: this.tree.nodeCapacity }),
    };
  }

  // ---- limits, locking, sealing, personality (mlock.ts, mseal.ts, rlimit.ts, sysctl.ts) ----

  /**
   * What a fork child inherits beyond dup_mmap: the seal state, and the guard markers of every
   * copied VMA but the WIPEONFORK ones, whose page tables dup_mmap does not copy (lock-s010 #137).
   */
  private forkLimitsState(child: MmStruct): void {
    child.anySealed = this.anySealed;
    child.anyHugetlb = this.anyHugetlb;
    for (const pfn of this.guards) {
      const v = child.tree.lookup(pfn * PAGE_SIZE);
      if (v !== null && (v.flags & VM_WIPEONFORK) === 0) child.guards.add(pfn);
    }
  }

  /** `mlock(2)`: 0 or `-errno` (kernel `do_mlock()`). */
  mlock(addr: number | bigint, len: number | bigint): number {
    this.live("mlock");
    try {
      return doMlock(this, u64("mlock", "addr", addr), u64("mlock", "len", len), VM_LOCKED);
    } finally {
      this.synced();
    }
  }

  /** `mlock2(2)` (`MLOCK_ONFAULT` locks without populating): 0 or `-errno`. */
  mlock2(addr: number | bigint, len: number | bigint, flags: number): number {
    this.live("mlock2");
    try {
      return doMlock2(
        this,
        u64("mlock2", "addr", addr),
        u64("mlock2", "len", len),
        int32("mlock2", "flags", flags),
      );
    } finally {
      this.synced();
    }
  }

  /** `munlock(2)`: 0 or `-errno`. */
  munlock(addr: number | bigint, len: number | bigint): number {
    this.live("munlock");
    try {
      return doMunlock(this, u64("munlock", "addr", addr), u64("munlock", "len", len));
    } finally {
      this.synced();
    }
  }

  /** `mlockall(2)` (`MCL_CURRENT`, `MCL_FUTURE`, `MCL_ONFAULT`): 0 or `-errno`. */
  mlockall(flags: number): number {
    this.live("mlockall");
    try {
      return doMlockall(this, int32("mlockall", "flags", flags));
    } finally {
      this.synced();
    }
  }

  /** `munlockall(2)`: 0. */
  munlockall(): number {
    this.live("munlockall");
    try {
      return doMunlockall(this);
    } finally {
      this.synced();
    }
  }

  /** `mseal(2)`: 0 or `-errno` (kernel `do_mseal()`). */
  mseal(addr: number | bigint, len: number | bigint, flags: number | bigint = 0): number {
    this.live("mseal");
    try {
      return doMseal(
        this,
        u64("mseal", "addr", addr),
        u64("mseal", "len", len),
        u64("mseal", "flags", flags),
      );
    } finally {
      this.synced();
    }
  }

  /** `getrlimit(2)`: fills `rlim` (`cur`, `max` as bigints; RLIM_INFINITY unlimited); 0 or `-EINVAL`. */
  getrlimit(resource: number, rlim: Rlimit): number {
    const res = int32("getrlimit", "resource", resource);
    if (typeof rlim !== "object" || rlim === null) {
      throw new MmError("EINVAL", `getrlimit: rlim must be an object, got ${describe(rlim)}`);
    }
    return this.rlimits.get(res, rlim);
  }

  /**
   * `setrlimit(2)`: 0, `-EINVAL` (unknown resource, cur > max) or `-EPERM` (raising the hard
   * limit without CAP_SYS_RESOURCE). A new RLIMIT_STACK bounds stack growth at once; the layout
   * only changes for a new MmStruct (as at exec).
   */
  setrlimit(resource: number, rlim: { cur: number | bigint; max: number | bigint }): number {
    const res = int32("setrlimit", "resource", resource);
    if (typeof rlim !== "object" || rlim === null) {
      throw new MmError("EINVAL", `setrlimit: rlim must be an object, got ${describe(rlim)}`);
    }
    const c = rlimArg("setrlimit", "rlim.cur", rlim.cur);
    const m = rlimArg("setrlimit", "rlim.max", rlim.max);
    return this.rlimits.set(res, c, m, this.caps.sysResource);
  }

  /** `personality(2)`: the previous persona; 0xffffffff only reads it. */
  personality(persona: number): number {
    const p = int32("personality", "persona", persona);
    return doPersonality(this, p >>> 0);
  }

  /**
   * Reads, or with `value` writes, a `vm.*` sysctl of this mm's machine (shared with its forks):
   * `overcommit_memory`, `overcommit_ratio`, `overcommit_kbytes`, `max_map_count`,
   * `mmap_min_addr`, `admin_reserve_kbytes`, `user_reserve_kbytes`. Returns the value; throws an
   * MmError `EINVAL` for an unknown name or a bad value (nothing changes then).
   */
  sysctl(name: SysctlName, value?: number): number {
    if (value !== undefined) this.system.set(name, value);
    return this.system.get(name);
  }

  /** The caller's capabilities. */
  get capabilities(): MmCapability[] {
    return this.caps.list();
  }

  /**
   * Sets the caller's capabilities (as `capset(2)`): `true` for all, `false` for none, or a list.
   * Throws an MmError `EINVAL` for an unknown capability (nothing changes then).
   */
  setCapabilities(privileged: boolean | readonly MmCapability[]): void {
    const next = new Caps(false);
    next.set(privileged, "setCapabilities: privileged");
    this.caps.set(next.list(), "setCapabilities");
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
    if ((vma.flags & VM_MAYSHARE) !== 0) return 0;
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

  // ---- Files, msync, mincore, smaps (file.ts, file-syscalls.ts, msync.ts, mincore.ts, smaps.ts)

  /** The tmpfs namespace shared with forks (paths of {@link open} / {@link unlink}). */
  get namespace(): Namespace {
    return this.ids.namespace as Namespace;
  }

  /** `memfd_create(2)`: a new fd naming an anonymous tmpfs file (`/memfd:NAME`), or `-errno`. */
  memfd_create(name: string, flags = 0): number {
    this.live("memfd_create");
    return doMemfdCreate(this, name, flags);
  }

  /** `open(2)` on the model's tmpfs: the new fd, or `-errno`. */
  open(path: string, flags: number, mode = 0o600): number {
    this.live("open");
    return doOpen(this, path, flags, mode);
  }

  /** `close(2)`: 0 or `-EBADF`. */
  close(fd: number): number {
    this.live("close");
    return doClose(this, fd);
  }

  /** `unlink(2)`: 0 or `-errno`; mappings of the file then show " (deleted)". */
  unlink(path: string): number {
    this.live("unlink");
    try {
      return doUnlink(this, path);
    } finally {
      this.synced();
    }
  }

  /** `ftruncate(2)`: 0 or `-errno`. Shrinking drops pages past EOF in every process. */
  ftruncate(fd: number, length: number | bigint): number {
    this.live("ftruncate");
    return doFtruncate(this, fd, length);
  }

  /**
   * Kernel `unmap_mapping_range(mapping, from, 0, even_cows = 1)` for this mm: drops this mm's
   * private copies of pages `>= fromIdx` of `file` (called by truncation).
   */
  zapFilePages(file: MemFile, fromIdx: number): void {
    for (const v of this.tree) {
      if (v.file !== file || (v.flags & VM_MAYSHARE) !== 0) continue;
      const first = Math.max(v.start, v.start + (fromIdx - v.pgoff) * PAGE_SIZE);
      if (first < v.end) dropPages(this.pages, first / PAGE_SIZE, v.end / PAGE_SIZE);
    }
  }

  /** `msync(2)`: 0 or `-errno` (EINVAL, ENOMEM at a hole, EBUSY); the mm never changes. */
  msync(addr: number | bigint, len: number | bigint, flags: number): number {
    this.live("msync");
    const n = typeof len === "bigint" ? BigInt.asUintN(64, len) : BigInt(u64("msync", "len", len));
    return doMsync(this, u64("msync", "addr", addr), n, flags);
  }

  /** `/proc/<pid>/smaps`, in the kernel's format (see smaps.ts for what is exact). */
  procSmaps(): string {
    if (this.users <= 0) this.exitMmap();
    if (this.exited) return "";
    let out = "";
    for (const v of this.tree) out += renderSmapsEntry(this, v);
    for (const g of this.gateVmas) out += renderSmapsEntry(this, g);
    return out;
  }

  /**
   * `mincore(2)`: fills `vec` (one byte per page, 1 = resident) and returns 0, or `-errno`
   * (EINVAL, ENOMEM; EFAULT when `vec` is shorter than the range's pages).
   */
  mincore(addr: number | bigint, len: number | bigint, vec: Uint8Array): number {
    this.live("mincore");
    if (!(vec instanceof Uint8Array)) {
      throw new MmError("EINVAL", `mincore: vec must be a Uint8Array, got ${describe(vec)}`);
    }
    const n =
      typeof len === "bigint" ? BigInt.asUintN(64, len) : BigInt(u64("mincore", "len", len));
    return doMincore(this, u64("mincore", "addr", addr), n, vec);
  }
}
