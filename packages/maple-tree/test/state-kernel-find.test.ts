// The kernel's find tests, lib/test_maple_tree.c check_find, check_find_2, check_rev_find,
// check_next_entry, check_prev_entry, check_root_expand (reads) and check_mas_store_gfp (copy by
// iteration), on trees built with the write side. Values are the kernel's xa_mk_value(index)
// (the index itself); the kernel's ULONG_MAX entry (xa_mk_value(LONG_MAX)) is MAX_INDEX here.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  mas_erase,
  mas_find,
  mas_find_rev,
  mas_for_each,
  mas_next,
  mas_pause,
  mas_prev,
  mas_reset,
  mas_set,
  mas_set_range,
  mas_store_gfp,
  mas_walk,
  mt_find,
  mt_for_each,
  mtree_erase,
  mtree_insert,
  mtree_store_range,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";

const M = MAX_INDEX;
/** Kernel mtree_insert_index: stores xa_mk_value(index) at index. */
const insertIndex = (mt: MapleTreeCore, i: number): number => mtree_insert(mt, i, xa_mk_value(i));
/** The value the kernel's loops expect at `val` (64 holds XA_ZERO_ENTRY). */
const expected = (val: number): unknown => (val === 64 ? XA_ZERO_ENTRY : xa_mk_value(val));
/** The kernel's `val <<= 2; if (!val) val = 1;` */
const nextVal = (val: number): number => (val === 0 ? 1 : val * 4);

describe("check_find", () => {
  const TOP = 4 ** 21; // first val past the last inserted one (4^20)

  function tree(): MapleTreeCore {
    const mt = DEFINE_MTREE(0);
    expect(insertIndex(mt, 0)).toBe(0);
    let val = 1;
    for (let i = 0; i <= 20; i++) {
      expect(val === 64 ? mtree_insert(mt, val, XA_ZERO_ENTRY) : insertIndex(mt, val)).toBe(0);
      val *= 4;
    }
    return mt;
  }

  it("mas_find up to a limit returns the entry starting at the limit, then stops", () => {
    const mt = tree();
    const mas = MA_STATE(mt, 0, 0);
    let val = 0;
    for (let e = mas_find(mas, 268435456); e !== null; e = mas_find(mas, 268435456)) {
      expect(e).toBe(expected(val));
      val = nextVal(val);
    }
    expect(val).toBe(268435456 * 4);
  });

  it("mas_for_each returns XA_ZERO_ENTRY raw, with and without mas_pause", () => {
    for (const pause of [false, true]) {
      const mas = MA_STATE(tree(), 0, 0);
      let val = 0;
      for (const e of mas_for_each(mas, M)) {
        expect(e).toBe(expected(val));
        val = nextVal(val);
        if (pause) mas_pause(mas);
      }
      expect(val).toBe(TOP);
    }
  });

  it("mt_for_each skips XA_ZERO_ENTRY and reaches an entry at ULONG_MAX", () => {
    const mt = tree();
    const seen: unknown[] = [];
    for (const [e] of mt_for_each(mt, 0, 300)) seen.push(e);
    expect(seen).toEqual([0, 1, 4, 16, 256].map(xa_mk_value));
    expect(insertIndex(mt, M)).toBe(0);
    let val = 0;
    let count = 0;
    for (const [e] of mt_for_each(mt, 0, M)) {
      expect(e).toBe(val === TOP ? xa_mk_value(M) : xa_mk_value(val));
      val = nextVal(val);
      if (val === 64) val *= 4;
      count++;
      expect(count).toBeLessThanOrEqual(25);
    }
    expect(val).toBe(TOP * 4);
    mtree_erase(mt, M);
    const index = { value: 17 };
    expect(mt_find(mt, index, 512)).toBe(xa_mk_value(256));
    index.value = 17;
    expect(mt_find(mt, index, 20)).toBeNull();
  });

  it("finds the last value from ULONG_MAX before and after erasing the end entry", () => {
    const mt = tree();
    expect(insertIndex(mt, M)).toBe(0);
    const mas = MA_STATE(mt, 0, 0);
    let val = 0;
    for (const e of mas_for_each(mas, M)) {
      expect(e).toBe(val === TOP ? xa_mk_value(M) : expected(val));
      val = val === 4 ** 20 ? TOP : nextVal(val);
      mas_pause(mas);
    }
    mas_set(mas, 1048576);
    expect(mas_find(mas, 1048576)).not.toBeNull();

    mas_reset(mas);
    mas.index = M;
    expect(mas_find(mas, M)).toBe(xa_mk_value(M));
    const entry = mas_prev(mas, 0);
    const [index, last] = [mas.index, mas.last];
    expect([entry, index, last]).toEqual([xa_mk_value(4 ** 20), 4 ** 20, 4 ** 20]);

    mas_reset(mas);
    mas.index = M;
    mas.last = M;
    mas_erase(mas);
    mas_reset(mas);
    expect(mas_prev(mas, 0)).toBe(entry);
    expect([mas.index, mas.last]).toEqual([index, last]);

    mas.status = "none";
    mas.index = M;
    mas.last = M;
    expect(mas_prev(mas, 0)).toBe(entry);
    mas_set(mas, 0);
    expect(mas_prev(mas, 0)).toBeNull();
  });
});

describe("check_find_2", () => {
  it("mas_for_each sees every inserted index, then every survivor of the erases", () => {
    const mt = DEFINE_MTREE(0);
    const mas = MA_STATE(mt, 0, 0);
    expect([...mas_for_each(mas, M)]).toEqual([]);
    for (let i = 0; i < 256; i++) {
      insertIndex(mt, i);
      mas_set(mas, 0);
      let j = 0;
      for (const e of mas_for_each(mas, M)) expect(e).toBe(xa_mk_value(j++));
      expect(j).toBe(i + 1);
    }
    for (let i = 0; i < 256; i++) {
      mtree_erase(mt, i);
      mas_set(mas, 0);
      let j = i + 1;
      for (const e of mas_for_each(mas, M)) expect(e).toBe(xa_mk_value(j++));
      expect(j).toBe(256);
    }
  });
});

