// Reads on trees built by the write side (mtree_store_range, mtree_erase, mas_store), including a
// read loop that keeps going after a store through its own state (the kernel's check_iteration),
// a state positioned before a write elsewhere in the tree (it re-walks, never reads a stale node),
// and seeded random writes followed by random read sequences compared with the array model.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  mas_find,
  mas_for_each,
  mas_next,
  mas_prev,
  mas_reset,
  mas_set,
  mas_store,
  mas_walk,
  mt_find,
  mt_find_after,
  mt_for_each,
  mt_for_each_range,
  mtree_erase,
  mtree_load,
  mtree_store_range,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { partition, type Range, Rng, testSeed } from "./support/build.js";
import { ReadModel } from "./support/read-model.js";

const M = MAX_INDEX;

/** The non-NULL ranges of a partition after storing `value` over [a, b] (NULLs merge). */
function storeModel(entries: Range[], a: number, b: number, value: unknown): Range[] {
  const out: Range[] = [];
  for (const r of entries) {
    if (r.last < a || r.first > b) {
      out.push(r);
      continue;
    }
    if (r.first < a) out.push({ first: r.first, last: a - 1, value: r.value });
    if (r.last > b) out.push({ first: b + 1, last: r.last, value: r.value });
  }
  if (value !== null) out.push({ first: a, last: b, value });
  return out.sort((x, y) => x.first - y.first);
}

function modelFor(mt: MapleTreeCore, entries: Range[]): ReadModel {
  if (mt.rootNode !== 0) return new ReadModel("nodes", partition(entries));
  if (mt.rootEntry !== null) return new ReadModel("root", [], mt.rootEntry);
  return new ReadModel("empty", []);
}

describe("check_iteration: a mas_for_each loop storing through its own state", () => {
  function tree(): MapleTreeCore {
    const mt = DEFINE_MTREE(0);
    for (let i = 0; i <= 125; i++) mtree_store_range(mt, i * 10, i * 10 + 9, xa_mk_value(i));
    return mt;
  }

  it("overwriting the end of entry 92 stops the loop at 925 and find resumes at 93", () => {
    const mt = tree();
    const mas = MA_STATE(mt, 0, 0);
    let i = 0;
    for (const val of mas_for_each(mas, 925)) {
      expect([mas.index, mas.last]).toEqual([i * 10, i * 10 + 9]);
      if (i === 92) {
        mas.index = 925;
        mas.last = 929;
        mas_store(mas, val);
      }
      i++;
    }
    expect(mas_find(mas, M)).toBe(xa_mk_value(i));
  });

  it("overwriting the start of entry 78 leaves its tail to the next find", () => {
    const mt = tree();
    const mas = MA_STATE(mt, 0, 0);
    let i = 0;
    for (const val of mas_for_each(mas, 785)) {
      expect([mas.index, mas.last]).toEqual([i * 10, i * 10 + 9]);
      if (i === 78) {
        mas.index = 780;
        mas.last = 785;
        mas_store(mas, val);
      } else i++;
    }
    expect(mas_find(mas, M)).toBe(xa_mk_value(i));
  });

  it("overwriting the end of entry 76: the next find returns its tail 766-769", () => {
    const mt = tree();
    const mas = MA_STATE(mt, 0, 0);
    let i = 0;
    for (const val of mas_for_each(mas, 765)) {
      expect([mas.index, mas.last]).toEqual([i * 10, i * 10 + 9]);
      if (i === 76) {
        mas.index = 760;
        mas.last = 765;
        mas_store(mas, val);
      }
      i++;
    }
    expect(mas_find(mas, M)).toBe(xa_mk_value(76));
    expect([mas.index, mas.last]).toEqual([766, 769]);
  });
});

describe("next_prev_test after a NULL store", () => {
  it("mas_prev from 10 returns NULL with [0, 9]", () => {
    const mt = DEFINE_MTREE(0);
    for (let i = 0; i <= 200; i++) mtree_store_range(mt, i * 10, i * 10 + 5, xa_mk_value(i));
    const mas = MA_STATE(mt, 0, 5);
    mas_store(mas, null);
    mas_reset(mas);
    mas_set(mas, 10);
    mas_walk(mas);
    expect(mas_prev(mas, 0)).toBeNull();
    expect([mas.index, mas.last]).toEqual([0, 9]);
  });
});

describe("a positioned state and a write elsewhere", () => {
  it("re-walks instead of reading the replaced or rewritten node", () => {
    const mt = DEFINE_MTREE(0);
    for (let i = 0; i < 1000; i++) mtree_store_range(mt, i * 10, i * 10 + 5, i);
    const mas = MA_STATE(mt, 4000, 4000);
    expect(mas_walk(mas)).toBe(400);
    // Reshape the tree around the state: a spanning NULL store and an insert next door.
    mtree_store_range(mt, 3000, 3995, null);
    mtree_store_range(mt, 4010, 4012, "new");
    expect(mas_next(mas, M)).toBe("new");
    expect([mas.index, mas.last]).toEqual([4010, 4012]);
    expect(mas_prev(mas, 0)).toBe(400);
    expect(mas_prev(mas, 0)).toBe(299);
    expect([mas.index, mas.last]).toEqual([2990, 2995]);
  });
});

