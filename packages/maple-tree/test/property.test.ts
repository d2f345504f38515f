// Property test of the whole tree: fast-check generates sequences mixing every write (stores,
// spanning stores, NULL stores, erases, inserts) with every read op of the advanced and normal
// APIs. After each step the tree is validated (mt_validate), its contents are compared with the
// write model (a sorted array of ranges), and each read is compared — entry, index, last, status —
// with the read model of the same contents. Failing runs shrink to a minimal op sequence and print
// fast-check's seed and path; SEED=<n> replays a seed.

import { MAX_INDEX, SharedMapleTree, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  ENOMEM,
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_erase,
  mas_find,
  mas_find_range,
  mas_find_range_rev,
  mas_find_rev,
  mas_next,
  mas_next_range,
  mas_pause,
  mas_prev,
  mas_prev_range,
  mas_reset,
  mas_store,
  mas_walk,
  mt_clear_in_rcu,
  mt_find,
  mt_in_rcu,
  mt_next,
  mt_prev,
  mt_set_in_rcu,
  mt_validate,
  mtree_erase,
  mtree_insert_range,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { partition } from "./support/build.js";
import { ReadModel } from "./support/read-model.js";
import { expectSameContents, RangeModel } from "./support/write-model.js";
import { QueueReclaimer } from "./support/write-tree.js";

const STRESS = process.env.STRESS === "1";
/** Operations in the default run: >= 100 000 (1 000 000 with STRESS=1). */
const TARGET_OPS = STRESS ? 1_000_000 : 100_000;
const OPS = { minLength: 1, maxLength: 800, size: "max" as const };

type ReadOp =
  | "walk"
  | "next"
  | "nextRange"
  | "prev"
  | "prevRange"
  | "find"
  | "findRange"
  | "findRev"
  | "findRangeRev"
  | "pause"
  | "reset";

type Op =
  | { kind: "store"; first: number; len: number; value: number | null }
  | { kind: "masStore"; first: number; len: number; value: number | null }
  | { kind: "insert"; first: number; len: number; value: number }
  | { kind: "erase"; at: number }
  | { kind: "masErase"; at: number }
  | { kind: "zero"; first: number; len: number }
  | { kind: "fill"; first: number; count: number; stride: number; value: number }
  | { kind: "squeeze"; first: number; len: number; value: number | null; slack: number }
  | { kind: "toggleRcu"; flush: boolean }
  | { kind: "load"; at: number }
  | { kind: "mtFind"; at: number; span: number }
  | { kind: "mtNextPrev"; at: number; span: number }
  | { kind: "reads"; at: number; steps: { op: ReadOp; limitDelta: number }[] };

// Mostly a small index window so ranges overlap, split and merge; sometimes the top of the space.
const index = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 4000 }) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_INDEX - 200, max: MAX_INDEX }) },
);
const length = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 13, max: 400 }) }, // spanning stores
  { weight: 1, arbitrary: fc.integer({ min: 401, max: 4000 }) }, // across many leaves and levels
);
const value = fc.integer({ min: 1, max: 1_000_000 });
const readOp = fc.constantFrom<ReadOp>(
  "walk",
  "next",
  "nextRange",
  "prev",
  "prevRange",
  "find",
  "findRange",
  "findRev",
  "findRangeRev",
  "pause",
  "reset",
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      first: index,
      len: length,
      value: fc.option(value, { freq: 4 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("masStore" as const),
      first: index,
      len: length,
      value: fc.option(value, { freq: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      first: index,
      len: length,
      value,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("erase" as const), at: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("masErase" as const), at: index }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("zero" as const), first: index, len: length }),
  },
  {
    // Many small ranges at once, so trees grow to several levels within one run.
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      first: fc.integer({ min: 0, max: 4000 }),
      count: fc.integer({ min: 10, max: 120 }),
      stride: fc.integer({ min: 1, max: 4 }),
      value,
    }),
  },
  {
    // A store at a random capacity limit: it succeeds, or fails with -ENOMEM changing nothing.
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("squeeze" as const),
      first: index,
      len: length,
      value: fc.option(value, { freq: 4 }),
      slack: fc.integer({ min: 0, max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("toggleRcu" as const), flush: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("load" as const), at: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("mtFind" as const),
      at: index,
      span: fc.integer({ min: 0, max: 5000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("mtNextPrev" as const),
      at: index,
      span: fc.integer({ min: 0, max: 5000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("reads" as const),
      at: index,
      steps: fc.array(
        fc.record({ op: readOp, limitDelta: fc.integer({ min: -3000, max: 3000 }) }),
        { minLength: 1, maxLength: 8 },
      ),
    }),
  },
);

/** The read model of the tree's current contents, in the tree's current root form. */
function readModelOf(mt: MapleTreeCore, model: RangeModel): ReadModel {
  if (model.ranges.length === 0) return new ReadModel("empty", []);
  if (mt.rootNode === 0)
    return new ReadModel("root", [], (model.ranges[0] as { value: unknown }).value);
  return new ReadModel("nodes", partition(model.ranges));
}

const clampIndex = (i: number): number => Math.min(MAX_INDEX, Math.max(0, i));

function fail(what: string, got: unknown, want: unknown): never {
  const fmt = (v: unknown) =>
    JSON.stringify(v, (_k, x) => (x === XA_ZERO_ENTRY ? "ZERO" : x === undefined ? "undef" : x));
  throw new Error(`${what}: tree ${fmt(got)}, model ${fmt(want)}`);
}

function compareState(
  what: string,
  mas: MaState,
  entry: unknown,
  rm: ReadModel,
  want: unknown,
): void {
  const got = { entry, index: mas.index, last: mas.last, status: mas.status };
  const exp = { entry: want, index: rm.index, last: rm.last, status: rm.status };
  if (
    got.entry !== exp.entry ||
    got.index !== exp.index ||
    got.last !== exp.last ||
    got.status !== exp.status
  ) {
    fail(what, got, exp);
  }
}

function readSequence(
  mt: MapleTreeCore,
  rm: ReadModel,
  at: number,
  steps: { op: ReadOp; limitDelta: number }[],
): void {
  const mas = MA_STATE(mt, at, at);
  rm.set(at);
  for (const { op: o, limitDelta } of steps) {
    const limit = clampIndex(
      (o.includes("rev") || o.includes("prev") || o.includes("Rev") ? mas.index : mas.last) +
        limitDelta,
    );
    let got: unknown;
    let want: unknown;
    switch (o) {
      case "walk":
        got = mas_walk(mas);
        want = rm.walk();
        break;
      case "next":
        got = mas_next(mas, limit);
        want = rm.next(limit);
        break;
      case "nextRange":
        got = mas_next_range(mas, limit);
        want = rm.nextRange(limit);
        break;
      case "prev":
        got = mas_prev(mas, limit);
        want = rm.prev(limit);
        break;
      case "prevRange":
        got = mas_prev_range(mas, limit);
        want = rm.prevRange(limit);
        break;
      case "find":
        got = mas_find(mas, limit);
        want = rm.find(limit);
        break;
      case "findRange":
        got = mas_find_range(mas, limit);
        want = rm.findRange(limit);
        break;
      case "findRev":
        got = mas_find_rev(mas, limit);
        want = rm.findRev(limit);
        break;
      case "findRangeRev":
        got = mas_find_range_rev(mas, limit);
        want = rm.findRangeRev(limit);
        break;
      case "pause":
        mas_pause(mas);
        rm.pause();
        continue;
      case "reset":
        mas_reset(mas);
        rm.reset();
        continue;
    }
    compareState(`${o}(${limit}) from index ${at}`, mas, got, rm, want);
  }
}

function step(
  mt: MapleTreeCore,
  model: RangeModel,
  reclaimer: QueueReclaimer,
  o: Op,
  n: number,
): void {
  // A shared tree holds integers and stays in RCU mode: no XA_ZERO_ENTRY, no mode switch.
  if (mt.shared !== null && (o.kind === "zero" || o.kind === "toggleRcu")) return;
  switch (o.kind) {
    case "store":
    case "masStore":
    case "zero": {
      const last = Math.min(MAX_INDEX, o.first + o.len - 1);
      const v = o.kind === "zero" ? XA_ZERO_ENTRY : o.value;
      if (o.kind === "masStore") {
        const mas = MA_STATE(mt, o.first, last);
        mas_store(mas, v);
        if (mas.status === "error") fail("mas_store status", mas.err, 0);
      } else if (mtree_store_range(mt, o.first, last, v) !== 0) {
        fail("mtree_store_range", "error", 0);
      }
      model.store(o.first, last, v);
      break;
    }
    case "fill": {
      for (let k = 0; k < o.count; k++) {
        const first = o.first + k * o.stride;
        if (mtree_store_range(mt, first, first, o.value + k) !== 0) fail("fill", "error", 0);
        model.store(first, first, o.value + k);
      }
      break;
    }
    case "squeeze": {
      const last = Math.min(MAX_INDEX, o.first + o.len - 1);
      const capacity = mt.arena.capacity;
      mt.arena.capacity = mt.arena.live + o.slack;
      const ret = mtree_store_range(mt, o.first, last, o.value);
      mt.arena.capacity = capacity;
      if (ret === 0) model.store(o.first, last, o.value);
      else if (ret === -ENOMEM) stats.nomem++;
      else if (ret !== -ENOMEM) fail(`squeezed store [${o.first}, ${last}]`, ret, "0 or -ENOMEM");
      break;
    }
    case "toggleRcu":
      if (mt_in_rcu(mt)) mt_clear_in_rcu(mt);
      else mt_set_in_rcu(mt);
      if (o.flush) reclaimer.flush();
      break;
    case "insert": {
      const last = Math.min(MAX_INDEX, o.first + o.len - 1);
      const ret = mtree_insert_range(mt, o.first, last, o.value);
      const want = model.isEmpty(o.first, last) ? 0 : -17;
      if (ret !== want) fail(`mtree_insert_range [${o.first}, ${last}]`, ret, want);
      if (ret === 0) model.store(o.first, last, o.value);
      break;
    }
    case "erase":
    case "masErase": {
      const want = model.erase(o.at);
      let got: unknown;
      if (o.kind === "erase") got = mtree_erase(mt, o.at);
      else got = mas_erase(MA_STATE(mt, o.at, o.at));
      if (
        got !== want &&
        !(o.kind === "erase" && want === XA_ZERO_ENTRY && got === XA_ZERO_ENTRY)
      ) {
        fail(`erase(${o.at})`, got, want);
      }
      break;
    }
    case "load": {
      const want = model.load(o.at);
      const got = mtree_load(mt, o.at);
      if (got !== (want === XA_ZERO_ENTRY ? null : want)) fail(`mtree_load(${o.at})`, got, want);
      return;
    }
    case "mtFind": {
      const rm = readModelOf(mt, model);
      const max = clampIndex(o.at + o.span);
      const ref = { value: o.at };
      const got = mt_find(mt, ref, max);
      const [want, next] = rm.mtFind(o.at, max);
      if (got !== want || (got !== null && ref.value !== next)) {
        fail(`mt_find(${o.at}, ${max})`, [got, ref.value], [want, next]);
      }
      return;
    }
    case "mtNextPrev": {
      const rm = readModelOf(mt, model);
      const max = clampIndex(o.at + o.span);
      const min = clampIndex(o.at - o.span);
      const wantNext = (() => {
        rm.set(o.at);
        const e = rm.next(max);
        return e === XA_ZERO_ENTRY ? "skip" : e;
      })();
      const wantPrev = (() => {
        rm.set(o.at);
        const e = rm.prev(min);
        return e === XA_ZERO_ENTRY ? "skip" : e;
      })();
      const gotNext = mt_next(mt, o.at, max);
      const gotPrev = mt_prev(mt, o.at, min);
      if (wantNext !== "skip" && gotNext !== wantNext)
        fail(`mt_next(${o.at}, ${max})`, gotNext, wantNext);
      if (wantPrev !== "skip" && gotPrev !== wantPrev)
        fail(`mt_prev(${o.at}, ${min})`, gotPrev, wantPrev);
      return;
    }
    case "reads":
      readSequence(mt, readModelOf(mt, model), o.at, o.steps);
      return;
  }
  try {
    mt_validate(mt);
    expectSameContents(mt, model, `after op ${n} (${o.kind})`);
  } catch (e) {
    throw new Error(`op ${n} ${JSON.stringify(o)}: ${(e as Error).message}`);
  }
}

/** Tree kinds below; each runs its share of TARGET_OPS. */
const KINDS = 5;

/**
 * The kernel-layer tree of a new SharedMapleTree inside one long write section (as if this
 * thread held its lock throughout): every node is born in the section, so the stores change and
 * free private nodes, the path the shared-tree tests do not stress.
 */
function sharedWriterCore(flags: number, reclaimer: QueueReclaimer): MapleTreeCore {
  const domain = { readLock() {}, readUnlock() {}, defer: (f: () => void) => reclaimer.defer(f) };
  const tree = SharedMapleTree.create({ capacity: 1 << 16, flags, domain, poison: true });
  tree.mt.sharedWriting = true;
  tree.mt.arena.exclusive = true;
  tree.mt.arena.beginSection();
  return tree.mt;
}

/** What the runs exercised, so the test fails if a generator stops reaching a path. */
const stats = { nomem: 0 };

const seed = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

describe("property: every write and every read agree with the models", () => {
  for (const [name, flags] of [
    ["a normal tree", 0],
    ["an allocation tree", MT_FLAGS_ALLOC_RANGE],
    ["a tree in RCU mode", MT_FLAGS_USE_RCU],
    ["a tree whose nodes live in SharedArrayBuffers", MT_FLAGS_USE_RCU | MT_FLAGS_ALLOC_RANGE],
    ["a SharedMapleTree (copy on write up to the root)", MT_FLAGS_ALLOC_RANGE],
  ] as const) {
    it(`holds on ${name}`, () => {
      let executed = 0;
      let tallest = 0;
      // Runs until this tree kind has seen its quarter of the operation budget (fast-check's
      // lengths vary, so the run count is found by running).
      for (let round = 0; executed < TARGET_OPS / KINDS; round++) {
        fc.assert(
          fc.property(fc.array(op, OPS), (ops) => {
            const reclaimer = new QueueReclaimer();
            const shared = name.includes("SharedArrayBuffers");
            const mt = name.includes("SharedMapleTree")
              ? sharedWriterCore(flags, reclaimer)
              : DEFINE_MTREE(flags, {
                  reclaimer,
                  poison: true,
                  ...(shared ? { shared, capacity: 1 << 16 } : {}),
                });
            const model = new RangeModel();
            for (let n = 0; n < ops.length; n++) step(mt, model, reclaimer, ops[n] as Op, n);
            executed += ops.length;
            tallest = Math.max(tallest, mt.height);
          }),
          {
            numRuns: 100,
            ...(seed === undefined ? {} : { seed: seed + round }),
            endOnFailure: false,
          },
        );
      }
      expect(executed).toBeGreaterThanOrEqual(TARGET_OPS / KINDS);
      expect(tallest, "the runs grew trees of at least three levels").toBeGreaterThanOrEqual(3);
      expect(stats.nomem, "some squeezed stores failed with -ENOMEM").toBeGreaterThan(0);
    });
  }
});
