// Rcu: the single-thread RCU domain (docs/spec/rcu.md §2.2). Synchronous sections are a depth
// counter: a section cannot outlive the job it runs in, so a grace period started in a later
// macrotask (setImmediate) has already outlived every one of them. Guards that span `await` are
// counted with SRCU's two-counter flip, so a stream of overlapping guards cannot starve a GP.

import type { ContextStore } from "#platform";
import { createContextStore, emitWarning, setImmediate, unref } from "#platform";
import type { GpCookie, RcuCommonOptions, RcuDomain, ReadGuard, StallInfo } from "./domain.js";
import { DomainBase } from "./domain-base.js";
import { RcuError } from "./errors.js";
import { checkFn, checkOpts, invalid } from "./util.js";

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

// The twin of SharedGuard (shared-rcu.ts) on purpose: one class serving both domains measured
// 6-11 % slower per acquire + release under plain node (docs/reports/2026-12-07-house-arrangement.md),
// so each domain keeps its own guard class and its own release call.
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
export class Rcu extends DomainBase implements RcuDomain {
  // --- read side (hot) ---
  private syncNest = 0;
  private c0 = 0;
  private c1 = 0;
  private idx = 0;
  private readonly debug: boolean;

  // --- grace periods ---
  private started = 0;
  private completed = 0;
  private draining = -1;
  private gpStart = 0;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;

  // --- debug machinery (allocated only with debug: true) ---
  private leakCheckArmed = false;
  private readonly als: ContextStore<ReadGuard> | undefined;
  private readonly liveDebug: Set<DebugGuardInfo> | undefined;
  private readonly registry: FinalizationRegistry<DebugGuardInfo> | undefined;
  private readonly leakPolicy: "report" | "forceRelease";
  private readonly onLeak: ((info: GuardLeakInfo) => void) | undefined;

  private readonly completeFn = (): void => this.complete();
  private readonly leakCheckFn = (): void => this.leakCheck();

  constructor(opts: RcuOptions = {}) {
    super("Rcu", "new Rcu", checkOpts("new Rcu", opts));
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
      this.als = createContextStore<ReadGuard>();
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

  protected readonly asyncReadHint = "readAsync or acquire";

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

  /** `get_state_synchronize_rcu()`: the number of the next grace period to start. */
  getState(): GpCookie {
    return (this.started + 1) as GpCookie;
  }

  /** `poll_state_synchronize_rcu()`. */
  pollState(c: GpCookie): boolean {
    if (typeof c !== "number" || !Number.isInteger(c))
      invalid("Rcu.pollState", "c", c, "a GpCookie");
    return this.completed >= c;
  }

  // ------------------------------------------------------------------ grace-period engine

  protected readerCheck(fn: string): RcuError | null {
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

  protected closeCheck(): RcuError | null {
    if (this.syncNest === 0 && this.c0 + this.c1 === 0) return null;
    return new RcuError(
      "ERR_RCU_SYNC_IN_READER",
      `Rcu.close: ${this.syncNest} section level(s) and ${this.c0 + this.c1} guard(s) still open`,
    );
  }

  protected tick(): void {
    this.scheduled = false;
    if (this.inFlight !== null || !this.work.hasUncut()) return;
    if (this.leakedAtBoundary(this.syncNest, this.tickFn)) {
      this.scheduled = true; // the retry timer owns the next tick
      return;
    }
    this.beginGp();
  }

  /** Starts a grace period for the queued work: flips the guard phase; completes it at once if no guard of the old phase is live. */
  private beginGp(later = false): void {
    this.started++;
    this.inFlight = this.work.take();
    const old = this.idx;
    this.idx = old ^ 1;
    const pending = old === 0 ? this.c0 : this.c1;
    if (pending === 0) {
      this.complete(later);
      return;
    }
    this.draining = old;
    this.gpStart = performance.now();
    if (this.stallMs > 0) this.armStall(this.stallMs);
  }

  /**
   * `poll()` outside every sync section: no section of this thread is open, so a grace period
   * waits only for async guards, which `beginGp` counts. Two rounds cover the grace period in
   * flight and one for the work queued since.
   */
  protected advance(_deadline: number): void {
    for (let round = 0; round < 2; round++) {
      if (this.inFlight !== null) {
        if (this.draining !== -1) return; // guards of the old phase are still live
        this.complete(true);
        if (this.inFlight !== null) return;
      } else if (this.work.hasUncut()) {
        this.beginGp(true);
        if (this.inFlight !== null) return;
      } else return;
    }
  }

  protected sectionDepth(): number {
    return this.syncNest;
  }

  /** Completes the grace period in flight; `later`: inside poll(), its work waits a macrotask. */
  private complete(later = false): void {
    const batch = this.inFlight;
    if (batch === null) return;
    // A completion queued by a guard release whose grace period a poll() already completed
    // must not complete the next one, whose guards may still be live.
    if (this.draining !== -1) return;
    if (this.leakedAtBoundary(this.syncNest, this.completeFn)) return;
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
    this.completed = this.started;
    if (later) this.completeLater(batch);
    else this.completeBatch(batch);
  }

  private armStall(ms: number): void {
    // Unref'ed: in one thread only this thread's own code can release a guard, so a timer must not
    // keep an otherwise finished process alive just to repeat a warning.
    this.stallTimer = setTimeout(() => {
      if (this.draining === -1) return;
      const info: StallInfo = {
        domain: "Rcu",
        waitingMs: performance.now() - this.gpStart,
        pendingGuards: this.draining === 0 ? this.c0 : this.c1,
        leakedSection: false,
        pendingReaders: emptyReaders,
        stacks: this.stacksOf(this.draining),
      };
      this.emitStall(
        info,
        `RCU stall: grace period waiting ${info.waitingMs.toFixed(0)} ms for ${info.pendingGuards} guard(s)` +
          (info.stacks.length !== 0 ? `\n${info.stacks.join("\n--\n")}` : ""),
      );
      this.armStall(ms * 2);
    }, ms);
    unref(this.stallTimer);
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
    else emitWarning(`RCU guard leaked (collected while live)\n${info.stack}`, "RcuLeakWarning");
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
