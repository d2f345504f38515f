// poll(): reclamation without the event loop. A writer in a synchronous loop calls it to run the
// frees whose grace period is over; it must never run one early (a reader in its section, a live
// guard, this thread's own section), must hand the grace period it leaves running to the event
// loop, and must not let a completion queued earlier complete a later grace period.
import { describe, expect, it } from "vitest";
import { Rcu, SharedRcu } from "../src/index.js";
import { domainKinds, tick, ticks } from "./helpers.js";

describe.each(domainKinds)("$name.poll()", ({ make }) => {
  it("runs deferred work at once when no reader is in a section, and returns what still waits", () => {
    const m = make();
    const ran: number[] = [];
    m.d.callRcu(() => ran.push(1));
    m.d.callRcu(() => ran.push(2));
    expect(ran).toEqual([]);
    const cookie = m.d.getState();
    expect(m.d.poll()).toBe(0);
    expect(ran).toEqual([1, 2]);
    expect(m.d.pollState(cookie)).toBe(true);
    expect(m.d.poll()).toBe(0); // nothing queued: nothing happens
    m.done();
  });

  it("does nothing inside this thread's read section", () => {
    const m = make();
    const ran: number[] = [];
    m.d.callRcu(() => ran.push(1));
    m.d.readLock();
    expect(m.d.poll()).toBe(1);
    expect(ran).toEqual([]);
    m.d.readUnlock();
    expect(m.d.poll()).toBe(0);
    expect(ran).toEqual([1]);
    m.done();
  });

  it("waits for a guard taken before the work was queued, not for one taken after", async () => {
    const m = make();
    const ran: string[] = [];
    const before = m.d.acquire();
    m.d.callRcu(() => ran.push("a"));
    expect(m.d.poll()).toBe(1);
    expect(ran).toEqual([]);
    before.release();
    expect(m.d.poll()).toBe(0);
    expect(ran).toEqual(["a"]);
    m.d.callRcu(() => ran.push("b"));
    // SharedRcu's guards hold this thread's slot: there any guard blocks a poll (documented).
    if (m.d instanceof Rcu) {
      const after = m.d.acquire();
      m.d.callRcu(() => ran.push("c"));
      expect(m.d.poll()).toBe(2);
      expect(ran).toEqual(["a"]); // "after" is in the phase the grace period waits for
      after.release();
      expect(m.d.poll()).toBe(0);
      expect(ran).toEqual(["a", "b", "c"]);
    } else {
      expect(m.d.poll()).toBe(0);
      expect(ran).toEqual(["a", "b"]);
    }
    await m.d.barrier();
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

  it("does not recurse when a callback polls, and rejects a bad waitMs naming it", () => {
    const m = make();
    const order: string[] = [];
    m.d.callRcu(() => {
      order.push("outer");
      m.d.callRcu(() => order.push("inner"));
      m.d.poll(); // inside a poll: nothing
      order.push("outer done");
    });
    m.d.poll();
    expect(order.slice(0, 2)).toEqual(["outer", "outer done"]);
    expect(() => m.d.poll(-1)).toThrow(/waitMs/);
    expect(() => m.d.poll(Number.NaN)).toThrow(/waitMs/);
    m.done();
  });
});

describe("Rcu.poll() and the event loop's completions", () => {
  it("a completion queued by a guard release never completes the next grace period", async () => {
    const rcu = new Rcu();
    const ran: string[] = [];
    const a = rcu.acquire();
    rcu.callRcu(() => ran.push("first"));
    await tick(); // the event loop starts a grace period that waits for `a`
    a.release(); // queues the completion for the next macrotask
    rcu.poll(); // ... which poll() does now
    expect(ran).toEqual(["first"]);
    const b = rcu.acquire();
    rcu.callRcu(() => ran.push("second"));
    rcu.poll(); // starts a grace period that waits for `b`
    await ticks(3); // the stale completion runs here: it must not finish that grace period
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

  it("never runs a free while that reader's section is open, and runs it right after", () => {
    const { w, r } = pair();
    const ran: number[] = [];
    r.readLock();
    w.callRcu(() => ran.push(1));
    expect(w.poll()).toBe(1);
    expect(ran).toEqual([]);
    const t0 = performance.now();
    expect(w.poll(20)).toBe(1); // main thread: a bounded spin, then it gives up
    expect(performance.now() - t0).toBeGreaterThanOrEqual(19);
    expect(ran).toEqual([]);
    r.readUnlock();
    expect(w.poll()).toBe(0);
    expect(ran).toEqual([1]);
    // A section begun after the grace period started does not hold it.
    w.callRcu(() => ran.push(2));
    w.poll(); // no reader: completes at once
    r.readLock();
    w.callRcu(() => ran.push(3));
    expect(w.poll()).toBe(1);
    expect(ran).toEqual([1, 2]);
    r.readUnlock();
    expect(w.poll()).toBe(0);
    expect(ran).toEqual([1, 2, 3]);
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
    expect(w.stats.gps).toBeGreaterThanOrEqual(1);
    r.unregister();
    w.unregister();
  });
});
