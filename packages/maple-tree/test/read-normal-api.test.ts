// The normal read API (mtree_load, mt_find, mt_find_after, mt_next, mt_prev, mt_for_each) and the
// mas_for_each generators: XA_ZERO_ENTRY hidden by the normal API and returned raw by mas_*, the
// loop index of mt_for_each (one past the entry, 0 after MAX_INDEX), ranges that start before the
// search index, and the ends of the index space.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  MA_STATE,
  mas_for_each,
  mas_for_each_rev,
  mas_pause,
  mt_find,
  mt_find_after,
  mt_for_each,
  mt_for_each_range,
  mt_next,
  mt_prev,
  mtree_load,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { buildTree, type Range } from "./support/build.js";

const M = MAX_INDEX;

describe("mtree_load", () => {
  const mt = buildTree([
    { first: 0, last: 0, value: "zero-index" },
    { first: 10, last: 20, value: "a" },
    { first: 21, last: 21, value: XA_ZERO_ENTRY },
    { first: 100, last: M, value: "top" },
  ]);
  it.each([
    [0, "zero-index"],
    [1, null],
    [9, null],
    [10, "a"],
    [15, "a"],
    [20, "a"],
    [21, null],
    [22, null],
    [99, null],
    [100, "top"],
    [M, "top"],
  ])("at %d gives %s (XA_ZERO_ENTRY reads as null)", (i, want) => {
    expect(mtree_load(mt, i)).toBe(want);
  });
  it("reads a direct root entry at 0 only, and nothing from an empty tree", () => {
    const root = buildTree([{ first: 0, last: 0, value: "r" }]);
    expect(root.rootNode).toBe(0);
    expect([mtree_load(root, 0), mtree_load(root, 1), mtree_load(root, M)]).toEqual([
      "r",
      null,
      null,
    ]);
    const empty = buildTree([]);
    expect([mtree_load(empty, 0), mtree_load(empty, M)]).toEqual([null, null]);
  });
  it("hides XA_ZERO_ENTRY stored alone at [0, 0] (a leaf, not a root entry)", () => {
    const z = buildTree([{ first: 0, last: 0, value: XA_ZERO_ENTRY }]);
    expect(z.height).toBe(1);
    expect(mtree_load(z, 0)).toBeNull();
  });
});

describe("mt_find / mt_find_after", () => {
  const mt = buildTree([
    { first: 10, last: 20, value: "a" },
    { first: 30, last: 30, value: XA_ZERO_ENTRY },
    { first: 40, last: 50, value: "b" },
    { first: 60, last: M, value: "top" },
  ]);
  it("returns the range holding the index even when it starts before it", () => {
    const ref = { value: 15 };
    expect(mt_find(mt, ref, M)).toBe("a");
    expect(ref.value).toBe(21);
  });
  it("skips NULL ranges and XA_ZERO_ENTRY", () => {
    const ref = { value: 21 };
    expect(mt_find(mt, ref, M)).toBe("b");
    expect(ref.value).toBe(51);
  });
  it("finds a range starting exactly at max, and nothing beyond it", () => {
    const ref = { value: 21 };
    expect(mt_find(mt, ref, 40)).toBe("b");
    const miss = { value: 21 };
    expect(mt_find(mt, miss, 39)).toBeNull();
    expect(miss.value).toBe(21);
  });
  it("returns null at once when the index is above max", () => {
    const ref = { value: 15 };
    expect(mt_find(mt, ref, 14)).toBeNull();
    expect(ref.value).toBe(15);
  });
  it("wraps the index to 0 after a range ending at MAX_INDEX, and mt_find_after stops on 0", () => {
    const ref = { value: 61 };
    expect(mt_find(mt, ref, M)).toBe("top");
    expect(ref.value).toBe(0);
    expect(mt_find_after(mt, ref, M)).toBeNull();
    expect(ref.value).toBe(0);
  });
});

describe("mt_next / mt_prev", () => {
  const mt = buildTree([
    { first: 10, last: 20, value: "a" },
    { first: 30, last: 30, value: XA_ZERO_ENTRY },
    { first: 40, last: 50, value: "b" },
  ]);
  it("return the neighbour of the range holding the index, XA_ZERO_ENTRY raw", () => {
    expect(mt_next(mt, 15, M)).toBe(XA_ZERO_ENTRY);
    expect(mt_next(mt, 30, M)).toBe("b");
    expect(mt_next(mt, 40, M)).toBeNull();
    expect(mt_next(mt, 0, 9)).toBeNull();
    expect(mt_next(mt, 0, 10)).toBe("a");
    expect(mt_prev(mt, 45, 0)).toBe(XA_ZERO_ENTRY);
    expect(mt_prev(mt, 35, 0)).toBe(XA_ZERO_ENTRY);
    expect(mt_prev(mt, 25, 0)).toBe("a");
    expect(mt_prev(mt, 25, 21)).toBeNull();
    expect(mt_prev(mt, 25, 20)).toBe("a");
    expect(mt_prev(mt, 15, 0)).toBeNull();
  });
});

