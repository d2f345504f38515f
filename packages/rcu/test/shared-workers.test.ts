// SharedRcu across real threads, outside the torture harness: a worker updater blocks in
// synchronizeSync() for the main thread's guard, and its callRcu callback runs on the worker's
// own thread after that grace period.
import { Worker } from "node:worker_threads";
import { SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";

const live: Worker[] = [];
afterEach(async () => {
  for (const w of live) await w.terminate();
  live.length = 0;
});

describe("SharedRcu with a worker updater", () => {
  it.each([
    ["Wasm memory", true],
    ["SharedArrayBuffer", false],
  ])(
    "blocks synchronizeSync() in a worker until the main thread's guard is released (%s)",
    async (_n, wasm) => {
      const rcu = SharedRcu.create({ maxThreads: 4, wasm });
      rcu.register();
      const g = rcu.acquire();
      const w = new Worker(new URL("./fixtures/worker-updater.mjs", import.meta.url), {
        workerData: { rcu: rcu.memory ?? rcu.buffer },
      });
      live.push(w);
      rcu.watchWorker(w);
      const done = new Promise<{
        blockedMs: number;
        cbThread: number;
        cbAfterMs: number;
        threadId: number;
      }>((resolve, reject) => {
        w.on("message", (m: { phase: string }) => {
          if (m.phase === "done") resolve(m as never);
          if (m.phase === "blocking") setTimeout(() => g.release(), 100);
        });
        w.once("error", reject);
      });
      const r = await done;
      expect(r.blockedMs).toBeGreaterThanOrEqual(80);
      expect(r.cbThread).toBe(r.threadId);
      expect(r.cbAfterMs).toBeGreaterThanOrEqual(r.blockedMs);
      rcu.unregister();
    },
  );
});
