// mas_empty_area / mas_empty_area_rev answer exactly what a model computes from the sorted ranges:
// the lowest and highest window of `size` empty indices in [min, max], on allocation trees built
// bottom-up (test/support/build.ts) and on trees built by random stores and erases, plus the
// sparse cases (empty tree, direct root), the argument errors and where the state ends up.
// SEED replays the random parts; STRESS=1 runs more.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  EBUSY,
  EINVAL,
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_empty_area,
  mas_empty_area_rev,
  mas_reset,
  mas_walk,
  mt_validate,
  mtree_erase,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { buildTree, Rng, randomEntries, randomFill } from "./support/build.js";
import { modelHighest, modelLowest, type Occupied } from "./support/gap-model.js";
import { RangeModel, treeEntries } from "./support/write-model.js";

const STRESS = process.env.STRESS === "1";
const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) >>> 0 : 0x6a9;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** The state after a successful search in a node tree sits where a walk to its index (mas_walk) would. */
function checkPositioned(mas: MaState): void {
  check(mas.status === "active", `status ${mas.status}`);
  const probe = MA_STATE(mas.tree, mas.index, mas.index);
  const h = mas_walk(probe);
  check(h === null, `window at ${mas.index} is not in a NULL slot`);
  check(
    probe.node === mas.node &&
      probe.min === mas.min &&
      probe.max === mas.max &&
      probe.offset === mas.offset &&
      probe.end === mas.end &&
      probe.depth === mas.depth,
    `state at node ${mas.node} off ${mas.offset} depth ${mas.depth}, descent finds node ${probe.node} off ${probe.offset} depth ${probe.depth}`,
  );
}

/** Runs one query both ways and compares with the model. */
function query(
  mt: MapleTreeCore,
  occupied: readonly Occupied[],
  min: number,
  max: number,
  size: number,
  where: string,
): void {
  for (const rev of [false, true]) {
    const mas = MA_STATE(mt, 0, 0);
    const ret = rev ? mas_empty_area_rev(mas, min, max, size) : mas_empty_area(mas, min, max, size);
    const want = rev
      ? modelHighest(occupied, min, max, size)
      : modelLowest(occupied, min, max, size);
    const dir = rev ? "rev" : "fwd";
    const q = `${where}: ${dir} [${min}, ${max}] size ${size}`;
    if (want < 0) {
      check(ret === -EBUSY, `${q}: got ${ret} [${mas.index}, ${mas.last}], model: no window`);
      check(mas.status === "error" || mt.rootNode === 0, `${q}: EBUSY status ${mas.status}`);
    } else {
      check(ret === 0, `${q}: returned ${ret}, model window at ${want}`);
      check(
        mas.index === want && mas.last === want + size - 1,
        `${q}: window [${mas.index}, ${mas.last}], model [${want}, ${want + size - 1}]`,
      );
      if (mt.rootNode !== 0) checkPositioned(mas);
    }
  }
}

/** A batch of queries drawn around the tree's contents. */
function queries(
  mt: MapleTreeCore,
  occupied: readonly Occupied[],
  rng: Rng,
  span: number,
  count: number,
  where: string,
): void {
  for (let q = 0; q < count; q++) {
    const min = rng.chance(0.1) ? 0 : rng.int(0, span);
    const max = rng.chance(0.2) ? MAX_INDEX : min + rng.int(0, span);
    const room = max - min + 1;
    const big = Math.min(room, 2 ** 31);
    const size = rng.chance(0.7) ? rng.int(1, Math.min(big, 64)) : rng.int(1, Math.min(big, 5000));
    query(mt, occupied, min, max, size, `${where} q${q}`);
  }
}

describe("gap search on a tree without nodes", () => {
  it("an empty tree answers [min, min+size-1] forwards and [max-size+1, max] backwards", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_empty_area(mas, 5, 100, 10)).toBe(0);
    expect([mas.index, mas.last, mas.status]).toEqual([5, 14, "none"]);
    expect(mas_empty_area_rev(mas, 5, 100, 10)).toBe(0);
    expect([mas.index, mas.last, mas.status]).toEqual([91, 100, "none"]);
  });

  it("a direct root entry takes index 0: min 0 becomes 1, -EBUSY if the window no longer fits", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    expect(mtree_store_range(mt, 0, 0, "root")).toBe(0);
    expect(mt.rootNode).toBe(0);
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_empty_area(mas, 0, 100, 10)).toBe(0);
    expect([mas.index, mas.last, mas.status]).toEqual([1, 10, "root"]);
    expect(mas_empty_area(mas, 0, 9, 10)).toBe(-EBUSY);
    expect(mas_empty_area(mas, 0, 10, 10)).toBe(0);
    expect([mas.index, mas.last]).toEqual([1, 10]);
    expect(mas_empty_area_rev(mas, 0, 100, 10)).toBe(0);
    expect([mas.index, mas.last]).toEqual([91, 100]);
    expect(mas_empty_area(mas, 0, 0, 1)).toBe(-EBUSY);
  });
});

