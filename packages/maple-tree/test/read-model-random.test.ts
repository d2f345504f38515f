// Seeded random read sequences on random trees (random shapes, heights 1..5, empty and direct-root
// trees too), every step compared with the array model of test/support/read-model.ts: returned
// entry, index, last, status and err. Replay a failure with SEED=<seed>.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
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
  mas_set,
  mas_set_range,
  mas_walk,
  mt_find,
  mt_for_each,
  mt_for_each_range,
  mt_next,
  mt_prev,
  mtree_load,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import {
  buildTree,
  partition,
  type Range,
  Rng,
  randomEntries,
  randomFill,
  testSeed,
} from "./support/build.js";
import { modelOf, type Observed, type ReadModel } from "./support/read-model.js";

const STRESS = process.env.STRESS === "1";

function observe(mas: MaState, entry: unknown): Observed {
  return { entry, index: mas.index, last: mas.last, status: mas.status, err: mas.err };
}

function show(o: Observed): string {
  return JSON.stringify(o, (_k, v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) && "xa" in v ? "ZERO" : v,
  );
}

/** A limit near the state's position, at an end of the index space, or (rarely) invalid. */
function pickLimit(rng: Rng, m: ReadModel, entries: readonly Range[]): number {
  const r = rng.next();
  if (r < 0.04) return [-1, 1.5, Number.NaN, MAX_INDEX + 1, Infinity][rng.int(0, 4)];
  if (r < 0.2) return 0;
  if (r < 0.4) return MAX_INDEX;
  if (r < 0.6 && entries.length > 0) {
    const e = entries[rng.int(0, entries.length - 1)];
    return [e.first, e.last, Math.max(0, e.first - 1), Math.min(MAX_INDEX, e.last + 1)][
      rng.int(0, 3)
    ];
  }
  const base = rng.chance(0.5) ? m.index : m.last;
  if (!Number.isInteger(base)) return rng.int(0, 100);
  return Math.min(MAX_INDEX, Math.max(0, base + rng.int(-40, 40)));
}

function pickIndex(rng: Rng, entries: readonly Range[]): number {
  const r = rng.next();
  if (r < 0.1) return 0;
  if (r < 0.15) return MAX_INDEX;
  if (r < 0.7 && entries.length > 0) {
    const e = entries[rng.int(0, entries.length - 1)];
    return Math.min(MAX_INDEX, Math.max(0, rng.int(e.first - 2, e.last + 2)));
  }
  const top = entries.length > 0 ? entries[entries.length - 1].last + 10 : 100;
  return rng.int(0, Math.min(top, 2 ** 32 - 1));
}

const OPS = [
  "walk",
  "find",
  "find_range",
  "find_rev",
  "find_range_rev",
  "next",
  "next_range",
  "prev",
  "prev_range",
  "pause",
  "reset",
  "set",
  "set_range",
] as const;

/** Runs `steps` random ops on `tree` and its model, comparing after each. */
function runSequence(
  tree: MapleTreeCore,
  m: ReadModel,
  entries: readonly Range[],
  rng: Rng,
  steps: number,
): void {
  const mas = MA_STATE(tree, 0, 0);
  const log: string[] = [];
  let burst = 0;
  let burstOp: (typeof OPS)[number] = "next";
  let burstLimit = 0;
  for (let step = 0; step < steps; step++) {
    // Mostly single random ops; sometimes a burst of one moving op with one limit, which crosses
    // many leaves and levels.
    if (burst === 0 && rng.chance(0.05)) {
      burst = rng.int(5, 80);
      burstOp = OPS[rng.int(1, 8)];
      burstLimit = rng.chance(0.5) ? pickLimit(rng, m, entries) : rng.chance(0.5) ? 0 : MAX_INDEX;
    }
    const op = burst > 0 ? burstOp : OPS[rng.int(0, OPS.length - 1)];
    const inBurst = burst > 0;
    if (burst > 0) burst--;
    let got: unknown = null;
    let want: unknown = null;
    let arg = 0;
    let arg2 = 0;
    switch (op) {
      case "walk":
        got = mas_walk(mas);
        want = m.walk();
        break;
      case "find":
      case "find_range":
      case "next":
      case "next_range":
        arg = inBurst ? burstLimit : pickLimit(rng, m, entries);
        if (op === "find") {
          got = mas_find(mas, arg);
          want = m.find(arg);
        } else if (op === "find_range") {
          got = mas_find_range(mas, arg);
          want = m.findRange(arg);
        } else if (op === "next") {
          got = mas_next(mas, arg);
          want = m.next(arg);
        } else {
          got = mas_next_range(mas, arg);
          want = m.nextRange(arg);
        }
        break;
      case "find_rev":
      case "find_range_rev":
      case "prev":
      case "prev_range":
        arg = inBurst ? burstLimit : pickLimit(rng, m, entries);
        if (op === "find_rev") {
          got = mas_find_rev(mas, arg);
          want = m.findRev(arg);
        } else if (op === "find_range_rev") {
          got = mas_find_range_rev(mas, arg);
          want = m.findRangeRev(arg);
        } else if (op === "prev") {
          got = mas_prev(mas, arg);
          want = m.prev(arg);
        } else {
          got = mas_prev_range(mas, arg);
          want = m.prevRange(arg);
        }
        break;
      case "pause":
        mas_pause(mas);
        m.pause();
        break;
      case "reset":
        mas_reset(mas);
        m.reset();
        break;
      case "set":
        arg = pickIndex(rng, entries);
        mas_set(mas, arg);
        m.set(arg);
        break;
      case "set_range":
        arg = pickIndex(rng, entries);
        arg2 = Math.min(MAX_INDEX, arg + rng.int(0, 50));
        mas_set_range(mas, arg, arg2);
        m.setRange(arg, arg2);
        break;
    }
    log.push(`${op}(${arg}${op === "set_range" ? `,${arg2}` : ""})`);
    const a = observe(mas, got);
    const b = m.observe(want);
    if (
      a.entry !== b.entry ||
      a.index !== b.index ||
      a.last !== b.last ||
      a.status !== b.status ||
      a.err !== b.err
    ) {
      throw new Error(
        `step ${step}: ${log.slice(-12).join(" ")}\n  got  ${show(a)}\n  want ${show(b)}`,
      );
    }
  }
}