describe("mt_for_each", () => {
  it("yields [entry, one past its last], skipping XA_ZERO_ENTRY, with 0 after MAX_INDEX", () => {
    const mt = buildTree([
      { first: 5, last: 9, value: "a" },
      { first: 10, last: 10, value: XA_ZERO_ENTRY },
      { first: 11, last: 11, value: "b" },
      { first: 1000, last: M, value: "top" },
    ]);
    expect([...mt_for_each(mt, 0, M)]).toEqual([
      ["a", 10],
      ["b", 12],
      ["top", 0],
    ]);
    expect([...mt_for_each(mt, 7, 11)]).toEqual([
      ["a", 10],
      ["b", 12],
    ]);
    expect([...mt_for_each(mt, 12, 999)]).toEqual([]);
  });
  it("yields the direct root entry of a one-entry tree", () => {
    expect([...mt_for_each(buildTree([{ first: 0, last: 0, value: "r" }]), 0, M)]).toEqual([
      ["r", 1],
    ]);
  });
});

describe("mt_for_each_range", () => {
  const mt = buildTree([
    { first: 5, last: 9, value: "a" },
    { first: 10, last: 10, value: XA_ZERO_ENTRY },
    { first: 11, last: 11, value: "b" },
    { first: 1000, last: M, value: "top" },
  ]);
  const scan = (tree = mt, start = 0, max = M, stopAfter = Infinity): unknown[] => {
    const out: unknown[] = [];
    mt_for_each_range(tree, start, max, (e, first, last) => {
      out.push([e, first, last]);
      return out.length < stopAfter;
    });
    return out;
  };
  it("reports each real entry with its range, skipping XA_ZERO_ENTRY", () => {
    expect(scan()).toEqual([
      ["a", 5, 9],
      ["b", 11, 11],
      ["top", 1000, M],
    ]);
    expect(scan(mt, 7, 11)).toEqual([
      ["a", 5, 9],
      ["b", 11, 11],
    ]);
    expect(scan(mt, 12, 999)).toEqual([]);
  });
  it("stops when the visitor returns false", () => {
    expect(scan(mt, 0, M, 2)).toEqual([
      ["a", 5, 9],
      ["b", 11, 11],
    ]);
  });
  it("handles the direct-root and empty trees, and bad arguments", () => {
    const root = buildTree([{ first: 0, last: 0, value: "r" }]);
    expect(scan(root)).toEqual([["r", 0, 0]]);
    expect(scan(root, 1)).toEqual([]);
    expect(scan(buildTree([]))).toEqual([]);
    expect(scan(mt, -1)).toEqual([]);
    expect(scan(mt, 0, 0.5)).toEqual([]);
    expect(scan(mt, 9, 8)).toEqual([]);
  });
});

describe("mas_for_each / mas_for_each_rev", () => {
  const entries: Range[] = [];
  for (let i = 0; i < 500; i++) {
    entries.push({ first: i * 7, last: i * 7 + (i % 3), value: i % 50 === 3 ? XA_ZERO_ENTRY : i });
  }
  const mt = buildTree(entries, { fill: (level) => (level === 0 ? 9 : 4) });

  it("visits every entry in order, XA_ZERO_ENTRY included, with index/last of each", () => {
    expect(mt.height).toBeGreaterThanOrEqual(4);
    const mas = MA_STATE(mt, 0, 0);
    const seen: Range[] = [];
    for (const e of mas_for_each(mas, M)) seen.push({ first: mas.index, last: mas.last, value: e });
    expect(seen).toEqual(entries);
    // The loop ends on a NULL range reaching the limit, status active (mas_find ignores overflow).
    expect([mas.status, mas.index, mas.last]).toEqual(["active", 3495, M]);
  });
  it("visits them backwards with mas_for_each_rev, down to the limit", () => {
    const mas = MA_STATE(mt, M, M);
    const seen: unknown[] = [];
    for (const e of mas_for_each_rev(mas, 100)) seen.push(e);
    const want = entries
      .filter((r) => r.last >= 100)
      .map((r) => r.value)
      .reverse();
    expect(seen).toEqual(want);
  });
  it("can be paused on every step and still visits each entry once", () => {
    const mas = MA_STATE(mt, 0, 0);
    const seen: unknown[] = [];
    for (const e of mas_for_each(mas, 2000)) {
      seen.push(e);
      mas_pause(mas);
    }
    expect(seen).toEqual(entries.filter((r) => r.first <= 2000).map((r) => r.value));
  });
});
