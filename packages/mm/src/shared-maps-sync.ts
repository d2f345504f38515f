// The owner side of shared maps (shared-maps.ts): keeps the shared tree and record table equal to
// the mm's VMA tree after every syscall, in ONE write section of the shared tree per syscall, with
// the mirror's sequence count H_SEQ odd around the changes (what `mmap_write_lock()` ...
// `mmap_write_unlock()` and `mm_lock_seq` bracket for the kernel's speculative maps reader).
//
// Incremental: VmaTree reports the range of every VMA it stores or clears and every in-place flag
// change into a DirtyRanges list; a sync diffs only the VMAs inside those windows (O(changed VMAs +
// log n), not O(all VMAs)). A VMA whose words did not change keeps its record and its tree range;
// the others get fresh records, and the records a sync drops are retired through the RCU domain and
// reused only after a grace period (RCU, not the seqcount, protects records: a reader never reads
// a record being rewritten, even one whose read then fails validation).
//
// A sync plans before it writes: if the record table (or string table) cannot hold the new
// records, nothing is written and the windows are kept (the mirror stays at the last state, which
// is still one the owner passed through) and retried on the next syscall or a timer. A store the
// shared tree refuses half way (its node capacity) leaves the header's consistency word at 0 until
// a later sync completes: readers wait instead of rendering the mix.

import { SharedMapleTree, type SharedTreeDomain } from "@maplemm/maple-tree";
import {
  GFP_KERNEL,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
  mas_find,
  mas_set,
  mas_set_range,
  mas_store_gfp,
  mas_walk,
} from "@maplemm/maple-tree/kernel";
import { DirtyRanges } from "./dirty-ranges.js";
import { describe, MmError } from "./errors.js";
import {
  F_BRK,
  F_START_BRK,
  H_CONSISTENT,
  H_GATE0,
  H_GATES,
  H_MAGIC,
  H_RECORDS,
  H_SEQ,
  H_SYNCS,
  H_USERS,
  H_VERSION,
  HEADER_BYTES,
  MAPS_MAGIC,
  MAPS_VERSION,
  MAX_GATES,
  SharedMaps,
  type SharedMapsHandle,
} from "./shared-maps.js";
import { CONTENT_WORDS, encodeVma, R_GEN, RECORD_WORDS, StringTable } from "./shared-records.js";
import type { Vma } from "./vma.js";
import type { VmaTree } from "./vma-tree.js";

/** Options of `MmStruct.shareMaps`. */
export interface ShareMapsOptions {
  /** The owner thread's registered `SharedRcu` (workers attach to the same domain). */
  domain: SharedTreeDomain;
  /**
   * VMA records (live VMAs + records waiting for a grace period); default 8192, at most 2^22. A
   * sync that finds none free waits for the next grace period.
   */
  capacity?: number;
  /** Nodes of the shared tree; default `max(capacity, 1024)`, at most 2^22. */
  nodeCapacity?: number;
}

/** What a mirror needs from its mm. */
export interface MirroredMm {
  readonly tree: VmaTree;
  readonly gateVmas: readonly Vma[];
  readonly startBrk: number;
  readonly currentBrk: number;
  readonly taskSize: number;
}

const DEFAULT_CAPACITY = 8192;
/** Default node floor: a few hundred syscalls' worth of retired nodes between grace periods. */
const MIN_NODES = 1024;
const MAX_CAPACITY = 1 << 22;
/** Strings beyond the ones the mm names at share time (names never arise from syscalls today). */
const SPARE_STRINGS = 64;
const SPARE_UNITS = 4096;

function checkCapacity(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_CAPACITY) {
    throw new MmError(
      "EINVAL",
      `shareMaps: option ${name} must be an integer in 1..${MAX_CAPACITY}, got ${describe(v)}`,
    );
  }
  return v;
}

