// MapleTree.from: the direct bottom-up build of sorted, non-overlapping ranges against the tree
// the ordinary stores build from the same input (same contents, mt_validate passes, and the built
// tree keeps working under random writes), the store-by-store fallback for other input, and bad
// input rejected naming the element before anything is built.

import { MAX_INDEX, MapleError, MapleTree, type RangeEntry } from "@maplemm/maple-tree";
import { mt_validate } from "@maplemm/maple-tree/kernel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const seed =
  process.env.SEED !== undefined && process.env.SEED !== ""
    ? Number(process.env.SEED) >>> 0
    : (Math.random() * 2 ** 32) >>> 0;

/** The same ranges stored one by one, in order. */
function byStores<T>(ranges: RangeEntry<T>[], alloc: boolean): MapleTree<T> {
  const t = new MapleTree<T>({ alloc });
  for (const r of ranges) t.setRange(r.first, r.last, r.value);
  return t;
}

/** Sorted, non-overlapping ranges: holes of 0 (adjacent) or more, from 0 or not, up to MAX_INDEX or not. */
const sortedRanges = fc
  .record({
    start: fc.oneof(fc.constant(0), fc.nat(1000)),
    steps: fc.array(
      fc.record({
        hole: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(40), fc.constant(1e9)),
        len: fc.oneof(fc.nat(20), fc.constant(0)),
        value: fc.oneof(fc.nat(2 ** 31 - 2), fc.string(), fc.constant(-1.5)),
      }),
      { minLength: 0, maxLength: 700 },
    ),
    toMax: fc.boolean(),
  })
  .map(({ start, steps, toMax }) => {
    const out: RangeEntry<unknown>[] = [];
    let at = start;
    for (const s of steps) {
      const first = at + s.hole;
      const last = first + s.len;
      if (last > MAX_INDEX - 10) break;
      out.push({ first, last, value: s.value });
      at = last + 1;
    }
    if (toMax && out.length > 0) {
      const r = out[out.length - 1] as RangeEntry<unknown>;
      out[out.length - 1] = { first: r.first, last: MAX_INDEX, value: r.value };
    }
    return out;
  });