function checkNormalApi(
  tree: MapleTreeCore,
  m: ReadModel,
  entries: readonly Range[],
  rng: Rng,
  n: number,
): void {
  for (let k = 0; k < n; k++) {
    const i = pickIndex(rng, entries);
    const lim = pickLimit(rng, m, entries);
    expect(mtree_load(tree, i)).toBe(m.load(i));
    const ref = { value: i };
    const [we, wi] = m.mtFind(i, lim);
    expect(mt_find(tree, ref, lim)).toBe(we);
    expect(ref.value).toBe(wi);
    m.set(i);
    expect(mt_next(tree, i, lim)).toBe(m.next(lim));
    m.set(i);
    expect(mt_prev(tree, i, lim)).toBe(m.prev(lim));
  }
  for (let k = 0; k < 4; k++) {
    const start = pickIndex(rng, entries);
    const max = k === 0 ? MAX_INDEX : Math.max(start, pickIndex(rng, entries));
    const want = m.mtForEach(start, max);
    expect([...mt_for_each(tree, start, max)]).toEqual(want);
    // The bulk scan reports the same entries, with each range's first and last.
    const got: [unknown, number][] = [];
    mt_for_each_range(tree, start, max, (e, first, last) => {
      expect(m.load(first)).toBe(e);
      expect(m.load(last)).toBe(e);
      got.push([e, last === MAX_INDEX ? 0 : last + 1]);
    });
    expect(got).toEqual(want);
  }
}

describe("random read sequences match the array model", () => {
  const seed = testSeed();
  const rounds = STRESS ? 400 : 60;

  it(`on random trees of random shape (SEED=${seed})`, () => {
    const rng = new Rng(seed);
    let tallest = 0;
    for (let round = 0; round < rounds; round++) {
      // Round 0 is always a tall tree: 2000 entries in nodes of random fill from 1 slot.
      const n = round === 0 ? 2000 : [0, 1, 2, 5, 20, 100, 400, 2000][rng.int(0, 7)];
      let entries = randomEntries(rng, n, rng.chance(0.5) ? 1e4 : 1e12, rng.next());
      if (round > 0 && rng.chance(0.1)) entries = [{ first: 0, last: 0, value: "root" }];
      if (rng.chance(0.1) && entries.length > 0) {
        // A range that reaches MAX_INDEX.
        const lastE = entries[entries.length - 1];
        entries[entries.length - 1] = { ...lastE, last: MAX_INDEX };
      }
      const forceNodes = rng.chance(0.3);
      const minFill = round === 0 ? 1 : [7, 2, 1][rng.int(0, 2)];
      // Allocation trees have 10-slot internal nodes.
      const flags = rng.chance(0.5) ? MT_FLAGS_ALLOC_RANGE : 0;
      const tree = buildTree(entries, { fill: randomFill(rng, minFill), forceNodes, flags });
      const model = modelOf(entries, partition(entries), forceNodes);
      tallest = Math.max(tallest, tree.height);
      try {
        runSequence(tree, model, entries, rng, STRESS ? 3000 : 400);
        checkNormalApi(tree, model, entries, rng, 50);
      } catch (e) {
        throw new Error(
          `SEED=${seed} round ${round} (n=${n}, height ${tree.height}): ${String(e)}`,
        );
      }
    }
    // The shapes must include trees of height >= 4 (2000 entries with small nodes get there).
    expect(tallest).toBeGreaterThanOrEqual(4);
  });
});
