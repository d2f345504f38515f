// The allocators on top of gap search: mtree_alloc_range / mtree_alloc_rrange store in the lowest
// / highest window the model predicts, mtree_alloc_cyclic / mas_alloc_cyclic hand out indices in
// order, wrap, and report it (0 / 1, MT_FLAGS_ALLOC_WRAPPED); every error leaves the tree as it
// was. The kernel's check_empty_area_window, check_empty_area_fill and alloc_cyclic_testing
// expectations (docs/spec/maple-tree.md §3, §4.6, §7.1) are checked as tables. Also the idiomatic
// MapleTree.findGap / allocate. SEED replays the random parts; STRESS=1 runs more.

import { MAX_INDEX, MapleError, MapleTree, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  EBUSY,
  EINVAL,
  ENOMEM,
  GFP_NOWAIT,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_ALLOC_WRAPPED,
  MT_FLAGS_USE_RCU,
  mas_alloc_cyclic,
  mas_empty_area,
  mas_empty_area_rev,
  mas_reset,
  mas_set,
  mas_store_gfp,
  mt_set_non_kernel,
  mt_validate,
  mtree_alloc_cyclic,
  mtree_alloc_range,
  mtree_alloc_rrange,
  mtree_destroy,
  mtree_erase,
  mtree_insert_range,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { Rng } from "./support/build.js";
import { validateTree } from "./support/debug.js";
import { modelHighest, modelLowest } from "./support/gap-model.js";
import { expectSameContents, RangeModel, treeRanges } from "./support/write-model.js";

const STRESS = process.env.STRESS === "1";
const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) >>> 0 : 0xa11;

afterEach(() => mt_set_non_kernel(Number.POSITIVE_INFINITY));

describe("mtree_alloc_range / mtree_alloc_rrange reject bad calls and change nothing", () => {
  const plain = () => DEFINE_MTREE(0);
  const alloc = () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i < 50; i++) mtree_store_range(mt, i * 10, i * 10 + 4, i);
    return mt;
  };
  const cases: [string, () => ReturnType<typeof DEFINE_MTREE>, unknown, number, number, number][] =
    [
      ["not an allocation tree", plain, "e", 1, 0, 100],
      ["XA_ZERO_ENTRY (reserved)", alloc, XA_ZERO_ENTRY, 1, 0, 100],
      ["undefined entry", alloc, undefined, 1, 0, 100],
      ["min > max", alloc, "e", 1, 100, 0],
      ["size 0", alloc, "e", 0, 0, 100],
      ["max - min < size - 1", alloc, "e", 12, 0, 10],
      ["fractional size", alloc, "e", 1.5, 0, 100],
      ["negative min", alloc, "e", 1, -5, 100],
    ];
  for (const [name, make, entry, size, min, max] of cases) {
    it(`${name}: -EINVAL`, () => {
      for (const fn of [mtree_alloc_range, mtree_alloc_rrange]) {
        const mt = make();
        const before = treeRanges(mt);
        const start = { value: -1 };
        expect(fn(mt, start, entry, size, min, max)).toBe(-EINVAL);
        expect(start.value).toBe(-1);
        expect(treeRanges(mt)).toEqual(before);
        mt_validate(mt);
      }
    });
  }

  it("no window: -EBUSY, nothing stored", () => {
    const mt = alloc();
    const before = treeRanges(mt);
    const start = { value: -1 };
    expect(mtree_alloc_range(mt, start, "e", 6, 0, 499)).toBe(-EBUSY);
    expect(mtree_alloc_rrange(mt, start, "e", 6, 0, 499)).toBe(-EBUSY);
    expect(start.value).toBe(-1);
    expect(treeRanges(mt)).toEqual(before);
  });
});

