// Rcu: the single-thread RCU domain (docs/spec/rcu.md §2.2). Synchronous sections are a depth
// counter: a section cannot outlive the job it runs in, so a grace period started in a later
// macrotask (setImmediate) has already outlived every one of them. Guards that span `await` are
// counted with SRCU's two-counter flip, so a stream of overlapping guards cannot starve a GP.

import { AsyncLocalStorage } from "node:async_hooks";
import { type Batch, DeferredWork } from "./deferred.js";
import type {
  GpCookie,
  RcuCommonOptions,
  RcuDomain,
  RcuStats,
  ReadGuard,
  ReclaimFn,
  StallInfo,
} from "./domain.js";
import { RcuError } from "./errors.js";
import { checkFn, checkStallMs, invalid, isThenable, reportTo } from "./util.js";

/** Information handed to `onLeak` about a guard that was garbage-collected while still live. */
export interface GuardLeakInfo {
  /** The stack captured at `acquire()`. */
  readonly stack: string;
  /** Whether the domain released it on the owner's behalf (`leakPolicy: "forceRelease"`). */
  readonly forced: boolean;
}

/** Options of {@link Rcu}. */
export interface RcuOptions extends RcuCommonOptions {
  /**
   * debug only: what to do with a guard collected while live. `"report"` (default) keeps grace
   * periods blocked, which is the safe choice; `"forceRelease"` releases it after reporting.
   */
  leakPolicy?: "report" | "forceRelease";
  /** debug only: called for each leaked guard (default: `process.emitWarning`). */
  onLeak?: (info: GuardLeakInfo) => void;
}

interface DebugGuardInfo {
  readonly phase: number;
  readonly stack: string;
  done: boolean;
}

class RcuGuard implements ReadGuard {
  private _live = true;
  constructor(
    private readonly domain: Rcu,
    readonly phase: number,
  ) {}

  get live(): boolean {
    return this._live;
  }

  release(): void {
    if (!this._live) {
      throw new RcuError("ERR_RCU_UNBALANCED_UNLOCK", "ReadGuard.release: guard already released");
    }
    this._live = false;
    this.domain._releasePhase(this.phase, this);
  }

  [Symbol.dispose](): void {
    if (this._live) this.release();
  }
}

const emptyStacks: readonly string[] = Object.freeze([]);
const emptyReaders: StallInfo["pendingReaders"] = Object.freeze([]);

/**
 * The single-thread RCU domain (the default). Mirrors the kernel's `rcu_read_lock()`,
 * `synchronize_rcu()`, `call_rcu()`, `kfree_rcu()`, `rcu_barrier()` and the polled-GP API, plus
 * SRCU-style guards (`srcu_read_lock()`) for readers that span `await`.
 *
 * @example
 * const rcu = new Rcu({ reclaim: (id) => pool.free(id) });
 * rcu.read(() => lookup(tree, key));      // sync section
 * using g = rcu.acquire();                // section spanning awaits
 * rcu.retire(oldNode);                    // reclaimed after a grace period
 */
export class Rcu implements RcuDomain {
  // --- read side (hot) ---
  private syncNest = 0;
  private c0 = 0;
  private c1 = 0;
  private idx = 0;
  private readonly debug: boolean;

  // --- grace periods ---
  private started = 0;
  private completed = 0;
  private inFlight: Batch | null = null;
  private draining = -1;
  private scheduled = false;
  private readonly work = new DeferredWork();
  private readonly reclaimFn: ReclaimFn | undefined;
  private closed = false;
  private leakRetryMs = 0;
  private gpStart = 0;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly stallMs: number;
  private _gps = 0;
  private _callbacks = 0;
  private _stalls = 0;

  // --- debug machinery (allocated only with debug: true) ---
  private leakCheckArmed = false;
  private readonly als: AsyncLocalStorage<ReadGuard> | undefined;
  private readonly liveDebug: Set<DebugGuardInfo> | undefined;
  private readonly registry: FinalizationRegistry<DebugGuardInfo> | undefined;
  private readonly leakPolicy: "report" | "forceRelease";
  private readonly onLeak: ((info: GuardLeakInfo) => void) | undefined;

  /** Stall hook; default `process.emitWarning`. */
  onStall: ((info: StallInfo) => void) | undefined = undefined;
  /** Error hook for throwing callbacks and leaked sections; default: rethrow in a microtask. */
  onError: ((err: unknown) => void) | undefined = undefined;

