// SharedMaps: the reader side of an mm whose VMAs are mirrored into shared memory, so that another
// thread can read /proc/<pid>/maps while the owner keeps mapping, protecting and unmapping. This is
// the kernel's lockless maps read (fs/proc/task_mmu.c since 6.x: `mmget_not_zero()` in
// `proc_mem_open()`, the VMAs walked under RCU, and `mmap_lock_speculate_try_begin()` /
// `mmap_lock_speculate_retry()` validating that nothing changed in between).
//
// Layout (all SharedArrayBuffers, structured-cloneable as a {@link SharedMapsHandle}):
//   header   mm_users, the brk bounds the `[heap]` name depends on, the gate VMAs, a consistency
//            word, a sync counter and the mirror's sequence count (H_* / F_* below);
//   tree     a SharedMapleTree over the same ranges as the mm's own VMA tree, entries = record ids;
//   records  one record per VMA (shared-records.ts), immutable while reachable;
//   strings  the interned names.
//
// Consistency: the owner applies each syscall's changes inside ONE write section of the tree
// (shared-maps-sync.ts) and brackets them with the mirror's own sequence count H_SEQ (the kernel's
// `mm->mm_lock_seq`), which covers the brk words too. A reader renders in an RCU read section and
// keeps the text only if H_SEQ was even and unchanged across it: exactly one state between two
// syscalls. (The tree's own `readStable` would do as well but cannot be told to stop retrying;
// with H_SEQ a reader that keeps losing to the writer takes the tree's lock instead, as the kernel
// falls back to mmap_read_lock, so a writer that never pauses cannot starve it.) Records are
// RCU-protected on top of that, so even a read that loses the race only reads whole records.

import { SharedMapleTree, type SharedTreeDomain, type SharedTreeHandle } from "@maplemm/maple-tree";
import {
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MaState,
  mas_find,
  mas_set,
  mas_walk,
} from "@maplemm/maple-tree/kernel";
import { describe, MmError } from "./errors.js";
import { formatMapsLine } from "./proc-maps.js";
import {
  KIND_ANON,
  KIND_SHMEM,
  R_DEV,
  R_END,
  R_FLAGS,
  R_GEN,
  R_INO,
  R_KIND,
  R_NAME,
  R_PGOFF,
  R_START,
  RECORD_WORDS,
  SHMEM_NAME,
  StringTable,
} from "./shared-records.js";
import { mapsPerms } from "./vm-flags.js";

/** Magic word of a shared maps header ("MMAP"). */
export const MAPS_MAGIC = 0x4d4d4150;
/** Layout version of the header. */
export const MAPS_VERSION = 1;
/** Int32 header words. */
export const H_MAGIC = 0;
export const H_VERSION = 1;
/** Kernel `mm_users`. */
export const H_USERS = 2;
/** Record slots of the record table (ids 1..H_RECORDS-1). */
export const H_RECORDS = 3;
/** Number of gate VMAs (`[vsyscall]`: above TASK_SIZE, rendered after the tree, never change). */
export const H_GATES = 4;
/** First of the gate record ids. */
export const H_GATE0 = 5;
/** Most gate VMAs. */
export const MAX_GATES = 8;
/** 1 while the tree and records show one syscall boundary; 0 after a sync failed half way. */
export const H_CONSISTENT = H_GATE0 + MAX_GATES;
/** Syncs finished (a state number, bumped inside the write section that makes the state). */
export const H_SYNCS = H_CONSISTENT + 1;
/**
 * The mirror's sequence count (kernel `mm->mm_lock_seq`): odd while a sync changes the tree,
 * records or brk words, even between syncs. Readers speculate against it.
 */
export const H_SEQ = H_SYNCS + 1;
/** Failed speculations before a reader takes the tree's lock (kernel: falls back to the lock). */
const SPECULATE_TRIES = 16;
/** Float64 header words, from byte 128: kernel `mm->start_brk` and `mm->brk`. */
export const F_START_BRK = 0;
export const F_BRK = 1;
const F_BYTE_OFFSET = 128;
/** Bytes of the header buffer. */
export const HEADER_BYTES = 256;

/** Structured-cloneable description of shared maps: post it to a worker, `SharedMaps.attach` it. */
export interface SharedMapsHandle {
  /** mm_users, brk, gate VMAs, consistency and sync words. */
  readonly header: SharedArrayBuffer;
  /** The VMA record table. */
  readonly records: SharedArrayBuffer;
  /** The interned names. */
  readonly strings: SharedArrayBuffer;
  /** The shared maple tree of record ids. */
  readonly tree: SharedTreeHandle;
}

