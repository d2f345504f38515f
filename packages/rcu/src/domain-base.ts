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
    this._gps++;
    this._callbacks += this.work.complete(batch, this.reclaimFn, this.reportFn);
    if (this.work.hasWork()) this.request();
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
