// Large trees: one million entries (height 5 with full nodes), and a tall narrow tree (height
// >= 8). Full ordered iteration both ways, loads, mt_for_each and seeded random read sequences are
// checked against the plain range list. STRESS=1 also runs ten million entries.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  MA_STATE,
  mas_find,
  mas_find_rev,
  mas_next,
  mas_prev,
  mas_walk,
  mt_find,
  mt_for_each,
  mtree_load,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { buildTree, partition, type Range, Rng, randomFill, testSeed } from "./support/build.js";
import { modelOf } from "./support/read-model.js";

const STRESS = process.env.STRESS === "1";

/** `n` entries: entry i holds i at [3i, 3i + (i % 2)], so every other entry has a NULL gap. */
function entries(n: number): Range[] {
  const out: Range[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { first: 3 * i, last: 3 * i + (i % 2), value: i };
  return out;
}

function checkBig(n: number, seed: number): void {
  const list = entries(n);
  const rng = new Rng(seed);
  const mt = buildTree(list, { fill: randomFill(rng, 12) });
  expect(mt.height).toBeGreaterThanOrEqual(5);

  // Forward: mas_find visits every entry with its range, in order.
  const mas = MA_STATE(mt, 0, 0);
  let k = 0;
  for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
    const r = list[k];
    if (e !== r.value || mas.index !== r.first || mas.last !== r.last) {
      expect([e, mas.index, mas.last], `entry ${k}`).toEqual([r.value, r.first, r.last]);
    }
    k++;
  }
  expect(k).toBe(n);

  // Backward with mas_prev from beyond the last entry.
  mas.index = MAX_INDEX;
  mas.last = MAX_INDEX;
  mas.status = "start";
  k = n - 1;
  for (let e = mas_prev(mas, 0); e !== null; e = mas_prev(mas, 0)) {
    const r = list[k];
    if (e !== r.value || mas.index !== r.first)
      expect([e, mas.index], `entry ${k}`).toEqual([r.value, r.first]);
    k--;
  }
  expect(k).toBe(-1);
  expect(mas.status).toBe("underflow");

  // Random loads, walks, finds and bounded steps against the list.
  for (let t = 0; t < 20000; t++) {
    const i = rng.int(0, 3 * n + 5);
    const q = Math.floor(i / 3);
    const inside = q < n && i <= list[q].last;
    expect(mtree_load(mt, i)).toBe(inside ? q : null);
    const w = MA_STATE(mt, i, i);
    expect(mas_walk(w)).toBe(inside ? q : null);
    // The entry at or after i: q if i is inside it, else the next one (if any).
    const after = inside ? q : q + 1 < n ? q + 1 : null;
    const ref = { value: i };
    expect(mt_find(mt, ref, MAX_INDEX)).toBe(after);
    if (inside && q + 1 < n) {
      expect(mas_next(w, MAX_INDEX)).toBe(q + 1);
      expect(mas_find_rev(w, 0)).toBe(q);
    }
  }

  // mt_for_each over a window.
  const from = rng.int(0, 3 * n - 100);
  const got = [...mt_for_each(mt, from, from + 90)].map(([e]) => e);
  const want = list.filter((r) => r.last >= from && r.first <= from + 90).map((r) => r.value);
  expect(got).toEqual(want);
}

describe("a tree of a million entries", () => {
  const seed = testSeed();
  it(`is read in order both ways and at random (SEED=${seed})`, () => {
    checkBig(1_000_000, seed);
  });
  it.runIf(STRESS)(`ten million entries (SEED=${seed})`, () => {
    checkBig(10_000_000, seed);
  });
});

describe("a tall narrow tree", () => {
  const seed = testSeed();
  it(`of height >= 8 matches the model on random read sequences (SEED=${seed})`, () => {
    const rng = new Rng(seed);
    const list = entries(3000);
    const mt = buildTree(list, { fill: (level) => (level === 0 ? rng.int(1, 3) : 2) });
    expect(mt.height).toBeGreaterThanOrEqual(8);
    const model = modelOf(list, partition(list));
    const mas = MA_STATE(mt, 0, 0);
    for (let t = 0; t < 20000; t++) {
      const lim = rng.chance(0.5) ? (rng.chance(0.5) ? 0 : MAX_INDEX) : rng.int(0, 9100);
      let got: unknown;
      let want: unknown;
      switch (rng.int(0, 5)) {
        case 0:
          got = mas_next(mas, lim);
          want = model.next(lim);
          break;
        case 1:
          got = mas_prev(mas, lim);
          want = model.prev(lim);
          break;
        case 2:
          got = mas_find(mas, lim);
          want = model.find(lim);
          break;
        case 3:
          got = mas_find_rev(mas, lim);
          want = model.findRev(lim);
          break;
        case 4: {
          const i = rng.int(0, 9100);
          mas.index = mas.last = i;
          mas.status = "start";
          model.set(i);
          got = mas_walk(mas);
          want = model.walk();
          break;
        }
        default:
          got = null;
          want = null;
      }
      expect([got, mas.index, mas.last, mas.status], `step ${t}`).toEqual([
        want,
        model.index,
        model.last,
        model.status,
      ]);
    }
  });
});
