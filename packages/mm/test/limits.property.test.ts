// Random storms of the limits, locking and sealing calls mixed with the classic ones: nothing
// throws, the maple tree stays valid, VMAs stay sorted and disjoint, map_count matches, pages and
// guard markers lie inside VMAs, and sealed memory never changes: every page sealed once stays
// mapped with the same perms and `sl` whatever comes after (the seal's promise). SEED replays a
// failure; STRESS=1 runs longer.
import { mt_validate } from "@maplemm/maple-tree/kernel";
import type { MmStruct } from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, P, pg, rng } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);
const STRESS = process.env.STRESS === "1";

function invariants(mm: MmStruct, sealed: Map<number, string>, where: string): void {
  let prevEnd = -1;
  let n = 0;
  for (const v of mm.vmas()) {
    expect(v.start, where).toBeLessThan(v.end);
    expect(v.start, where).toBeGreaterThanOrEqual(prevEnd);
    prevEnd = v.end;
    n++;
  }
  expect(mm.tree.count, where).toBe(n);
  for (const p of mm.pages.keys()) {
    const v = mm.vma_lookup(p * P);
    expect(v !== null && v.file === null, `${where}: page ${p} outside a private VMA`).toBe(true);
  }
  for (const g of mm.guards) {
    expect(mm.vma_lookup(g * P), `${where}: guard ${g} outside a VMA`).not.toBeNull();
  }
  for (const [page, perms] of sealed) {
    const v = mm.vma_lookup(page * P);
    expect(v?.perms, `${where}: sealed page ${page} changed`).toBe(perms);
    expect(v?.vmFlags, `${where}: sealed page ${page} lost sl`).toContain("sl");
  }
  expect(() => mt_validate(mm.tree.mt), where).not.toThrow();
}

function storm(seed: number, ops: number): void {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const mm = arenaMm({
    privileged: r() < 0.5,
    rlimits: { memlock: { cur: 64 * P, max: 64 * P }, data: { cur: 2000 * P } },
  });
  const sealed = new Map<number, string>();
  const advices = [4, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21, 22, 23, 24, 102, 103];
  for (let i = 0; i < ops; i++) {
    const at = pg(int(300));
    const len = (1 + int(16)) * P;
    const where = `SEED=${seed} op ${i}`;
    switch (int(12)) {
      case 0:
      case 1: {
        const flags = [0x32, 0x31, 0x2032, 0x80032, 0x38, 0x4032][int(6)] as number;
        mm.mmap(at, len, [0, 1, 3, 4, 5][int(5)] as number, flags);
        break;
      }
      case 2:
        mm.munmap(at, len);
        break;
      case 3:
        mm.mprotect(at, len, [0, 1, 3, 5][int(4)] as number);
        break;
      case 4:
        mm.madvise(at, len, advices[int(advices.length)] as number);
        break;
      case 5:
        mm.mlock2(at, len, int(2));
        break;
      case 6:
        mm.munlock(at, len);
        break;
      case 7:
        mm.mlockall([2, 3, 6, 7][int(4)] as number);
        if (r() < 0.5) mm.munlockall();
        break;
      case 8:
        if (r() < 0.3 && mm.mseal(at, P, 0) === 0) {
          const v = mm.vma_lookup(at);
          if (v !== null) sealed.set(at / P, v.perms);
        }
        break;
      case 9:
        mm.mremap(at, len, (1 + int(16)) * P, [0, 1, 3, 5][int(4)] as number, pg(int(300)));
        break;
      case 10:
        mm.touch(at, r() < 0.5, i);
        break;
      default:
        mm.sysctl("max_map_count", mm.vmas().length + int(4));
        break;
    }
    invariants(mm, sealed, where);
  }
  mm.mmput();
}

describe("random storms of the limits, locking and sealing calls", () => {
  const n = STRESS ? 20 : 3;
  for (let k = 0; k < n; k++) {
    it(`keep every invariant and every seal (SEED=${SEED + k}, ${STRESS ? 2000 : 200} ops)`, () => {
      storm(SEED + k, STRESS ? 2000 : 200);
    });
  }
});