describe("mtree_alloc_range out of node memory leaves the tree as it was", () => {
  it("allocations at a fixed capacity succeed until a split is needed, which fails with -ENOMEM", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i < 200; i++) mtree_store_range(mt, i * 100, i * 100 + 49, i);
    mt.arena.capacity = mt.arena.live;
    let failed = false;
    for (let k = 0; k < 400 && !failed; k++) {
      const before = treeRanges(mt);
      const start = { value: -1 };
      const ret = mtree_alloc_range(mt, start, `a${k}`, 10, 0, MAX_INDEX);
      if (ret === -ENOMEM) {
        failed = true;
        expect(start.value).toBe(-1);
        expect(treeRanges(mt)).toEqual(before);
      } else expect(ret).toBe(0);
      mt_validate(mt);
    }
    expect(failed).toBe(true);
  });

  it("-ENOMEM from mtree_alloc_cyclic with an exhausted non-kernel budget", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    // 8 entries and their gaps fill one leaf (16 ranges).
    for (let i = 0; i < 8; i++) mtree_store_range(mt, i * 3, i * 3, i);
    expect(mt.height).toBe(1);
    const before = treeRanges(mt);
    mt_set_non_kernel(0);
    const start = { value: -1 };
    const next = { value: 0 };
    // Index 1 starts the gap [1, 2] of a full leaf: the store must split the leaf.
    expect(mtree_alloc_cyclic(mt, start, "c", 0, 100, next, GFP_NOWAIT)).toBe(-ENOMEM);
    expect([start.value, next.value]).toEqual([-1, 0]);
    expect(treeRanges(mt)).toEqual(before);
    mt_validate(mt);
  });
});

describe("kernel check_empty_area_window", () => {
  // Entries [10i, 10i+9] for i = 1..20, then [160, 169] emptied again.
  const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
  for (let i = 1; i <= 20; i++) mtree_store_range(mt, i * 10, i * 10 + 9, i);
  mtree_store_range(mt, 160, 169, null);
  const table: ["fwd" | "rev", number, number, number, number, number?][] = [
    // direction, min, max, size, return, index
    ["rev", 5, 90, 10, -EBUSY],
    ["rev", 6, 90, 5, -EBUSY],
    ["rev", 5, 90, 5, 0, 5],
    ["rev", 5, 217, 9, 0, 161],
    ["rev", 100, 218, 3, 0, 216],
    ["rev", 100, 218, 16, -EBUSY],
    ["rev", 167, 200, 4, -EBUSY],
    ["rev", 100, 162, 4, -EBUSY],
    ["fwd", 0, 100, 9, 0, 0],
    ["fwd", 0, 100, 4, 0, 0],
    ["fwd", 0, 100, 11, -EBUSY],
    ["fwd", 5, 100, 6, -EBUSY],
    ["fwd", 0, 8, 10, -EINVAL],
    ["fwd", 100, 165, 3, 0, 160],
    ["fwd", 100, 163, 6, -EBUSY],
  ];
  for (const [dir, min, max, size, ret, index] of table) {
    it(`${dir} [${min}, ${max}] size ${size} -> ${ret}${index === undefined ? "" : ` at ${index}`}`, () => {
      const mas = MA_STATE(mt, 0, 0);
      const fn = dir === "fwd" ? mas_empty_area : mas_empty_area_rev;
      expect(fn(mas, min, max, size)).toBe(ret);
      if (index !== undefined) expect([mas.index, mas.last]).toEqual([index, index + size - 1]);
    });
  }
});

describe("kernel check_empty_area_fill", () => {
  it("5000 allocations of each size 2^12..2^16 fill [0, 0x25D78000) exactly", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const max = 0x25d78000;
    const mas = MA_STATE(mt, 0, 0);
    let expectAt = 0;
    for (let shift = 12; shift <= 16; shift++) {
      const size = 2 ** shift;
      for (let loop = 0; loop < 5000; loop++) {
        mas_set(mas, 0);
        if (mas_empty_area(mas, 0, max, size) !== 0) throw new Error(`size ${size} loop ${loop}`);
        if (mas.index !== expectAt || mas.last !== mas.index + size - 1) {
          throw new Error(`size ${size} loop ${loop}: window [${mas.index}, ${mas.last}]`);
        }
        if (mas_store_gfp(mas, size) !== 0) throw new Error("store failed");
        mas_reset(mas);
        expectAt += size;
      }
    }
    expect(expectAt).toBe(max);
    mt_validate(mt);
    expect(mas_empty_area(mas, 0, max, 0x1000)).toBe(-EBUSY);
    mas_reset(mas);
    expect(mas_empty_area(mas, 0, max, 1)).toBe(0);
    expect(mas.index).toBe(max);
    // The multi-level part: more entries, two holes, a search from just after one of them.
    for (let i = 629440511; i <= 629440800; i += 6) {
      expect(mtree_insert_range(mt, i, i + 5, i)).toBe(-17);
    }
    mtree_erase(mt, 631668735);
    mtree_erase(mt, 629506047);
    mt_validate(mt);
    mas_reset(mas);
    expect(mas_empty_area(mas, 629506048, 690000000, 0x5000)).toBe(0);
    const model = treeRanges(mt).filter((r) => r.value !== null);
    expect(mas.index).toBe(modelLowest(model, 629506048, 690000000, 0x5000));
    mas_reset(mas);
    expect(mas_empty_area_rev(mas, 0, 629506047 + 0x10000, 0x5000)).toBe(0);
    expect(mas.index).toBe(modelHighest(model, 0, 629506047 + 0x10000, 0x5000));
  });
});

