// The rcutorture-style harness: the main thread is the writer over a SharedArrayBuffer node pool,
// 2-3 reader workers (test/fixtures/torture-reader.mjs) validate nodes before and after a random
// in-section delay. Freed nodes are poisoned. The writer cycles through synchronize(), callRcu(),
// retire() and polling; the "early" self-check mode frees one grace period early and must be caught.
import { Worker } from "node:worker_threads";
import { rcuAssignPointer, rcuDereference, SharedRcu } from "@maplemm/rcu";
import {
  LIVE,
  N_GEN,
  N_PAYLOAD,
  N_PIPE,
  N_STATE,
  NODE_WORDS,
  nodeBase,
  POISON,
  payload,
  poolBytes,
  ROOT,
  STOP,
} from "./fixtures/pool.mjs";
import { rng, tick } from "./helpers.js";

export interface TortureOptions {
  readonly ms: number;
  readonly readers: number;
  /** Reader i runs modes[i % modes.length]. */
  readonly modes: ReadonlyArray<"mb" | "qsbr" | "guards">;
  /** "correct": free after a grace period; "early": free one grace period early (must fail). */
  readonly mode: "correct" | "early";
  readonly seed: number;
}

export interface TortureResult {
  updates: number;
  gps: number;
  reads: number;
  errors: number;
  poisoned: number;
  /** Reader Pipe histogram: [current, retired during the section, >= 2 (bug), ...]. */
  pipe: number[];
  byWriterMode: Record<string, number>;
  /** Sections completed per reader, labelled by mode and read side. */
  byReader: Array<{ reader: string; reads: number }>;
}

const READER_URL = new URL("./fixtures/torture-reader.mjs", import.meta.url);

export async function runTorture(o: TortureOptions): Promise<TortureResult> {
  const NODES = 4096;
  const mem = new Int32Array(new SharedArrayBuffer(poolBytes(NODES)));
  const free: number[] = [];
  for (let i = NODES; i >= 1; i--) free.push(i);
  const freeNode = (id: number): void => {
    const b = nodeBase(id);
    Atomics.store(mem, b + N_PIPE, 2); // a grace period has passed since retirement
    Atomics.store(mem, b + N_STATE, POISON);
    for (let k = N_GEN; k < NODE_WORDS; k++) mem[b + k] = POISON;
    free.push(id);
  };
  const rcu = SharedRcu.create({ maxThreads: 8, reclaim: freeNode, stallMs: 5000 });
  let gen = 1;
  const publish = (): number => {
    const id = free.pop();
    if (id === undefined) throw new Error("torture: node pool exhausted");
    const b = nodeBase(id);
    // P2: plain stores before publication; P3: publish with one atomic store.
    mem[b + N_GEN] = gen;
    for (let k = N_PAYLOAD; k < NODE_WORDS; k++) mem[b + k] = payload(gen, k);
    Atomics.store(mem, b + N_PIPE, 0);
    Atomics.store(mem, b + N_STATE, LIVE);
    gen++;
    const old = rcuDereference(mem, ROOT);
    rcuAssignPointer(mem, ROOT, id);
    if (old !== 0) Atomics.store(mem, nodeBase(old) + N_PIPE, 1); // retired
    return old;
  };
  publish();

  const rand = rng(o.seed);
  const workers: Worker[] = [];
  const labels: string[] = [];
  const results: Promise<{ reads: number; errors: number; poisoned: number; pipe: number[] }>[] =
    [];
  for (let r = 0; r < o.readers; r++) {
    const w = new Worker(READER_URL, {
      workerData: {
        rcuBuf: rcu.buffer,
        // odd readers use the Wasm read side, even ones JS Atomics
        rcuMemory: r % 2 === 1 ? rcu.memory : null,
        memBuf: mem.buffer,
        seed: (rand() * 2 ** 32) >>> 0,
        mode: o.modes[r % o.modes.length],
      },
    });
    rcu.watchWorker(w);
    workers.push(w);
    labels.push(
      `${o.modes[r % o.modes.length]}/${r % 2 === 1 && rcu.memory !== null ? "wasm" : "js"}`,
    );
    results.push(
      new Promise((resolve, reject) => {
        w.once("message", resolve);
        w.once("error", reject);
        w.once("exit", (c) => reject(new Error(`reader exited early with code ${c}`)));
      }),
    );
  }

  const byWriterMode: Record<string, number> = {
    sync: 0,
    callrcu: 0,
    retire: 0,
    poll: 0,
    early: 0,
  };
  const modes = ["sync", "callrcu", "retire", "poll"] as const;
  let updates = 0;
  try {
    const end = performance.now() + o.ms;
    while (performance.now() < end) {
      const old = publish();
      updates++;
      const mode =
        o.mode === "early" ? "early" : (modes[(rand() * 4) | 0] as (typeof modes)[number]);
      byWriterMode[mode] = (byWriterMode[mode] ?? 0) + 1;
      switch (mode) {
        case "sync":
          await rcu.synchronize();
          freeNode(old);
          break;
        case "callrcu":
          rcu.callRcu(() => freeNode(old));
          break;
        case "retire":
          rcu.retire(old);
          break;
        case "poll": {
          const c = rcu.startPoll();
          while (!rcu.pollState(c)) await tick();
          freeNode(old);
          break;
        }
        case "early":
          freeNode(old); // BROKEN on purpose: no grace period
          break;
      }
      if (free.length < 256) await rcu.barrier();
      else if ((updates & 63) === 0) await tick();
    }
  } finally {
    Atomics.store(mem, STOP, 1);
  }
  const rs = await Promise.all(results);
  await rcu.barrier();
  for (const w of workers) await w.terminate();
  const pipe = [0, 0, 0, 0];
  let reads = 0;
  let errors = 0;
  let poisoned = 0;
  for (const r of rs) {
    reads += r.reads;
    errors += r.errors;
    poisoned += r.poisoned;
    for (let i = 0; i < pipe.length; i++) pipe[i] = (pipe[i] as number) + (r.pipe[i] as number);
  }
  const byReader = rs.map((r, i) => ({ reader: labels[i] as string, reads: r.reads }));
  return { updates, gps: rcu.stats.gps, reads, errors, poisoned, pipe, byWriterMode, byReader };
}
