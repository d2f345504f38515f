// __mt_dup / mtree_dup copy a tree node for node: same shape, pivots, gaps, height and values,
// each tree with nodes and entry handles of its own, so that writing to either afterwards never
// shows in the other (the bug class that corrupted sorted-btree clones). Error cases leave the
// target exactly as it was. Modelled on the kernel's check_mtree_dup and check_forking
// (docs/spec/maple-tree.md §6.2, §7.1, §7.2). SEED replays the random parts; STRESS=1 runs more.

import { MAX_INDEX, MapleTree, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  __mt_dup,
  DEFINE_MTREE,
  EINVAL,
  ENOMEM,
  GFP_KERNEL,
  GFP_NOWAIT,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_USE_RCU,
  mas_destroy,
  mas_for_each,
  mas_store,
  mt_set_non_kernel,
  mt_validate,
  mtree_dup,
  mtree_erase,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { buildTree, Rng, randomEntries, randomFill } from "./support/build.js";
import { compareTrees } from "./support/compare-tree.js";
import { validateTree } from "./support/debug.js";
import { expectSameContents, RangeModel, treeRanges } from "./support/write-model.js";
import { QueueReclaimer, sequentialTree } from "./support/write-tree.js";

const STRESS = process.env.STRESS === "1";
const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) >>> 0 : 0xd0b;

afterEach(() => mt_set_non_kernel(Number.POSITIVE_INFINITY));

/** A tree grown by random stores and erases (so its shape is the write side's), with its model. */
function randomTree(
  flags: number,
  ops: number,
  space: number,
  rng: Rng,
): [MapleTreeCore, RangeModel] {
  const mt = DEFINE_MTREE(flags);
  const model = new RangeModel();
  for (let op = 0; op < ops; op++) {
    const first = rng.int(0, space);
    const last = first + rng.int(0, 30);
    const r = rng.next();
    if (r < 0.7) {
      const v = rng.chance(0.03) ? XA_ZERO_ENTRY : { op };
      mtree_store_range(mt, first, last, v);
      model.store(first, last, v);
    } else if (r < 0.85) {
      mtree_store_range(mt, first, last, null);
      model.store(first, last, null);
    } else {
      mtree_erase(mt, first);
      model.erase(first);
    }
  }
  return [mt, model];
}

function cloneModel(m: RangeModel): RangeModel {
  const c = new RangeModel();
  c.ranges = m.ranges.map((r) => ({ ...r }));
  return c;
}

describe("__mt_dup refuses a mismatched or non-empty target and changes nothing", () => {
  const src = sequentialTree(100, 10, 5, MT_FLAGS_ALLOC_RANGE);
  const cases: [string, () => MapleTreeCore][] = [
    ["flags differ (plain target)", () => DEFINE_MTREE(0)],
    ["flags differ (RCU target)", () => DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU)],
    [
      "target holds a direct root entry",
      () => {
        const t = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
        mtree_store_range(t, 0, 0, "x");
        return t;
      },
    ],
    ["target holds nodes", () => sequentialTree(3, 10, 5, MT_FLAGS_ALLOC_RANGE)],
  ];
  for (const [name, make] of cases) {
    it(`${name}: -EINVAL`, () => {
      const target = make();
      const before = treeRanges(target);
      const live = target.arena.live;
      const flags = target.flags;
      expect(__mt_dup(src, target)).toBe(-EINVAL);
      expect(mtree_dup(src, target)).toBe(-EINVAL);
      expect(treeRanges(target)).toEqual(before);
      expect([target.arena.live, target.flags]).toEqual([live, flags]);
      mt_validate(target);
    });
  }
  it("a tree cannot be duplicated into itself", () => {
    const empty = DEFINE_MTREE(0);
    expect(__mt_dup(empty, empty)).toBe(-EINVAL);
  });
});

