// Fork speed of the two dup_mmap strategies at the VMA counts of the kernel's __mt_dup series
// (23, 223, 1 023, 4 023, 25 621 VMAs; the kernel reported fork +3 % / +15 % / +30 % ... faster
// with __mt_dup). Each VMA is 1 page, neighbours differ in prot so nothing merges; a third of
// them have a written page (anon_vma + COW page), as in a real process.
import { bench, describe } from "vitest";
import { MmStruct } from "../src/index.js";

const A = 0x7e0000000000;
const P = 4096;

function mmWith(n: number): MmStruct {
  const mm = new MmStruct({ mmapBase: A + 2 * n * P + P });
  for (let i = 0; i < n; i++) {
    mm.mmap(A + 2 * i * P, P, i % 2 === 0 ? 3 : 1, 0x32);
    if (i % 3 === 0 && i % 2 === 0) mm.touch(A + 2 * i * P, true, i);
  }
  return mm;
}

for (const n of [23, 223, 1023, 4023, 25621]) {
  describe(`fork of an mm with ${n} VMAs`, () => {
    const mm = mmWith(n);
    const time = n >= 4023 ? 2000 : 500;
    bench(
      "seed dup_mmap (mas_for_each + mas_store per VMA)",
      () => {
        mm.fork("seed").mmput();
      },
      { time },
    );
    bench(
      "modern dup_mmap (duplicate tree, replace in place)",
      () => {
        mm.fork("modern").mmput();
      },
      { time },
    );
  });
}
