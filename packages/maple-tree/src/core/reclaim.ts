// The reclaimer interface: the one thing the maple tree needs from an RCU implementation.
// A tree hands every node (and entry handle) it unlinks to its reclaimer; the reclaimer runs the
// free function once no reader can still hold the old object. @maplemm/rcu implements this
// interface structurally (no import in either direction); the default frees at once, which is
// right outside RCU mode, where readers must exclude writers (docs/spec/maple-tree.md §5).

/** Defers a free until it is safe, like the kernel's `call_rcu()`. */
export interface Reclaimer {
  /**
   * Runs `free` after every reader that might still see the retired object has finished.
   * Must never run `free` before then; may run it at once if there are no concurrent readers.
   */
  defer(free: () => void): void;
  /**
   * Optional grace-period cookies (`get_state_synchronize_rcu`): a cookie taken when a node is
   * retired. With both methods present and the tree's arena in poison (debug) mode, every free is
   * checked to come after a full grace period since the retire, so a reclaimer that frees early
   * fails loudly instead of letting a reader see a reused node. `@maplemm/rcu` domains have both.
   */
  getState?(): number;
  /** `poll_state_synchronize_rcu`: has a full grace period elapsed since `cookie`? */
  pollState?(cookie: number): boolean;
  /**
   * Optional `poll()`: advance grace periods now, without the event loop (liburcu's polled grace
   * periods; crossbeam collects on `pin`): complete the running one if its readers have left,
   * start and complete the next, waiting up to `waitMs` for other threads' readers; `pollState`
   * then answers for the cookies it covered. Never completes one early. With `getState`,
   * `pollState` and `poll` a tree frees its retired nodes itself as soon as their cookies poll
   * true (reclaim-poll.ts), at the start of writes and before it answers -ENOMEM, so a writer in
   * a loop that never yields still gets its nodes back. `@maplemm/rcu` domains have all three.
   */
  poll?(waitMs?: number): void;
}

/** The default reclaimer: frees at once (no concurrent readers to wait for). */
export const immediateReclaimer: Reclaimer = Object.freeze({
  defer(free: () => void): void {
    free();
  },
});
