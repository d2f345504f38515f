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
}

/** The default reclaimer: frees at once (no concurrent readers to wait for). */
export const immediateReclaimer: Reclaimer = Object.freeze({
  defer(free: () => void): void {
    free();
  },
});