  private readonly tickFn = (): void => this.tick();
  private readonly completeFn = (): void => this.complete();
  private readonly reportFn = (err: unknown): void => this.report(err);
  private readonly leakCheckFn = (): void => this.leakCheck();

  constructor(opts: RcuOptions = {}) {
    if (opts === null || typeof opts !== "object") invalid("new Rcu", "opts", opts, "an object");
    this.reclaimFn = checkFn<ReclaimFn>("new Rcu", "options.reclaim", opts.reclaim);
    this.stallMs = checkStallMs("new Rcu", opts.stallMs, 1000);
    if (
      opts.leakPolicy !== undefined &&
      opts.leakPolicy !== "report" &&
      opts.leakPolicy !== "forceRelease"
    ) {
      invalid("new Rcu", "options.leakPolicy", opts.leakPolicy, '"report" or "forceRelease"');
    }
    this.leakPolicy = opts.leakPolicy ?? "report";
    this.onLeak = checkFn("new Rcu", "options.onLeak", opts.onLeak);
    this.debug = opts.debug === true;
    if (this.debug) {
      this.als = new AsyncLocalStorage<ReadGuard>();
      this.liveDebug = new Set();
      this.registry = new FinalizationRegistry((info) => this.guardCollected(info));
    } else {
      this.als = undefined;
      this.liveDebug = undefined;
      this.registry = undefined;
    }
  }

  // ------------------------------------------------------------------ read side

  /** `rcu_read_lock()`. A depth counter: wait-free, no allocation. */
  readLock(): void {
    if (this.syncNest++ === 0 && this.debug) this.armLeakCheck();
  }

  /** `rcu_read_unlock()`. Throws `ERR_RCU_UNBALANCED_UNLOCK` at depth 0 (depth stays 0). */
  readUnlock(): void {
    if (this.syncNest === 0) {
      throw new RcuError("ERR_RCU_UNBALANCED_UNLOCK", "Rcu.readUnlock: no read section is open");
    }
    this.syncNest--;
  }

  /** Runs `fn` in a read section. A thenable result throws `ERR_RCU_PROMISE_IN_SYNC_READ`. */
  read<T>(fn: () => T): T {
    if (typeof fn !== "function") invalid("Rcu.read", "fn", fn, "a function");
    this.readLock();
    let r: T;
    try {
      r = fn();
    } finally {
      this.readUnlock();
    }
    if (isThenable(r)) {
      throw new RcuError(
        "ERR_RCU_PROMISE_IN_SYNC_READ",
        "Rcu.read: fn returned a promise; a sync section cannot span await (use readAsync or acquire)",
      );
    }
    return r;
  }

  /** True while a synchronous section is open. */
  get inReadSection(): boolean {
    return this.syncNest !== 0;
  }

  /** Number of live async guards (both phases). */
  get liveGuards(): number {
    return this.c0 + this.c1;
  }

  /** `srcu_read_lock()`: a guard that may span `await`; release it (or `using`) when done. */
  acquire(): ReadGuard {
    if (this.closed) throw this.closedError("acquire");
    const p = this.idx;
    if (p === 0) this.c0++;
    else this.c1++;
    const g = new RcuGuard(this, p);
    if (this.registry !== undefined) this.trackDebugGuard(g, p);
    return g;
  }

  /** Runs `fn` under a guard; with `debug`, `synchronize()` inside it rejects. */
  async readAsync<T>(fn: () => Promise<T>): Promise<T> {
    if (typeof fn !== "function") invalid("Rcu.readAsync", "fn", fn, "a function");
    const g = this.acquire();
    try {
      return await (this.als !== undefined ? this.als.run(g, fn) : fn());
    } finally {
      g.release();
    }
  }

  /** @internal called by a guard's release. */
  _releasePhase(p: number, g: ReadGuard | null): void {
    let left: number;
    if (p === 0) left = --this.c0;
    else left = --this.c1;
    if (g !== null && this.liveDebug !== undefined) this.untrackDebugGuard(g);
    if (left === 0 && p === this.draining) {
      this.draining = -1;
      // Finish in a fresh macrotask: the release may sit inside a sync section or a callback.
      setImmediate(this.completeFn);
    }
  }

  // ------------------------------------------------------------------ update side

