// Syscall throughput of the model alone (no trace comparison): a fixed pseudo-random mix of
// mmap / munmap / mprotect / mremap / madvise / touch over a 4096-page arena holding ~200 VMAs,
// the shape of the oracle's 2000-op traces.
import { bench, describe } from "vitest";
import { MmStruct } from "../src/index.js";

const A = 0x7e0000000000;
const P = 4096;

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const mm = new MmStruct({ mmapBase: A + 4096 * P });
const r = rng(42);
for (let i = 0; i < 200; i++)
  mm.mmap(A + i * 20 * P, (1 + Math.floor(r() * 8)) * P, i % 3 === 0 ? 1 : 3, 0x32);

describe("model syscalls on ~200 VMAs", () => {
  bench(
    "1000 mixed syscalls",
    () => {
      for (let i = 0; i < 1000; i++) {
        const at = A + Math.floor(r() * 4000) * P;
        const len = (1 + Math.floor(r() * 16)) * P;
        switch (i % 6) {
          case 0:
            mm.mmap(at, len, r() < 0.5 ? 3 : 1, 0x32);
            break;
          case 1:
            mm.munmap(at, len);
            break;
          case 2:
            mm.mprotect(at, len, r() < 0.5 ? 3 : 1);
            break;
          case 3:
            mm.mremap(at, len, len + P, 1);
            break;
          case 4:
            mm.madvise(at, len, r() < 0.5 ? 10 : 11);
            break;
          default:
            mm.touch(at, r() < 0.5, i);
        }
      }
    },
    { time: 1000 },
  );
});
