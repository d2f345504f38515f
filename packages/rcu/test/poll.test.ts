// poll(): grace periods without the event loop. A writer in a synchronous loop calls it and then
// frees, itself, what `pollState` says is past its grace period. It must never complete a grace
// period early (a reader in its section, a live guard, this thread's own section), must leave
// the callbacks of the grace periods it completes to a later macrotask (I2) in order (I3), must
// hand a grace period it could not finish to the event loop, and must not let a completion queued
// earlier complete a later grace period.

import { type GpCookie, Rcu, SharedRcu } from "@maplemm/rcu";
import { describe, expect, it } from "vitest";
import { domainKinds, tick, ticks } from "./helpers.js";

describe.each(domainKinds)("$name.poll()", ({ make }) => {
  it("completes the grace period at once when no reader is in a section; callbacks wait a macrotask", async () => {
    const m = make();
    const ran: number[] = [];
    m.d.callRcu(() => ran.push(1));
    const c = m.d.getState();
    m.d.callRcu(() => ran.push(2));
    expect(m.d.pollState(c)).toBe(false);
    m.d.poll();
    expect(m.d.pollState(c)).toBe(true);
    expect(ran).toEqual([]); // never inline (I2)
    await tick();
    expect(ran).toEqual([1, 2]);
    m.d.poll(); // nothing queued: nothing happens
    m.done();
  });

  it("completes nothing inside this thread's read section", async () => {
    const m = make();
    m.d.callRcu(() => {});
    const c = m.d.getState();
    m.d.readLock();
    m.d.poll();
    expect(m.d.pollState(c)).toBe(false);
    m.d.readUnlock();
    m.d.poll();
    expect(m.d.pollState(c)).toBe(true);
    await m.d.barrier();
    m.done();
  });

  it("waits for a guard taken before the grace period began", async () => {
    const m = make();
    const before = m.d.acquire();
    m.d.callRcu(() => {});
    const c = m.d.getState();
    m.d.poll();
    expect(m.d.pollState(c)).toBe(false);
    before.release();
    m.d.poll();
    expect(m.d.pollState(c)).toBe(true);
    await m.d.barrier();
    m.done();
  });

  it("keeps callbacks in FIFO order across grace periods it completes and ones the event loop completes", async () => {
    const m = make();
    const ran: number[] = [];
    m.d.callRcu(() => ran.push(1));
    m.d.poll(); // GP 1 done here; its callback waits for a macrotask
    m.d.callRcu(() => ran.push(2));
    const done = m.d.synchronize().then(() => ran.push(3));
    await done;
    await m.d.barrier();
    expect(ran).toEqual([1, 2, 3]);
    m.done();
  });

  it("leaves a grace period it could not finish to the event loop", async () => {
    const m = make();
    const ran: number[] = [];
    const g = m.d.acquire();
    m.d.callRcu(() => ran.push(1));
    m.d.poll();
    await ticks(3);
    expect(ran).toEqual([]);
    g.release();
    await m.d.barrier();
    expect(ran).toEqual([1]);
    m.done();
  });

  it("rejects a bad waitMs naming it", () => {
    const m = make();
    expect(() => m.d.poll(-1)).toThrow(/waitMs/);
    expect(() => m.d.poll(Number.NaN)).toThrow(/waitMs/);
    m.done();
  });
});

describe("Rcu.poll() with guards and the event loop's completions", () => {
  it("does not wait for a guard taken after the grace period began (SRCU phases)", async () => {
    const rcu = new Rcu();
    rcu.callRcu(() => {});
    const c1 = rcu.getState();
    const before = rcu.acquire();
    rcu.poll(); // GP 1 waits for `before`
    const after = rcu.acquire(); // in the new phase
    expect(rcu.pollState(c1)).toBe(false);
    before.release();
    rcu.poll();
    expect(rcu.pollState(c1)).toBe(true); // `after` does not hold GP 1
    after.release();
    await rcu.barrier();
  });

  it("a completion queued by a guard release never completes the next grace period", async () => {
    const rcu = new Rcu();
    const ran: string[] = [];
    const a = rcu.acquire();
    rcu.callRcu(() => ran.push("first"));
    const c1 = rcu.getState();
    await tick(); // the event loop starts a grace period that waits for `a`
    a.release(); // queues the completion for the next macrotask
    rcu.poll(); // ... which poll() does now
    expect(rcu.pollState(c1)).toBe(true);
    const b = rcu.acquire();
    rcu.callRcu(() => ran.push("second"));
    const c2 = rcu.getState();
    rcu.poll(); // starts a grace period that waits for `b`
    await ticks(3); // the stale completion runs here: it must not finish that grace period
    expect(rcu.pollState(c2)).toBe(false);
    expect(ran).toEqual(["first"]);
    b.release();
    await rcu.barrier();
    expect(ran).toEqual(["first", "second"]);
  });
});

describe("SharedRcu.poll() with a reader of another thread", () => {
  // A second domain object attached to the same state, registered in its own slot, stands for
  // a reader thread (the slots, not the threads, are what a grace period scans).
  function pair(): { w: SharedRcu; r: SharedRcu } {
    const w = SharedRcu.create({ maxThreads: 4 });
    w.register();
    const r = SharedRcu.attach(w.memory ?? w.buffer);
    r.register();
    return { w, r };
  }

  it("never completes a grace period while that reader's section is open", async () => {
    const { w, r } = pair();
    r.readLock();
    w.callRcu(() => {});
    const c = w.getState();
    w.poll();
    expect(w.pollState(c)).toBe(false);
    const t0 = performance.now();
    w.poll(20); // main thread: a bounded spin, then it gives up
    expect(performance.now() - t0).toBeGreaterThanOrEqual(19);
    expect(w.pollState(c)).toBe(false);
    r.readUnlock();
    w.poll();
    expect(w.pollState(c)).toBe(true);
    // A section begun after the grace period started does not hold it.
    w.callRcu(() => {});
    const c2 = w.getState();
    w.poll();
    expect(w.pollState(c2)).toBe(true);
    r.readLock();
    w.callRcu(() => {});
    const c3: GpCookie = w.getState();
    w.poll();
    expect(w.pollState(c3)).toBe(false);
    r.readUnlock();
    w.poll();
    expect(w.pollState(c3)).toBe(true);
    await w.barrier();
    r.unregister();
    w.unregister();
  });

  it("gives the grace period it left running to the event loop, which finishes it once", async () => {
    const { w, r } = pair();
    const ran: number[] = [];
    r.readLock();
    w.callRcu(() => ran.push(1));
    w.poll();
    await ticks(2);
    expect(ran).toEqual([]);
    r.readUnlock();
    await w.barrier();
    expect(ran).toEqual([1]);
    w.poll();
    await ticks(3);
    expect(ran).toEqual([1]);
    r.unregister();
    w.unregister();
  });
});
