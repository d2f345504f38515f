// SharedMapleTree, worker thread: attaches to the main thread's tree (shared-tree.ts), reads it
// without a lock, then writes under the tree's lock.
import { parentPort, workerData } from "node:worker_threads";
import { MAX_INDEX, SharedMapleTree } from "@maplemm/maple-tree";
import { mt_find, mtree_erase } from "@maplemm/maple-tree/kernel";
import { SharedRcu } from "@maplemm/rcu";

const rcu = SharedRcu.attach(workerData.rcu);
rcu.register();
const tree = SharedMapleTree.attach(workerData.tree, { domain: rcu });
const at0x1800 = tree.get(0x1800); // 7: one read section, no lock
const firsts = [...tree.entries()].map((r) => r.first); // every range, all from one version
const first = tree.read((mt) => mt_find(mt, { value: 0 }, MAX_INDEX)); // kernel layer, in a section
if (first !== 7) throw new Error(`mt_find from 0 found ${String(first)}, want 7`);
tree.write((mt) => mtree_erase(mt, 0x1000)); // workers may block on the lock (Atomics.wait)
rcu.unregister();
parentPort?.postMessage({ at0x1800, firsts });
