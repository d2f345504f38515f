// Spawns the benchmark reader workers (test/fixtures/bench-reader.mjs) and stops them again.
import { Worker } from "node:worker_threads";
import type { SharedRcu } from "../dist/index.js";

const URL_READER = new URL("../test/fixtures/bench-reader.mjs", import.meta.url);

export interface Readers {
  stop(): Promise<void>;
}

/** Starts `n` registered reader workers ("idle" or "busy") and waits until all are registered. */
export async function startReaders(
  rcu: SharedRcu,
  n: number,
  mode: "idle" | "busy" | "qsbr",
): Promise<Readers> {
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  const workers: Worker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(URL_READER, {
      workerData: { rcu: rcu.memory ?? rcu.buffer, ctl: ctl.buffer, mode },
    });
    rcu.watchWorker(w);
    workers.push(w);
  }
  while (Atomics.load(ctl, 1) < n) await new Promise((r) => setTimeout(r, 1));
  return {
    async stop() {
      Atomics.store(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      await Promise.all(workers.map((w) => new Promise((r) => w.once("exit", r))));
    },
  };
}