describe("__mt_dup out of node memory leaves the target empty", () => {
  it("-ENOMEM when the target's capacity is one node short; exact capacity works", () => {
    const src = sequentialTree(2000, 10, 5, MT_FLAGS_ALLOC_RANGE);
    const need = src.arena.live;
    const small = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE, { capacity: need - 1 });
    expect(__mt_dup(src, small)).toBe(-ENOMEM);
    expect([small.rootNode, small.rootEntry, small.height, small.arena.live]).toEqual([
      0,
      null,
      0,
      0,
    ]);
    expect(small.entries.size).toBe(0);
    mt_validate(small);
    const exact = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE, { capacity: need });
    expect(__mt_dup(src, exact)).toBe(0);
    mt_validate(exact);
    expect(compareTrees(src, exact)).toBe(need);
  });

  it("-ENOMEM at every capacity below the node count, on trees of several heights (SEED)", () => {
    const rng = new Rng(SEED);
    for (const n of [20, 300, 5000]) {
      for (const flags of [0, MT_FLAGS_ALLOC_RANGE]) {
        const [src] = randomTree(flags, n, n * 10, rng);
        const need = src.arena.live;
        for (let k = 0; k < 5; k++) {
          const cap = rng.int(0, need - 1);
          const t = DEFINE_MTREE(flags, { capacity: cap });
          expect(__mt_dup(src, t)).toBe(-ENOMEM);
          expect([t.rootNode, t.height, t.arena.live, t.entries.size]).toEqual([0, 0, 0, 0]);
          mt_validate(t);
        }
        const t = DEFINE_MTREE(flags, { capacity: need });
        expect(__mt_dup(src, t)).toBe(0);
        expect(compareTrees(src, t)).toBe(need);
      }
    }
  });

  it("-ENOMEM when a non-GFP_KERNEL copy exceeds the mt_set_non_kernel budget", () => {
    const src = sequentialTree(500, 10, 5, 0);
    const need = src.arena.live;
    const t = DEFINE_MTREE(0);
    mt_set_non_kernel(need - 1);
    expect(__mt_dup(src, t, GFP_NOWAIT)).toBe(-ENOMEM);
    expect([t.rootNode, t.arena.live, t.entries.size]).toEqual([0, 0, 0]);
    expect(__mt_dup(src, t, GFP_KERNEL)).toBe(0);
    mt_validate(t);
    compareTrees(src, t);
  });
});

describe("__mt_dup of trees without nodes", () => {
  it("an empty tree copies to an empty tree", () => {
    const a = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const b = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    expect(__mt_dup(a, b)).toBe(0);
    expect([b.rootNode, b.rootEntry, b.flags]).toEqual([0, null, a.flags]);
  });
  it("a direct root entry is copied as is", () => {
    const a = DEFINE_MTREE(0);
    const v = { x: 1 };
    mtree_store_range(a, 0, 0, v);
    const b = DEFINE_MTREE(0);
    expect(mtree_dup(a, b)).toBe(0);
    expect(b.rootEntry).toBe(v);
    mtree_store_range(b, 0, 0, "other");
    expect(a.rootEntry).toBe(v);
  });
});

describe("__mt_dup copies node for node", () => {
  // Kernel check_mtree_dup: full trees of height 1-3, then random trees, both kinds of tree.
  for (const flags of [0, MT_FLAGS_ALLOC_RANGE]) {
    const kind = flags === 0 ? "plain" : "allocation";
    // n touching entries from 0 plus the NULL tail: n + 1 ranges fill the leaves exactly.
    for (const [n, height] of [
      [15, 1],
      [16 * 8 - 1, 2],
      [flags === 0 ? 16 * 16 * 4 - 1 : 16 * 10 * 4 - 1, 3],
    ] as const) {
      it(`full ${kind} tree of height ${height}`, () => {
        const entries = Array.from({ length: n }, (_, i) => ({ first: i, last: i, value: i + 1 }));
        const src = buildTree(entries, { flags, forceNodes: true });
        expect(src.height).toBe(height);
        const dst = DEFINE_MTREE(flags);
        expect(__mt_dup(src, dst)).toBe(0);
        expect(compareTrees(src, dst)).toBe(src.arena.live);
        expect(dst.arena.live).toBe(src.arena.live);
        expect(dst.entries.size).toBe(src.entries.size);
      });
    }
    for (const n of STRESS ? [10, 100, 1000, 10000, 100000] : [10, 100, 1000, 10000]) {
      it(`random ${kind} tree built bottom-up, ${n} entries (SEED=${SEED})`, () => {
        const rng = new Rng(SEED + n);
        const src = buildTree(randomEntries(rng, n, n * 40), { flags, fill: randomFill(rng) });
        const dst = DEFINE_MTREE(flags);
        expect(__mt_dup(src, dst)).toBe(0);
        expect(compareTrees(src, dst)).toBe(src.arena.live);
      });
    }
  }
});

