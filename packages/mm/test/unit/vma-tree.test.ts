// vma-tree.ts, the only module that talks to the maple tree: lookups, the VMA iterator, and the
// reverse gap search placement relies on, each checked against a brute-force sorted list.
// Pins an internal: VmaTree (vma-tree.ts), the mm's layer over the maple tree, tested on its own.
import {
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_USE_RCU,
  mt_validate,
  mtree_load,
} from "@maplemm/maple-tree/kernel";
import { for_each_vma_range, VMA_ITERATOR, Vma, vma_find, vma_next } from "@maplemm/mm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VmaTree } from "../../src/vma-tree.js";
import { arenaMm, P, PRIV_FIXED, pg, RW } from "../helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);

/** A tree of VMAs at the given page ranges `[s, e)` (non-overlapping, sorted). */
function treeOf(ranges: [number, number][]): VmaTree {
  const t = new VmaTree();
  for (const [s, e] of ranges) t.insert(new Vma(s * P, e * P, 0x73, s, null));
  return t;
}

/** Random non-overlapping page ranges below 512. */
const rangesArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 511 }), { minLength: 0, maxLength: 40 })
  .map((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2)
      out.push([sorted[i] as number, (sorted[i + 1] as number) + 1]);
    return out.filter(([s], i, all) => i === 0 || s >= (all[i - 1] as [number, number])[1]);
  });

describe("VmaTree", () => {
  it("is a maple tree with the kernel's MM_MT_FLAGS holding every VMA over [start, end - 1]", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED);
    mm.mmap(pg(8), 2 * P, 1, PRIV_FIXED);
    const mt = mm.tree.mt;
    expect(mt.attr & (MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU)).toBe(
      MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU,
    );
    const [a, b] = mm.vmas();
    expect(mtree_load(mt, pg(0))).toBe(a);
    expect(mtree_load(mt, pg(4) - 1)).toBe(a);
    expect(mtree_load(mt, pg(4))).toBeNull();
    expect(mtree_load(mt, pg(9))).toBe(b);
    expect(() => mt_validate(mt)).not.toThrow();
  });

  it(`find, lookup, prevOf and findIntersection agree with a sorted list (SEED=${SEED})`, () => {
    fc.assert(
      fc.property(
        rangesArb,
        fc.integer({ min: 0, max: 520 }),
        fc.integer({ min: 1, max: 40 }),
        (ranges, at, n) => {
          const t = treeOf(ranges);
          const a = at * P;
          const find = ranges.find(([, e]) => e * P > a);
          expect(t.find(a)?.start ?? null).toBe(find === undefined ? null : find[0] * P);
          const look = ranges.find(([s, e]) => s * P <= a && a < e * P);
          expect(t.lookup(a)?.start ?? null).toBe(look === undefined ? null : look[0] * P);
          const holder = look ?? null;
          const before = ranges.filter(([, e]) => e * P <= (holder === null ? a : holder[0] * P));
          expect(t.prevOf(a)?.start ?? null).toBe(
            before.length === 0 ? null : (before[before.length - 1] as [number, number])[0] * P,
          );
          const inter = ranges.find(([s, e]) => s * P < a + n * P && e * P > a);
          expect(t.findIntersection(a, a + n * P)?.start ?? null).toBe(
            inter === undefined ? null : inter[0] * P,
          );
          expect(t.count).toBe(ranges.length);
          expect(() => mt_validate(t.mt)).not.toThrow();
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it(`emptyAreaRev returns the top of the highest free window that fits (SEED=${SEED})`, () => {
    fc.assert(
      fc.property(
        rangesArb,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 64 }),
        (ranges, lo, span, size) => {
          const t = treeOf(ranges);
          const min = lo * P;
          const max = (lo + span) * P - 1;
          const len = size * P;
          // Brute force: scan pages downward from max for the first run of `size` free pages.
          const used = new Set<number>();
          for (const [s, e] of ranges) for (let p = s; p < e; p++) used.add(p);
          let want: number | null = null;
          let run = 0;
          for (let p = lo + span - 1; p >= lo; p--) {
            if (used.has(p)) run = 0;
            else if (++run === size) {
              // The window sits at the top of this gap: find the gap's top.
              let top = p + size - 1;
              while (top + 1 <= lo + span - 1 && !used.has(top + 1)) top++;
              want = (top + 1) * P - len;
              break;
            }
          }
          const got = t.emptyAreaRev(min, max, len);
          expect(got === null ? null : got.index).toBe(want);
          if (got !== null) expect(got.last).toBe(got.index + len - 1);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("the VMA iterator", () => {
  it("walks every VMA in order, and only those starting below the range end", () => {
    const mm = arenaMm();
    for (let i = 0; i < 10; i++) mm.mmap(pg(i * 3), P, i % 2 === 0 ? RW : 1, PRIV_FIXED);
    const vmi = VMA_ITERATOR(mm, pg(4));
    expect([...for_each_vma_range(vmi, pg(13))].map((v) => (v.start - pg(0)) / P)).toEqual([
      6, 9, 12,
    ]);
    const all = VMA_ITERATOR(mm, 0);
    const starts: number[] = [];
    for (let v = vma_next(all); v !== null; v = vma_next(all)) starts.push((v.start - pg(0)) / P);
    expect(starts).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(vma_find(VMA_ITERATOR(mm, pg(1)), pg(2))).toBeNull();
  });

  it("includes the VMA containing the start address and survives writes between steps", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED);
    mm.mmap(pg(10), 4 * P, 1, PRIV_FIXED);
    mm.mmap(pg(20), 4 * P, RW, PRIV_FIXED);
    const vmi = VMA_ITERATOR(mm, pg(2));
    expect(vma_next(vmi)?.start).toBe(pg(0));
    mm.munmap(pg(10), 4 * P);
    mm.mmap(pg(15), P, 5, PRIV_FIXED);
    expect(vma_next(vmi)?.start).toBe(pg(15));
    expect(vma_next(vmi)?.start).toBe(pg(20));
    expect(vma_next(vmi)).toBeNull();
  });
});
