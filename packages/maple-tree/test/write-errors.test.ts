// Bad input (-EINVAL), occupied ranges (-EEXIST) and allocation failure (-ENOMEM, the mas_nomem
// protocol, preallocation, mt_set_non_kernel): every failure leaves the tree exactly as it was,
// which the tests prove by comparing the dump and the contents before and after, plus validate.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  EEXIST,
  EINVAL,
  ENOMEM,
  GFP_ATOMIC,
  GFP_KERNEL,
  GFP_NOWAIT,
  MA_STATE,
  MA_STATE_PREALLOC,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_destroy,
  mas_erase,
  mas_insert,
  mas_is_err,
  mas_nomem,
  mas_preallocate,
  mas_store,
  mas_store_gfp,
  mas_store_prealloc,
  mt_dump,
  mt_set_non_kernel,
  mt_validate,
  mtree_erase,
  mtree_insert,
  mtree_insert_range,
  mtree_store,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { expectSameContents, RangeModel, rng, treeRanges } from "./support/write-model.js";
import { sequentialTree } from "./support/write-tree.js";

afterEach(() => mt_set_non_kernel(Number.POSITIVE_INFINITY));

/** Runs `f` and asserts it left `mt` exactly as it was. */
function expectUnchanged(mt: MapleTreeCore, f: () => void): void {
  const dump = mt_dump(mt);
  const ranges = treeRanges(mt);
  const live = mt.arena.live;
  const handles = mt.entries.size;
  f();
  expect(mt_dump(mt)).toBe(dump);
  expect(treeRanges(mt)).toEqual(ranges);
  expect(mt.arena.live).toBe(live);
  expect(mt.entries.size).toBe(handles);
  mt_validate(mt);
}

const badRanges: [string, unknown, unknown][] = [
  ["NaN first", Number.NaN, 5],
  ["NaN last", 1, Number.NaN],
  ["negative first", -1, 5],
  ["fraction", 1.5, 5],
  ["Infinity last", 1, Number.POSITIVE_INFINITY],
  ["beyond MAX_INDEX", 1, MAX_INDEX + 2],
  ["first > last", 9, 4],
  ["bigint", 1n, 5],
  ["string", "1", 5],
];

describe("-EINVAL: bad indices or an undefined entry change nothing", () => {
  for (const trees of [
    ["empty", () => DEFINE_MTREE()],
    [
      "direct root",
      () => {
        const mt = DEFINE_MTREE();
        mtree_store(mt, 0, "r");
        return mt;
      },
    ],
    ["height 3", () => sequentialTree(2000)],
  ] as [string, () => MapleTreeCore][]) {
    const [treeName, make] = trees;
    it.each(badRanges)(
      `${treeName}: mtree_store_range / mtree_insert_range with %s`,
      (_name, first, last) => {
        const mt = make();
        expectUnchanged(mt, () => {
          expect(mtree_store_range(mt, first as number, last as number, "x")).toBe(-EINVAL);
          expect(mtree_insert_range(mt, first as number, last as number, "x")).toBe(-EINVAL);
          expect(mtree_store_range(mt, first as number, last as number, null)).toBe(-EINVAL);
        });
      },
    );

    it(`${treeName}: mas_store / mas_store_gfp / mas_insert put the state in error`, () => {
      const mt = make();
      expectUnchanged(mt, () => {
        for (const [, first, last] of badRanges) {
          const mas = MA_STATE(mt, first as number, last as number);
          expect(mas_store(mas, "x")).toBe(null);
          expect(mas_is_err(mas)).toBe(true);
          expect(mas.err).toBe(-EINVAL);
          const mas2 = MA_STATE(mt, first as number, last as number);
          expect(mas_store_gfp(mas2, "x", GFP_KERNEL)).toBe(-EINVAL);
          const mas3 = MA_STATE(mt, first as number, last as number);
          expect(mas_insert(mas3, "x")).toBe(null);
          expect(mas3.err).toBe(-EINVAL);
        }
      });
    });

    it(`${treeName}: an undefined entry is -EINVAL`, () => {
      const mt = make();
      expectUnchanged(mt, () => {
        expect(mtree_store_range(mt, 3, 7, undefined)).toBe(-EINVAL);
        expect(mtree_store(mt, 0, undefined)).toBe(-EINVAL);
        expect(mtree_insert(mt, 12345, undefined)).toBe(-EINVAL);
        const mas = MA_STATE(mt, 3, 7);
        expect(mas_store(mas, undefined)).toBe(null);
        expect(mas.err).toBe(-EINVAL);
        expect(mas_preallocate(MA_STATE(mt, 3, 7), undefined, GFP_KERNEL)).toBe(-EINVAL);
      });
    });

    it(`${treeName}: mtree_erase / mas_erase of a bad index`, () => {
      const mt = make();
      expectUnchanged(mt, () => {
        expect(mtree_erase(mt, -1)).toBe(null);
        expect(mtree_erase(mt, Number.NaN)).toBe(null);
        const mas = MA_STATE(mt, 0.5, 0.5);
        expect(mas_erase(mas)).toBe(null);
        expect(mas.err).toBe(-EINVAL);
      });
    });
  }
});

