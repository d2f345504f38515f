// The per-thread deferred work of a domain, shared by Rcu and SharedRcu: synchronize() waiters,
// callRcu closures, retired ids and barriers, cut into per-grace-period batches. A batch is a
// snapshot of sequence numbers taken when its grace period starts; completing it runs exactly that
// prefix, in order: retired ids, then closures, then barriers and waiters (I3).

import { CallbackQueue, RetireRing } from "./queue.js";

/** What one grace period covers. */
export interface Batch {
  readonly cbEnd: number;
  readonly ringEnd: number;
  readonly waiters: Array<() => void>;
}

interface Barrier {
  readonly cbEnd: number;
  readonly ringEnd: number;
  readonly resolve: () => void;
}

export class DeferredWork {
  readonly cbq = new CallbackQueue();
  readonly ring = new RetireRing();
  private waiters: Array<() => void> = [];
  private barriers: Barrier[] = [];
  /** A `startPoll()` asked for a grace period. */
  pollWanted = false;
  /** Where the last batch ended: work past it is not covered by any batch yet. */
  private cutCb = 0;
  private cutRing = 0;

  /** Anything a grace period would serve? */
  hasWork(): boolean {
    return (
      this.waiters.length !== 0 ||
      this.cbq.enqueued > this.cbq.done ||
      this.ring.length !== 0 ||
      this.pollWanted
    );
  }

  /**
   * Is there work no batch covers yet? (`hasWork` also counts the work of batches whose grace
   * period is over but whose callbacks wait for the next macrotask.)
   */
  hasUncut(): boolean {
    return (
      this.waiters.length !== 0 ||
      this.cbq.enqueued > this.cutCb ||
      this.ring.tail > this.cutRing ||
      this.pollWanted
    );
  }

  /** Has any synchronize() caller not been served yet? */
  get hasWaiters(): boolean {
    return this.waiters.length !== 0;
  }

  addWaiter(resolve: () => void): void {
    this.waiters.push(resolve);
  }

  /** A promise for everything queued so far having run (`rcu_barrier()`). */
  barrier(): Promise<void> {
    const cbEnd = this.cbq.enqueued;
    const ringEnd = this.ring.tail;
    if (this.cbq.done >= cbEnd && this.ring.head >= ringEnd) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.barriers.push({ cbEnd, ringEnd, resolve });
    });
  }

  /** Cuts the batch a grace period starting now covers. */
  take(): Batch {
    this.pollWanted = false;
    const b: Batch = { cbEnd: this.cbq.enqueued, ringEnd: this.ring.tail, waiters: this.waiters };
    this.cutCb = b.cbEnd;
    this.cutRing = b.ringEnd;
    this.waiters = [];
    return b;
  }

  /** Puts a batch whose grace period failed back in front of the queue. */
  untake(b: Batch): void {
    this.waiters = b.waiters.concat(this.waiters);
    this.pollWanted = true; // its work is uncut again: the next batch covers it
  }

  /**
   * Completes a batch after its grace period: reclaims its ids, runs its closures (errors go to
   * `onError`, the rest still run), resolves barriers now covered and the batch's waiters.
   * Returns how many ids and closures were handed out.
   */
  complete(
    b: Batch,
    reclaim: ((id: number) => void) | undefined,
    onError: (err: unknown) => void,
  ): number {
    let n = 0;
    if (reclaim !== undefined) n += this.ring.drainUntil(b.ringEnd, reclaim, onError);
    n += this.cbq.runUntil(b.cbEnd, onError);
    if (this.barriers.length !== 0) {
      const cbDone = this.cbq.done;
      const ringDone = this.ring.head;
      const keep: Barrier[] = [];
      for (const x of this.barriers) {
        if (cbDone >= x.cbEnd && ringDone >= x.ringEnd) x.resolve();
        else keep.push(x);
      }
      this.barriers = keep;
    }
    for (const w of b.waiters) w();
    return n;
  }
}