describe("check_rev_find", () => {
  it("mas_find_rev honours its lower limit and walks down to 0", () => {
    const mt = DEFINE_MTREE(0);
    for (let i = 0; i <= 200; i++) mtree_store_range(mt, i * 10, i * 10 + 5, xa_mk_value(i));
    const mas = MA_STATE(mt, 0, 0);
    mas_set(mas, 1000);
    expect(mas_find_rev(mas, 1000)).toBe(xa_mk_value(100));
    expect(mas_find_rev(mas, 1000)).toBeNull();
    mas_set(mas, 999);
    expect(mas_find_rev(mas, 997)).toBeNull();
    mas_set(mas, 1000);
    expect(mas_find_rev(mas, 900)).toBe(xa_mk_value(100));
    expect(mas_find_rev(mas, 900)).toBe(xa_mk_value(99));
    mas_set(mas, 20);
    expect(mas_find_rev(mas, 0)).toBe(xa_mk_value(2));
    expect(mas_find_rev(mas, 0)).toBe(xa_mk_value(1));
    expect(mas_find_rev(mas, 0)).toBe(xa_mk_value(0));
    expect(mas_find_rev(mas, 0)).toBeNull();
  });
});

describe("check_next_entry / check_prev_entry", () => {
  /** Kernel check_seq(mt, max): indices 0..max, each holding itself. */
  function seq(max: number, flags = 0): MapleTreeCore {
    const mt = DEFINE_MTREE(flags);
    for (let i = 0; i <= max; i++) expect(insertIndex(mt, i)).toBe(0);
    return mt;
  }
  it("mas_next walks 1..30 and then returns NULL at the limit", () => {
    const mas = MA_STATE(seq(30), 0, 0);
    expect(mas_walk(mas)).toBe(xa_mk_value(0));
    for (let i = 1; i <= 31; i++) expect(mas_next(mas, 30)).toBe(i > 30 ? null : xa_mk_value(i));
  });
  it("mas_prev after mas_find gives the previous index", () => {
    const mas = MA_STATE(seq(30), 16, 16);
    expect(mas_find(mas, M)).toBe(xa_mk_value(16));
    expect(mas_prev(mas, 0)).toBe(xa_mk_value(15));
  });
  it("mas_prev respects limits inside the NULL range before the entry", () => {
    const mt = DEFINE_MTREE(1);
    const mas = MA_STATE(mt, 0, 0);
    for (let i = 0; i <= 16; i++) {
      mas_set_range(mas, i * 10, i * 10 + 5);
      expect(mas_store_gfp(mas, xa_mk_value(i))).toBe(0);
    }
    mas_set(mas, 20);
    expect(mas_walk(mas)).toBe(xa_mk_value(2));
    expect(mas_prev(mas, 19)).toBeNull();
    mas_set(mas, 80);
    expect(mas_walk(mas)).toBe(xa_mk_value(8));
    expect(mas_prev(mas, 76)).toBeNull();
  });
});

describe("check_root_expand (reads)", () => {
  const PTR = { ptr: true };
  it("an entry at 1 builds a leaf: walks at 0, 1, 2", () => {
    const mt = DEFINE_MTREE(1);
    const mas = MA_STATE(mt, 0, 0);
    mas_set(mas, 3);
    expect(mas_walk(mas)).toBeNull();
    expect([mas.index, mas.last]).toEqual([0, M]);
    mas_set(mas, 1);
    expect(mas_store_gfp(mas, PTR)).toBe(0);
    mas_set(mas, 0);
    expect(mas_walk(mas)).toBeNull();
    mas_set(mas, 1);
    expect(mas_walk(mas)).toBe(PTR);
    mas_set(mas, 2);
    expect(mas_walk(mas)).toBeNull();
  });
  it("an entry at 0 stays a root entry: walks, next and prev around it", () => {
    const mt = DEFINE_MTREE(0);
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_store_gfp(mas, PTR)).toBe(0);
    expect(mt.rootNode).toBe(0);
    mas_set(mas, 5);
    expect(mas_walk(mas)).toBeNull();
    expect([mas.index, mas.last]).toEqual([1, M]);
    mas_set_range(mas, 0, 100);
    expect(mas_walk(mas)).toBe(PTR);
    expect(mas.last).toBe(0);
    mas_set(mas, 0);
    expect(mas_next(mas, M)).toBeNull();
    expect([mas.index, mas.last, mas.status]).toEqual([1, M, "none"]);
    mas_set(mas, 1);
    expect(mas_prev(mas, 0)).toBe(PTR);
    expect([mas.index, mas.last, mas.status]).toEqual([0, 0, "root"]);
  });
});

describe("check_mas_store_gfp", () => {
  it("copies a tree by iterating it and storing each range into another", () => {
    const mt = DEFINE_MTREE(1);
    for (let i = 0; i <= 135; i++) mtree_store_range(mt, i * 10, i * 10 + 5, xa_mk_value(i));
    const copy = DEFINE_MTREE(1);
    const dst = MA_STATE(copy, 0, 0);
    const src = MA_STATE(mt, 0, 0);
    for (const v of mas_for_each(src, M)) {
      dst.index = src.index;
      dst.last = src.last;
      expect(mas_store_gfp(dst, v)).toBe(0);
    }
    expect([...mt_for_each(copy, 0, M)]).toEqual([...mt_for_each(mt, 0, M)]);
  });
});
