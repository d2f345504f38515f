// Reader worker of the shared-tree benchmark (tools/bench/shared-bench-throughput.ts): attaches to
// the SharedRcu domain and the SharedMapleTree the main thread owns, then, per {type: "run"}
// message, runs random point lookups until the STOP word is set and answers with its count and
// its own elapsed time. Plain .mjs importing the built packages: Node 20 cannot load .ts in a
// Worker. Modes: "get" (tree.get, one read section per lookup), "batch" (mtree_load x64 inside
// one tree.read section) and "local" (the control: MapleTree.get on this worker's own copy of the
// ranges, nothing shared, so it shows how far the machine itself lets two readers scale). A worker
// is one kind for life ("shared" or "local"): a worker that ran both would feed both tree kinds
// through the same mtree_load and slow both down with polymorphic inline caches.
// workerData: { rcu (Wasm memory or SharedArrayBuffer), handle (SharedTreeHandle),
//               queries (SharedArrayBuffer of Float64 indices, length a power of two),
//               ctl (SharedArrayBuffer of Int32: [0] STOP, [1] STARTED count), id, kind }
import { parentPort, workerData } from "node:worker_threads";
import { MapleTree, SharedMapleTree } from "../../packages/maple-tree/dist/index.js";
import { mtree_load } from "../../packages/maple-tree/dist/kernel.js";
import { SharedRcu } from "../../packages/rcu/dist/index.js";

const STOP = 0;
const STARTED = 1;
/** Lookups between two checks of the STOP word. */
const CHUNK = 1024;
/** Lookups per read section in "batch" mode. */
const BATCH = 64;

const { rcu: rcuShared, handle, queries, ctl: ctlBuffer, id, kind } = workerData;
const rcu = SharedRcu.attach(rcuShared);
rcu.register();
const tree = SharedMapleTree.attach(handle, { domain: rcu });
const q = new Float64Array(queries);
const mask = q.length - 1;
const ctl = new Int32Array(ctlBuffer);
const local = new MapleTree();
if (kind === "local") {
  for (const r of tree.entries()) local.setRange(r.first, r.last, r.value);
}

// The batch body is one closure made once: a closure per section would allocate on the hot path.
let at = 0;
const batch = (mt) => {
  let s = 0;
  for (let c = 0; c < BATCH; c++) {
    const v = mtree_load(mt, q[(at + c) & mask]);
    if (v !== null) s = (s + v) | 0;
  }
  return s;
};

// One loop per mode, each with its own call site: a loop shared by the shared and the local tree
// would make `t.get` polymorphic and slow both down.
function runGet(start) {
  let k = start;
  let lookups = 0;
  let sum = 0;
  while (Atomics.load(ctl, STOP) === 0) {
    for (let c = 0; c < CHUNK; c++) {
      const v = tree.get(q[k]);
      if (v !== undefined) sum = (sum + v) | 0;
      k = (k + 1) & mask;
    }
    lookups += CHUNK;
  }
  return { lookups, sum };
}

function runLocal(start) {
  let k = start;
  let lookups = 0;
  let sum = 0;
  while (Atomics.load(ctl, STOP) === 0) {
    for (let c = 0; c < CHUNK; c++) {
      const v = local.get(q[k]);
      if (v !== undefined) sum = (sum + v) | 0;
      k = (k + 1) & mask;
    }
    lookups += CHUNK;
  }
  return { lookups, sum };
}

function runBatch(start) {
  at = start;
  let lookups = 0;
  let sum = 0;
  while (Atomics.load(ctl, STOP) === 0) {
    for (let c = 0; c < CHUNK; c += BATCH) {
      sum = (sum + tree.read(batch)) | 0;
      at = (at + BATCH) & mask;
    }
    lookups += CHUNK;
  }
  return { lookups, sum };
}

parentPort.on("message", (m) => {
  if (m.type === "exit") {
    rcu.unregister();
    parentPort.close();
    return;
  }
  if ((m.mode === "local") !== (kind === "local")) {
    throw new Error(`shared-bench-reader: a ${kind} worker cannot run mode ${m.mode}`);
  }
  // Readers start at different places in the query list so they do not walk in lockstep.
  const start = (id * 7919 * BATCH) & mask;
  Atomics.add(ctl, STARTED, 1);
  const t0 = performance.now();
  const r =
    m.mode === "get" ? runGet(start) : m.mode === "batch" ? runBatch(start) : runLocal(start);
  const ms = performance.now() - t0;
  parentPort.postMessage({ type: "done", lookups: r.lookups, ms, sum: r.sum });
});
parentPort.postMessage({ type: "ready" });