/** Options of {@link SharedMaps.attach}. */
export interface SharedMapsAttachOptions {
  /** This thread's registered `SharedRcu` (attached to the owner's domain). */
  domain: SharedTreeDomain;
}

/** One VMA as a reader of shared maps sees it (the columns of its /proc maps line, decoded). */
export interface SharedVma {
  /** `vm_start`. */
  readonly start: number;
  /** `vm_end`. */
  readonly end: number;
  /** `vm_flags` (bits 0..30). */
  readonly flags: number;
  /** `vm_pgoff`. */
  readonly pgoff: number;
  /** The perms column (`rw-p`). */
  readonly perms: string;
  /** The offset column in bytes. */
  readonly offset: number;
  /** The device column (`"00:00"` for anonymous memory). */
  readonly dev: string;
  /** The inode column. */
  readonly ino: number;
  /** The name column (`""` when none). */
  readonly name: string;
}

/** What {@link SharedMaps} gets back from a lock it may not wait for. */
const BUSY = Symbol("busy");

/** A line's name column from a record (kernel `show_map_vma()` name selection). */
function recordName(
  rec: Float64Array,
  b: number,
  strings: StringTable,
  startBrk: number,
  brk: number,
): string {
  const kind = rec[b + R_KIND] as number;
  if (kind === KIND_SHMEM) return SHMEM_NAME;
  const name = rec[b + R_NAME] as number;
  if (name >= 0) return strings.get(name);
  if (kind !== KIND_ANON) return "";
  // Kernel vma_is_initial_heap(): overlapping [start_brk, brk).
  return (rec[b + R_START] as number) < brk && (rec[b + R_END] as number) > startBrk
    ? "[heap]"
    : "";
}

/** The maps line of record `id`, without the newline. */
function recordLine(
  rec: Float64Array,
  id: number,
  strings: StringTable,
  startBrk: number,
  brk: number,
): string {
  const b = id * RECORD_WORDS;
  const kind = rec[b + R_KIND] as number;
  return formatMapsLine(
    rec[b + R_START] as number,
    rec[b + R_END] as number,
    rec[b + R_FLAGS] as number,
    kind === KIND_ANON ? 0 : (rec[b + R_PGOFF] as number) * 4096,
    kind === KIND_ANON
      ? "00:00"
      : kind === KIND_SHMEM
        ? "00:01"
        : strings.get(rec[b + R_DEV] as number),
    rec[b + R_INO] as number,
    recordName(rec, b, strings, startBrk, brk),
  );
}

function checkHandle(handle: unknown): SharedMapsHandle {
  const h = handle as Partial<SharedMapsHandle> | null;
  if (
    typeof h !== "object" ||
    h === null ||
    !(h.header instanceof SharedArrayBuffer) ||
    !(h.records instanceof SharedArrayBuffer) ||
    !(h.strings instanceof SharedArrayBuffer) ||
    typeof h.tree !== "object" ||
    h.tree === null
  ) {
    throw new MmError(
      "EINVAL",
      `SharedMaps.attach: handle must be the handle of shared maps ({ header, records, strings, tree }), got ${describe(handle)}`,
    );
  }
  if (h.header.byteLength !== HEADER_BYTES) {
    throw new MmError("EINVAL", "SharedMaps.attach: handle.header is not a shared maps header");
  }
  const i32 = new Int32Array(h.header);
  if (Atomics.load(i32, H_MAGIC) !== MAPS_MAGIC || Atomics.load(i32, H_VERSION) !== MAPS_VERSION) {
    throw new MmError(
      "EINVAL",
      `SharedMaps.attach: handle.header has magic 0x${(Atomics.load(i32, H_MAGIC) >>> 0).toString(16)} version ${Atomics.load(i32, H_VERSION)}, expected 0x${MAPS_MAGIC.toString(16)} version ${MAPS_VERSION}`,
    );
  }
  if (h.records.byteLength !== Atomics.load(i32, H_RECORDS) * RECORD_WORDS * 8) {
    throw new MmError("EINVAL", "SharedMaps.attach: handle.records does not match the header");
  }
  return h as SharedMapsHandle;
}

