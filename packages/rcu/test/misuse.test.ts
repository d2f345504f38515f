// Every error code of docs/spec/rcu.md §5 (plus the argument checks), triggered on purpose, each
// followed by proof that nothing was corrupted: the domain still counts its readers correctly
// and a later grace period still waits for a reader and then completes.

import {
  RCU_ERROR_CODES,
  Rcu,
  type RcuDomain,
  RcuError,
  type RcuErrorCode,
  rcuDereferenceCheck,
  SharedRcu,
} from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";
// Peeks at the shared header words (shared-layout.ts) to forge the corrupt or foreign buffers attach must refuse.
import { H_FUTEX, MAGIC, S_OWNER, slotBase } from "../src/shared-layout.js";
import { domainKinds, type Made, ticks } from "./helpers.js";

const code = (c: RcuErrorCode) => expect.objectContaining({ code: c, name: "RcuError" });

/** Proves the domain still works: a guard blocks a GP, its release lets it finish. */
async function stillHealthy(d: RcuDomain): Promise<void> {
  expect(d.inReadSection).toBe(false);
  const g = d.acquire();
  let done = false;
  const p = d.synchronize().then(() => {
    done = true;
  });
  await ticks(4);
  expect(done).toBe(false);
  g.release();
  await p;
  expect(done).toBe(true);
}

const codesSeen = new Set<RcuErrorCode>();
function expectCode(fn: () => unknown, c: RcuErrorCode): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toEqual(code(c));
  codesSeen.add(c);
}
async function expectReject(p: Promise<unknown>, c: RcuErrorCode): Promise<void> {
  await expect(p).rejects.toEqual(code(c));
  codesSeen.add(c);
}

describe.each(domainKinds)("$name rejects misuse and stays consistent", ({ make }) => {
  let m: Made;
  afterEach(() => m?.done());

  it("throws ERR_RCU_UNBALANCED_UNLOCK for readUnlock at depth 0, leaving depth 0", async () => {
    m = make();
    expectCode(() => m.d.readUnlock(), "ERR_RCU_UNBALANCED_UNLOCK");
    m.d.readLock();
    m.d.readUnlock();
    expectCode(() => m.d.readUnlock(), "ERR_RCU_UNBALANCED_UNLOCK");
    await stillHealthy(m.d);
  });

  it("throws ERR_RCU_UNBALANCED_UNLOCK for an explicit double release, but dispose is idempotent", async () => {
    m = make();
    const g = m.d.acquire();
    const other = m.d.acquire();
    g.release();
    expectCode(() => g.release(), "ERR_RCU_UNBALANCED_UNLOCK");
    g[Symbol.dispose]();
    // The double release must not have released `other`'s count: a GP still waits for it.
    let done = false;
    const p = m.d.synchronize().then(() => {
      done = true;
    });
    await ticks(4);
    expect(done).toBe(false);
    other.release();
    await p;
    await stillHealthy(m.d);
  });

  it("rejects synchronize() and barrier() inside a read section at once with ERR_RCU_SYNC_IN_READER", async () => {
    m = make();
    m.d.callRcu(() => {});
    m.d.readLock();
    const p1 = m.d.synchronize();
    const p2 = m.d.barrier();
    m.d.readUnlock();
    await expectReject(p1, "ERR_RCU_SYNC_IN_READER");
    await expectReject(p2, "ERR_RCU_SYNC_IN_READER");
    await m.d.barrier();
    await stillHealthy(m.d);
  });

  it("throws ERR_RCU_PROMISE_IN_SYNC_READ when read(fn) returns a thenable, with the section closed", async () => {
    m = make();
    expectCode(() => m.d.read(async () => 1), "ERR_RCU_PROMISE_IN_SYNC_READ");
    // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable is the point of this check
    const thenable = { then() {} };
    expectCode(() => m.d.read(() => thenable), "ERR_RCU_PROMISE_IN_SYNC_READ");
    expect(m.d.inReadSection).toBe(false);
    await stillHealthy(m.d);
  });

  it("rejects bad arguments with ERR_RCU_INVALID_ARGUMENT naming them, queueing nothing", async () => {
    m = make();
    const before = m.d.stats;
    for (const bad of [undefined, null, 1, "f", {}]) {
      expectCode(() => m.d.callRcu(bad as never), "ERR_RCU_INVALID_ARGUMENT");
      expectCode(() => m.d.defer(bad as never), "ERR_RCU_INVALID_ARGUMENT");
      expectCode(() => m.d.read(bad as never), "ERR_RCU_INVALID_ARGUMENT");
    }
    for (const bad of [1.5, Number.NaN, 2 ** 31, -(2 ** 31) - 1, "3", undefined]) {
      expectCode(() => m.d.retire(bad as never), "ERR_RCU_INVALID_ARGUMENT");
    }
    expect(() => m.d.callRcu(3 as never)).toThrow(/callRcu: cb must be a function, got 3/);
    expect(() => m.d.retire(0.5)).toThrow(/retire: id must be an int32, got 0.5/);
    await m.d.barrier(); // nothing queued: resolves without a grace period
    expect(m.d.stats).toEqual(before);
    expect(m.reclaimed).toEqual([]);
    await stillHealthy(m.d);
  });

  it("rejects retire(id) on a domain without a reclaim function", () => {
    const plain = new Rcu();
    expectCode(() => plain.retire(1), "ERR_RCU_INVALID_ARGUMENT");
    m = make();
  });
});

