// Shared maps, worker thread: renders the owner's /proc/<pid>/maps (shared-maps.ts) lock-free,
// each text from one state of the mm, never a mix.
import { parentPort, workerData } from "node:worker_threads";
import { SharedMaps } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";

const rcu = SharedRcu.attach(workerData.rcu);
rcu.register();
const maps = SharedMaps.attach(workerData.maps, { domain: rcu });
for (let i = 0; i < 50; i++) {
  if (!maps.mmget_not_zero()) break;
  const text = maps.procMaps(); // byte for byte what mm.procMaps() gave for one state
  const vmas = maps.vmas(); // a state, decoded: start, end, flags, perms, dev, ino, name
  maps.mmput();
  if (vmas.length === 0) throw new Error("a state with no VMAs");
  parentPort?.postMessage(text);
}
rcu.unregister();