/**
 * The /proc/<pid>/maps of an mm, readable from any thread: `MmStruct.shareMaps` makes it on the
 * owner, {@link SharedMaps.attach} opens it in a worker. Every read renders one state the
 * owner passed through between two syscalls.
 */
export class SharedMaps {
  /** Post this to a worker (it is structured-cloneable). */
  readonly handle: SharedMapsHandle;
  /** The shared tree of record ids (advanced use: its read API inside read sections). */
  readonly tree: SharedMapleTree;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly rec: Float64Array;
  private readonly strings: StringTable;
  private mas: MaState | null = null;
  /** Rendered lines by record id, valid for the generation and heap-ness they were made for. */
  private lines: string[];
  private lineGen: Float64Array;
  /** 0: the name does not depend on brk; 1: rendered as [heap]; 2: rendered as not the heap. */
  private lineHeap: Uint8Array;
  /** The owner's own view: it cannot wait for itself to finish a sync. */
  private readonly owner: boolean;
  private readonly renderFn = (mt: MapleTreeCore): string | null => this.renderIn(mt);
  private readonly vmasFn = (mt: MapleTreeCore): SharedVma[] | null => this.vmasIn(mt);

  /** Use {@link SharedMaps.attach} (workers) or `MmStruct.shareMaps` (the owner). */
  constructor(
    handle: SharedMapsHandle,
    tree: SharedMapleTree,
    strings?: StringTable,
    owner = false,
  ) {
    this.owner = owner;
    this.handle = handle;
    this.tree = tree;
    this.i32 = new Int32Array(handle.header);
    this.f64 = new Float64Array(handle.header, F_BYTE_OFFSET, 2);
    this.rec = new Float64Array(handle.records);
    // Packed from the start (generations start at 1, so 0 marks "never rendered"); grown by
    // doubling as higher record ids show up (ids are handed out lowest first).
    const n = Math.min(this.rec.length / RECORD_WORDS, 1024);
    this.lines = new Array<string>(n).fill("");
    this.lineGen = new Float64Array(n);
    this.lineHeap = new Uint8Array(n);
    this.strings = strings ?? StringTable.attach(handle.strings);
  }

  /**
   * Opens shared maps made by `MmStruct.shareMaps` in another thread, given its `handle`. Throws an
   * MmError `EINVAL` naming the bad argument (nothing is attached then).
   */
  static attach(handle: SharedMapsHandle, options: SharedMapsAttachOptions): SharedMaps {
    const h = checkHandle(handle);
    if (
      typeof options !== "object" ||
      options === null ||
      typeof options.domain !== "object" ||
      options.domain === null ||
      typeof options.domain.readLock !== "function" ||
      typeof options.domain.readUnlock !== "function"
    ) {
      throw new MmError(
        "EINVAL",
        `SharedMaps.attach: options.domain must be this thread's registered SharedRcu, got ${describe(
          (options as { domain?: unknown } | null)?.domain,
        )}`,
      );
    }
    const strings = StringTable.attach(h.strings);
    return new SharedMaps(h, SharedMapleTree.attach(h.tree, { domain: options.domain }), strings);
  }

  /** Kernel `atomic_read(&mm->mm_users)`. */
  get users(): number {
    return Atomics.load(this.i32, H_USERS);
  }

  /** Syscalls synced into the maps so far (the number of the state a read now sees). */
  get syncs(): number {
    return Atomics.load(this.i32, H_SYNCS);
  }

  /**
   * Kernel `mmget_not_zero()`: takes a user reference unless the last one is gone (an Atomics
   * compare-and-swap loop, so it cannot resurrect an mm whose owner already ran exit_mmap).
   */
  mmget_not_zero(): boolean {
    const i32 = this.i32;
    let u = Atomics.load(i32, H_USERS);
    while (u > 0) {
      const seen = Atomics.compareExchange(i32, H_USERS, u, u + 1);
      if (seen === u) return true;
      u = seen;
    }
    return false;
  }

  /**
   * Kernel `mmput()`: drops a reference taken by {@link mmget_not_zero}. Dropping the last one ends
   * the address space: the owner tears it down on its next use of the mm (exit_mmap runs on the
   * thread that owns the VMA objects). Throws MmError `ESTATE` when mm_users is already zero.
   */
  mmput(): void {
    const i32 = this.i32;
    let u = Atomics.load(i32, H_USERS);
    for (;;) {
      if (u <= 0) throw new MmError("ESTATE", "SharedMaps.mmput: mm_users is already zero");
      const seen = Atomics.compareExchange(i32, H_USERS, u, u - 1);
      if (seen === u) return;
      u = seen;
    }
  }

