// mtree_load's lean descent (descend.ts leafWord: levels counted by the height, data ends found
// from the pivots) against mas_walk, the positioning descent, at every range boundary of random
// trees: trees built by the writers and bottom-up with random node fills, trees whose nodes start
// with a [min, 0] range (a first pivot of 0), a lone [0, MAX] range, allocation trees.
// Replay a failure with SEED=<seed>.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mas_walk,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import {
  buildTree,
  type Range,
  Rng,
  randomEntries,
  randomFill,
  testSeed,
} from "./support/build.js";

const SEED = testSeed();

/** What mtree_load must return at `index`: mas_walk's entry, XA_ZERO_ENTRY read as NULL. */
function expected(mt: MapleTreeCore, index: number): unknown {
  const mas = MA_STATE(mt, index, index);
  const entry = mas_walk(mas);
  return entry === XA_ZERO_ENTRY ? null : entry;
}

/** Every range boundary of the tree, one either side, and 0 / MAX_INDEX. */
function probes(mt: MapleTreeCore): number[] {
  const out = [0, 1, 2, MAX_INDEX - 1, MAX_INDEX];
  const mas = MA_STATE(mt, 0, 0);
  let index = 0;
  for (let guard = 0; guard < 100000; guard++) {
    mas_walk(Object.assign(mas, { index, last: index }));
    out.push(mas.index, mas.last);
    if (mas.index > 0) out.push(mas.index - 1);
    if (mas.last < MAX_INDEX) out.push(mas.last + 1);
    if (mas.last >= MAX_INDEX) break;
    index = mas.last + 1;
  }
  return out;
}

function checkAll(mt: MapleTreeCore, what: string): void {
  for (const i of probes(mt)) {
    const got = mtree_load(mt, i);
    if (got !== expected(mt, i)) expect(got, `${what}: mtree_load(${i})`).toBe(expected(mt, i));
  }
}

describe(`mtree_load agrees with mas_walk at every boundary (SEED=${SEED})`, () => {
  it("on trees built by the writers, small and large, with ranges at 0", () => {
    const rng = new Rng(SEED);
    for (let round = 0; round < 40; round++) {
      const mt = DEFINE_MTREE(round % 4 === 3 ? MT_FLAGS_ALLOC_RANGE : 0);
      const n = [1, 3, 20, 200, 3000][round % 5] as number;
      if (rng.int(0, 1) === 0) mtree_store_range(mt, 0, 0, "zero");
      for (let k = 0; k < n; k++) {
        const first = rng.int(0, n * 8);
        const last = first + rng.int(0, 3);
        const r = rng.int(0, 9);
        mtree_store_range(mt, first, last, r === 0 ? XA_ZERO_ENTRY : r === 1 ? null : k);
      }
      if (rng.int(0, 1) === 0) mtree_store_range(mt, 0, 0, `z${round}`);
      checkAll(mt, `round ${round}`);
    }
  });

  it("on a lone [0, MAX] range and on a [0, 0] + [1, MAX] pair", () => {
    const whole = DEFINE_MTREE();
    mtree_store_range(whole, 0, MAX_INDEX, "all");
    checkAll(whole, "[0, MAX]");
    expect(mtree_load(whole, 12345)).toBe("all");
    const pair = DEFINE_MTREE();
    mtree_store_range(pair, 1, MAX_INDEX, "rest");
    mtree_store_range(pair, 0, 0, "zero");
    checkAll(pair, "[0, 0] + [1, MAX]");
    expect(mtree_load(pair, 0)).toBe("zero");
    expect(mtree_load(pair, 1)).toBe("rest");
  });

  it("on bottom-up trees of random shapes whose first range is [0, 0]", () => {
    const rng = new Rng(SEED + 1);
    for (let round = 0; round < 30; round++) {
      const entries: Range[] = randomEntries(rng, [1, 10, 100, 1000][round % 4] as number, 1e6);
      const rest = entries.filter((e) => e.first > 0);
      const ranges = [{ first: 0, last: 0, value: "zero" }, ...rest];
      const flags = round % 3 === 2 ? MT_FLAGS_ALLOC_RANGE : 0;
      const mt = buildTree(ranges, { flags, fill: randomFill(rng, 1 + (round % 2)) });
      checkAll(mt, `bottom-up round ${round}`);
    }
  });
});