describe("gap search rejects bad arguments and changes nothing", () => {
  const cases: [string, number, number, number][] = [
    ["min > max", 10, 5, 1],
    ["size 0", 0, 100, 0],
    ["window wider than [min, max]", 0, 9, 11],
    ["negative min", -1, 100, 1],
    ["fractional size", 0, 100, 1.5],
    ["NaN max", 0, Number.NaN, 1],
    ["max beyond MAX_INDEX", 0, MAX_INDEX + 2, 1],
  ];
  for (const [name, min, max, size] of cases) {
    it(`${name}: -EINVAL, the state untouched`, () => {
      const mt = buildTree([{ first: 3, last: 7, value: "a" }], { flags: MT_FLAGS_ALLOC_RANGE });
      for (const fn of [mas_empty_area, mas_empty_area_rev]) {
        const mas = MA_STATE(mt, 42, 43);
        expect(fn(mas, min, max, size)).toBe(-EINVAL);
        expect([mas.index, mas.last, mas.status, mas.node]).toEqual([42, 43, "start", 0]);
      }
      mt_validate(mt);
    });
  }
});

describe("gap search in a small tree, by hand", () => {
  // [10,19] [30,39] [45,45] occupied; gaps [0,9] [20,29] [40,44] [46,MAX].
  const mt = buildTree(
    [
      { first: 10, last: 19, value: "a" },
      { first: 30, last: 39, value: XA_ZERO_ENTRY },
      { first: 45, last: 45, value: "c" },
    ],
    { flags: MT_FLAGS_ALLOC_RANGE, forceNodes: true },
  );
  const table: [number, number, number, number, number][] = [
    // min, max, size, lowest, highest (-1 = -EBUSY)
    [0, MAX_INDEX, 10, 0, MAX_INDEX - 9],
    [0, 44, 10, 0, 20],
    [1, 44, 10, 20, 20],
    [0, 44, 11, -1, -1],
    [40, 44, 5, 40, 40],
    [41, 45, 5, -1, -1],
    [30, 39, 1, -1, -1], // XA_ZERO_ENTRY occupies its range for gap search
    [15, 25, 3, 20, 23],
    [0, 100, 60, -1, -1],
    [0, 105, 60, 46, 46],
  ];
  for (const [min, max, size, lo, hi] of table) {
    it(`[${min}, ${max}] size ${size}: lowest ${lo}, highest ${hi}`, () => {
      const a = MA_STATE(mt, 0, 0);
      expect(mas_empty_area(a, min, max, size)).toBe(lo < 0 ? -EBUSY : 0);
      if (lo >= 0) expect([a.index, a.last]).toEqual([lo, lo + size - 1]);
      else expect(a.status).toBe("error");
      const b = MA_STATE(mt, 0, 0);
      expect(mas_empty_area_rev(b, min, max, size)).toBe(hi < 0 ? -EBUSY : 0);
      if (hi >= 0) expect([b.index, b.last]).toEqual([hi, hi + size - 1]);
    });
  }
});

describe("gap search matches the model on bottom-up allocation trees of every height", () => {
  const counts = STRESS
    ? [1, 5, 16, 60, 300, 2000, 20000, 100000]
    : [1, 5, 16, 60, 300, 2000, 20000];
  for (const n of counts) {
    it(`${n} entries, random fill (SEED=${SEED})`, () => {
      const rng = new Rng(SEED + n);
      const entries = randomEntries(rng, n, n * 50, 0.3);
      // Not validated: the builder may leave a node below minimum occupancy, which gap search
      // does not care about; its gaps are exact (build.ts).
      const mt = buildTree(entries, { flags: MT_FLAGS_ALLOC_RANGE, fill: randomFill(rng) });
      queries(mt, entries, rng, n * 50 + 100, STRESS ? 3000 : 400, `n ${n} seed ${SEED}`);
    });
  }
});

interface Config {
  name: string;
  flags: number;
  ops: number;
  space: number;
  maxLen: number;
}

function randomWrites(cfg: Config, seed: number): void {
  const rng = new Rng(seed);
  const mt = DEFINE_MTREE(cfg.flags);
  const model = new RangeModel();
  let v = 0;
  for (let op = 0; op < cfg.ops; op++) {
    const where = `${cfg.name} seed ${seed} op ${op}`;
    try {
      const first = rng.int(0, cfg.space);
      const last = first + rng.int(0, rng.chance(0.9) ? cfg.maxLen : cfg.maxLen * 20);
      const r = rng.next();
      if (r < 0.45) {
        const value = rng.chance(0.03) ? XA_ZERO_ENTRY : { v: v++ };
        check(mtree_store_range(mt, first, last, value) === 0, "store failed");
        model.store(first, last, value);
      } else if (r < 0.75) {
        check(mtree_store_range(mt, first, last, null) === 0, "NULL store failed");
        model.store(first, last, null);
      } else {
        mtree_erase(mt, first);
        model.erase(first);
      }
      if (op % 5 === 0) {
        mt_validate(mt);
        queries(mt, model.ranges, rng, cfg.space + cfg.maxLen * 20, 6, where);
      }
    } catch (e) {
      throw new Error(`${where} (SEED=${seed} replays): ${(e as Error).message}`);
    }
  }
  // The tree itself agrees with the model: the queries above compared against the right thing.
  expect(treeEntries(mt).length).toBe(model.ranges.length);
}