/** The owner's half of shared maps: the sync after every syscall. */
export class MapsMirror {
  /** The reader view (the owner's own). */
  readonly maps: SharedMaps;
  /** Windows touched since the last sync (VmaTree writes into it). */
  readonly dirty = new DirtyRanges();
  private readonly mm: MirroredMm;
  private readonly tree: SharedMapleTree;
  private readonly domain: SharedTreeDomain;
  private readonly strings: StringTable;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly rec: Float64Array;
  /** Free record ids (a stack). */
  private readonly free: Int32Array;
  private freeCount = 0;
  /** Ids dropped by the current sync, retired after its write section. */
  private retiring: number[] = [];
  /** A retry is scheduled (the last sync could not run or finish). */
  private retryArmed = false;
  private dead = false;
  // Scratch of one sync (grown, never shrunk).
  private readonly rmas: MaState;
  private readonly wmas: MaState;
  private oldFirst = new Float64Array(64);
  private oldLast = new Float64Array(64);
  private oldId = new Int32Array(64);
  private oldKept = new Uint8Array(64);
  private oldCount = 0;
  private readonly news: Vma[] = [];
  private newId = new Int32Array(64);
  private staged = new Float64Array(64 * CONTENT_WORDS);
  private readonly rangeScratch: Vma[] = [];
  /** Per coalesced window: [lo, hi) after widening, and where its olds / news end. */
  private winLo = new Float64Array(16);
  private winHi = new Float64Array(16);
  private winOldEnd = new Int32Array(16);
  private winNewEnd = new Int32Array(16);
  private readonly word = new Float64Array(CONTENT_WORDS);
  /** The last record generation written. */
  private gen = 0;
  private readonly retryFn = (): void => {
    this.retryArmed = false;
    this.sync();
  };

  constructor(mm: MirroredMm, users: number, options: ShareMapsOptions) {
    if (typeof options !== "object" || options === null) {
      throw new MmError("EINVAL", `shareMaps: options must be an object, got ${describe(options)}`);
    }
    const domain = options.domain;
    if (
      typeof domain !== "object" ||
      domain === null ||
      typeof domain.readLock !== "function" ||
      typeof domain.readUnlock !== "function" ||
      typeof domain.defer !== "function"
    ) {
      throw new MmError(
        "EINVAL",
        `shareMaps: option domain must be this thread's registered SharedRcu, got ${describe(domain)}`,
      );
    }
    const capacity = checkCapacity("capacity", options.capacity, DEFAULT_CAPACITY);
    const nodeCapacity = checkCapacity(
      "nodeCapacity",
      options.nodeCapacity,
      Math.max(capacity, MIN_NODES),
    );
    if (mm.gateVmas.length > MAX_GATES) {
      throw new MmError(
        "EINVAL",
        `shareMaps: the mm has ${mm.gateVmas.length} gate VMAs, at most ${MAX_GATES} are shared`,
      );
    }
    if (mm.tree.count + mm.gateVmas.length > capacity) {
      throw new MmError(
        "ENOMEM",
        `shareMaps: ${mm.tree.count + mm.gateVmas.length} VMAs do not fit option capacity ${capacity}`,
      );
    }
    this.mm = mm;
    this.domain = domain;
    // Every name an mm can show is known now (names come from parsed maps text only): size the
    // string table for them plus a spare.
    let units = SPARE_UNITS;
    let names = SPARE_STRINGS;
    const seen = new Set<string>();
    const note = (s: string | null): void => {
      if (s === null || seen.has(s)) return;
      seen.add(s);
      units += s.length;
      names++;
    };
    for (const v of mm.tree) {
      const f = v.file as { dev?: string; path?: string } | null;
      note(f?.dev ?? null);
      note(f?.path ?? null);
      note(v.name);
    }
    for (const g of mm.gateVmas) note(g.name);
    this.strings = StringTable.create(names, units);

    const header = new SharedArrayBuffer(HEADER_BYTES);
    const slots = capacity + 1; // id 0 is never used
    const records = new SharedArrayBuffer(slots * RECORD_WORDS * 8);
    this.tree = SharedMapleTree.create({
      domain,
      capacity: nodeCapacity,
      flags: MT_FLAGS_ALLOC_RANGE,
    });
    this.i32 = new Int32Array(header);
    this.f64 = new Float64Array(header, 128, 2);
    this.rec = new Float64Array(records);
    this.free = new Int32Array(capacity);
    for (let id = capacity; id >= 1; id--) this.free[this.freeCount++] = id;
    const i32 = this.i32;
    i32[H_RECORDS] = slots;
    i32[H_USERS] = users;
    i32[H_CONSISTENT] = 1;
    for (const g of mm.gateVmas) {
      const id = this.alloc();
      if (!encodeVma(g, this.strings, this.word)) throw new Error("string table sized too small");
      this.publishable(id, this.word);
      i32[H_GATE0 + i32[H_GATES]] = id;
      i32[H_GATES]++;
    }
    i32[H_VERSION] = MAPS_VERSION;
    Atomics.store(i32, H_MAGIC, MAPS_MAGIC);
    const handle: SharedMapsHandle = {
      header,
      records,
      strings: this.strings.buffer,
      tree: this.tree.handle,
    };
    this.maps = new SharedMaps(handle, this.tree, this.strings, true);
    this.rmas = MA_STATE(this.tree.mt, 0, 0);
    this.wmas = MA_STATE(this.tree.mt, 0, 0);
    this.tree.write(this.fillFn);
    this.f64[F_START_BRK] = mm.startBrk;
    this.f64[F_BRK] = mm.currentBrk;
  }

