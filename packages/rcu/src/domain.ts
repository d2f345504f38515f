// The RcuDomain interface both domains implement, and the small types around it: grace-period
// cookies, read guards, stall reports, options (docs/spec/rcu.md §5).

/// <reference lib="esnext.disposable" preserve="true" />
// (kept in the emitted .d.ts: Symbol.dispose and Disposable type-check for users on es2022 libs)

/**
 * A polled grace-period cookie, as returned by the kernel's `get_state_synchronize_rcu()`.
 * Opaque: only {@link RcuDomain.pollState} interprets it.
 */
export type GpCookie = number & { readonly __gp: unique symbol };

/**
 * A read-side critical section that may span `await` (SRCU-like). Obtained from
 * {@link RcuDomain.acquire}; works with `using`. While live it blocks every grace period that
 * started after it was acquired... and only those begun before its release need to wait for it.
 */
export interface ReadGuard extends Disposable {
  /** Ends the section. An explicit second `release()` throws `ERR_RCU_UNBALANCED_UNLOCK`. */
  release(): void;
  /** True until released. `[Symbol.dispose]` is idempotent (a no-op once released). */
  readonly live: boolean;
}

/** What a stall warning reports (like an "RCU CPU stall" splat). */
export interface StallInfo {
  /** Which domain class stalled. */
  readonly domain: "Rcu" | "SharedRcu";
  /** Milliseconds the oldest pending grace period has been waiting. */
  readonly waitingMs: number;
  /** Rcu: async guards still open from before the grace period started. */
  readonly pendingGuards: number;
  /** Rcu: a synchronous section is open across macrotasks (a leaked `readLock`). */
  readonly leakedSection: boolean;
  /** SharedRcu: the readers the grace period waits for. */
  readonly pendingReaders: ReadonlyArray<{ slot: number; threadId: number; ctr: number }>;
  /** Rcu with `debug: true`: the `acquire()` stacks of the guards blocking the grace period. */
  readonly stacks: readonly string[];
}

/** Counters for observability (monotonic, per domain instance). */
export interface RcuStats {
  /** Grace periods this instance completed. */
  readonly gps: number;
  /** `callRcu` callbacks and retired ids handed back after a grace period. */
  readonly callbacks: number;
  /** Stall warnings raised. */
  readonly stalls: number;
}

/** The reclaim function of `retire(id)`: the allocation-free `kfree_rcu()`. */
export type ReclaimFn = (id: number) => void;

/**
 * The interface common to {@link Rcu} and {@link SharedRcu}: the kernel's RCU API
 * (`rcu_read_lock`, `synchronize_rcu`, `call_rcu`, `kfree_rcu`, `rcu_barrier`, polled cookies).
 */
export interface RcuDomain {
  /** `rcu_read_lock()`: opens (or nests) a synchronous read section. Wait-free. */
  readLock(): void;
  /** `rcu_read_unlock()`: closes one level; throws `ERR_RCU_UNBALANCED_UNLOCK` at depth 0. */
  readUnlock(): void;
  /** Runs `fn` inside a read section; throws `ERR_RCU_PROMISE_IN_SYNC_READ` if it returns a thenable. */
  read<T>(fn: () => T): T;
  /** True while this thread has an open synchronous section (for `rcuDereferenceCheck`). */
  readonly inReadSection: boolean;
  /** `srcu_read_lock()`-like guard that may span `await`. */
  acquire(): ReadGuard;
  /** Runs `fn` under a guard released when its promise settles. */
  readAsync<T>(fn: () => Promise<T>): Promise<T>;
  /** `synchronize_rcu()`: resolves after every section begun before the call has ended. */
  synchronize(): Promise<void>;
  /** `call_rcu()`: `cb` runs on this thread after a grace period, never synchronously. */
  callRcu(cb: () => void): void;
  /** The maple tree's `Reclaimer.defer`: the same as {@link RcuDomain.callRcu}. */
  defer(free: () => void): void;
  /** `kfree_rcu()` without a closure: `id` goes to the domain's reclaim function after a GP. */
  retire(id: number): void;
  /** `rcu_barrier()`: resolves once everything this thread queued before the call has run. */
  barrier(): Promise<void>;
  /** `get_state_synchronize_rcu()`. */
  getState(): GpCookie;
  /** `start_poll_synchronize_rcu()`: like `getState()`, and makes sure a grace period will run. */
  startPoll(): GpCookie;
  /** `poll_state_synchronize_rcu()`: has a full grace period elapsed since `c` was taken? */
  pollState(c: GpCookie): boolean;
  /**
   * Advances grace periods without the event loop (liburcu's polled grace periods, crossbeam's
   * collect on `pin`): completes the running one if its readers have left, starts and completes
   * the next; waits up to `waitMs` for other threads' readers. `pollState` then tells which
   * cookies are past their grace period; callbacks still run from a later macrotask.
   */
  poll(waitMs?: number): void;
  /** Stall hook (default: `process.emitWarning`). */
  onStall: ((info: StallInfo) => void) | undefined;
  /** Hook for errors thrown by callbacks (default: rethrown in a microtask). */
  onError: ((err: unknown) => void) | undefined;
  /** Counters. */
  readonly stats: RcuStats;
  /** Waits for queued work, then refuses further use with `ERR_RCU_CLOSED`. */
  close(): Promise<void>;
}

/** Options common to both domains. */
export interface RcuCommonOptions {
  /** Receives every id passed to `retire(id)`, after a grace period. */
  reclaim?: ReclaimFn;
  /** First stall warning after this many ms of waiting (default 1000); 0 disables warnings. */
  stallMs?: number;
  /** Debug checks: leaked sections, guard leak stacks, `synchronize()` inside `readAsync`. */
  debug?: boolean;
}