describe("MapleTree.from", () => {
  it(`builds sorted input into the tree the stores build, valid and writable (SEED=${seed})`, () => {
    fc.assert(
      fc.property(
        sortedRanges,
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(30_000), fc.nat(300), fc.boolean()), { maxLength: 60 }),
        (ranges, alloc, writes) => {
          const built = MapleTree.from(ranges, { alloc });
          const model = byStores(ranges, alloc);
          mt_validate(built.mt);
          expect([...built]).toEqual([...model]);
          expect(built.size).toBe(ranges.length);
          // The built nodes carry everything later writes rely on (pivots, parents, gaps).
          for (const [first, len, del] of writes) {
            if (del) {
              built.deleteRange(first, first + len);
              model.deleteRange(first, first + len);
            } else {
              built.setRange(first, first + len, first);
              model.setRange(first, first + len, first);
            }
            mt_validate(built.mt);
          }
          expect([...built]).toEqual([...model]);
          if (alloc) {
            for (const size of [1, 7, 100, 5000]) {
              expect(built.findGap(size)).toBe(model.findGap(size));
              expect(built.findGap(size, { highest: true })).toBe(
                model.findGap(size, { highest: true }),
              );
            }
          }
        },
      ),
      { seed, numRuns: 150 },
    );
  });

  it(`falls back to stores in order for unsorted or overlapping input (SEED=${seed})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(5000), fc.nat(200), fc.nat(1000)), { maxLength: 300 }),
        (xs) => {
          const ranges = xs.map(([first, len, value]) => ({ first, last: first + len, value }));
          const built = MapleTree.from(ranges);
          mt_validate(built.mt);
          expect([...built]).toEqual([...byStores(ranges, false)]);
        },
      ),
      { seed, numRuns: 100 },
    );
  });

  it("takes any iterable, an empty one, and one range (also a direct root entry)", () => {
    function* gen(): Generator<RangeEntry<string>> {
      for (let i = 0; i < 100; i++) yield { first: i * 10, last: i * 10 + 4, value: `v${i}` };
    }
    const t = MapleTree.from(gen());
    mt_validate(t.mt);
    expect(t.size).toBe(100);
    expect(t.get(995)).toBeUndefined();
    expect(t.get(994)).toBe("v99");
    expect(MapleTree.from([]).size).toBe(0);
    const root = MapleTree.from([{ first: 0, last: 0, value: 5 }]);
    expect([...root]).toEqual([{ first: 0, last: 0, value: 5 }]);
    const whole = MapleTree.from([
      { first: 0, last: 9, value: 1 },
      { first: 10, last: MAX_INDEX, value: 2 },
    ]);
    mt_validate(whole.mt);
    expect(whole.get(MAX_INDEX)).toBe(2);
  });

  it("fills leaves to 15-16 slots: 100 000 ranges, every other one after a hole, in ~10 k nodes", () => {
    const ranges: RangeEntry<number>[] = [];
    let at = 4096;
    for (let i = 0; i < 100_000; i++) {
      ranges.push({ first: at, last: at + 7, value: i });
      at += 8 + (i % 2); // every other range leaves a hole
    }
    const t = MapleTree.from(ranges);
    mt_validate(t.mt);
    // 150 001 slots: 9376 leaves of 16, or up to 10 001 when a cut before a NULL leaves 15;
    // plus ~700 parents.
    expect(t.mt.arena.live).toBeLessThan(10_001 + 700);
    expect(t.mt.arena.live).toBeGreaterThan(9376);
  });

  it.each([
    ["not iterable", 5, /ranges must be an iterable/],
    ["null", null, /ranges must be an iterable/],
    [
      "an element not an object",
      [{ first: 0, last: 1, value: 1 }, 7],
      /ranges\[1\] must be an object/,
    ],
    [
      "first > last",
      [
        { first: 0, last: 1, value: 1 },
        { first: 9, last: 3, value: 1 },
      ],
      /ranges\[1\] is inverted/,
    ],
    [
      "a non-integer first",
      [{ first: 0.5, last: 1, value: 1 }],
      /ranges\[0\]\.first must be an integer/,
    ],
    ["a negative last", [{ first: 0, last: -1, value: 1 }], /ranges\[0\]\.last must be an integer/],
    ["last past MAX_INDEX", [{ first: 0, last: MAX_INDEX + 1, value: 1 }], /ranges\[0\]\.last/],
    [
      "a null value",
      [
        { first: 0, last: 1, value: 1 },
        { first: 5, last: 6, value: null },
      ],
      /ranges\[1\]: value must not be null/,
    ],
    ["an undefined value", [{ first: 0, last: 1 }], /ranges\[0\]: value must not be undefined/],
  ])("throws EINVAL naming the argument for %s, before building anything", (_n, input, msg) => {
    let seen = 0;
    const counting = {
      *[Symbol.iterator]() {
        for (const r of input as RangeEntry<unknown>[]) {
          seen++;
          yield r;
        }
      },
    };
    const arg = Array.isArray(input) ? counting : input;
    let err: unknown;
    try {
      MapleTree.from(arg as Iterable<RangeEntry<unknown>>);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MapleError);
    expect((err as MapleError).code).toBe("EINVAL");
    expect((err as Error).message).toMatch(/MapleTree\.from/);
    expect((err as Error).message).toMatch(msg);
    // The input is read once and left as it was.
    if (Array.isArray(input)) expect(seen).toBe(input.length);
  });

  it("throws ENOMEM past the capacity", () => {
    const ranges = Array.from({ length: 2000 }, (_, i) => ({
      first: i * 4,
      last: i * 4 + 1,
      value: i,
    }));
    expect(() => MapleTree.from(ranges, { capacity: 50 })).toThrow(MapleError);
    expect(MapleTree.from(ranges, { capacity: 400 }).size).toBe(2000);
  });
});
