// Fault injection (docs/spec/rcu.md §3.4): a reader worker dies inside its read section — killed,
// process.exit, uncaught throw — or is tracked only by a lifeline port. The grace period stalls
// (with a warning) exactly as long as the victim lives, completes once its slot is reaped, the
// victim never saw poison, nothing of it runs after the reap, and its slot is reused. Also the
// liveness and leak regressions that need a separate process.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type MessagePort, Worker } from "node:worker_threads";
import { rcuAssignPointer, SharedRcu, type StallInfo } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";
// Peeks at one internal word (the slot high-water mark, shared-layout.ts) to see a reaped slot reused.
import { H_HWM } from "../src/shared-layout.js";
import {
  HEARTBEAT,
  LIVE,
  N_GEN,
  N_PAYLOAD,
  N_STATE,
  NODE_WORDS,
  nodeBase,
  POISON,
  payload,
  poolBytes,
  ROOT,
  STOP,
  VICTIM_POISON,
  VICTIM_READY,
} from "./fixtures/pool.mjs";

const VICTIM = new URL("./fixtures/victim.mjs", import.meta.url);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function makePool() {
  const mem = new Int32Array(new SharedArrayBuffer(poolBytes(4)));
  const init = (id: number, gen: number) => {
    const b = nodeBase(id);
    mem[b + N_GEN] = gen;
    for (let k = N_PAYLOAD; k < NODE_WORDS; k++) mem[b + k] = payload(gen, k);
    Atomics.store(mem, b + N_STATE, LIVE);
  };
  const poison = (id: number) => {
    const b = nodeBase(id);
    Atomics.store(mem, b + N_STATE, POISON);
    for (let k = N_GEN; k < NODE_WORDS; k++) mem[b + k] = POISON;
  };
  init(1, 1);
  rcuAssignPointer(mem, ROOT, 1);
  return { mem, init, poison };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting for a condition");
    await sleep(2);
  }
}

const live: Worker[] = [];
afterEach(async () => {
  for (const w of live) await w.terminate();
  live.length = 0;
});

describe.each([
  { mode: "kill", lifeline: false },
  { mode: "exit", lifeline: false },
  { mode: "throw", lifeline: false },
  { mode: "kill", lifeline: true },
])("a reader that dies inside its section ($mode, lifeline: $lifeline)", ({ mode, lifeline }) => {
  it("stalls the grace period only while it lives, is reaped, and never sees poison", async () => {
    const rcu = SharedRcu.create({ maxThreads: 4, stallMs: 40 });
    const stalls: StallInfo[] = [];
    rcu.onStall = (i) => stalls.push(i);
    const { mem, init, poison } = makePool();
    const w = new Worker(VICTIM, {
      workerData: { rcuBuf: rcu.buffer, memBuf: mem.buffer, mode, holdMs: 150, lifeline },
    });
    live.push(w);
    const victimTid = w.threadId;
    w.on("error", () => {}); // the "throw" victim's error is the point
    if (lifeline) {
      w.once("message", (m: { lifeline: MessagePort; threadId: number }) => {
        rcu.watchLifeline(m.lifeline, m.threadId);
      });
    } else {
      rcu.watchWorker(w);
    }
    const exited = new Promise<number>((r) => w.once("exit", () => r(performance.now())));
    await until(() => Atomics.load(mem, VICTIM_READY) === 1);

    // Replace node 1 with node 2; node 1 may be poisoned only after a grace period.
    init(2, 2);
    rcuAssignPointer(mem, ROOT, 2);
    let gpDone = 0;
    const gp = rcu.synchronize().then(() => {
      gpDone = performance.now();
    });
    if (mode === "kill") setTimeout(() => void w.terminate(), 150);
    const tExit = await exited;
    await gp;
    expect(gpDone).toBeGreaterThan(0);
    expect(stalls.length).toBeGreaterThan(0);
    expect(stalls[0]?.pendingReaders.map((r) => r.threadId)).toEqual([victimTid]);
    if (!lifeline) expect(gpDone).toBeGreaterThanOrEqual(tExit);

    poison(1);
    const beat = Atomics.load(mem, HEARTBEAT);
    await sleep(20);
    expect(Atomics.load(mem, HEARTBEAT), "the victim ran after its slot was reaped").toBe(beat);
    expect(Atomics.load(mem, VICTIM_POISON), "the victim saw a poisoned node").toBe(0);

    // The reaped slot is reused: registering again does not raise the high-water mark.
    const hwm = Atomics.load(new Int32Array(rcu.buffer), H_HWM);
    rcu.register();
    expect(rcu.slot).toBeLessThan(hwm);
    expect(Atomics.load(new Int32Array(rcu.buffer), H_HWM)).toBe(hwm);
    rcu.unregister();
  });
});

describe("lifeline ports", () => {
  it("do not reap a thread that said goodbye before closing its port", async () => {
    const rcu = SharedRcu.create({ maxThreads: 4, stallMs: 0 });
    const { mem } = makePool();
    const w = new Worker(VICTIM, {
      workerData: {
        rcuBuf: rcu.buffer,
        memBuf: mem.buffer,
        mode: "bye",
        holdMs: 0,
        lifeline: true,
      },
    });
    live.push(w);
    w.once("message", (m: { lifeline: MessagePort; threadId: number }) => {
      rcu.watchLifeline(m.lifeline, m.threadId);
    });
    await until(() => Atomics.load(mem, VICTIM_READY) === 1);
    await sleep(30); // the closed lifeline's 'close' event has been delivered by now
    let done = false;
    const gp = rcu.synchronize().then(() => {
      done = true;
    });
    await sleep(80);
    expect(done, "a live reader's slot was reaped").toBe(false);
    Atomics.store(mem, STOP, 1);
    await gp;
    expect(done).toBe(true);
  });
});

describe("processes that only wait for RCU", () => {
  const run = promisify(execFile);
  const fixture = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

  it("a lone `await synchronize()` on a sleeping grace period exits 0, not 13", async () => {
    const { stdout } = await run(process.execPath, [fixture("lone-synchronize.mjs")], {
      timeout: 20_000,
    });
    expect(stdout).toMatch(/synchronized after \d+ ms/);
  });

  it("reports a guard collected while live, with its acquire() stack, under --expose-gc", async () => {
    const { stdout } = await run(process.execPath, ["--expose-gc", fixture("leak-gc.mjs")], {
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      blockedBeforeGc: true,
      leaks: 1,
      forced: true,
      stackNamesCaller: true,
    });
  });
});
