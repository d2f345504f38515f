// The update side both domains share: synchronize / callRcu / retire / barrier / startPoll / close,
// the batching of deferred work into grace periods, leak back-off, hooks and counters. Each domain
// supplies how a grace period runs (`tick`), how cookies are read (`getState`/`pollState`) and what
// counts as "inside a reader" for the deadlock checks.

import { emitWarning, setImmediate, unref } from "#platform";
import { type Batch, DeferredWork } from "./deferred.js";
import type { GpCookie, RcuCommonOptions, RcuStats, ReclaimFn, StallInfo } from "./domain.js";
import { RcuError } from "./errors.js";
import { checkFn, checkStallMs, invalid, isThenable, reportTo } from "./util.js";

export abstract class DomainBase {
  protected readonly work = new DeferredWork();
  /** The batch whose grace period is running, or null. */
  protected inFlight: Batch | null = null;
  /** A tick is queued (setImmediate or a leak-retry timer). */
  protected scheduled = false;
  protected closed = false;
  /** A `poll()` is running (a callback it runs must not start another). */
  private polling = false;
  private leakRetryMs = 0;
  protected _gps = 0;
  protected _callbacks = 0;
  protected _stalls = 0;
  protected readonly reclaimFn: ReclaimFn | undefined;
  protected readonly stallMs: number;

  /** Stall hook; default `process.emitWarning`. */
  onStall: ((info: StallInfo) => void) | undefined = undefined;
  /** Error hook for throwing callbacks and leaked sections; default: rethrow in a microtask. */
  onError: ((err: unknown) => void) | undefined = undefined;

  protected readonly tickFn = (): void => this.tick();
  /** Batches whose grace period `poll()` completed, waiting for a macrotask to run their work. */
  private ready: Batch[] = [];
  private readonly readyFn = (): void => this.runReady();
  protected readonly reportFn = (err: unknown): void => this.report(err);

  constructor(
    private readonly kind: "Rcu" | "SharedRcu",
    fn: string,
    opts: RcuCommonOptions,
  ) {
    this.reclaimFn = checkFn<ReclaimFn>(fn, "options.reclaim", opts.reclaim);
    this.stallMs = checkStallMs(fn, opts.stallMs, 1000);
  }

  /** Starts a grace period for the pending work (called in a fresh macrotask). */
  protected abstract tick(): void;
  /**
   * The body of `poll()`: completes grace periods whose readers have all left (waiting until
   * `deadline`, a `performance.now()` time, where the domain can wait), running their work, and
   * starts one for work still queued. Called outside every section of this thread.
   */
  protected abstract advance(deadline: number): void;
  /** Levels of synchronous read section this thread has open (callbacks never run inside one). */
  protected abstract sectionDepth(): number;
  /** `ERR_RCU_SYNC_IN_READER` if waiting for a grace period here would deadlock, else null. */
  protected abstract readerCheck(fn: string): RcuError | null;
  /** Why `close()` must refuse now, or null. */
  protected abstract closeCheck(): RcuError | null;
  /** `rcu_read_lock()`. */
  abstract readLock(): void;
  /** `rcu_read_unlock()`. */
  abstract readUnlock(): void;
  /** What to use instead of a sync section when `read(fn)` gets a promise back. */
  protected abstract readonly asyncReadHint: string;
  /** `get_state_synchronize_rcu()`. */
  abstract getState(): GpCookie;
  /** `poll_state_synchronize_rcu()`. */
  abstract pollState(c: GpCookie): boolean;