  /** `synchronize_rcu()`. Rejects at once with `ERR_RCU_SYNC_IN_READER` inside a section. */
  synchronize(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError("synchronize"));
    const err = this.readerCheck("synchronize");
    if (err !== null) return Promise.reject(err);
    return new Promise<void>((resolve) => {
      this.work.addWaiter(resolve);
      this.request();
    });
  }

  /** `call_rcu()`: `cb` runs after a grace period, in a later macrotask, FIFO with its peers. */
  callRcu(cb: () => void): void {
    if (typeof cb !== "function") invalid("Rcu.callRcu", "cb", cb, "a function");
    if (this.closed) throw this.closedError("callRcu");
    this.work.cbq.push(cb);
    this.request();
  }

  /** The maple tree's `Reclaimer.defer(free)`: {@link Rcu.callRcu} under the tree's name. */
  defer(free: () => void): void {
    if (typeof free !== "function") invalid("Rcu.defer", "free", free, "a function");
    this.callRcu(free);
  }

  /** `kfree_rcu()`: hands the int32 `id` to the reclaim function after a grace period. */
  retire(id: number): void {
    if ((id | 0) !== id) invalid("Rcu.retire", "id", id, "an int32");
    if (this.reclaimFn === undefined) {
      throw new RcuError(
        "ERR_RCU_INVALID_ARGUMENT",
        "Rcu.retire: this domain has no reclaim function; pass { reclaim } to new Rcu()",
      );
    }
    if (this.closed) throw this.closedError("retire");
    this.work.ring.push(id);
    if (!this.scheduled && this.inFlight === null) this.request();
  }

  /** `rcu_barrier()`: resolves once every callback and retired id queued before now was run. */
  barrier(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError("barrier"));
    const err = this.readerCheck("barrier");
    if (err !== null) return Promise.reject(err);
    return this.work.barrier();
  }

  /** `get_state_synchronize_rcu()`: the number of the next grace period to start. */
  getState(): GpCookie {
    return (this.started + 1) as GpCookie;
  }

  /** `start_poll_synchronize_rcu()`: `getState()` and make sure that grace period runs. */
  startPoll(): GpCookie {
    if (this.closed) throw this.closedError("startPoll");
    this.work.pollWanted = true;
    this.request();
    return this.getState();
  }

  /** `poll_state_synchronize_rcu()`. */
  pollState(c: GpCookie): boolean {
    if (typeof c !== "number" || !Number.isInteger(c))
      invalid("Rcu.pollState", "c", c, "a GpCookie");
    return this.completed >= c;
  }

  /** Counters (a snapshot). */
  get stats(): RcuStats {
    return { gps: this._gps, callbacks: this._callbacks, stalls: this._stalls };
  }

  /** Waits for all queued work (`barrier()`), then makes further use throw `ERR_RCU_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.syncNest !== 0 || this.c0 + this.c1 !== 0) {
      throw new RcuError(
        "ERR_RCU_SYNC_IN_READER",
        `Rcu.close: ${this.syncNest} section level(s) and ${this.c0 + this.c1} guard(s) still open`,
      );
    }
    await this.barrier();
    if (this.work.hasWaiters || this.inFlight !== null) await this.synchronize();
    this.closed = true;
  }

  // ------------------------------------------------------------------ grace-period engine

  private readerCheck(fn: string): RcuError | null {
    if (this.syncNest !== 0) {
      return new RcuError(
        "ERR_RCU_SYNC_IN_READER",
        `Rcu.${fn}: called inside a read section (depth ${this.syncNest}); it would deadlock`,
      );
    }
    const g = this.als?.getStore();
    if (g?.live) {
      return new RcuError(
        "ERR_RCU_SYNC_IN_READER",
        `Rcu.${fn}: called inside readAsync whose guard is still live; it would deadlock`,
      );
    }
    return null;
  }

  private closedError(fn: string): RcuError {
    return new RcuError("ERR_RCU_CLOSED", `Rcu.${fn}: the domain was closed`);
  }

  private request(): void {
    if (this.scheduled || this.inFlight !== null) return;
    this.scheduled = true;
    setImmediate(this.tickFn);
  }

  /** A sync section open at a macrotask boundary was leaked: report it, retry with back-off. */
  private leakedAtBoundary(then: () => void): boolean {
    if (this.syncNest === 0) {
      this.leakRetryMs = 0;
      return false;
    }
    if (this.leakRetryMs === 0) {
      this.report(
        new RcuError(
          "ERR_RCU_SECTION_LEAKED",
          `Rcu: a read section (depth ${this.syncNest}) is still open at a grace-period tick; ` +
            "callbacks wait until it is closed",
        ),
      );
    }
    this.leakRetryMs = Math.min(Math.max(1, this.leakRetryMs * 2), 100);
    // Unref'ed: only user code can close the section, and a leaked one must not pin the process.
    setTimeout(then, this.leakRetryMs).unref();
    return true;
  }

  private tick(): void {
    this.scheduled = false;
    if (this.inFlight !== null || !this.work.hasWork()) return;
    if (this.leakedAtBoundary(this.tickFn)) {
      this.scheduled = true; // the retry timer owns the next tick
      return;
    }
    this.started++;
    this.inFlight = this.work.take();
    const old = this.idx;
    this.idx = old ^ 1;
    const pending = old === 0 ? this.c0 : this.c1;
    if (pending === 0) {
      this.complete();
      return;
    }
    this.draining = old;
    this.gpStart = performance.now();
    if (this.stallMs > 0) this.armStall(this.stallMs);
  }

  private complete(): void {
    const batch = this.inFlight;
    if (batch === null) return;
    if (this.leakedAtBoundary(this.completeFn)) return;
    this.inFlight = null;
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
    this.completed = this.started;
    this._gps++;
    this._callbacks += this.work.complete(batch, this.reclaimFn, this.reportFn);
    if (this.work.hasWork()) this.request();
  }

  private armStall(ms: number): void {
    // Unref'ed: in one thread only this thread's own code can release a guard, so a timer must not
    // keep an otherwise finished process alive just to repeat a warning.
    this.stallTimer = setTimeout(() => {
      if (this.draining === -1) return;
      this._stalls++;
      const info: StallInfo = {
        domain: "Rcu",
        waitingMs: performance.now() - this.gpStart,
        pendingGuards: this.draining === 0 ? this.c0 : this.c1,
        leakedSection: false,
        pendingReaders: emptyReaders,
        stacks: this.stacksOf(this.draining),
      };
      this.emitStall(info);
      this.armStall(ms * 2);
    }, ms);
    this.stallTimer.unref();
  }

  private emitStall(info: StallInfo): void {
    if (this.onStall !== undefined) {
      try {
        this.onStall(info);
      } catch (err) {
        this.report(err);
      }
      return;
    }
    process.emitWarning(
      `RCU stall: grace period waiting ${info.waitingMs.toFixed(0)} ms for ${info.pendingGuards} guard(s)` +
        (info.stacks.length !== 0 ? `\n${info.stacks.join("\n--\n")}` : ""),
      "RcuStallWarning",
    );
  }

  private report(err: unknown): void {
    reportTo(this.onError, err);
  }

  // ------------------------------------------------------------------ debug machinery

  private armLeakCheck(): void {
    if (this.leakCheckArmed) return;
    this.leakCheckArmed = true;
    queueMicrotask(this.leakCheckFn);
  }

  private leakCheck(): void {
    this.leakCheckArmed = false;
    if (this.syncNest !== 0) {
      this.report(
        new RcuError(
          "ERR_RCU_SECTION_LEAKED",
          `Rcu.readLock: a read section (depth ${this.syncNest}) was left open at the end of the job`,
        ),
      );
    }
  }

  private readonly debugInfo = new WeakMap<ReadGuard, DebugGuardInfo>();

  private trackDebugGuard(g: ReadGuard, phase: number): void {
    const stack = new Error("RCU guard acquired here").stack ?? "";
    const info: DebugGuardInfo = { phase, stack, done: false };
    this.debugInfo.set(g, info);
    this.liveDebug?.add(info);
    this.registry?.register(g, info, g);
  }

  private untrackDebugGuard(g: ReadGuard): void {
    const info = this.debugInfo.get(g);
    if (info === undefined) return;
    info.done = true;
    this.liveDebug?.delete(info);
    this.registry?.unregister(g);
  }

  private guardCollected(info: DebugGuardInfo): void {
    if (info.done) return;
    const forced = this.leakPolicy === "forceRelease";
    const leak: GuardLeakInfo = { stack: info.stack, forced };
    if (this.onLeak !== undefined) this.onLeak(leak);
    else
      process.emitWarning(
        `RCU guard leaked (collected while live)\n${info.stack}`,
        "RcuLeakWarning",
      );
    if (forced) {
      info.done = true;
      this.liveDebug?.delete(info);
      this._releasePhase(info.phase, null);
    }
  }

  private stacksOf(phase: number): readonly string[] {
    if (this.liveDebug === undefined) return emptyStacks;
    const out: string[] = [];
    for (const i of this.liveDebug) if (i.phase === phase) out.push(i.stack);
    return out;
  }
}
