// SharedRcu: the RCU domain whose reader state lives in a SharedArrayBuffer, so that worker
// threads can read shared nodes lock-free (docs/spec/rcu.md §2.3). urcu "mb" read side on one
// padded slot per thread, QSBR mode on the same slot encoding, an async grace-period engine that
// never blocks the event loop, and dead-thread reaping through worker 'exit' or a lifeline port.
//
// Read side, per thread (all local counters are plain fields, only the slot words are shared):
//   nest   readers in the "old" bucket: sync sections, guards, and 1 for QSBR-online. The slot's
//          CTR holds the GP value read when nest went 0 -> 1 (or at the last quiescent()).
//   young  guards acquired while nest > 0; they are counted under youngValue, the GP value read
//          at the first of them. When nest drains, young becomes the old bucket. This is SRCU's
//          two-counter idea kept thread-local, so overlapping guards cannot starve a GP.

import { threadId as currentThreadId, isMainThread, setImmediate } from "#platform";
import type { Batch } from "./deferred.js";
import type { GpCookie, RcuCommonOptions, RcuDomain, ReadGuard, StallInfo } from "./domain.js";
import { DomainBase } from "./domain-base.js";
import { RcuError } from "./errors.js";
import {
  checkLayout,
  GP_STEP,
  H_DONE,
  H_FUTEX,
  H_GP,
  H_NSLOTS,
  initLayout,
  layoutBytes,
  MAX_SLOTS,
  S_CTR,
  S_OWNER,
  S_WAITING,
  SLOT_WORDS,
  slotBase,
} from "./shared-layout.js";
import {
  anyPending,
  claimSlot,
  pendingReaders,
  publishDone,
  reapSlots,
  spinPending,
  startGp,
  waitReaders,
  waitReadersSync,
} from "./shared-scan.js";
import { checkFn, checkStallMs, invalid } from "./util.js";
import {
  isSharedWasmMemory,
  sharedMemory,
  type WasmMemory,
  type WasmReadSide,
  wasmReadSide,
} from "./wasm-atomics.js";
import type { LifelinePort, WatchedWorker } from "./worker-handles.js";

/** Options of {@link SharedRcu.create}. */
export interface SharedRcuCreateOptions extends RcuCommonOptions {
  /** Reader slots (threads that may register at once); default 64, at most 4096. */
  maxThreads?: number;
  /** First GP counter value: an odd int32 (tests start near 2^31 to cross the wrap). */
  initialGp?: number;
  /** Allow `synchronizeSync()` on the main thread (it blocks the event loop). */
  allowBlockingOnMain?: boolean;
  /**
   * Put the state in shared WebAssembly memory and use the Wasm atomics helper on the read side
   * (default true; falls back to a plain SharedArrayBuffer where unavailable). Post `memory` rather
   * than `buffer` to workers so that they get the fast read side too.
   */
  wasm?: boolean;
}

/** Options of {@link SharedRcu.attach}. */
export interface SharedRcuAttachOptions extends RcuCommonOptions {
  /** Allow `synchronizeSync()` on the main thread. */
  allowBlockingOnMain?: boolean;
}

/** The message a lifeline port sends before a voluntary close. */
const LIFELINE_BYE = "@maplemm/rcu:bye";

// The twin of RcuGuard (rcu.ts) on purpose: one class serving both domains measured 6-11 % slower
// per acquire + release under plain node (docs/reports/2026-12-07-house-arrangement.md), so each
// domain keeps its own guard class and its own release call.
class SharedGuard implements ReadGuard {
  private _live = true;
  constructor(
    private readonly domain: SharedRcu,
    readonly gen: number,
  ) {}

  get live(): boolean {
    return this._live;
  }

  release(): void {
    if (!this._live) {
      throw new RcuError("ERR_RCU_UNBALANCED_UNLOCK", "ReadGuard.release: guard already released");
    }
    this._live = false;
    this.domain._releaseGuard(this.gen);
  }

