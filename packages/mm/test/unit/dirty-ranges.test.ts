// The dirty windows of an incremental shared-maps sync: ranges added in any order come out sorted,
// with overlapping and touching ones merged, and empty ones ignored; checked against a page-set
// model with fast-check.
// Pins an internal: DirtyRanges (dirty-ranges.ts), which the public API only uses inside shareMaps().
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DirtyRanges } from "../../src/dirty-ranges.js";

function drain(d: DirtyRanges): [number, number][] {
  const n = d.coalesce();
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([d.loAt(i), d.hiAt(i)]);
  return out;
}

describe("dirty ranges", () => {
  const table: [string, [number, number][], [number, number][]][] = [
    ["nothing", [], []],
    ["one range", [[10, 20]], [[10, 20]]],
    [
      "an empty range is ignored",
      [
        [10, 10],
        [30, 20],
      ],
      [],
    ],
    [
      "touching ranges merge",
      [
        [10, 20],
        [20, 30],
      ],
      [[10, 30]],
    ],
    [
      "overlapping ranges merge",
      [
        [10, 25],
        [20, 30],
      ],
      [[10, 30]],
    ],
    [
      "a split: remove, then both pieces",
      [
        [10, 30],
        [10, 20],
        [20, 30],
      ],
      [[10, 30]],
    ],
    [
      "disjoint ranges out of order come out sorted",
      [
        [50, 60],
        [10, 20],
        [30, 40],
      ],
      [
        [10, 20],
        [30, 40],
        [50, 60],
      ],
    ],
    [
      "a later range bridging two merges all three",
      [
        [10, 20],
        [30, 40],
        [15, 35],
      ],
      [[10, 40]],
    ],
    [
      "a range inside another",
      [
        [10, 40],
        [50, 60],
        [20, 30],
      ],
      [
        [10, 40],
        [50, 60],
      ],
    ],
  ];
  for (const [name, add, want] of table) {
    it(name, () => {
      const d = new DirtyRanges();
      for (const [lo, hi] of add) d.add(lo, hi);
      expect(drain(d)).toEqual(want);
    });
  }

  it("cover exactly the pages added, in sorted disjoint non-touching windows (model)", () => {
    const range = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 60 }), (adds) => {
        const d = new DirtyRanges();
        const pages = new Set<number>();
        for (const [lo, len] of adds) {
          d.add(lo, lo + len);
          for (let p = lo; p < lo + len; p++) pages.add(p);
        }
        const got = drain(d);
        const covered = new Set<number>();
        for (let i = 0; i < got.length; i++) {
          const [lo, hi] = got[i] as [number, number];
          if (!(lo < hi)) return false;
          if (i > 0 && !((got[i - 1] as [number, number])[1] < lo)) return false;
          for (let p = lo; p < hi; p++) covered.add(p);
        }
        d.clear();
        return (
          covered.size === pages.size && [...pages].every((p) => covered.has(p)) && d.count === 0
        );
      }),
      { seed: Number(process.env.SEED ?? Date.now() % 100000) },
    );
  });
});