  /**
   * `/proc/<pid>/maps`, byte for byte as the owner's `MmStruct.procMaps()` renders the same state:
   * takes a reference for the read as `m_start()` does (`""` once the mm is gone) and renders
   * speculatively, retrying when a sync ran meanwhile (the private `stable` loop).
   */
  procMaps(): string {
    if (!this.mmget_not_zero()) return "";
    try {
      return this.stable(this.renderFn, "procMaps");
    } finally {
      this.mmput();
    }
  }

  /** The VMAs of one state, in address order (kernel `for_each_vma` under the speculation). */
  vmas(): SharedVma[] {
    if (!this.mmget_not_zero()) return [];
    try {
      return this.stable(this.vmasFn, "vmas");
    } finally {
      this.mmput();
    }
  }

  /** Kernel `vma_lookup()`: the VMA containing `addr`, or null. */
  vma_lookup(addr: number): SharedVma | null {
    if (typeof addr !== "number" || !Number.isInteger(addr) || addr < 0) {
      throw new MmError(
        "EINVAL",
        `SharedMaps.vma_lookup: addr must be a non-negative integer, got ${describe(addr)}`,
      );
    }
    if (addr > MAX_INDEX || !this.mmget_not_zero()) return null;
    try {
      return this.stable((mt) => {
        if (Atomics.load(this.i32, H_CONSISTENT) === 0) return null;
        const mas = this.state(mt);
        mas_set(mas, addr);
        const id = mas_walk(mas);
        return { found: typeof id === "number" ? this.vmaOf(id) : null };
      }, "vma_lookup").found;
    } finally {
      this.mmput();
    }
  }

  /** A MaState on the tree's core, made once. */
  private state(mt: MapleTreeCore): MaState {
    let mas = this.mas;
    if (mas === null || mas.tree !== mt) {
      mas = MA_STATE(mt, 0, 0);
      this.mas = mas;
    }
    return mas;
  }

  /**
   * Runs `fn` so that its result comes from one state between two syncs: speculatively in an RCU
   * read section, validated by the mirror's sequence count (kernel
   * `mmap_lock_speculate_try_begin()` / `mmap_lock_speculate_retry()`); after
   * {@link SPECULATE_TRIES} failures, under the shared tree's writers' lock, as the kernel falls
   * back to `mmap_read_lock()` (the owner's syncs are then put off for that long, never blocked).
   * `fn` returns null when the header says the last sync stopped half way (a table was full): the
   * reader waits for the owner to complete it, or, on the owner's own thread, gets `EAGAIN`.
   */
  private stable<T>(fn: (mt: MapleTreeCore) => T | null, what: string): T {
    const i32 = this.i32;
    for (let tries = 1; ; tries++) {
      const s = Atomics.load(i32, H_SEQ);
      if ((s & 1) === 0) {
        const r = this.tree.read(fn);
        if (Atomics.load(i32, H_SEQ) === s) {
          if (r !== null) return r;
          this.halfDone(what);
          continue;
        }
      } else if (!this.owner) {
        // A sync is running: sleep until it ends (it notifies) instead of spinning.
        Atomics.wait(i32, H_SEQ, s, 1);
      }
      if (tries >= SPECULATE_TRIES && !this.owner) {
        const r = this.underLock(fn);
        if (r === BUSY) continue;
        if (r !== null) return r as T;
        this.halfDone(what);
      }
    }
  }

  /** `fn` with the tree's writers' lock held (no sync can run), or BUSY where this thread may not block. */
  private underLock<T>(fn: (mt: MapleTreeCore) => T | null): T | null | typeof BUSY {
    try {
      return this.tree.write(fn);
    } catch (e) {
      if ((e as { code?: string } | null)?.code === "EBUSY") return BUSY;
      throw e;
    }
  }

  /** The last sync stopped half way: the owner's view cannot wait for itself, a worker waits. */
  private halfDone(what: string): void {
    if (this.owner) {
      throw new MmError(
        "EAGAIN",
        `SharedMaps.${what}: the owner's last sync stopped half way (shared tree or record table full); retry once it caught up`,
      );
    }
    Atomics.wait(this.i32, H_CONSISTENT, 0, 5);
  }

