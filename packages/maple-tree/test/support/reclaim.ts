// Test support: a reclaimer whose frees wait until the test ends the grace period (`flush()`),
// and a SharedMapleTree domain built on it, so a test decides when old versions may go. Public
// entry points only.

import type { Reclaimer, SharedTreeDomain } from "@maplemm/maple-tree";
import { SharedMapleTree } from "@maplemm/maple-tree";

/** A reclaimer that queues frees until `flush()` (a grace period that ends when the test says). */
export class QueueReclaimer implements Reclaimer {
  pending: (() => void)[] = [];
  defer(free: () => void): void {
    this.pending.push(free);
  }
  /** Runs every queued free; returns how many ran. */
  flush(): number {
    const q = this.pending;
    this.pending = [];
    for (const f of q) f();
    return q.length;
  }
}

/** A domain whose grace periods end when the test calls `flush()` (frees queue until then). */
export class TestDomain extends QueueReclaimer implements SharedTreeDomain {
  depth = 0;
  readLock(): void {
    this.depth++;
  }
  readUnlock(): void {
    this.depth--;
  }
  get queue(): (() => void)[] {
    return this.pending;
  }
}

/** A poisoned, non-blocking shared tree over `domain` (the shape every one-thread test uses). */
export function createShared(
  domain: TestDomain,
  capacity = 4096,
  flags = 0,
): { tree: SharedMapleTree; domain: TestDomain } {
  return {
    tree: SharedMapleTree.create({ capacity, flags, domain, poison: true, blocking: false }),
    domain,
  };
}