describe("-EEXIST: inserts into occupied ranges", () => {
  it("mtree_insert_range fails over any occupied index and changes nothing", () => {
    const mt = sequentialTree(100);
    expectUnchanged(mt, () => {
      expect(mtree_insert(mt, 20, "x")).toBe(-EEXIST);
      expect(mtree_insert_range(mt, 16, 20, "x")).toBe(-EEXIST);
      expect(mtree_insert_range(mt, 6, 10, "x")).toBe(-EEXIST);
    });
    expect(mtree_insert_range(mt, 16, 19, "x")).toBe(0);
    mt_validate(mt);
  });

  it("mas_insert returns the entry found at index, or null when the clash is further right", () => {
    const mt = sequentialTree(10);
    const mas = MA_STATE(mt, 22, 23);
    expect(mas_insert(mas, "x")).toBe(2);
    expect(mas.err).toBe(-EEXIST);
    const mas2 = MA_STATE(mt, 27, 31);
    expect(mas_insert(mas2, "x")).toBe(null);
    expect(mas2.err).toBe(-EEXIST);
  });

  it("a direct root entry blocks an insert at 0 only", () => {
    const mt = DEFINE_MTREE();
    expect(mtree_insert(mt, 0, "r")).toBe(0);
    expect(mtree_insert(mt, 0, "s")).toBe(-EEXIST);
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_insert(mas, "s")).toBe("r");
    expect(mtree_insert(mt, 1, "s")).toBe(0);
    mt_validate(mt);
  });

  it("XA_ZERO_ENTRY is a real entry for writers: stored, and it makes inserts fail", () => {
    const mt = DEFINE_MTREE();
    expect(mtree_store_range(mt, 0x2000, MAX_INDEX, XA_ZERO_ENTRY)).toBe(0);
    expect(mtree_insert(mt, 0x3000, "x")).toBe(-EEXIST);
    expect(mtree_insert(mt, 5, XA_ZERO_ENTRY)).toBe(0);
    expect(mtree_insert(mt, 5, "x")).toBe(-EEXIST);
    mt_validate(mt);
  });
});