describe("Rcu debug checks", () => {
  it("reports a sync section left open at the end of the job with ERR_RCU_SECTION_LEAKED", async () => {
    const d = new Rcu({ debug: true });
    const errors: unknown[] = [];
    d.onError = (e) => errors.push(e);
    d.readLock(); // leaked
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toEqual([code("ERR_RCU_SECTION_LEAKED")]);
    codesSeen.add("ERR_RCU_SECTION_LEAKED");
    d.readUnlock();
    await stillHealthy(d);
  });

  it("holds callbacks back while a leaked section is open at a grace-period tick, even without debug", async () => {
    const d = new Rcu();
    const errors: unknown[] = [];
    d.onError = (e) => errors.push(e);
    let ran = false;
    d.callRcu(() => {
      ran = true;
    });
    d.readLock(); // leaked across macrotasks
    await ticks(5);
    expect(ran).toBe(false);
    expect(errors[0]).toEqual(code("ERR_RCU_SECTION_LEAKED"));
    d.readUnlock();
    await d.barrier();
    expect(ran).toBe(true);
  });

  it("rejects synchronize() inside readAsync with ERR_RCU_SYNC_IN_READER (debug, via AsyncLocalStorage)", async () => {
    const d = new Rcu({ debug: true });
    const r = await d.readAsync(async () => {
      await Promise.resolve();
      return d.synchronize().then(
        () => "resolved",
        (e: RcuError) => e.code,
      );
    });
    expect(r).toBe("ERR_RCU_SYNC_IN_READER");
    await stillHealthy(d);
  });

  it("names the blocking guards' acquire() stacks in a debug stall report", async () => {
    const d = new Rcu({ debug: true, stallMs: 10 });
    const stacks: string[] = [];
    d.onStall = (i) => stacks.push(...i.stacks);
    const g = d.acquire();
    const p = d.synchronize();
    const t0 = Date.now();
    while (stacks.length === 0 && Date.now() - t0 < 2000)
      await new Promise((r) => setTimeout(r, 5));
    expect(stacks[0]).toMatch(/RCU guard acquired here/);
    expect(stacks[0]).toMatch(/misuse\.test\.ts/);
    g.release();
    await p;
  });

  it("emits a process warning for a stall when no onStall hook is set", async () => {
    const d = new Rcu({ stallMs: 10 });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const g = d.acquire();
      const p = d.synchronize();
      const t0 = Date.now();
      while (warnings.length === 0 && Date.now() - t0 < 2000)
        await new Promise((r) => setTimeout(r, 5));
      g.release();
      await p;
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings[0]?.name).toBe("RcuStallWarning");
    expect(warnings[0]?.message).toMatch(/RCU stall: grace period waiting \d+ ms for 1 guard/);
  });

  it("validates constructor options and allocates nothing on failure", () => {
    expectCode(() => new Rcu({ stallMs: -1 }), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(() => new Rcu({ reclaim: 3 as never }), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(() => new Rcu({ leakPolicy: "x" as never }), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(() => new Rcu(null as never), "ERR_RCU_INVALID_ARGUMENT");
  });
});

describe("SharedRcu registration and blocking misuse", () => {
  const made: SharedRcu[] = [];
  afterEach(() => {
    for (const d of made) {
      try {
        if (d.qsbrOnline) d.offline();
        d.unregister();
      } catch {
        // not registered
      }
    }
    made.length = 0;
  });
  const create = (opts: Parameters<typeof SharedRcu.create>[0] = {}) => {
    const d = SharedRcu.create(opts);
    made.push(d);
    return d;
  };

  it("reports a sync section left open at the end of the job (debug) and holds its callbacks", async () => {
    const d = create({ debug: true });
    d.register();
    const errors: unknown[] = [];
    d.onError = (e) => errors.push(e);
    let ran = false;
    d.callRcu(() => {
      ran = true;
    });
    d.readLock(); // leaked
    await Promise.resolve();
    expect(errors[0]).toEqual(code("ERR_RCU_SECTION_LEAKED"));
    await ticks(5);
    expect(ran).toBe(false);
    d.readUnlock();
    await d.barrier();
    expect(ran).toBe(true);
  });

  it("throws ERR_RCU_NOT_REGISTERED for reading before register()", () => {
    const d = create();
    expectCode(() => d.readLock(), "ERR_RCU_NOT_REGISTERED");
    expect(d.inReadSection).toBe(false);
    expectCode(() => d.acquire(), "ERR_RCU_NOT_REGISTERED");
    expectCode(() => d.online(), "ERR_RCU_NOT_REGISTERED");
    expectCode(() => d.unregister(), "ERR_RCU_NOT_REGISTERED");
    d.register();
    d.readLock();
    d.readUnlock();
  });

  it("throws ERR_RCU_ALREADY_REGISTERED for a second register() and keeps the first slot", () => {
    const d = create();
    d.register();
    const slot = d.slot;
    expectCode(() => d.register(), "ERR_RCU_ALREADY_REGISTERED");
    expect(d.slot).toBe(slot);
  });

  it("throws ERR_RCU_NO_SLOTS when every slot is taken, and a freed slot is reusable", () => {
    const d = create({ maxThreads: 1 });
    d.register();
    const e = SharedRcu.attach(d.buffer);
    made.push(e);
    expectCode(() => e.register(), "ERR_RCU_NO_SLOTS");
    expect(e.slot).toBe(-1);
    d.unregister();
    e.register();
    expect(e.slot).toBe(0);
  });

  it("keeps the futex wake sequence monotonic across unregister() and reapThread()", () => {
    const d = create();
    const i32 = new Int32Array(d.buffer);
    d.register();
    Atomics.store(i32, H_FUTEX, 41); // as if 41 wake-ups had happened
    const before = Atomics.load(i32, H_FUTEX);
    d.unregister();
    const afterUnregister = Atomics.load(i32, H_FUTEX);
    expect(afterUnregister - before).toBe(1);
    const other = SharedRcu.attach(d.buffer);
    made.push(other);
    other.register();
    Atomics.store(i32, slotBase(other.slot) + S_OWNER, 777 + 1); // pretend thread 777 owns it
    expect(d.reapThread(777)).toBe(1);
    expect(Atomics.load(i32, H_FUTEX) - afterUnregister).toBe(1);
    expect(Atomics.load(i32, slotBase(0) + S_OWNER)).toBe(0);
  });

  it("throws ERR_RCU_UNREGISTER_IN_READER inside a section, with a guard, or while online", () => {
    const d = create();
    d.register();
    d.readLock();
    expectCode(() => d.unregister(), "ERR_RCU_UNREGISTER_IN_READER");
    d.readUnlock();
    const g = d.acquire();
    expectCode(() => d.unregister(), "ERR_RCU_UNREGISTER_IN_READER");
    g.release();
    d.online();
    expectCode(() => d.unregister(), "ERR_RCU_UNREGISTER_IN_READER");
    d.offline();
    d.unregister();
    expect(d.slot).toBe(-1);
  });

  it("throws ERR_RCU_BLOCKING_ON_MAIN for synchronizeSync() on the main thread unless allowed", () => {
    const d = create();
    expectCode(() => d.synchronizeSync(), "ERR_RCU_BLOCKING_ON_MAIN");
    const ok = create({ allowBlockingOnMain: true });
    const before = ok.stats.gps;
    ok.synchronizeSync();
    expect(ok.stats.gps).toBe(before + 1);
  });

  it("throws ERR_RCU_SYNC_IN_READER for synchronizeSync() inside a section or holding a guard", () => {
    const d = create({ allowBlockingOnMain: true });
    d.register();
    d.readLock();
    expectCode(() => d.synchronizeSync(), "ERR_RCU_SYNC_IN_READER");
    d.readUnlock();
    const g = d.acquire();
    expectCode(() => d.synchronizeSync(), "ERR_RCU_SYNC_IN_READER");
    g.release();
    d.synchronizeSync();
  });

  it("throws ERR_RCU_TIMEOUT from synchronizeSync(timeoutMs) while another reader holds on", () => {
    const d = create({ allowBlockingOnMain: true });
    const reader = SharedRcu.attach(d.buffer);
    made.push(reader);
    reader.register();
    reader.readLock();
    const t0 = performance.now();
    expectCode(() => d.synchronizeSync(30), "ERR_RCU_TIMEOUT");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    reader.readUnlock();
    d.synchronizeSync(1000);
  });

  it("rejects synchronize() while QSBR-online, and quiescent() inside a section", async () => {
    const d = create();
    d.register();
    d.online();
    await expectReject(d.synchronize(), "ERR_RCU_SYNC_IN_READER");
    d.readLock();
    expectCode(() => d.quiescent(), "ERR_RCU_QUIESCENT_IN_READER");
    expectCode(() => d.offline(), "ERR_RCU_QUIESCENT_IN_READER");
    d.readUnlock();
    d.quiescent();
    d.offline();
    expectCode(() => d.offline(), "ERR_RCU_UNBALANCED_UNLOCK");
    await d.synchronize();
  });

  it("throws ERR_RCU_BAD_BUFFER for buffers without the magic or of another layout version", () => {
    expectCode(() => SharedRcu.attach(new SharedArrayBuffer(4096)), "ERR_RCU_BAD_BUFFER");
    expectCode(() => SharedRcu.attach(new ArrayBuffer(4096) as never), "ERR_RCU_BAD_BUFFER");
    expectCode(() => SharedRcu.attach(new SharedArrayBuffer(8)), "ERR_RCU_BAD_BUFFER");
    const d = create();
    const copy = new SharedArrayBuffer(d.buffer.byteLength);
    new Int32Array(copy).set(new Int32Array(d.buffer));
    new Int32Array(copy)[0] = (MAGIC & ~0xff) | 0x7f;
    expect(() => SharedRcu.attach(copy)).toThrow(/layout version 127/);
    SharedRcu.attach(d.buffer); // the real one attaches
  });

  it("publishes and clears a reader's slot through the Wasm helper as through JS Atomics", () => {
    const d = create({ allowBlockingOnMain: true });
    expect(d.memory).not.toBeNull();
    expect(create({ wasm: false }).memory).toBeNull();
    const reader = SharedRcu.attach(d.memory as NonNullable<typeof d.memory>);
    made.push(reader);
    expect(reader.memory).toBe(d.memory);
    reader.register();
    reader.readLock();
    expectCode(() => d.synchronizeSync(20), "ERR_RCU_TIMEOUT");
    reader.readUnlock();
    d.synchronizeSync(1000);
  });

  it("validates create/attach/reap/watch arguments and changes nothing", () => {
    for (const n of [0, -1, 1.5, 5000, Number.NaN]) {
      expectCode(() => SharedRcu.create({ maxThreads: n }), "ERR_RCU_INVALID_ARGUMENT");
    }
    expectCode(() => SharedRcu.create({ initialGp: 2 }), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(
      () => SharedRcu.create({ stallMs: Number.POSITIVE_INFINITY }),
      "ERR_RCU_INVALID_ARGUMENT",
    );
    const d = create();
    d.register();
    expectCode(() => d.reapThread(-1), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(() => d.reapThread(d.threadId), "ERR_RCU_INVALID_ARGUMENT");
    expect(d.slot).toBe(0); // the refused self-reap left our slot alone
    expect(d.reapThread(12345)).toBe(0);
    expectCode(() => d.watchWorker({ threadId: -1 } as never), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(() => d.synchronizeSync(-1), "ERR_RCU_INVALID_ARGUMENT");
    expectCode(() => d.register({ lifeline: 3 as never }), "ERR_RCU_INVALID_ARGUMENT");
    expect(d.slot).toBe(0);
  });

  it("refuses a web MessagePort as a lifeline (no 'close': Deno's) and watches nothing", async () => {
    const d = create();
    d.register();
    const listened: string[] = [];
    // What Deno hands over for a transferred node:worker_threads port: a web MessagePort, with
    // addEventListener and no .on, that never fires "close" when the other thread dies.
    const webPort = {
      postMessage() {},
      close() {},
      addEventListener(type: string) {
        listened.push(type);
      },
    };
    let message = "";
    try {
      d.watchLifeline(webPort as never, 7);
    } catch (e) {
      message = (e as Error).message;
      expect((e as { code?: string }).code).toBe("ERR_RCU_INVALID_ARGUMENT");
    }
    expect(message).toMatch(/watchLifeline: port must be a node:worker_threads MessagePort/);
    expect(message).toMatch(/use watchWorker/);
    expect(listened).toEqual([]); // no listener was left on the port
    expectCode(() => d.watchLifeline({ on() {} } as never, -1), "ERR_RCU_INVALID_ARGUMENT");
    expect(d.slot).toBe(0);
    await d.synchronize(); // grace periods are unaffected
  });

  it("throws ERR_RCU_UNPROTECTED_DEREFERENCE for rcuDereferenceCheck outside a section", () => {
    const d = create();
    d.register();
    const mem = new Int32Array(new SharedArrayBuffer(16));
    mem[1] = 9;
    expectCode(() => rcuDereferenceCheck(d, mem, 1), "ERR_RCU_UNPROTECTED_DEREFERENCE");
    expect(rcuDereferenceCheck(d, mem, 1, true)).toBe(9);
    expect(d.read(() => rcuDereferenceCheck(d, mem, 1))).toBe(9);
  });

  it("keeps grace periods correct across the wrap of the GP counter", async () => {
    const d = create({ initialGp: 2 ** 31 - 5 });
    const reader = SharedRcu.attach(d.buffer);
    made.push(reader);
    reader.register();
    for (let round = 0; round < 6; round++) {
      const c = d.getState();
      reader.readLock();
      let done = false;
      const p = d.synchronize().then(() => {
        done = true;
      });
      await ticks(3);
      expect(done).toBe(false);
      expect(d.pollState(c)).toBe(false);
      reader.readUnlock();
      await p;
      expect(d.pollState(c)).toBe(true);
    }
    expect(d.getState()).toBeLessThan(0); // the counter really wrapped
  });
});

describe("the error table", () => {
  it("has a test above for every code", () => {
    codesSeen.add("ERR_RCU_CLOSED"); // domain-contract.test.ts
    expect([...codesSeen].sort()).toEqual([...RCU_ERROR_CODES].sort());
    const e = new RcuError("ERR_RCU_CLOSED", "x");
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("ERR_RCU_CLOSED: x");
  });
});
