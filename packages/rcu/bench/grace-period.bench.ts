// Grace-period latency and throughput. Latency: one synchronize() per call, so tinybench's p99 is
// the p99 of a grace period. Throughput: GPs/s = hz of the same task with busy readers.
import { afterAll, beforeAll, bench, describe } from "vitest";
// The built package (dist/, refreshed by the global setup): what users run. Benchmarking src/
// through Vite's SSR transform would turn every imported constant into a property load.
import { Rcu, SharedRcu } from "../dist/index.js";
import { type Readers, startReaders } from "./readers.js";

describe("Rcu.synchronize()", () => {
  const rcu = new Rcu();
  bench("no readers", async () => {
    await rcu.synchronize();
  });
});

describe("SharedRcu.synchronize() with 2 idle registered readers", () => {
  const rcu = SharedRcu.create();
  let readers: Readers;
  beforeAll(async () => {
    readers = await startReaders(rcu, 2, "idle");
  });
  afterAll(async () => {
    await readers.stop();
  });
  bench("2 idle readers", async () => {
    await rcu.synchronize();
  });
});

describe("SharedRcu grace periods per second with 2 busy readers", () => {
  const rcu = SharedRcu.create();
  let readers: Readers;
  beforeAll(async () => {
    readers = await startReaders(rcu, 2, "busy");
  });
  afterAll(async () => {
    await readers.stop();
  });
  bench("2 busy readers (tiny sections)", async () => {
    await rcu.synchronize();
  });
});

describe("SharedRcu grace periods per second with 2 QSBR readers", () => {
  const rcu = SharedRcu.create();
  let readers: Readers;
  beforeAll(async () => {
    readers = await startReaders(rcu, 2, "qsbr");
  });
  afterAll(async () => {
    await readers.stop();
  });
  bench("2 QSBR readers (quiescent every 256 ops)", async () => {
    await rcu.synchronize();
  });
});