describe("kernel alloc_cyclic_testing", () => {
  it("mas_alloc_cyclic hands out 2, 3, 4... and leaves the state on the new index", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const mas = MA_STATE(mt, 0, 0);
    const location = { value: 0 };
    const next = { value: 0 };
    for (let i = 0; i < 100; i++) {
      expect(mas_alloc_cyclic(mas, location, mt, 2, MAX_INDEX, next)).toBe(0);
      expect(location.value).toBe(i + 2);
      expect([mas.index, mas.last]).toEqual([location.value, location.value]);
      expect(next.value).toBe(i + 3);
    }
    mt_validate(mt);
  });

  it("mtree_alloc_cyclic does the same and stores the entry", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const location = { value: 0 };
    const next = { value: 0 };
    for (let i = 0; i < 100; i++) {
      expect(mtree_alloc_cyclic(mt, location, mt, 2, MAX_INDEX, next)).toBe(0);
      expect(location.value).toBe(i + 2);
      expect(next.value).toBe(i + 3);
      expect(mtree_load(mt, location.value)).toBe(mt);
    }
    mtree_destroy(mt);
  });

  it("overflow: next wraps past MAX_INDEX, sets ALLOC_WRAPPED, and the next allocation returns 1", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const location = { value: 0 };
    const next = { value: MAX_INDEX - 1 };
    expect(mtree_alloc_cyclic(mt, location, mt, 2, MAX_INDEX, next)).toBe(0);
    expect([location.value, next.value]).toEqual([MAX_INDEX - 1, MAX_INDEX]);
    expect(mtree_alloc_cyclic(mt, location, mt, 2, MAX_INDEX, next)).toBe(0);
    expect([location.value, next.value]).toEqual([MAX_INDEX, 0]);
    expect(mt.flags & MT_FLAGS_ALLOC_WRAPPED).toBe(MT_FLAGS_ALLOC_WRAPPED);
    expect(mtree_alloc_cyclic(mt, location, mt, 2, MAX_INDEX, next)).toBe(1);
    expect([location.value, next.value]).toEqual([2, 3]);
    expect(mt.flags & MT_FLAGS_ALLOC_WRAPPED).toBe(0);
    mt_validate(mt);
  });

  it("a full upper part wraps to range_lo (returns 1); a full range is -EBUSY", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const location = { value: 0 };
    const next = { value: 8 };
    mtree_store_range(mt, 8, 10, "taken");
    expect(mtree_alloc_cyclic(mt, location, "a", 5, 10, next)).toBe(1);
    expect([location.value, next.value]).toEqual([5, 6]);
    for (const want of [6, 7]) {
      expect(mtree_alloc_cyclic(mt, location, "a", 5, 10, next)).toBe(0);
      expect(location.value).toBe(want);
    }
    const before = treeRanges(mt);
    expect(mtree_alloc_cyclic(mt, location, "a", 5, 10, next)).toBe(-EBUSY);
    expect([location.value, next.value]).toEqual([7, 8]);
    expect(treeRanges(mt)).toEqual(before);
    expect(mtree_alloc_cyclic(DEFINE_MTREE(0), location, "a", 5, 10, next)).toBe(-EINVAL);
  });
});