describe("__mt_dup copies correctly whichever copy path applies", () => {
  // Whole-arena copy (no free node) or node by node; entry table copied whole (no free handle)
  // or words made anew; integer values ride inline in the slot words (no handle at all).
  const scenarios: [string, (i: number) => unknown, boolean][] = [
    ["integers, append-only", (i) => i, false],
    ["integers, after erases", (i) => i, true],
    ["objects, append-only", (i) => ({ i }), false],
    ["objects, after erases", (i) => ({ i }), true],
    ["big integers (handles), after erases", (i) => 2 ** 40 + i, true],
  ];
  for (const [name, value, erase] of scenarios) {
    for (const flags of [0, MT_FLAGS_ALLOC_RANGE]) {
      it(`${name}, flags ${flags}`, () => {
        const src = DEFINE_MTREE(flags);
        const model = new RangeModel();
        for (let i = 0; i < 3000; i++) {
          const v = value(i);
          mtree_store_range(src, i * 4, i * 4 + 2, v);
          model.store(i * 4, i * 4 + 2, v);
        }
        if (erase) {
          for (let i = 0; i < 3000; i += 3) {
            mtree_erase(src, i * 4);
            model.erase(i * 4);
          }
          mtree_store_range(src, 100, 5000, null);
          model.store(100, 5000, null);
        }
        const dst = DEFINE_MTREE(flags);
        expect(__mt_dup(src, dst)).toBe(0);
        mt_validate(dst);
        expect(compareTrees(src, dst)).toBe(src.arena.live);
        expect(dst.entries.size).toBe(src.entries.size);
        const copyModel = cloneModel(model);
        mtree_store_range(dst, 0, 50, "copy");
        copyModel.store(0, 50, "copy");
        mtree_erase(src, 8000);
        model.erase(8000);
        mt_validate(src);
        mt_validate(dst);
        expectSameContents(src, model, "source");
        expectSameContents(dst, copyModel, "copy");
      });
    }
  }
});

describe("dup then mutate both: each tree stays independent", () => {
  const configs: [string, number, number, number][] = [
    ["plain", 0, 3000, 20000],
    ["allocation", MT_FLAGS_ALLOC_RANGE, 3000, 20000],
    ["allocation, small (height 1-2)", MT_FLAGS_ALLOC_RANGE, 40, 300],
    ["allocation in RCU mode", MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU, 2000, 8000],
  ];
  for (const [name, flags, build, space] of configs) {
    it(`${name} (SEED=${SEED})`, () => {
      const rounds = STRESS ? 40 : 6;
      for (let round = 0; round < rounds; round++) {
        const seed = SEED + round * 101 + flags;
        const rng = new Rng(seed);
        try {
          const [a, modelA] = randomTree(flags, rng.int(1, build), space, rng);
          const b = DEFINE_MTREE(flags);
          expect(__mt_dup(a, b)).toBe(0);
          mt_validate(a);
          mt_validate(b);
          compareTrees(a, b);
          const modelB = cloneModel(modelA);
          for (let op = 0; op < 400; op++) {
            const [t, m] = rng.chance(0.5) ? [a, modelA] : [b, modelB];
            const first = rng.int(0, space);
            const last = first + rng.int(0, 40);
            if (rng.chance(0.6)) {
              const v = { op };
              expect(mtree_store_range(t, first, last, v)).toBe(0);
              m.store(first, last, v);
            } else if (rng.chance(0.5)) {
              expect(mtree_store_range(t, first, last, null)).toBe(0);
              m.store(first, last, null);
            } else {
              expect(mtree_erase(t, first)).toBe(m.erase(first));
            }
            if (op % 50 === 0) {
              mt_validate(a);
              mt_validate(b);
            }
          }
          mt_validate(a);
          mt_validate(b);
          expectSameContents(a, modelA, "source");
          expectSameContents(b, modelB, "copy");
        } catch (e) {
          throw new Error(`round ${round} (SEED=${SEED}): ${(e as Error).message}`);
        }
      }
    });
  }
});

describe("__mt_dup in RCU mode copies only what readers can reach", () => {
  it("dead nodes waiting for a grace period are not copied", () => {
    const reclaimer = new QueueReclaimer();
    const flags = MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU;
    const src = sequentialTree(400, 10, 5, flags, { reclaimer });
    for (let i = 0; i < 400; i += 3) mtree_store_range(src, i * 10, i * 10 + 12, `r${i}`);
    expect(reclaimer.pending.length).toBeGreaterThan(0);
    const dst = DEFINE_MTREE(flags);
    expect(__mt_dup(src, dst)).toBe(0);
    const reachable = compareTrees(src, dst);
    expect(dst.arena.live).toBe(reachable);
    expect(src.arena.live).toBeGreaterThan(reachable);
    expect(dst.entries.size).toBe(treeRanges(src).filter((r) => r.value !== null).length);
    mt_validate(dst);
    reclaimer.flush();
    mt_validate(src);
    compareTrees(src, dst);
  });
});