describe("-ENOMEM: a store that cannot get its nodes changes nothing", () => {
  it.each([
    ["normal tree", 0],
    ["allocation tree", MT_FLAGS_ALLOC_RANGE],
    ["RCU mode", MT_FLAGS_USE_RCU],
  ])("%s: filling a small arena, each failing store leaves the tree as it was", (_name, flags) => {
    for (const capacity of [1, 2, 3, 5, 8, 13, 21]) {
      const mt = DEFINE_MTREE(flags as number, { capacity });
      const model = new RangeModel();
      const rand = rng(capacity);
      let failures = 0;
      for (let i = 0; i < 400; i++) {
        const first = Math.floor(rand() * 5000);
        const last = first + Math.floor(rand() * 30);
        const v = { i };
        const before = mt_dump(mt);
        const ret = mtree_store_range(mt, first, last, v);
        if (ret === -ENOMEM) {
          failures++;
          expect(mt_dump(mt)).toBe(before);
        } else {
          expect(ret).toBe(0);
          model.store(first, last, v);
        }
        expect(mt.arena.live).toBeLessThanOrEqual(capacity);
        mt_validate(mt);
        expectSameContents(mt, model, `capacity ${capacity} store ${i}`);
      }
      expect(failures).toBeGreaterThan(0);
    }
  });

  it("erase and insert report -ENOMEM too and change nothing", () => {
    const mt = sequentialTree(300, 10, 5, 0, { capacity: 1000 });
    mt.arena.capacity = mt.arena.live;
    const model = new RangeModel();
    for (let i = 0; i < 300; i++) model.store(i * 10, i * 10 + 5, i);
    let erased = 0;
    let failed = 0;
    for (let i = 0; i < 300; i += 1) {
      const before = mt_dump(mt);
      const mas = MA_STATE(mt, i * 10, i * 10);
      const r = mas_erase(mas);
      if (r === null) {
        failed++;
        expect(mt_dump(mt)).toBe(before);
      } else {
        erased++;
        expect(r).toBe(model.erase(i * 10));
      }
      mt_validate(mt);
    }
    expectSameContents(mt, model, "erase at capacity");
    expect(erased).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    const before = mt_dump(mt);
    mt.arena.capacity = mt.arena.live;
    const ret = mtree_insert_range(mt, 1_000_000, 1_000_005, "x");
    if (ret !== 0) {
      expect(ret).toBe(-ENOMEM);
      expect(mt_dump(mt)).toBe(before);
    }
  });

  it("mas_nomem protocol: GFP_NOWAIT fails under mt_set_non_kernel(0); GFP_KERNEL retry succeeds", () => {
    const mt = sequentialTree(100);
    mt_set_non_kernel(0);
    const before = mt_dump(mt);
    const mas = MA_STATE(mt, 501, 903); // spans leaves: needs nodes
    expect(mas_store(mas, "x")).toBe(null);
    expect(mas.status).toBe("error");
    expect(mas.err).toBe(-ENOMEM);
    expect(mt_dump(mt)).toBe(before);
    expect(mas_nomem(mas, GFP_NOWAIT)).toBe(false);
    expect(mas_nomem(mas, GFP_ATOMIC)).toBe(false);
    expect(mas.status).toBe("error");
    expect(mas_nomem(mas, GFP_KERNEL)).toBe(true);
    expect(mas.status).toBe("start");
    expect(mas_store(mas, "x")).toBe(50);
    expect(mas.status).toBe("active");
    mas_destroy(mas);
    mt_validate(mt);
    // A state not in -ENOMEM has nothing to retry.
    expect(mas_nomem(mas, GFP_KERNEL)).toBe(false);
  });

  it("mt_set_non_kernel(n) serves n nodes to non-GFP_KERNEL writes, then fails them", () => {
    const mt = DEFINE_MTREE();
    mt_set_non_kernel(1);
    const mas = MA_STATE(mt, 5, 6);
    expect(mas_store(mas, "a")).toBe(null);
    expect(mas.status).toBe("active");
    const mas2 = MA_STATE(mt, 8, 9);
    // A slot store into the single leaf needs no node.
    mas_store(mas2, "b");
    expect(mas2.status).toBe("active");
    // Enough entries to need a split: fails once the budget is spent.
    let failed = false;
    for (let i = 0; i < 20 && !failed; i++) {
      const m = MA_STATE(mt, 100 + i * 10, 100 + i * 10 + 3);
      mas_store(m, i);
      failed = m.status === "error";
    }
    expect(failed).toBe(true);
    // mtree_* writes use GFP_KERNEL through mas_nomem and succeed.
    expect(mtree_store_range(mt, 1000, 1003, "k")).toBe(0);
    mt_validate(mt);
  });

  it("exact fits need no node and succeed with an exhausted arena and budget", () => {
    const mt = sequentialTree(100, 10, 5, 0, { capacity: 1000 });
    mt.arena.capacity = mt.arena.live;
    mt_set_non_kernel(0);
    const mas = MA_STATE(mt, 30, 35);
    expect(mas_store(mas, "new")).toBe(3);
    expect(mas.status).toBe("active");
    mt_validate(mt);
  });

  it("mas_store_gfp returns -ENOMEM when the arena is full, 0 once it has room", () => {
    const mt = sequentialTree(200, 10, 5, 0, { capacity: 1000 });
    mt.arena.capacity = mt.arena.live;
    const before = mt_dump(mt);
    const mas = MA_STATE(mt, 0, 1995);
    // A spanning store reserves the worst case, which does not fit.
    expect(mas_store_gfp(mas, "span", GFP_KERNEL)).toBe(-ENOMEM);
    expect(mt_dump(mt)).toBe(before);
    mt.arena.capacity = 1000;
    const mas2 = MA_STATE(mt, 0, 1995);
    expect(mas_store_gfp(mas2, "span", GFP_KERNEL)).toBe(0);
    expect(mas2.reserved).toBe(0);
    mt_validate(mt);
  });
});

describe("preallocation", () => {
  it("mas_preallocate reserves, sets MA_STATE_PREALLOC, and mas_store_prealloc stores then destroys", () => {
    const mt = sequentialTree(500);
    const mas = MA_STATE(mt, 1003, 2997);
    expect(mas_preallocate(mas, "p", GFP_KERNEL)).toBe(0);
    expect(mas.flags & MA_STATE_PREALLOC).toBe(MA_STATE_PREALLOC);
    expect(mas.reserved).toBeGreaterThan(0);
    mt_set_non_kernel(0);
    mas_store_prealloc(mas, "p");
    expect(mas.flags & MA_STATE_PREALLOC).toBe(0);
    expect(mas.reserved).toBe(0);
    expect(mas.status).toBe("active");
    mt_validate(mt);
  });

  it("a failed mas_preallocate resets the state and holds nothing", () => {
    const mt = sequentialTree(500, 10, 5, 0, { capacity: 1000 });
    mt.arena.capacity = mt.arena.live;
    const mas = MA_STATE(mt, 1003, 2997);
    expect(mas_preallocate(mas, "p", GFP_KERNEL)).toBe(-ENOMEM);
    expect(mas.status).toBe("start");
    expect(mas.reserved).toBe(0);
    expect(mas.flags & MA_STATE_PREALLOC).toBe(0);
  });

  it("an exact fit needs no preallocated node", () => {
    const mt = sequentialTree(50);
    const mas = MA_STATE(mt, 100, 105);
    expect(mas_preallocate(mas, "p", GFP_KERNEL)).toBe(0);
    expect(mas.reserved).toBe(0);
    mas_store_prealloc(mas, "p");
    mt_validate(mt);
  });
});
