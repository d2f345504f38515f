// What sharing an mm's maps costs: the same syscall mix on a plain mm and on one whose
// VMAs are mirrored into shared memory (the sync after every syscall), at 250 and 4000 VMAs (the
// sync is incremental, so its cost should not grow with the VMA count); and rendering
// /proc/<pid>/maps from the mm itself vs from the shared mirror (seqcount-validated, same thread,
// no writer). Cross-thread numbers come from `pnpm demo` and tools/integration/test/shared-maps-worker.test.ts.
import { SharedRcu } from "@maplemm/rcu";
import { bench, describe } from "vitest";
import { MmStruct } from "../src/index.js";

const A = 0x7e0000000000;
const P = 4096;
const rcu = SharedRcu.create({ maxThreads: 4 });
rcu.register();

/** `n` one-page VMAs, neighbours differing in prot so nothing merges, below a 256-page window. */
function mmWith(n: number, shared: boolean): MmStruct {
  const mm = new MmStruct({ mmapBase: A + 2 * n * P + 1024 * P });
  for (let i = 0; i < n; i++) mm.mmap(A + 2 * i * P, P, i % 2 === 0 ? 3 : 1, 0x32);
  if (shared) mm.shareMaps({ domain: rcu, capacity: 2 * n + 4096 });
  return mm;
}

function churn(mm: MmStruct, n: number): () => Promise<void> {
  const win = A + 2 * n * P + 256 * P;
  let x = 0x2545f491;
  const rand = (k: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
  return async () => {
    for (let i = 0; i < 64; i++) {
      const at = win + rand(240) * P;
      const len = (1 + rand(16)) * P;
      const op = rand(3);
      if (op === 0) mm.mmap(at, len, 1 + 2 * rand(2), 0x32);
      else if (op === 1) mm.mprotect(at, len, 1 + 2 * rand(2));
      else mm.munmap(at, len);
    }
    // A macrotask per 64 syscalls, in both variants: grace periods end, records come back.
    await new Promise((r) => setImmediate(r));
  };
}

for (const n of [250, 4000]) {
  describe(`64 syscalls (mmap / mprotect / munmap) on an mm with ${n} VMAs`, () => {
    bench("plain mm", churn(mmWith(n, false), n), { time: 1000 });
    bench("shared maps (sync after each syscall)", churn(mmWith(n, true), n), { time: 1000 });
  });
}

describe("render /proc/<pid>/maps of 250 VMAs", () => {
  const mm = mmWith(250, true);
  const maps = mm.sharedMaps as NonNullable<typeof mm.sharedMaps>;
  bench("MmStruct.procMaps (the owner's tree)", () => {
    mm.procMaps();
  });
  bench("SharedMaps.procMaps (shared tree + records, readStable)", () => {
    maps.procMaps();
  });
});