  [Symbol.dispose](): void {
    if (this._live) this.release();
  }
}

const emptyStacks: readonly string[] = Object.freeze([]);

/**
 * The SharedArrayBuffer RCU domain: urcu-mb / urcu-qsbr (liburcu's `rcu_register_thread`,
 * `rcu_read_lock`, `synchronize_rcu`, `rcu_quiescent_state`, ...) for worker threads. `create()` in
 * the owner thread, send `memory` (or `buffer`) to workers, `attach()` and `register()` there.
 *
 * @example
 * const rcu = SharedRcu.create({ reclaim: (i) => pool.free(i) });
 * const w = new Worker(url, { workerData: rcu.memory ?? rcu.buffer });
 * rcu.watchWorker(w);                 // reaps its slot if it dies inside a section
 * // in the worker:
 * const r = SharedRcu.attach(workerData); r.register();
 * r.readLock(); const p = rcuDereference(mem, ROOT); ...; r.readUnlock();
 */
export class SharedRcu extends DomainBase implements RcuDomain {
  /** The shared state; post it to workers (never transfer it). */
  readonly buffer: SharedArrayBuffer;
  /** The same state as shared WebAssembly memory, or null; posting it gives workers the Wasm read side. */
  readonly memory: WasmMemory | null;
  private readonly i32: Int32Array;
  private readonly wasm: WasmReadSide | null;
  /** Word index of this thread's slot CTR, or -1 while unregistered. */
  private ctr = -1;
  private syncDepth = 0;
  private nest = 0;
  private young = 0;
  private youngValue = 0;
  private oldGen = 0;
  private isOnline = false;
  /** The value this thread last stored in its CTR while online (QSBR). */
  private qsValue = 0;
  private readonly debug: boolean;
  private leakCheckArmed = false;
  private lifeline: LifelinePort | undefined = undefined;
  /** The GP number of the batch in flight (`inFlight`). */
  private inFlightGp = 0;
  /** An event-loop waiter (`waitReaders`) is running for the batch in flight. */
  private waiting = false;

  private readonly allowBlockingOnMain: boolean;

  private readonly leakCheckFn = (): void => this.leakCheck();

  private constructor(
    buffer: SharedArrayBuffer,
    memory: WasmMemory | null,
    i32: Int32Array,
    opts: SharedRcuAttachOptions,
    fn: string,
  ) {
    super("SharedRcu", fn, opts);
    this.buffer = buffer;
    this.memory = memory;
    this.wasm = memory !== null ? wasmReadSide(memory) : null;
    this.i32 = i32;
    this.debug = opts.debug === true;
    this.allowBlockingOnMain = opts.allowBlockingOnMain === true;
  }