describe("random allocations match the model", () => {
  for (const flags of [MT_FLAGS_ALLOC_RANGE, MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU]) {
    const ops = STRESS ? 40_000 : 5_000;
    it(`${flags & MT_FLAGS_USE_RCU ? "RCU mode" : "plain"}: ${ops} alloc/erase/store (SEED=${SEED})`, () => {
      const rng = new Rng(SEED + flags);
      const mt = DEFINE_MTREE(flags);
      const model = new RangeModel();
      const space = 20_000;
      for (let op = 0; op < ops; op++) {
        const where = `op ${op} (SEED=${SEED})`;
        const r = rng.next();
        if (r < 0.55) {
          const min = rng.int(0, space);
          const max = rng.chance(0.1) ? MAX_INDEX : min + rng.int(0, space / 4);
          const size = rng.int(1, Math.min(max - min + 1, rng.chance(0.8) ? 8 : 400));
          const rev = rng.chance(0.5);
          const want = rev
            ? modelHighest(model.ranges, min, max, size)
            : modelLowest(model.ranges, min, max, size);
          const start = { value: -1 };
          const v = { op };
          const ret = (rev ? mtree_alloc_rrange : mtree_alloc_range)(mt, start, v, size, min, max);
          if (want < 0) {
            if (ret !== -EBUSY) throw new Error(`${where}: got ${ret}, model -EBUSY`);
          } else {
            if (ret !== 0 || start.value !== want) {
              throw new Error(
                `${where}: ${rev ? "rrange" : "range"} [${min}, ${max}] size ${size}: got ${ret} at ${start.value}, model ${want}`,
              );
            }
            model.store(want, want + size - 1, v);
          }
        } else if (r < 0.85) {
          const idx = rng.int(0, space);
          expect(mtree_erase(mt, idx)).toBe(model.erase(idx));
        } else {
          const first = rng.int(0, space);
          const last = first + rng.int(0, 50);
          const v = rng.chance(0.1) ? null : { op };
          mtree_store_range(mt, first, last, v);
          model.store(first, last, v);
        }
        if (op % 25 === 0) {
          mt_validate(mt);
          expectSameContents(mt, model, where);
        }
      }
      mt_validate(mt);
      expectSameContents(mt, model, "end");
    });
  }
});

describe("MapleTree.findGap / allocate", () => {
  it("lowest and highest windows, inside bounds", () => {
    const t = new MapleTree<string>({ alloc: true });
    t.setRange(0, 99, "a").setRange(150, 199, "b");
    expect(t.findGap(50)).toBe(100);
    expect(t.findGap(51)).toBe(200);
    expect(t.findGap(10, { min: 120 })).toBe(120);
    expect(t.findGap(10, { highest: true, max: 1000 })).toBe(991);
    expect(t.findGap(10, { highest: true, max: 160 })).toBe(140);
    expect(t.findGap(60, { max: 199 })).toBeUndefined();
    expect(t.allocate(50, "c")).toBe(100);
    expect(t.getRange(120)).toEqual({ first: 100, last: 149, value: "c" });
    expect(t.allocate(5, "d", { highest: true, max: 300 })).toBe(296);
    expect(t.get(300)).toBe("d");
    validateTree(t);
  });

  it("findGap and allocate both need an allocation tree: EINVAL on a plain one, nothing changed", () => {
    const t = new MapleTree<number>();
    t.setRange(0, 9, 1);
    for (const call of [
      () => t.findGap(5),
      () => t.allocate(5, 2),
      () => t.findGap(1, { highest: true }),
    ]) {
      expect(call).toThrow(MapleError);
      expect(call).toThrow(/not an allocation tree \(create it with \{ alloc: true \}\)/);
      try {
        call();
      } catch (e) {
        expect((e as MapleError).code).toBe("EINVAL");
      }
    }
    expect([...t]).toEqual([{ first: 0, last: 9, value: 1 }]);
    validateTree(t);
  });

  it("errors name the argument and change nothing", () => {
    const t = new MapleTree<number>({ alloc: true });
    t.setRange(0, 9, 1);
    const bad: [() => unknown, RegExp, string][] = [
      [() => t.findGap(0), /size must be at least 1/, "EINVAL"],
      [() => t.findGap(1.5), /findGap: size must be an integer/, "EINVAL"],
      [() => t.allocate(3, 5, { min: -1 }), /allocate: options.min must be/, "EINVAL"],
      [() => t.findGap(3, { min: 10, max: 5 }), /cannot hold 3 indices/, "EINVAL"],
      [
        () => t.allocate(1, null as unknown as number),
        /allocate: value must not be null/,
        "EINVAL",
      ],
      [() => t.allocate(5, 7, { max: 12 }), /allocate: EBUSY/, "EBUSY"],
    ];
    for (const [call, msg, code] of bad) {
      let caught: unknown;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(MapleError);
      expect((caught as MapleError).code).toBe(code);
      expect((caught as Error).message).toMatch(msg);
    }
    expect([...t]).toEqual([{ first: 0, last: 9, value: 1 }]);
    validateTree(t);
  });

  it("throws ENOMEM at capacity and leaves the tree as it was", () => {
    const t = new MapleTree<number>({ alloc: true, capacity: 1 });
    let n = 0;
    let caught: unknown;
    try {
      for (; n < 100; n++) t.allocate(1, n, { min: n * 2 });
    } catch (e) {
      caught = e;
    }
    expect((caught as MapleError).code).toBe("ENOMEM");
    expect(t.size).toBe(n);
    validateTree(t);
  });
});