describe("gap search matches the model after random stores and erases", () => {
  const configs: Config[] = [
    { name: "alloc tree", flags: MT_FLAGS_ALLOC_RANGE, ops: 12_000, space: 30_000, maxLen: 40 },
    { name: "alloc tree, dense", flags: MT_FLAGS_ALLOC_RANGE, ops: 8_000, space: 800, maxLen: 6 },
    {
      name: "alloc tree in RCU mode",
      flags: MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU,
      ops: 6_000,
      space: 5_000,
      maxLen: 20,
    },
    {
      name: "plain tree (no gap words: O(n) search)",
      flags: 0,
      ops: 3_000,
      space: 3_000,
      maxLen: 20,
    },
  ];
  for (const cfg of configs) {
    const ops = STRESS ? cfg.ops * 10 : cfg.ops;
    it(`${cfg.name}: ${ops} writes (SEED=${SEED})`, () => {
      randomWrites({ ...cfg, ops }, SEED + cfg.flags * 7 + cfg.space);
    });
  }
});

describe("gap search resumes from an active state, as the kernel's does", () => {
  function writtenTree(seed: number): [MapleTreeCore, RangeModel] {
    const rng = new Rng(seed);
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const model = new RangeModel();
    for (let i = 0; i < 3000; i++) {
      const first = rng.int(0, 60_000);
      const last = first + rng.int(0, 40);
      const v = rng.chance(0.7) ? { i } : null;
      mtree_store_range(mt, first, last, v);
      model.store(first, last, v);
    }
    return [mt, model];
  }

  it(`repeated mas_empty_area_rev without a reset visits the windows downwards (SEED=${SEED})`, () => {
    const [mt, model] = writtenTree(SEED);
    const rng = new Rng(SEED + 1);
    for (let round = 0; round < 20; round++) {
      const size = rng.int(1, 60);
      const min = rng.int(0, 20_000);
      const max = min + rng.int(size, 50_000);
      const mas = MA_STATE(mt, 0, 0);
      let bound = max;
      let steps = 0;
      for (;;) {
        const want = bound - min < size - 1 ? -1 : modelHighest(model.ranges, min, bound, size);
        const ret = mas_empty_area_rev(mas, min, max, size);
        const where = `round ${round} step ${steps} [${min}, ${max}] size ${size} (SEED=${SEED})`;
        if (want < 0) {
          expect(ret, where).toBe(-EBUSY);
          break;
        }
        expect(ret, where).toBe(0);
        expect(mas.index, where).toBe(want);
        // The next call looks below the gap holding this window.
        const gap = model.ranges.filter((r) => r.last < mas.index).at(-1);
        bound = gap === undefined ? -1 : gap.last;
        steps++;
      }
    }
  });

  it(`mas_empty_area without a reset restarts at slot offset-2 of the leaf, or after it (SEED=${SEED})`, () => {
    const [mt, model] = writtenTree(SEED + 2);
    const rng = new Rng(SEED + 3);
    for (let round = 0; round < 40; round++) {
      const size = rng.int(1, 30);
      const min = rng.int(0, 50_000);
      const max = rng.chance(0.5) ? MAX_INDEX : min + rng.int(size, 20_000);
      const mas = MA_STATE(mt, 0, 0);
      let lo = min;
      for (let step = 0; step < 4; step++) {
        const want = modelLowest(model.ranges, lo, max, size);
        const ret = mas_empty_area(mas, min, max, size);
        const where = `round ${round} step ${step} (SEED=${SEED})`;
        if (want < 0) {
          expect(ret, where).toBe(-EBUSY);
          break;
        }
        expect(ret, where).toBe(0);
        expect(mas.index, where).toBe(want);
        const pivots = mt.arena.pivots;
        const from =
          mas.offset >= 2
            ? mas.offset - 2 > 0
              ? (pivots[mas.node * 16 + mas.offset - 3] as number) + 1
              : mas.min
            : mas.max + 1;
        lo = Math.max(min, from);
      }
    }
  });

  it("a reset (or mas_set) makes the next search a fresh one", () => {
    const [mt, model] = writtenTree(SEED + 4);
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_empty_area_rev(mas, 0, 50_000, 3)).toBe(0);
    const first = mas.index;
    expect(mas_empty_area_rev(mas, 0, 50_000, 3)).toBe(0);
    expect(mas.index).toBeLessThan(first);
    mas_reset(mas);
    expect(mas_empty_area_rev(mas, 0, 50_000, 3)).toBe(0);
    expect(mas.index).toBe(first);
    expect(first).toBe(modelHighest(model.ranges, 0, 50_000, 3));
  });
});