  private renderIn(mt: MapleTreeCore): string | null {
    const i32 = this.i32;
    if (Atomics.load(i32, H_CONSISTENT) === 0) return null;
    const rec = this.rec;
    const strings = this.strings;
    const startBrk = this.f64[F_START_BRK] as number;
    const brk = this.f64[F_BRK] as number;
    const mas = this.state(mt);
    mas_set(mas, 0);
    let out = "";
    let lines = this.lines;
    let lineGen = this.lineGen;
    let lineHeap = this.lineHeap;
    for (;;) {
      const id = mas_find(mas, MAX_INDEX);
      if (typeof id !== "number") break;
      if (id >= lineGen.length) {
        this.growLines(id);
        lines = this.lines;
        lineGen = this.lineGen;
        lineHeap = this.lineHeap;
      }
      // A record is immutable while reachable and its generation never repeats, so a line made
      // from (id, generation) stays right; only an unnamed anon line depends on brk as well.
      const b = id * RECORD_WORDS;
      const gen = rec[b + R_GEN] as number;
      const heap =
        rec[b + R_KIND] !== KIND_ANON || (rec[b + R_NAME] as number) >= 0
          ? 0
          : (rec[b + R_START] as number) < brk && (rec[b + R_END] as number) > startBrk
            ? 1
            : 2;
      let line = lines[id] as string;
      if (lineGen[id] !== gen || lineHeap[id] !== heap) {
        line = `${recordLine(rec, id, strings, startBrk, brk)}\n`;
        lines[id] = line;
        lineGen[id] = gen;
        lineHeap[id] = heap;
      }
      out += line;
    }
    const gates = Atomics.load(i32, H_GATES);
    for (let g = 0; g < gates; g++) {
      out += `${recordLine(rec, i32[H_GATE0 + g] as number, strings, startBrk, brk)}\n`;
    }
    return out;
  }

  /** Makes the line cache hold id `id`. */
  private growLines(id: number): void {
    let n = this.lineGen.length * 2;
    while (n <= id) n *= 2;
    n = Math.min(n, this.rec.length / RECORD_WORDS);
    const lines = new Array<string>(n).fill("");
    for (let i = 0; i < this.lines.length; i++) lines[i] = this.lines[i] as string;
    const gen = new Float64Array(n);
    gen.set(this.lineGen);
    const heap = new Uint8Array(n);
    heap.set(this.lineHeap);
    this.lines = lines;
    this.lineGen = gen;
    this.lineHeap = heap;
  }

  private vmasIn(mt: MapleTreeCore): SharedVma[] | null {
    if (Atomics.load(this.i32, H_CONSISTENT) === 0) return null;
    const mas = this.state(mt);
    mas_set(mas, 0);
    const out: SharedVma[] = [];
    for (;;) {
      const id = mas_find(mas, MAX_INDEX);
      if (typeof id !== "number") break;
      out.push(this.vmaOf(id));
    }
    return out;
  }

  /** Record `id` decoded (inside a read section). */
  private vmaOf(id: number): SharedVma {
    const rec = this.rec;
    const b = id * RECORD_WORDS;
    const kind = rec[b + R_KIND] as number;
    const flags = rec[b + R_FLAGS] as number;
    const pgoff = rec[b + R_PGOFF] as number;
    return {
      start: rec[b + R_START] as number,
      end: rec[b + R_END] as number,
      flags,
      pgoff,
      perms: mapsPerms(flags),
      offset: kind === KIND_ANON ? 0 : pgoff * 4096,
      dev:
        kind === KIND_ANON
          ? "00:00"
          : kind === KIND_SHMEM
            ? "00:01"
            : this.strings.get(rec[b + R_DEV] as number),
      ino: rec[b + R_INO] as number,
      name: recordName(
        rec,
        b,
        this.strings,
        this.f64[F_START_BRK] as number,
        this.f64[F_BRK] as number,
      ),
    };
  }

  // ------------------------------------------------ deprecated spellings
  // The mm naming rule (README "Names"): kernel names where the kernel has the function.

  /** @deprecated Renamed {@link SharedMaps.mmget_not_zero} (the kernel's name, as on `MmStruct`). */
  mmgetNotZero(): boolean {
    return this.mmget_not_zero();
  }

  /** @deprecated Renamed {@link SharedMaps.vma_lookup} (the kernel's name, as on `MmStruct`). */
  vmaLookup(addr: number): SharedVma | null {
    return this.vma_lookup(addr);
  }
}
