// SharedRcu, owner thread: publishes versions of a node in a SharedArrayBuffer pool while a worker
// (shared-rcu-worker.ts) reads them lock-free; a node is poisoned and reused only after a grace
// period, so the worker never sees poison. Uses node:worker_threads: runs from source under Bun and
// Deno, and under Node once compiled to .js (Node 20 cannot start a .ts worker).
import { Worker } from "node:worker_threads";
import { rcuAssignPointer, rcuDereference, SharedRcu } from "@maplemm/rcu";

const ROOT = 0; // word 0: index of the current node (0 = NULL); node i's value is word i
const NODES = 64;
const POISON = -1;
const mem = new Int32Array(new SharedArrayBuffer(NODES * 4));
const free = Array.from({ length: NODES - 1 }, (_, i) => i + 1);

const rcu = SharedRcu.create({
  maxThreads: 16,
  reclaim: (id) => {
    mem[id] = POISON; // what a reader would see if the node were reused too early
    free.push(id);
  },
});
rcu.register();
// The worker sits beside this file: .ts when run from source (Bun, Deno), .js once compiled.
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const w = new Worker(new URL(`./shared-rcu-worker${ext}`, import.meta.url), {
  workerData: { rcu: rcu.memory ?? rcu.buffer, mem },
});
rcu.watchWorker(w); // captures w.threadId now; reaps its slot on 'exit'
const result = new Promise<{ reads: number; bad: number }>((resolve, reject) => {
  w.once("message", resolve);
  w.once("error", reject);
});

// writer: build node -> rcuAssignPointer -> retire(old)
for (let version = 1; version <= 2000; version++) {
  if (free.length === 0) await rcu.barrier(); // wait for nodes to come back
  const fresh = free.pop() as number;
  mem[fresh] = version; // plain stores before publication
  const old = rcuDereference(mem, ROOT);
  rcuAssignPointer(mem, ROOT, fresh);
  if (old !== 0) rcu.retire(old);
  if (version % 100 === 0) await rcu.synchronize();
}
rcuAssignPointer(mem, ROOT, -2); // tell the worker to stop
const { reads, bad } = await result;
await rcu.barrier();
if (bad !== 0) throw new Error(`the worker read ${bad} poisoned nodes`);
if (rcu.stats.gps === 0) throw new Error("no grace period ran");
rcu.unregister();
console.log(`shared-rcu: ok (${reads} reads, no poison)`);
