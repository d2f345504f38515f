// The RcuDomain contract, run table-driven over Rcu and SharedRcu (main thread registered):
// grace periods wait for earlier readers only (I1), callbacks are never inline and FIFO (I2/I3),
// barrier covers everything queued before it, pollState(getState()) tracks synchronize().

import type { GpCookie, RcuDomain } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";
import { domainKinds, type Made, tick, ticks } from "./helpers.js";

describe.each(domainKinds)("$name satisfies the RcuDomain contract", ({ make }) => {
  let m: Made;
  afterEach(() => m?.done());
  const fresh = (stallMs?: number): RcuDomain => {
    m = make(stallMs);
    return m.d;
  };

  it("resolves synchronize() with no readers", async () => {
    const d = fresh();
    await d.synchronize();
    expect(d.stats.gps).toBeGreaterThanOrEqual(1);
  });

  it("never runs a callRcu callback inside callRcu or in the same macrotask", async () => {
    const d = fresh();
    let ran = false;
    d.callRcu(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    await Promise.resolve();
    await Promise.resolve();
    expect(ran).toBe(false);
    await d.barrier();
    expect(ran).toBe(true);
  });

  it("runs callbacks in FIFO order, before the same grace period's synchronize() resolves", async () => {
    const d = fresh();
    const order: string[] = [];
    const g = d.acquire(); // holds the first grace period open
    for (let i = 0; i < 5; i++) d.callRcu(() => order.push(`cb${i}`));
    const p = d.synchronize().then(() => order.push("sync"));
    await ticks(3); // the grace period has started and waits for g
    d.callRcu(() => order.push("cb5")); // belongs to the next grace period
    g.release();
    await p;
    await d.barrier();
    expect(order).toEqual(["cb0", "cb1", "cb2", "cb3", "cb4", "sync", "cb5"]);
  });

  it("waits for a guard acquired before the grace period and not for one acquired after it", async () => {
    const d = fresh();
    const g1 = d.acquire();
    let done = false;
    const p = d.synchronize().then(() => {
      done = true;
    });
    await ticks(5);
    expect(done).toBe(false);
    const g2 = d.acquire(); // begins after the GP started: must not block it
    g1.release();
    await p;
    expect(done).toBe(true);
    expect(g2.live).toBe(true);
    g2.release();
    expect(g2.live).toBe(false);
  });

  it("keeps a retired id until the readers that might see it are gone, then reclaims it once", async () => {
    const d = fresh();
    const g = d.acquire();
    d.retire(7);
    d.retire(8);
    await ticks(5);
    expect(m.reclaimed).toEqual([]);
    g.release();
    await d.barrier();
    expect(m.reclaimed).toEqual([7, 8]);
    await d.synchronize();
    expect(m.reclaimed).toEqual([7, 8]);
  });

  it("does not let a stream of overlapping guards starve a grace period", async () => {
    const d = fresh();
    let g = d.acquire();
    let done = false;
    const p = d.synchronize().then(() => {
      done = true;
    });
    for (let i = 0; i < 50 && !done; i++) {
      const next = d.acquire(); // always one guard live
      g.release();
      g = next;
      await tick();
    }
    await p;
    expect(done).toBe(true);
    g.release();
  });

  it("makes pollState(getState()) true exactly when a synchronize() started then resolves", async () => {
    const d = fresh();
    const c = d.getState();
    expect(d.pollState(c)).toBe(false);
    let resolvedWhilePolledFalse = false;
    const p = d.synchronize().then(() => {
      if (!d.pollState(c)) resolvedWhilePolledFalse = true;
    });
    expect(d.pollState(c)).toBe(false);
    await p;
    expect(resolvedWhilePolledFalse).toBe(false);
    expect(d.pollState(c)).toBe(true);
  });

  it("completes a grace period for startPoll() without any other request", async () => {
    const d = fresh();
    const c: GpCookie = d.startPoll();
    expect(d.pollState(c)).toBe(false);
    for (let i = 0; i < 50 && !d.pollState(c); i++) await tick();
    expect(d.pollState(c)).toBe(true);
  });

  it("resolves barrier() after everything queued before it, and at once when nothing is queued", async () => {
    const d = fresh();
    await d.barrier();
    const seen: number[] = [];
    const g = d.acquire();
    d.callRcu(() => seen.push(1));
    d.retire(3);
    const b = d.barrier().then(() => seen.push(99));
    await ticks(3);
    expect(seen).toEqual([]);
    g.release();
    await b;
    expect(seen).toEqual([1, 99]);
    expect(m.reclaimed).toEqual([3]);
  });

  it("batches many callbacks into few grace periods", async () => {
    const d = fresh();
    let n = 0;
    for (let i = 0; i < 10_000; i++) d.callRcu(() => n++);
    await d.barrier();
    expect(n).toBe(10_000);
    expect(d.stats.gps).toBeLessThanOrEqual(2);
    expect(d.stats.callbacks).toBe(10_000);
  });

  it("reports a throwing callback through onError and still runs the rest", async () => {
    const d = fresh();
    const errors: unknown[] = [];
    d.onError = (e) => errors.push(e);
    const ran: number[] = [];
    d.callRcu(() => ran.push(1));
    d.callRcu(() => {
      throw new Error("boom");
    });
    d.callRcu(() => ran.push(3));
    await d.barrier();
    expect(ran).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe("boom");
  });

  it("nests read sections and reports inReadSection", () => {
    const d = fresh();
    expect(d.inReadSection).toBe(false);
    d.readLock();
    d.readLock();
    expect(d.inReadSection).toBe(true);
    d.readUnlock();
    expect(d.inReadSection).toBe(true);
    d.readUnlock();
    expect(d.inReadSection).toBe(false);
    expect(d.read(() => 42)).toBe(42);
    expect(() =>
      d.read(() => {
        throw new Error("inner");
      }),
    ).toThrow("inner");
    expect(d.inReadSection).toBe(false);
  });

  it("works with using: the guard is released at the end of the block", async () => {
    const d = fresh();
    let done = false;
    let p: Promise<void>;
    {
      using g = d.acquire();
      expect(g.live).toBe(true);
      p = d.synchronize().then(() => {
        done = true;
      });
      await ticks(3);
      expect(done).toBe(false);
    }
    await p;
    expect(done).toBe(true);
  });

  it("runs readAsync under a guard that spans awaits", async () => {
    const d = fresh();
    let done = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const reader = d.readAsync(async () => {
      await gate;
      return 5;
    });
    const p = d.synchronize().then(() => {
      done = true;
    });
    await ticks(5);
    expect(done).toBe(false);
    release();
    expect(await reader).toBe(5);
    await p;
    expect(done).toBe(true);
  });

  it("raises a stall warning when a grace period waits past stallMs", async () => {
    const d = fresh(20);
    const stalls: number[] = [];
    d.onStall = (info) => stalls.push(info.waitingMs);
    const g = d.acquire();
    const p = d.synchronize();
    const t0 = Date.now();
    while (stalls.length === 0 && Date.now() - t0 < 2000)
      await new Promise((r) => setTimeout(r, 5));
    expect(stalls.length).toBeGreaterThan(0);
    expect(stalls[0]).toBeGreaterThanOrEqual(15);
    expect(d.stats.stalls).toBeGreaterThan(0);
    g.release();
    await p;
  });

  it("refuses use after close() with ERR_RCU_CLOSED, after running queued work", async () => {
    const d = fresh();
    let ran = false;
    d.callRcu(() => {
      ran = true;
    });
    m.done(); // SharedRcu: close requires this thread unregistered
    await d.close();
    expect(ran).toBe(true);
    expect(() => d.callRcu(() => {})).toThrow(expect.objectContaining({ code: "ERR_RCU_CLOSED" }));
    await expect(d.synchronize()).rejects.toMatchObject({ code: "ERR_RCU_CLOSED" });
    expect(() => d.acquire()).toThrow(expect.objectContaining({ code: "ERR_RCU_CLOSED" }));
  });

  it("satisfies the maple tree's Reclaimer interface: defer waits for readers", async () => {
    // A local copy of packages/maple-tree/src/core/reclaim.ts (rcu must not import the tree).
    interface Reclaimer {
      defer(free: () => void): void;
    }
    const d = fresh();
    const r: Reclaimer = d; // structural assignability is the test
    const g = d.acquire();
    let freed = false;
    r.defer(() => {
      freed = true;
    });
    await ticks(5);
    expect(freed).toBe(false);
    g.release();
    await d.barrier();
    expect(freed).toBe(true);
  });
});
