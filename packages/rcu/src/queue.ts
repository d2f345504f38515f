// The per-thread deferred-work queues: a FIFO of `callRcu` closures and an allocation-free Int32
// ring for `retire(id)`. Both number their items with absolute sequence counters so a grace
// period can snapshot "everything queued so far" as one integer and later run exactly that prefix.

/** FIFO of callbacks with absolute sequence numbers (`call_rcu` batches). */
export class CallbackQueue {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;
  /** Absolute sequence number of `items[0]`. */
  private base = 0;

  /** Total ever pushed; a snapshot of it marks the end of a batch. */
  get enqueued(): number {
    return this.base + this.items.length;
  }

  /** Total ever run. */
  get done(): number {
    return this.base + this.head;
  }

  push(cb: () => void): void {
    this.items.push(cb);
  }

  /**
   * Runs every callback with sequence number below `end`, in FIFO order. A throwing callback is
   * handed to `onError` and the rest still run. Returns how many ran.
   */
  runUntil(end: number, onError: (err: unknown) => void): number {
    const items = this.items;
    let i = this.head;
    const stop = Math.min(end - this.base, items.length);
    const start = i;
    while (i < stop) {
      const cb = items[i] as () => void;
      items[i] = undefined; // drop the reference at once: the closure may pin large objects
      i++;
      this.head = i;
      try {
        cb();
      } catch (err) {
        onError(err);
      }
    }
    // Compact once the consumed prefix dominates, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.base += this.head;
      this.head = 0;
    } else if (this.head === items.length && this.head > 0) {
      this.base += this.head;
      this.items = [];
      this.head = 0;
    }
    return i - start;
  }
}

/** Growable power-of-two ring of Int32 ids for `retire(id)`: no allocation per item. */
export class RetireRing {
  private buf: Int32Array;
  private mask: number;
  /** Absolute sequence of the next id to reclaim. */
  head = 0;
  /** Absolute sequence of the next free position. */
  tail = 0;

  constructor(capacity = 1024) {
    let c = 16;
    while (c < capacity) c *= 2;
    this.buf = new Int32Array(c);
    this.mask = c - 1;
  }

  get length(): number {
    return this.tail - this.head;
  }

  push(id: number): void {
    if (this.tail - this.head === this.buf.length) this.grow();
    this.buf[this.tail & this.mask] = id;
    this.tail++;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Int32Array(old.length * 2);
    for (let s = this.head; s < this.tail; s++)
      next[s & (next.length - 1)] = old[s & this.mask] as number;
    this.buf = next;
    this.mask = next.length - 1;
  }

  /**
   * Hands every id with sequence below `end` to `reclaim`, in order; a throwing reclaim is reported
   * through `onError` and the remaining ids are still reclaimed. Returns how many were handed out.
   */
  drainUntil(end: number, reclaim: (id: number) => void, onError: (err: unknown) => void): number {
    const start = this.head;
    const stop = Math.min(end, this.tail);
    while (this.head < stop) {
      const id = this.buf[this.head & this.mask] as number;
      this.head++;
      try {
        reclaim(id);
      } catch (err) {
        onError(err);
      }
    }
    return this.head - start;
  }
}