  /** Runs `fn` in a read section. A thenable result throws `ERR_RCU_PROMISE_IN_SYNC_READ`. */
  read<T>(fn: () => T): T {
    if (typeof fn !== "function") invalid(`${this.kind}.read`, "fn", fn, "a function");
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
        `${this.kind}.read: fn returned a promise; a sync section cannot span await (use ${this.asyncReadHint})`,
      );
    }
    return r;
  }

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

  /** `call_rcu()`: `cb` runs on this thread after a grace period, in a later macrotask, FIFO. */
  callRcu(cb: () => void): void {
    if (typeof cb !== "function") invalid(`${this.kind}.callRcu`, "cb", cb, "a function");
    if (this.closed) throw this.closedError("callRcu");
    this.work.cbq.push(cb);
    this.request();
  }

  /** The maple tree's `Reclaimer.defer(free)`: `callRcu` under the tree's name. */
  defer(free: () => void): void {
    if (typeof free !== "function") invalid(`${this.kind}.defer`, "free", free, "a function");
    this.callRcu(free);
  }

  /** `kfree_rcu()`: hands the int32 `id` to the reclaim function after a grace period. */
  retire(id: number): void {
    if ((id | 0) !== id) invalid(`${this.kind}.retire`, "id", id, "an int32");
    if (this.reclaimFn === undefined) {
      throw new RcuError(
        "ERR_RCU_INVALID_ARGUMENT",
        `${this.kind}.retire: this domain has no reclaim function; pass { reclaim } when creating it`,
      );
    }
    if (this.closed) throw this.closedError("retire");
    this.work.ring.push(id);
    if (!this.scheduled && this.inFlight === null) this.request();
  }

  /** `rcu_barrier()`: resolves once everything this thread queued before the call has run. */
  barrier(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError("barrier"));
    const err = this.readerCheck("barrier");
    if (err !== null) return Promise.reject(err);
    return this.work.barrier();
  }

  /**
   * Advances grace periods without the event loop: completes the running grace period if its
   * readers have all left (so `pollState` turns true for its cookies at once), then starts one for
   * the work queued since, and completes that too if it can. Like liburcu's polled API (poll a
   * cookie, free what it covers) and crossbeam's collect on `pin`, it lets a writer in a loop that
   * never yields reuse memory: it retires with cookies (`getState`) and frees, itself, what
   * `pollState` says is past its grace period. Callbacks of a grace period that ended here still
   * run from a later macrotask, in order (I2, I3); it never completes one early (I1).
   *
   * With `waitMs` > 0 it waits up to that long for other threads' readers (`SharedRcu`:
   * `Atomics.wait` where the thread may block, a spin on the main thread). `Rcu`'s readers are this
   * thread's own and cannot end while it runs, so it never waits. Inside a read section (or while
   * holding a `SharedRcu` guard, or QSBR-online) it does nothing. Throws `ERR_RCU_INVALID_ARGUMENT`
   * naming `waitMs` when it is not a non-negative number.
   */
  poll(waitMs = 0): void {
    if (typeof waitMs !== "number" || Number.isNaN(waitMs) || waitMs < 0) {
      invalid(`${this.kind}.poll`, "waitMs", waitMs, "a non-negative number");
    }
    if (this.closed || this.polling || this.readerCheck("poll") !== null) return;
    this.polling = true;
    try {
      this.advance(performance.now() + waitMs);
    } finally {
      this.polling = false;
    }
  }

  /** `start_poll_synchronize_rcu()`: `getState()`, and make sure that grace period runs. */
  startPoll(): GpCookie {
    if (this.closed) throw this.closedError("startPoll");
    const c = this.getState();
    this.work.pollWanted = true;
    this.request();
    return c;
  }

  /** Counters (a snapshot). */
  get stats(): RcuStats {
    return { gps: this._gps, callbacks: this._callbacks, stalls: this._stalls };
  }

  /** Waits for this thread's queued work (`barrier()`), then refuses further use (`ERR_RCU_CLOSED`). */
  async close(): Promise<void> {
    if (this.closed) return;
    const err = this.closeCheck();
    if (err !== null) throw err;
    await this.barrier();
    if (this.work.hasWaiters || this.inFlight !== null) await this.synchronize();
    this.closed = true;
  }

  // ---------------------------------------------------------------- for the domains

  protected closedError(fn: string): RcuError {
    return new RcuError("ERR_RCU_CLOSED", `${this.kind}.${fn}: the domain was closed`);
  }

  /** Queues a tick in the next macrotask, unless one is queued or a grace period is running. */
  protected request(): void {
    if (this.scheduled || this.inFlight !== null) return;
    this.scheduled = true;
    setImmediate(this.tickFn);
  }

  protected report(err: unknown): void {
    reportTo(this.onError, err);
  }

  /**
   * A sync section of this thread (`depth` levels) is open at a macrotask boundary: it was leaked.
   * Callbacks must not run inside it (I2): report once, run `retry` after a back-off, return true.
   */
  protected leakedAtBoundary(depth: number, retry: () => void): boolean {
    if (depth === 0) {
      this.leakRetryMs = 0;
      return false;
    }
    if (this.leakRetryMs === 0) {
      this.report(
        new RcuError(
          "ERR_RCU_SECTION_LEAKED",
          `${this.kind}: a read section (depth ${depth}) is still open at a grace-period tick; ` +
            "callbacks wait until it is closed",
        ),
      );
    }
    this.leakRetryMs = Math.min(Math.max(1, this.leakRetryMs * 2), 100);
    // Unref'ed: only this thread's code can close the section; a leak must not pin the process.
    unref(setTimeout(retry, this.leakRetryMs));
    return true;
  }

  /** The grace period of `batch` is over: hand out its work, then start the next one if needed. */
  protected completeBatch(batch: Batch): void {
    this.inFlight = null;
    this.handOut(batch);
    if (this.work.hasUncut()) this.request();
  }

  /**
   * The grace period of `batch` ended inside `poll()`: its callbacks still run from a later
   * macrotask (I2), in order with every other batch.
   */
  protected completeLater(batch: Batch): void {
    this.inFlight = null;
    this.ready.push(batch);
    if (this.ready.length === 1) setImmediate(this.readyFn);
  }

  /** Hands out the work of `batch`, after that of batches completed earlier by `poll()`. */
  private handOut(batch: Batch | null): void {
    const ready = this.ready;
    if (ready.length !== 0) {
      this.ready = [];
      for (const b of ready) this.handOut(b);
    }
    if (batch === null) return;
    this._gps++;
    this._callbacks += this.work.complete(batch, this.reclaimFn, this.reportFn);
  }

  /** The macrotask `completeLater` queued: runs the ready batches unless a section leaked open. */
  private runReady(): void {
    if (this.ready.length === 0) return;
    if (this.leakedAtBoundary(this.sectionDepth(), this.readyFn)) return;
    this.handOut(null);
    if (this.work.hasUncut()) this.request();
  }

  /** Reports a stall through `onStall`, or as a process warning with `text`. */
  protected emitStall(info: StallInfo, text: string): void {
    this._stalls++;
    if (this.onStall === undefined) {
      emitWarning(text, "RcuStallWarning");
      return;
    }
    try {
      this.onStall(info);
    } catch (err) {
      this.report(err);
    }
  }
}
