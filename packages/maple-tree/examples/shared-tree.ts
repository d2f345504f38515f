// SharedMapleTree, main thread: one tree in shared memory, read lock-free by a worker (shared-tree-
// worker.ts). Uses node:worker_threads: runs from source under Bun and Deno, and under Node once
// compiled to .js (Node 20 cannot start a .ts worker).
import { Worker } from "node:worker_threads";
import { SharedMapleTree } from "@maplemm/maple-tree";
import { mtree_store_range } from "@maplemm/maple-tree/kernel";
import { SharedRcu } from "@maplemm/rcu";

const rcu = SharedRcu.create({ maxThreads: 8 });
rcu.register();
const tree = SharedMapleTree.create({ capacity: 1 << 18, domain: rcu }); // 2^18 nodes max
tree.setRange(0x1000, 0x1fff, 7);
await tree.writeAsync((mt) => mtree_store_range(mt, 0x3000, 0x3fff, 8)); // main never blocks

// The worker sits beside this file: .ts when run from source (Bun, Deno), .js once compiled.
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const url = new URL(`./shared-tree-worker${ext}`, import.meta.url);
const w = new Worker(url, { workerData: { rcu: rcu.memory ?? rcu.buffer, tree: tree.handle } });
rcu.watchWorker(w); // a worker that dies inside a read section is reaped, grace periods go on
tree.watchWorker(w); // ... and one that dies inside write() does not keep the lock
const [seen] = (await new Promise((resolve, reject) => {
  w.once("message", (m) => resolve([m]));
  w.once("error", reject);
})) as [{ at0x1800: number; firsts: number[] }];
await new Promise((resolve) => w.once("exit", resolve));

if (seen.at0x1800 !== 7) throw new Error(`the worker read ${seen.at0x1800} at 0x1800, want 7`);
if (seen.firsts.join() !== [0x1000, 0x3000].join()) throw new Error("the worker saw other ranges");
if (tree.get(0x1800) !== undefined) throw new Error("the worker's erase is not visible here");
if (tree.get(0x3800) !== 8) throw new Error("the range stored before the worker is gone");
rcu.unregister();
console.log("shared-tree: ok");
