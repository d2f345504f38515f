// A lifeline for a thread the owner did not spawn itself (a pool thread, a grandchild): the thread
// sends one end of a MessageChannel to the owner, and the owner reaps the thread's reader slot if
// the port closes without the goodbye that unregister() sends. Here the worker
// (lifeline-worker.ts) dies inside a read section, and the grace period still ends.
// Uses node:worker_threads: runs from source under Bun and Deno, and under Node once compiled to .js
// (Node 20 cannot start a .ts worker). Deno's transferred MessagePort never reports "close" (Deno
// 2.9), so watchLifeline refuses it; there the thread that spawned the worker watches it instead.
import { Worker } from "node:worker_threads";
import { SharedRcu } from "@maplemm/rcu";

const rcu = SharedRcu.create({ maxThreads: 4 });
rcu.register();
// The worker sits beside this file: .ts when run from source (Bun, Deno), .js once compiled.
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const w = new Worker(new URL(`./lifeline-worker${ext}`, import.meta.url), {
  workerData: { rcu: rcu.memory ?? rcu.buffer },
});
// in the owner, on that message
w.on("message", (msg) => {
  if (typeof msg.lifeline.on === "function") {
    rcu.watchLifeline(msg.lifeline, msg.threadId); // reaps if the port closes without the goodbye
  } else {
    rcu.watchWorker(w); // Deno: a web MessagePort, which cannot tell that its thread died
  }
});
await new Promise((resolve) => w.once("exit", resolve)); // it died inside its read section
const t0 = performance.now();
await rcu.synchronize(); // ends: the dead reader's slot was reaped
console.log(`lifeline: ok (grace period ended after ${(performance.now() - t0).toFixed(0)} ms)`);
rcu.unregister();