describe("mt_for_each with writes between its steps", () => {
  /** A write at step k of a loop at `index`: over the current range's tail, an erase, a split. */
  function writeAt(mt: MapleTreeCore, k: number, index: number): void {
    if (k % 3 === 0) mtree_store_range(mt, index - 3, index + 12, `grown${k}`);
    else if (k % 3 === 1) mtree_erase(mt, index + 25);
    else mtree_store_range(mt, index + 2, index + 3, null);
  }
  function fresh(): MapleTreeCore {
    const mt = DEFINE_MTREE(0);
    for (let i = 0; i < 400; i++) mtree_store_range(mt, i * 10, i * 10 + 5, i);
    return mt;
  }
  it("sees the same entries as the kernel's mt_find / mt_find_after loop", () => {
    const a = fresh();
    const got: [unknown, number][] = [];
    let k = 0;
    for (const [e, index] of mt_for_each(a, 0, 3000)) {
      got.push([e, index]);
      writeAt(a, k++, index);
    }
    const b = fresh();
    const want: [unknown, number][] = [];
    const ref = { value: 0 };
    k = 0;
    for (let e = mt_find(b, ref, 3000); e !== null; e = mt_find_after(b, ref, 3000)) {
      want.push([e, ref.value]);
      writeAt(b, k++, ref.value);
    }
    expect(want.length).toBeGreaterThan(100);
    expect(got).toEqual(want);
    // The bulk scan, writing from its visitor, sees the same sequence too.
    const c = fresh();
    const scanned: [unknown, number][] = [];
    k = 0;
    mt_for_each_range(c, 0, 3000, (e, _first, last) => {
      scanned.push([e, last + 1]);
      writeAt(c, k++, last + 1);
    });
    expect(scanned).toEqual(want);
  });

  it("mt_for_each_range stops when the visitor erases the whole tree", () => {
    const mt = fresh();
    const seen: unknown[] = [];
    mt_for_each_range(mt, 0, MAX_INDEX, (e) => {
      seen.push(e);
      mtree_store_range(mt, 0, MAX_INDEX, null);
    });
    expect(seen).toEqual([0]);
    expect(mt.rootNode).toBe(0);
  });
});

describe("random writes, then random reads, against the model", () => {
  const seed = testSeed();
  it(`agree (SEED=${seed})`, () => {
    const rng = new Rng(seed);
    for (let round = 0; round < (process.env.STRESS === "1" ? 150 : 12); round++) {
      const mt = DEFINE_MTREE(rng.chance(0.5) ? 1 : 0);
      let entries: Range[] = [];
      const span = rng.chance(0.5) ? 5000 : 1e13;
      const writes = rng.int(1, 3000);
      for (let w = 0; w < writes; w++) {
        const a = rng.chance(0.02) ? 0 : rng.int(0, span);
        const b = rng.chance(0.02)
          ? M
          : Math.min(M, a + (rng.chance(0.8) ? rng.int(0, 20) : rng.int(0, span)));
        const r = rng.next();
        if (r < 0.15) {
          const at = rng.int(0, span);
          const hit = entries.find((e) => e.first <= at && at <= e.last);
          expect(mtree_erase(mt, at)).toBe(hit ? hit.value : null);
          if (hit) entries = storeModel(entries, hit.first, hit.last, null);
        } else {
          const v = r < 0.3 ? null : r < 0.33 ? XA_ZERO_ENTRY : `w${w}`;
          expect(mtree_store_range(mt, a, b, v)).toBe(0);
          entries = storeModel(entries, a, b, v);
        }
      }
      const model = modelFor(mt, entries);
      const got = [...mt_for_each(mt, 0, M)];
      expect(got).toEqual(model.mtForEach(0, M));
      const mas = MA_STATE(mt, 0, 0);
      for (let t = 0; t < 3000; t++) {
        const lim = rng.chance(0.3) ? (rng.chance(0.5) ? 0 : M) : rng.int(0, span);
        let a: unknown;
        let b: unknown;
        switch (rng.int(0, 5)) {
          case 0:
            a = mas_next(mas, lim);
            b = model.next(lim);
            break;
          case 1:
            a = mas_prev(mas, lim);
            b = model.prev(lim);
            break;
          case 2:
            a = mas_find(mas, lim);
            b = model.find(lim);
            break;
          case 3: {
            const i = rng.int(0, span);
            mas_set(mas, i);
            model.set(i);
            a = mas_walk(mas);
            b = model.walk();
            break;
          }
          case 4: {
            const i = rng.int(0, span);
            a = mtree_load(mt, i);
            b = model.load(i);
            break;
          }
          default:
            a = b = null;
        }
        expect(
          [a, mas.index, mas.last, mas.status],
          `SEED=${seed} round ${round} step ${t}`,
        ).toEqual([b, model.index, model.last, model.status]);
      }
    }
  });
});
