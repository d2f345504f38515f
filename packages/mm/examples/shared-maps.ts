// Shared maps, owner thread: an mm whose VMAs are mirrored into shared memory, and a worker
// (shared-maps-worker.ts) that renders /proc/<pid>/maps from it without a lock. Uses
// node:worker_threads: runs from source under Bun and Deno, and under Node once compiled to .js
// (Node 20 cannot start a .ts worker).
import { Worker } from "node:worker_threads";
import { MAP_ANONYMOUS, MAP_PRIVATE, MmStruct, PROT_READ, PROT_WRITE } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";

const rcu = SharedRcu.create();
rcu.register();
const mm = new MmStruct();
mm.mmap(0, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
const maps = mm.shareMaps({ domain: rcu }); // capacity?: VMA records (8192), nodeCapacity?
const states = new Set([mm.procMaps()]);

// The worker sits beside this file: .ts when run from source (Bun, Deno), .js once compiled.
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const url = new URL(`./shared-maps-worker${ext}`, import.meta.url);
const w = new Worker(url, { workerData: { rcu: rcu.memory ?? rcu.buffer, maps: maps.handle } });
rcu.watchWorker(w);
const texts: string[] = [];
w.on("message", (text: string) => texts.push(text));
const exited = new Promise((resolve, reject) => {
  w.once("exit", resolve);
  w.once("error", reject);
});
for (let i = 0; i < 20; i++) {
  mm.mmap(0, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS); // the mirror follows, per syscall
  states.add(mm.procMaps());
  await new Promise((resolve) => setTimeout(resolve, 1)); // let grace periods and the worker run
}
await exited;
if (texts.length === 0) throw new Error("the worker rendered nothing");
for (const t of texts) if (!states.has(t)) throw new Error(`a rendered text mixes states:\n${t}`);
rcu.unregister();
console.log(`shared-maps: ok (${texts.length} renders, each one of ${states.size} owner states)`);
