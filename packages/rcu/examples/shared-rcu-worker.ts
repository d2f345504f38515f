// SharedRcu, worker thread: reads the owner's current node (shared-rcu.ts) in read sections, then
// in QSBR mode, and counts poisoned values (there must be none).
import { parentPort, workerData } from "node:worker_threads";
import { rcuDereference, SharedRcu } from "@maplemm/rcu";

const mem: Int32Array = workerData.mem;
const r = SharedRcu.attach(workerData.rcu); // pass `memory` for the Wasm read side, or `buffer`
r.register(); // or r.register({ lifeline: port }) for threads you did not spawn
let reads = 0;
let bad = 0;
for (;;) {
  r.readLock();
  const p = rcuDereference(mem, 0); // valid until readUnlock
  const value = p > 0 ? mem[p] : 0;
  r.readUnlock();
  if (p === -2) break;
  if (value === -1) bad++;
  reads++;
}
// bulk readers: QSBR. online() counts as one long section, quiescent() ends it for now.
r.online();
for (let batch = 0; batch < 100; batch++) {
  const p = rcuDereference(mem, 0);
  if (p > 0 && mem[p] === -1) bad++;
  r.quiescent(); // no references held at quiescent()
}
r.offline();
r.unregister();
parentPort?.postMessage({ reads, bad });