  /**
   * The first copy of every VMA, in one write section: the nodes its stores make and replace
   * again were never published, so the shared tree frees them at once and the fill needs about
   * the final tree's nodes, not one path copy per VMA.
   */
  private readonly fillFn = (): void => {
    const wmas = this.wmas;
    const vmas = this.mm.tree.range(0, Math.min(this.mm.taskSize, MAX_INDEX), this.rangeScratch);
    for (const v of vmas) {
      const id = this.alloc();
      if (!encodeVma(v, this.strings, this.word)) throw new Error("string table sized too small");
      this.publishable(id, this.word);
      mas_set_range(wmas, v.start, v.end - 1);
      const err = mas_store_gfp(wmas, id, GFP_KERNEL);
      if (err !== 0) {
        throw new MmError(
          "ENOMEM",
          `shareMaps: option nodeCapacity cannot hold the ${vmas.length} VMAs (${err})`,
        );
      }
    }
    this.rangeScratch.length = 0;
  };

  /** The shared `mm_users` word (MmStruct counts its users in it once shared). */
  get usersWord(): Int32Array {
    return this.i32;
  }

  /** Index of mm_users in {@link usersWord}. */
  static readonly USERS = H_USERS;

  /** True while a sync is owed (the mirror shows an older state than the mm). */
  get lagging(): boolean {
    return (
      this.dirty.count !== 0 || this.brkDiffers() || Atomics.load(this.i32, H_CONSISTENT) === 0
    );
  }

  private brkDiffers(): boolean {
    return this.f64[F_START_BRK] !== this.mm.startBrk || this.f64[F_BRK] !== this.mm.currentBrk;
  }

  /** Writes record `id` (not reachable yet) with `content` and a fresh generation. */
  private publishable(id: number, content: Float64Array): void {
    const b = id * RECORD_WORDS;
    this.rec.set(content, b);
    this.rec[b + R_GEN] = ++this.gen;
  }

  private alloc(): number {
    return this.free[--this.freeCount] as number;
  }

  /**
   * Brings the shared maps up to the mm's state in one write section of the shared tree. Returns
   * true when the maps now equal the mm; false when the sync was put off (no free records or the
   * tree lock busy: retried on the next syscall and on a timer).
   */
  sync(): boolean {
    if (this.dead) return true;
    if (!this.lagging) return true;
    // Plan in a read section first (this thread is the only writer, so the plan stays true until
    // the write below): a sync short of records then costs readers no seqcount retry.
    const n = this.dirty.coalesce();
    let done = n === 0 || this.tree.read(this.planFn);
    if (done) {
      // Odd around the whole write section, whose end is where the tree publishes its root:
      // readers speculating against the count retry across it (kernel mm_lock_seq, bumped under
      // the mmap write lock).
      const i32 = this.i32;
      Atomics.add(i32, H_SEQ, 1);
      try {
        done = this.tree.write(this.applyFn);
      } catch (e) {
        // EBUSY: a reader fell back to the tree lock and this (main) thread may not block.
        if ((e as { code?: string } | null)?.code !== "EBUSY") throw e;
        done = false;
      } finally {
        Atomics.add(i32, H_SEQ, 1);
        Atomics.notify(i32, H_SEQ);
      }
    }
    this.flushRetired();
    if (!done) this.armRetry();
    return done;
  }

  private armRetry(): void {
    if (this.retryArmed) return;
    this.retryArmed = true;
    setTimeout(this.retryFn, 1).unref();
  }

  private flushRetired(): void {
    if (this.retiring.length === 0) return;
    const batch = this.retiring;
    this.retiring = [];
    this.domain.defer(() => {
      for (const id of batch) this.free[this.freeCount++] = id;
      // A sync waiting for records can go now.
      if (this.lagging && !this.dead) this.sync();
    });
  }

  private readonly applyFn = (mt: MapleTreeCore): boolean => this.apply(mt);
  private readonly planFn = (): boolean => this.plan(this.dirty.count);

