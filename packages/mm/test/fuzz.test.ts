// Random syscall storms over the whole surface (every mmap flag mix, mremap variants, madvise,
// brk, touches, forks): nothing throws, the maple tree stays valid, VMAs stay sorted and disjoint,
// map_count matches, and every present private page lies inside a private VMA. STRESS=1 runs
// longer; SEED replays a failure.
import { mt_validate } from "@maplemm/maple-tree/kernel";
import type { MmStruct } from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, P, pg, rng } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);
const STRESS = process.env.STRESS === "1";
const SB = 0x555558ff6000;

function invariants(mm: MmStruct, where: string): void {
  let prevEnd = -1;
  let n = 0;
  for (const v of mm.vmas()) {
    expect(v.start, where).toBeLessThan(v.end);
    expect(v.start % P, where).toBe(0);
    expect(v.end % P, where).toBe(0);
    expect(v.start, where).toBeGreaterThanOrEqual(prevEnd);
    prevEnd = v.end;
    n++;
  }
  expect(mm.tree.count, where).toBe(n);
  for (const p of mm.pages.keys()) {
    const v = mm.vma_lookup(p * P);
    expect(v !== null && v.file === null, `${where}: page ${p} outside a private VMA`).toBe(true);
  }
  expect(() => mt_validate(mm.tree.mt), where).not.toThrow();
}

function storm(seed: number, ops: number): void {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  let mm = arenaMm({ startBrk: SB });
  const prots = [0, 1, 2, 3, 4, 5, 7, 0x1000003];
  for (let i = 0; i < ops; i++) {
    const at = pg(int(600) - 40);
    const len = (1 + int(24)) * P;
    const where = `SEED=${seed} op ${i}`;
    switch (int(11)) {
      case 0: {
        const flags = [0x22, 0x32, 0x21, 0x31, 0x100022, 0x122, 0x4022, 0x8022, 0x8021][
          int(9)
        ] as number;
        mm.mmap(r() < 0.3 ? 0 : at, r() < 0.1 ? 512 * P : len, prots[int(7)] as number, flags);
        break;
      }
      case 1:
        mm.munmap(at, len);
        break;
      case 2:
        mm.mprotect(at, len, prots[int(prots.length)] as number);
        break;
      case 3:
        mm.mremap(at, len, (1 + int(24)) * P, [0, 1, 3, 5, 7][int(5)] as number, pg(int(600)));
        break;
      case 4:
        mm.mremap(at, r() < 0.2 ? 0 : len, len, 1, 0);
        break;
      case 5:
        mm.madvise(at, len, [0, 1, 2, 4, 10, 11, 18, 19, 16, 17][int(10)] as number);
        break;
      case 6:
      case 7:
        mm.touch(at + int(4) * P, r() < 0.6, i + 1);
        break;
      case 8:
        mm.brk(SB + int(64) * P + int(4096));
        break;
      case 9: {
        const child = mm.fork(r() < 0.5 ? "seed" : "modern");
        invariants(child, `${where} (child)`);
        child.touch(at, true, 7);
        child.munmap(at, len);
        invariants(child, `${where} (child after ops)`);
        if (r() < 0.1) {
          mm.mmput();
          mm = child;
        } else child.mmput();
        break;
      }
      default:
        mm.mmap(at, len, 3, 0x132);
    }
    // The full check walks every page: every op under STRESS would be quadratic.
    if (i % 25 === 24) invariants(mm, where);
    else expect(() => mt_validate(mm.tree.mt), where).not.toThrow();
  }
  invariants(mm, `SEED=${seed} end`);
}

describe("syscall storms", () => {
  const runs = STRESS ? 30 : 3;
  const ops = STRESS ? 2000 : 300;
  for (let k = 0; k < runs; k++) {
    it(`keep every invariant (SEED=${SEED + k}, ${ops} ops)`, () => storm(SEED + k, ops));
  }
});