describe("kernel check_forking: dup, then replace every entry in place", () => {
  it("135 ranges [10i, 10i+5] of an ALLOC|LOCK_EXTERN tree; no node allocated by the replace", () => {
    const flags = MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN;
    const src = DEFINE_MTREE(flags);
    for (let i = 0; i <= 134; i++) {
      const mas = MA_STATE(src, 10 * i, 10 * i + 5);
      expect(mas_store(mas, i)).toBe(null);
    }
    const dst = DEFINE_MTREE(flags);
    expect(__mt_dup(src, dst)).toBe(0);
    mt_validate(dst);
    const nodes = dst.arena.live;
    const mas = MA_STATE(dst, 0, 0);
    let n = 0;
    for (const e of mas_for_each(mas, MAX_INDEX)) {
      mas_store(mas, `child of ${String(e)}`);
      n++;
    }
    mas_destroy(mas);
    expect(n).toBe(135);
    expect(dst.arena.live).toBe(nodes);
    mt_validate(dst);
    mt_validate(src);
    for (let i = 0; i <= 134; i++) {
      expect(treeRanges(src).find((r) => r.first === 10 * i)?.value).toBe(i);
      expect(treeRanges(dst).find((r) => r.first === 10 * i)?.value).toBe(`child of ${i}`);
    }
  });
});

describe("MapleTree.dup()", () => {
  it("copies ranges, options and gap bookkeeping; later writes stay apart", () => {
    const t = new MapleTree<string>({ alloc: true, capacity: 5000 });
    for (let i = 0; i < 300; i++) t.setRange(i * 100, i * 100 + 49, `v${i}`);
    const c = t.dup();
    validateTree(c);
    expect([...c]).toEqual([...t]);
    expect(c.mt.isAlloc).toBe(true);
    expect(c.mt.arena.capacity).toBe(5000);
    expect(c.allocate(60, "new")).toBe(29950);
    expect(t.findGap(60)).toBe(29950);
    expect(c.findGap(60)).toBe(30010);
    c.delete(0);
    t.set(50, "fifty");
    expect(t.get(0)).toBe("v0");
    expect(c.get(50)).toBeUndefined();
    expect(c.get(0)).toBeUndefined();
    validateTree(t);
    validateTree(c);
  });

  it("dup(map) gives the copy map(value) for every range and leaves the source alone", () => {
    for (const build of ["bottom-up", "by writes"]) {
      const t = new MapleTree<{ n: number }>({ alloc: true });
      for (let i = 0; i < 500; i++) t.setRange(i * 10, i * 10 + 4, { n: i });
      if (build === "by writes") for (let i = 0; i < 500; i += 7) t.delete(i * 10);
      const before = [...t];
      const c = t.dup((v) => `child ${v.n}`);
      validateTree(c);
      expect([...c]).toEqual(before.map((r) => ({ ...r, value: `child ${r.value.n}` })));
      expect([...t]).toEqual(before);
      c.set(11, "x");
      expect(t.get(11)).toEqual({ n: 1 });
    }
    expect(() => new MapleTree<number>().dup(5 as unknown as (v: number) => number)).toThrow(
      /dup: map must be a function/,
    );
  });

  it("the kernel layer keeps XA_ZERO_ENTRY as is under a map", () => {
    const t = new MapleTree<number>({ alloc: true });
    t.set(1, 1).set(3, 3);
    mtree_store_range(t.mt, 5, 6, XA_ZERO_ENTRY);
    const c = t.dup((v) => v * 10);
    expect([...c].map((r) => r.value)).toEqual([10, 30]);
    expect(treeRanges(c.mt).find((r) => r.first === 5)?.value).toBe(XA_ZERO_ENTRY);
    validateTree(c);
  });

  it("an empty tree and an RCU-mode tree duplicate with their flags", () => {
    const t = new MapleTree<number>({ rcu: true });
    const e = t.dup();
    expect(e.size).toBe(0);
    expect(e.mt.inRcu).toBe(true);
    t.set(7, 7);
    expect(e.get(7)).toBeUndefined();
    const d = t.dup();
    expect(d.get(7)).toBe(7);
  });
});