  /** The body of one write section. */
  private apply(_mt: MapleTreeCore): boolean {
    const wins = this.dirty.count === 0 ? 0 : this.winCount;
    let old = 0;
    let nw = 0;
    try {
      for (let w = 0; w < wins; w++) {
        const lo = this.winLo[w] as number;
        const hi = this.winHi[w] as number;
        const oldEnd = this.winOldEnd[w] as number;
        const newEnd = this.winNewEnd[w] as number;
        let cursor = lo;
        for (; nw < newEnd; nw++) {
          const v = this.news[nw] as Vma;
          if (cursor < v.start) old = this.clearGap(cursor, v.start, old, oldEnd);
          const id = this.newId[nw] as number;
          if (id < 0) {
            // Not kept: publish the staged record over the VMA's range.
            const fresh = this.alloc();
            this.publishable(
              fresh,
              this.staged.subarray(nw * CONTENT_WORDS, (nw + 1) * CONTENT_WORDS),
            );
            this.store(v.start, v.end - 1, fresh);
          }
          cursor = v.end;
        }
        if (cursor < hi) old = this.clearGap(cursor, hi, old, oldEnd);
        old = oldEnd;
      }
    } catch (e) {
      Atomics.store(this.i32, H_CONSISTENT, 0);
      this.retireUnreachable();
      if (e instanceof MmError && e.code === "ENOMEM") return false;
      throw e;
    }
    for (let i = 0; i < this.oldCount; i++) {
      if (this.oldKept[i] === 0) this.retiring.push(this.oldId[i] as number);
    }
    this.f64[F_START_BRK] = this.mm.startBrk;
    this.f64[F_BRK] = this.mm.currentBrk;
    this.dirty.clear();
    this.news.length = 0;
    this.oldCount = 0;
    if (Atomics.load(this.i32, H_CONSISTENT) === 0) {
      Atomics.store(this.i32, H_CONSISTENT, 1);
      // Readers waiting for a half-done sync (SharedMaps.stable) go on now.
      Atomics.notify(this.i32, H_CONSISTENT);
    }
    Atomics.add(this.i32, H_SYNCS, 1);
    return true;
  }

  private winCount = 0;

  /**
   * Widens the windows to whole VMAs and records on both sides, collects the old entries and the
   * new VMAs in them, decides which records stay, and stages the new ones. False (nothing done)
   * when the record or string table is short.
   */
  private plan(n: number): boolean {
    const dirty = this.dirty;
    this.oldCount = 0;
    this.news.length = 0;
    let wins = 0;
    let i = 0;
    while (i < n) {
      let lo = dirty.loAt(i);
      let hi = dirty.hiAt(i);
      i++;
      for (;;) {
        [lo, hi] = this.widen(lo, hi);
        if (i < n && dirty.loAt(i) <= hi) {
          if (dirty.hiAt(i) > hi) hi = dirty.hiAt(i);
          i++;
          continue;
        }
        break;
      }
      if (wins === this.winLo.length) this.growWindows();
      this.winLo[wins] = lo;
      this.winHi[wins] = hi;
      this.collectOld(lo, hi);
      this.winOldEnd[wins] = this.oldCount;
      const vs = this.mm.tree.range(lo, hi, this.rangeScratch);
      for (const v of vs) this.news.push(v);
      this.winNewEnd[wins] = this.news.length;
      wins++;
    }
    this.winCount = wins;
    // Match news against olds (both in address order) and stage the records to write.
    const nNew = this.news.length;
    if (this.newId.length < nNew) {
      this.newId = new Int32Array(nNew * 2);
      this.staged = new Float64Array(nNew * 2 * CONTENT_WORDS);
    }
    this.oldKept.fill(0, 0, this.oldCount);
    let o = 0;
    let needed = 0;
    const rec = this.rec;
    const word = this.word;
    for (let k = 0; k < nNew; k++) {
      const v = this.news[k] as Vma;
      if (!encodeVma(v, this.strings, word)) return this.shortOf("strings");
      while (o < this.oldCount && (this.oldFirst[o] as number) < v.start) o++;
      let keep = -1;
      if (o < this.oldCount && this.oldFirst[o] === v.start && this.oldLast[o] === v.end - 1) {
        const id = this.oldId[o] as number;
        const b = id * RECORD_WORDS;
        let same = true;
        for (let j = 0; j < CONTENT_WORDS; j++) {
          if (rec[b + j] !== word[j]) {
            same = false;
            break;
          }
        }
        if (same) {
          keep = id;
          this.oldKept[o] = 1;
        }
      }
      this.newId[k] = keep;
      if (keep < 0) {
        this.staged.set(word, k * CONTENT_WORDS);
        needed++;
      }
    }
    if (needed > this.freeCount) return this.shortOf("records");
    return true;
  }