  /** Creates a new domain (in the owner thread). */
  static create(opts: SharedRcuCreateOptions = {}): SharedRcu {
    if (opts === null || typeof opts !== "object")
      invalid("SharedRcu.create", "opts", opts, "an object");
    const n = opts.maxThreads ?? 64;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SLOTS) {
      invalid("SharedRcu.create", "options.maxThreads", n, `an integer in 1..${MAX_SLOTS}`);
    }
    const g = opts.initialGp ?? 1;
    if ((g | 0) !== g || (g & 1) !== 1)
      invalid("SharedRcu.create", "options.initialGp", g, "an odd int32");
    // Validate the remaining options before allocating anything.
    checkFn("SharedRcu.create", "options.reclaim", opts.reclaim);
    checkStallMs("SharedRcu.create", opts.stallMs, 1000);
    const bytes = layoutBytes(n);
    const memory = opts.wasm === false ? null : sharedMemory(Math.ceil(bytes / 65536));
    const buffer =
      memory !== null ? (memory.buffer as SharedArrayBuffer) : new SharedArrayBuffer(bytes);
    const i32 = new Int32Array(buffer);
    initLayout(i32, n, g);
    return new SharedRcu(buffer, memory, i32, opts, "SharedRcu.create");
  }

  /**
   * Attaches to a domain created elsewhere (usually in a worker), given its `buffer` or, for the
   * Wasm read side, its `memory`. Throws `ERR_RCU_BAD_BUFFER` for anything else.
   */
  static attach(buf: SharedArrayBuffer | WasmMemory, opts: SharedRcuAttachOptions = {}): SharedRcu {
    if (opts === null || typeof opts !== "object")
      invalid("SharedRcu.attach", "opts", opts, "an object");
    if (isSharedWasmMemory(buf)) {
      const i32 = checkLayout(buf.buffer);
      return new SharedRcu(buf.buffer, buf, i32, opts, "SharedRcu.attach");
    }
    const i32 = checkLayout(buf);
    return new SharedRcu(buf as SharedArrayBuffer, null, i32, opts, "SharedRcu.attach");
  }

  // ------------------------------------------------------------------ registration

  /** This thread's `threadId` (0 on the main thread). */
  get threadId(): number {
    return currentThreadId;
  }

  /** This thread's slot index, or -1 while unregistered. */
  get slot(): number {
    return this.ctr < 0 ? -1 : (this.ctr - S_CTR - slotBase(0)) / SLOT_WORDS;
  }

  /** Number of slots of the domain. */
  get maxThreads(): number {
    return Atomics.load(this.i32, H_NSLOTS);
  }

  /**
   * `rcu_register_thread()`: claims a slot for this thread. With `lifeline`, the owner (which got the
   * other end of the channel and called `watchLifeline`) reaps the slot if this thread dies.
   */
  register(opts: { lifeline?: LifelinePort } = {}): void {
    if (this.closed) throw this.closedError("register");
    if (opts === null || typeof opts !== "object")
      invalid("SharedRcu.register", "opts", opts, "an object");
    const port = opts.lifeline;
    if (
      port !== undefined &&
      (typeof port !== "object" || typeof port?.postMessage !== "function")
    ) {
      invalid("SharedRcu.register", "options.lifeline", port, "a MessagePort");
    }
    if (this.ctr >= 0) {
      throw new RcuError(
        "ERR_RCU_ALREADY_REGISTERED",
        `SharedRcu.register: thread ${currentThreadId} already has slot ${this.slot}`,
      );
    }
    const c = claimSlot(this.i32, currentThreadId);
    if (c < 0) {
      throw new RcuError(
        "ERR_RCU_NO_SLOTS",
        `SharedRcu.register: all ${this.maxThreads} slots are taken (raise maxThreads)`,
      );
    }
    this.ctr = c;
    if (port !== undefined) {
      this.lifeline = port;
      port.unref?.();
    }
  }

  /** `rcu_unregister_thread()`: frees the slot. Throws inside a section or while online. */
  unregister(): void {
    this.mustBeRegistered("unregister");
    if (this.nest !== 0 || this.young !== 0) {
      throw new RcuError(
        "ERR_RCU_UNREGISTER_IN_READER",
        `SharedRcu.unregister: this thread is still reading (${this.syncDepth} section level(s)` +
          `${this.isOnline ? ", QSBR-online" : ""}, or live guards)`,
      );
    }
    const i32 = this.i32;
    const c = this.ctr;
    const base = c - S_CTR;
    Atomics.store(i32, c, 0);
    Atomics.store(i32, base + S_WAITING, 0);
    Atomics.store(i32, base + S_OWNER, 0);
    this.ctr = -1;
    this.notifyWriters();
    const port = this.lifeline;
    if (port !== undefined) {
      this.lifeline = undefined;
      port.postMessage(LIFELINE_BYE);
      port.close();
    }
  }

  /** Reaps `w`'s slots when it exits. Captures `w.threadId` now (it reads -1 after exit). */
  watchWorker(w: WatchedWorker): void {
    const tid = (w as { threadId?: unknown } | null)?.threadId;
    if (typeof tid !== "number" || !Number.isInteger(tid) || tid < 0) {
      invalid("SharedRcu.watchWorker", "w", tid, "a running Worker (threadId >= 0)");
    }
    w.once("exit", () => {
      this.reapThread(tid);
    });
  }

  /** Reaps `threadId`'s slots when `port` closes without the goodbye `unregister()` sends first. */
  watchLifeline(port: LifelinePort, threadId: number): void {
    if (port === null || typeof port !== "object" || typeof port.on !== "function") {
      // A web MessagePort (Deno's, a browser's) has no .on, and Deno's never fires "close" when
      // the other side's thread dies: accepting it would be a lifeline that never reaps.
      invalid(
        "SharedRcu.watchLifeline",
        "port",
        port,
        "a node:worker_threads MessagePort, which reports 'close' (a web MessagePort, as Deno's, never does: use watchWorker from the spawning thread)",
      );
    }
    if (!Number.isInteger(threadId) || threadId < 0) {
      invalid("SharedRcu.watchLifeline", "threadId", threadId, "a non-negative integer");
    }
    let bye = false;
    port.on("message", (m: unknown) => {
      if (m === LIFELINE_BYE) bye = true;
    });
    port.on("close", () => {
      if (!bye) this.reapThread(threadId);
    });
    port.unref?.();
  }

  /**
   * Clears every slot owned by `threadId` and wakes waiting writers; returns how many. Call it only
   * once the thread is known dead (I7): `watchWorker` and `watchLifeline` do so.
   */
  reapThread(threadId: number): number {
    if (!Number.isInteger(threadId) || threadId < 0) {
      invalid("SharedRcu.reapThread", "threadId", threadId, "a non-negative integer");
    }
    if (threadId === currentThreadId) {
      invalid(
        "SharedRcu.reapThread",
        "threadId",
        threadId,
        "another thread's id (this thread is alive)",
      );
    }
    const n = reapSlots(this.i32, threadId);
    if (n !== 0) this.notifyWriters();
    return n;
  }

  // ------------------------------------------------------------------ read side

  /** `rcu_read_lock()` (urcu-mb): the outermost one publishes the GP counter in this thread's slot. */
  readLock(): void {
    if (this.syncDepth++ === 0 && this.debug) this.armLeakCheck();
    if (this.nest++ === 0) {
      const c = this.ctr;
      if (c < 0) {
        this.syncDepth--;
        this.nest--;
        throw this.notRegistered("readLock");
      }
      const w = this.wasm;
      if (w !== null) w.lock(c << 2, H_GP << 2);
      else Atomics.store(this.i32, c, Atomics.load(this.i32, H_GP));
    }
  }

  /** `rcu_read_unlock()`: the outermost one clears the slot and wakes a waiting writer. */
  readUnlock(): void {
    if (this.syncDepth === 0) {
      throw new RcuError(
        "ERR_RCU_UNBALANCED_UNLOCK",
        "SharedRcu.readUnlock: no read section is open",
      );
    }
    this.syncDepth--;
    if (--this.nest === 0) this.drained();
  }

  protected readonly asyncReadHint = "acquire";

  /** True inside a sync section or while QSBR-online. */
  get inReadSection(): boolean {
    return this.syncDepth !== 0 || this.isOnline;
  }

  /** A guard that may span `await`; it holds this thread's slot until released. */
  acquire(): ReadGuard {
    if (this.closed) throw this.closedError("acquire");
    const c = this.ctr;
    if (c < 0) throw this.notRegistered("acquire");
    if (this.nest === 0) {
      this.nest = 1;
      Atomics.store(this.i32, c, Atomics.load(this.i32, H_GP));
      return new SharedGuard(this, this.oldGen);
    }
    if (this.young++ === 0) this.youngValue = Atomics.load(this.i32, H_GP);
    return new SharedGuard(this, this.oldGen + 1);
  }

  /** Runs `fn` under a guard released when its promise settles. */
  async readAsync<T>(fn: () => Promise<T>): Promise<T> {
    if (typeof fn !== "function") invalid("SharedRcu.readAsync", "fn", fn, "a function");
    const g = this.acquire();
    try {
      return await fn();
    } finally {
      g.release();
    }
  }

  /** @internal called by a guard's release. */
  _releaseGuard(gen: number): void {
    if (gen === this.oldGen) {
      if (--this.nest === 0) this.drained();
    } else {
      this.young--;
    }
  }

  /** The old bucket emptied: promote the young one, or mark the slot quiescent. */
  private drained(): void {
    const i32 = this.i32;
    const c = this.ctr;
    if (this.young !== 0) {
      this.nest = this.young;
      this.young = 0;
      this.oldGen++;
      Atomics.store(i32, c, this.youngValue);
    } else {
      const w = this.wasm;
      if (w !== null) {
        if (w.unlock(c << 2, (c + S_WAITING) << 2) !== 0) this.wakeWriters();
        return;
      }
      Atomics.store(i32, c, 0);
    }
    if (Atomics.load(i32, c + S_WAITING) !== 0) this.wakeWriters();
  }

  /** `rcu_thread_online()` (QSBR): from now on the thread counts as a reader until `offline()`. */
  online(): void {
    const c = this.ctr;
    if (c < 0) throw this.notRegistered("online");
    if (this.isOnline) return;
    this.isOnline = true;
    if (this.nest++ === 0) {
      const g = Atomics.load(this.i32, H_GP);
      Atomics.store(this.i32, c, g);
      this.qsValue = g;
    } else {
      this.qsValue = Atomics.load(this.i32, c);
    }
  }

  /** `rcu_thread_offline()` (QSBR). Throws `ERR_RCU_UNBALANCED_UNLOCK` when not online. */
  offline(): void {
    if (!this.isOnline) {
      throw new RcuError(
        "ERR_RCU_UNBALANCED_UNLOCK",
        "SharedRcu.offline: this thread is not online",
      );
    }
    if (this.syncDepth !== 0) {
      throw new RcuError(
        "ERR_RCU_QUIESCENT_IN_READER",
        "SharedRcu.offline: called inside a read section",
      );
    }
    this.isOnline = false;
    if (--this.nest === 0) this.drained();
  }

  /**
   * `rcu_quiescent_state()` (QSBR): this online thread holds no references now. About one
   * `Atomics.load` when no GP is pending. A no-op while offline.
   */
  quiescent(): void {
    if (!this.isOnline) return;
    if (this.nest !== 1 || this.young !== 0) {
      throw new RcuError(
        "ERR_RCU_QUIESCENT_IN_READER",
        "SharedRcu.quiescent: a read section or guard is still open on this thread",
      );
    }
    const i32 = this.i32;
    const w = this.wasm;
    const g = w !== null ? w.load(H_GP << 2) : Atomics.load(i32, H_GP);
    if (g !== this.qsValue) {
      this.qsValue = g;
      Atomics.store(i32, this.ctr, g);
      if (Atomics.load(i32, this.ctr + S_WAITING) !== 0) this.wakeWriters();
    }
  }

  /** True while QSBR-online. */
  get qsbrOnline(): boolean {
    return this.isOnline;
  }

  private wakeWriters(): void {
    Atomics.store(this.i32, this.ctr + S_WAITING, 0);
    this.notifyWriters();
  }

  private notifyWriters(): void {
    // Bump the wake sequence first, so a writer that read the old value but has not started
    // waiting yet returns 'not-equal' at once. A counter, not the -1/0 flag of spec §2.3: with a
    // flag, a second GP driver re-arming it to -1 can erase a wake-up meant for the first one
    // (found by the interleaving explorer, test/explorer.test.ts).
    Atomics.add(this.i32, H_FUTEX, 1);
    Atomics.notify(this.i32, H_FUTEX);
  }

  // ------------------------------------------------------------------ update side

  /**
   * Blocking `synchronize_rcu()` for workers (`Atomics.wait`). Throws `ERR_RCU_BLOCKING_ON_MAIN` on
   * the main thread unless allowed, `ERR_RCU_TIMEOUT` after `timeoutMs`.
   */
  synchronizeSync(timeoutMs = Number.POSITIVE_INFINITY): void {
    if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      invalid("SharedRcu.synchronizeSync", "timeoutMs", timeoutMs, "a non-negative number");
    }
    if (this.closed) throw this.closedError("synchronizeSync");
    const err = this.readerCheck("synchronizeSync");
    if (err !== null) throw err;
    if (this.nest !== 0 || this.young !== 0) {
      throw new RcuError(
        "ERR_RCU_SYNC_IN_READER",
        "SharedRcu.synchronizeSync: this thread holds a guard; blocking would deadlock",
      );
    }
    if (isMainThread && !this.allowBlockingOnMain) {
      throw new RcuError(
        "ERR_RCU_BLOCKING_ON_MAIN",
        "SharedRcu.synchronizeSync: would block the main thread's event loop (use synchronize())",
      );
    }
    const g = startGp(this.i32);
    if (!waitReadersSync(this.i32, g, timeoutMs)) {
      throw new RcuError(
        "ERR_RCU_TIMEOUT",
        `SharedRcu.synchronizeSync: readers still active after ${timeoutMs} ms`,
      );
    }
    publishDone(this.i32, g);
    this._gps++;
  }

  /** `get_state_synchronize_rcu()`: the number the next grace period will get. */
  getState(): GpCookie {
    return ((Atomics.load(this.i32, H_GP) + GP_STEP) | 0) as GpCookie;
  }

  /** `poll_state_synchronize_rcu()`: a grace period numbered `c` or later has completed. */
  pollState(c: GpCookie): boolean {
    if ((c | 0) !== c) invalid("SharedRcu.pollState", "c", c, "a GpCookie");
    return ((Atomics.load(this.i32, H_DONE) - c) | 0) >= 0;
  }

  // ------------------------------------------------------------------ grace-period engine

  protected readerCheck(fn: string): RcuError | null {
    if (this.syncDepth !== 0 || this.isOnline) {
      return new RcuError(
        "ERR_RCU_SYNC_IN_READER",
        `SharedRcu.${fn}: called ${this.isOnline ? "while QSBR-online" : "inside a read section"}; it would deadlock`,
      );
    }
    return null;
  }

  protected closeCheck(): RcuError | null {
    if (this.ctr < 0) return null;
    return new RcuError(
      "ERR_RCU_ALREADY_REGISTERED",
      "SharedRcu.close: unregister() this thread first",
    );
  }

  private notRegistered(fn: string): RcuError {
    return new RcuError(
      "ERR_RCU_NOT_REGISTERED",
      `SharedRcu.${fn}: thread ${currentThreadId} has not called register()`,
    );
  }

  private mustBeRegistered(fn: string): void {
    if (this.ctr < 0) throw this.notRegistered(fn);
  }

  protected tick(): void {
    this.scheduled = false;
    if (this.inFlight !== null) {
      // A grace period a poll() started: from here on the event loop waits for it.
      if (!this.waiting) this.waitAsync(this.inFlight, this.inFlightGp);
      return;
    }
    if (!this.work.hasUncut()) return;
    const batch = this.beginGp();
    const g = this.inFlightGp;
    if (!spinPending(this.i32, g)) {
      this.finish(batch, g);
      return;
    }
    this.waitAsync(batch, g);
  }

  /** Cuts the queued work into a batch and starts its grace period (bumps the GP counter). */
  private beginGp(): Batch {
    const batch = this.work.take();
    this.inFlight = batch;
    this.inFlightGp = startGp(this.i32);
    this.waiting = false;
    return batch;
  }

  /**
   * `poll()`: finishes the running grace period once its readers have left (waiting for them
   * until `deadline`), then starts one for the work queued since and finishes it if it can.
   * A grace period left running gets the event loop's waiter, so it ends even if nobody polls.
   */
  protected advance(deadline: number): void {
    if (this.nest !== 0 || this.young !== 0) return; // this thread's own guards block every GP
    for (let round = 0; round < 2; round++) {
      let batch = this.inFlight;
      if (batch === null) {
        if (!this.work.hasUncut()) return;
        batch = this.beginGp();
      }
      const g = this.inFlightGp;
      if (anyPending(this.i32, g) && !this.waitFor(g, deadline)) {
        if (!this.waiting && !this.scheduled) {
          this.scheduled = true;
          setImmediate(this.tickFn);
        }
        return;
      }
      this.finish(batch, g, true);
    }
  }

  /** Waits until `deadline` for grace period `g`'s readers: blocking where allowed, else a spin. */
  private waitFor(g: number, deadline: number): boolean {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (!isMainThread || this.allowBlockingOnMain) return waitReadersSync(this.i32, g, left);
    while (performance.now() < deadline) if (!anyPending(this.i32, g)) return true;
    return false;
  }

  /** Waits for grace period `g` from the event loop (never blocking it), then finishes `batch`. */
  private waitAsync(batch: Batch, g: number): void {
    this.waiting = true;
    let stallAfter = this.stallMs;
    const onTick = (waitedMs: number): void => {
      if (stallAfter > 0 && waitedMs >= stallAfter) {
        stallAfter *= 2;
        this.stall(g, waitedMs);
      }
    };
    waitReaders(this.i32, g, onTick).then(
      () => this.finish(batch, g),
      (err: unknown) => {
        if (this.inFlight !== batch) return; // a poll() finished it meanwhile
        // Not expected; keep the domain usable: report, and retry this batch's GP later.
        this.report(err);
        this.inFlight = null;
        this.work.untake(batch);
        this.request();
      },
    );
  }

  private stall(g: number, waitingMs: number): void {
    const info: StallInfo = {
      domain: "SharedRcu",
      waitingMs,
      pendingGuards: 0,
      leakedSection: this.syncDepth !== 0,
      pendingReaders: pendingReaders(this.i32, g),
      stacks: emptyStacks,
    };
    const who = info.pendingReaders.map((r) => `thread ${r.threadId} (slot ${r.slot})`).join(", ");
    this.emitStall(info, `RCU stall: grace period waiting ${waitingMs.toFixed(0)} ms for ${who}`);
  }

  protected sectionDepth(): number {
    return this.syncDepth;
  }

  /** Grace period `g` of `batch` is over; `later`: inside poll(), its work waits a macrotask. */
  private finish(batch: Batch, g: number, later = false): void {
    // Both a poll() and the event loop's waiter may see the same grace period end: once only.
    if (this.inFlight !== batch) return;
    // A section of this thread open at a macrotask boundary was leaked; callbacks wait for it (I2).
    if (this.leakedAtBoundary(this.syncDepth, () => this.finish(batch, g))) return;
    this.waiting = false;
    publishDone(this.i32, g);
    if (later) this.completeLater(batch);
    else this.completeBatch(batch);
  }

  private armLeakCheck(): void {
    if (this.leakCheckArmed) return;
    this.leakCheckArmed = true;
    queueMicrotask(this.leakCheckFn);
  }

  private leakCheck(): void {
    this.leakCheckArmed = false;
    if (this.syncDepth !== 0) {
      this.report(
        new RcuError(
          "ERR_RCU_SECTION_LEAKED",
          `SharedRcu.readLock: a read section (depth ${this.syncDepth}) was left open at the end of the job`,
        ),
      );
    }
  }
}
