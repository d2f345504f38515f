// The maps line cache (Vma.mapsLine, proc-maps.ts) never changes what procMaps() prints: random
// storms of the calls that move, split, merge, reprotect, rename (brk makes a VMA the heap) or
// copy (fork) VMAs, rendering after every step, and each render must equal the text formatted
// from scratch, VMA by VMA, with renderMapsLine. SEED replays a failure.

import { type MmStruct, renderMapsLine } from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, P, pg, rng } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);

/** /proc maps formatted without any cache: one renderMapsLine per VMA, gate VMAs last. */
function uncached(mm: MmStruct): string {
  let out = "";
  for (const v of mm.vmas()) out += `${renderMapsLine(v, mm)}\n`;
  for (const g of mm.gateVmas) out += `${renderMapsLine(g, mm)}\n`;
  return out;
}

function storm(seed: number, ops: number): void {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  let mm = arenaMm({ startBrk: pg(100) });
  for (let i = 0; i < ops; i++) {
    const at = pg(int(300));
    const len = (1 + int(16)) * P;
    switch (int(8)) {
      case 0:
      case 1:
        mm.mmap(at, len, [0, 1, 3, 5][int(4)] as number, [0x32, 0x31, 0x22][int(3)] as number);
        break;
      case 2:
        mm.munmap(at, len);
        break;
      case 3:
        mm.mprotect(at, len, [0, 1, 3, 5][int(4)] as number);
        break;
      case 4:
        mm.mremap(at, len, (1 + int(16)) * P, [0, 1, 3][int(3)] as number, pg(int(300)));
        break;
      case 5:
        mm.brk(pg(100 + int(120)));
        break;
      case 6:
        mm.touch(at, r() < 0.5, i);
        break;
      default:
        if (r() < 0.2) {
          const child = mm.fork();
          mm.mmput();
          mm = child;
        } else mm.madvise(at, len, [10, 11, 14, 15][int(4)] as number);
        break;
    }
    expect(mm.procMaps(), `SEED=${seed} op ${i}`).toBe(uncached(mm));
  }
  mm.mmput();
}

describe("the /proc maps line cache", () => {
  for (let k = 0; k < 3; k++) {
    it(`prints what formatting from scratch prints after every step (SEED=${SEED + k})`, () => {
      storm(SEED + k, 300);
    });
  }
});