  private shortOf(_what: "records" | "strings"): false {
    this.news.length = 0;
    this.oldCount = 0;
    return false;
  }

  private growWindows(): void {
    const n = this.winLo.length * 2;
    const grow = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.winLo = grow(this.winLo, (k) => new Float64Array(k));
    this.winHi = grow(this.winHi, (k) => new Float64Array(k));
    this.winOldEnd = grow(this.winOldEnd, (k) => new Int32Array(k));
    this.winNewEnd = grow(this.winNewEnd, (k) => new Int32Array(k));
  }

  /** `[lo, hi)` widened until no VMA or record straddles either end. */
  private widen(lo: number, hi: number): [number, number] {
    const rmas = this.rmas;
    const vt = this.mm.tree;
    for (;;) {
      let nlo = lo;
      let nhi = hi;
      mas_set(rmas, lo);
      if (typeof mas_walk(rmas) === "number" && rmas.index < nlo) nlo = rmas.index;
      mas_set(rmas, hi - 1);
      if (typeof mas_walk(rmas) === "number" && rmas.last + 1 > nhi) nhi = rmas.last + 1;
      const a = vt.lookup(lo);
      if (a !== null && a.start < nlo) nlo = a.start;
      const b = vt.lookup(hi - 1);
      if (b !== null && b.end > nhi) nhi = b.end;
      if (nlo === lo && nhi === hi) return [lo, hi];
      lo = nlo;
      hi = nhi;
    }
  }

  /** Appends the mirror's entries inside `[lo, hi)` to the old list. */
  private collectOld(lo: number, hi: number): void {
    const rmas = this.rmas;
    mas_set(rmas, lo);
    for (;;) {
      const id = mas_find(rmas, hi - 1);
      if (typeof id !== "number") return;
      let k = this.oldCount;
      if (k === this.oldId.length) this.growOld();
      this.oldFirst[k] = rmas.index;
      this.oldLast[k] = rmas.last;
      this.oldId[k] = id;
      this.oldCount = ++k;
    }
  }

  private growOld(): void {
    const n = this.oldId.length * 2;
    const f = new Float64Array(n);
    f.set(this.oldFirst);
    this.oldFirst = f;
    const l = new Float64Array(n);
    l.set(this.oldLast);
    this.oldLast = l;
    const d = new Int32Array(n);
    d.set(this.oldId);
    this.oldId = d;
    this.oldKept = new Uint8Array(n);
  }

  /**
   * Clears `[from, to)` in the shared tree when an old entry (from index `old` on, below `end`)
   * lies in it; returns the first old entry not below `to`.
   */
  private clearGap(from: number, to: number, old: number, end: number): number {
    let o = old;
    while (o < end && (this.oldLast[o] as number) < from) o++;
    if (o < end && (this.oldFirst[o] as number) < to) this.store(from, to - 1, null);
    while (o < end && (this.oldLast[o] as number) < to) o++;
    return o;
  }

  private store(first: number, last: number, id: number | null): void {
    const wmas = this.wmas;
    mas_set_range(wmas, first, last);
    const err = mas_store_gfp(wmas, id, GFP_KERNEL);
    if (err !== 0) {
      if (id !== null) this.free[this.freeCount++] = id;
      throw new MmError(
        "ENOMEM",
        `shared maps: the shared tree refused a store of [0x${first.toString(16)}, 0x${(last + 1).toString(16)}) with ${err}`,
      );
    }
  }

  /** After a failed apply: retires the old records no longer reachable from the tree. */
  private retireUnreachable(): void {
    const rmas = this.rmas;
    for (let i = 0; i < this.oldCount; i++) {
      if (this.oldKept[i] !== 0) continue;
      const id = this.oldId[i] as number;
      let present = false;
      mas_set(rmas, this.oldFirst[i] as number);
      for (;;) {
        const e = mas_find(rmas, this.oldLast[i] as number);
        if (typeof e !== "number") break;
        if (e === id) {
          present = true;
          break;
        }
      }
      if (!present) this.retiring.push(id);
    }
    this.news.length = 0;
    this.oldCount = 0;
  }

  /** Kernel `exit_mmap()` for the mirror: empties the shared tree and retires every record. */
  teardown(): void {
    if (this.dead) return;
    this.dirty.add(0, Math.min(this.mm.taskSize, MAX_INDEX));
    // The mm's tree is empty now: the diff drops every entry.
    this.sync();
    this.dead = true;
  }
}
