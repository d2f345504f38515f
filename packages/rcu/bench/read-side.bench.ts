// Read-side and retire costs. Each task runs its operation OPS times, so ns/op = mean / OPS
// (bench/summarize.mjs does the division); the loop keeps tinybench's per-call overhead out.
// Results fold into a local int accumulator: `sink += i` on a module variable would box a
// HeapNumber per iteration and cost more than the operation measured.
import { bench, describe } from "vitest";
// The built package (dist/, refreshed by the global setup): what users run. Benchmarking src/
// through Vite's SSR transform would turn every imported constant into a property load.
import { Rcu, SharedRcu } from "../dist/index.js";

const OPS = 1000;
let sink = 0;

describe("single thread (Rcu)", () => {
  const rcu = new Rcu();
  bench(`readLock+readUnlock x${OPS}`, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) {
      rcu.readLock();
      s ^= i;
      rcu.readUnlock();
    }
    sink ^= s;
  });
  bench(`read(fn) x${OPS}`, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) s ^= rcu.read(() => i);
    sink ^= s;
  });
  bench(`acquire+release x${OPS}`, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) {
      const g = rcu.acquire();
      s ^= i;
      g.release();
    }
    sink ^= s;
  });
});

describe("shared read section, no writer (SharedRcu)", () => {
  const wasm = SharedRcu.create();
  wasm.register();
  const js = SharedRcu.create({ wasm: false });
  js.register();
  const qsbr = SharedRcu.create();
  qsbr.register();
  qsbr.online();
  bench(`mb, JS Atomics: readLock+readUnlock x${OPS}`, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) {
      js.readLock();
      s ^= i;
      js.readUnlock();
    }
    sink ^= s;
  });
  bench(`mb, Wasm helper: readLock+readUnlock x${OPS}`, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) {
      wasm.readLock();
      s ^= i;
      wasm.readUnlock();
    }
    sink ^= s;
  });
  bench(`QSBR online: readLock+readUnlock, quiescent() every 64 x${OPS}`, () => {
    let s = 0;
    for (let i = 0; i < OPS; i++) {
      qsbr.readLock();
      s ^= i;
      qsbr.readUnlock();
      if ((i & 63) === 63) qsbr.quiescent();
    }
    sink ^= s;
  });
  bench(`QSBR quiescent() alone x${OPS}`, () => {
    for (let i = 0; i < OPS; i++) qsbr.quiescent();
  });
});

describe("retire(id), amortised over the grace period that reclaims it", () => {
  let reclaimed = 0;
  const rcu = new Rcu({ reclaim: () => reclaimed++ });
  const shared = SharedRcu.create({ reclaim: () => reclaimed++ });
  bench(`Rcu retire x${OPS * 10} + barrier()`, async () => {
    for (let i = 0; i < OPS * 10; i++) rcu.retire(i);
    await rcu.barrier();
  });
  bench(`SharedRcu retire x${OPS * 10} + barrier()`, async () => {
    for (let i = 0; i < OPS * 10; i++) shared.retire(i);
    await shared.barrier();
  });
  bench(`Rcu callRcu x${OPS * 10} + barrier() (closures, for comparison)`, async () => {
    for (let i = 0; i < OPS * 10; i++) rcu.callRcu(() => reclaimed++);
    await rcu.barrier();
  });
});

// Keep the accumulator observable so the loops cannot be dropped as dead code.
process.on("exit", () => {
  if (sink === 0x7fffffff) console.log("sink", sink);
});
