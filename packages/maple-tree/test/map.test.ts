// The idiomatic MapleTree<T>: a range map over the same core as the kernel layer.

import { MAX_INDEX, MapleError, MapleTree, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import { mtree_load, mtree_store_range } from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { dumpTree, validateTree } from "./support/debug.js";

const ranges = <T>(t: MapleTree<T>) => [...t].map(({ first, last, value }) => [first, last, value]);

function expectMapleError(fn: () => unknown, code: string, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MapleError);
  expect((err as MapleError).code).toBe(code);
  expect((err as MapleError).message).toMatch(pattern);
}

describe("MapleTree", () => {
  it("stores ranges and answers point lookups inside, at the edges and between them", () => {
    const t = new MapleTree<string>();
    t.setRange(10, 19, "a").setRange(30, 39, "b").set(25, "c");
    expect(t.get(10)).toBe("a");
    expect(t.get(19)).toBe("a");
    expect(t.get(20)).toBeUndefined();
    expect(t.get(25)).toBe("c");
    expect(t.get(39)).toBe("b");
    expect(t.has(40)).toBe(false);
    expect(t.size).toBe(3);
    expect(t.getRange(33)).toEqual({ first: 30, last: 39, value: "b" });
    expect(t.getRange(22)).toBeUndefined();
    validateTree(t);
  });

  it("overwrites: a store inside one range splits it in three, equal neighbours are not merged", () => {
    const t = new MapleTree<string>();
    t.setRange(0, 99, "x");
    t.setRange(40, 59, "y");
    expect(ranges(t)).toEqual([
      [0, 39, "x"],
      [40, 59, "y"],
      [60, 99, "x"],
    ]);
    t.setRange(40, 59, "x");
    expect(t.size).toBe(3);
    validateTree(t);
  });

  it("delete empties the whole range holding the index; deleteRange trims", () => {
    const t = new MapleTree<number>();
    t.setRange(100, 199, 1).setRange(200, 299, 2);
    expect(t.delete(150)).toBe(true);
    expect(t.delete(150)).toBe(false);
    expect(t.get(100)).toBeUndefined();
    t.deleteRange(250, 259);
    expect(ranges(t)).toEqual([
      [200, 249, 2],
      [260, 299, 2],
    ]);
    validateTree(t);
  });

  it("insert and insertRange refuse occupied indices with EEXIST and change nothing", () => {
    const t = new MapleTree<string>();
    t.insertRange(10, 20, "a");
    const before = dumpTree(t);
    expectMapleError(() => t.insertRange(20, 30, "b"), "EEXIST", /insertRange.*\[20, 30\]/);
    expectMapleError(() => t.insert(15, "b"), "EEXIST", /insert/);
    expect(dumpTree(t)).toBe(before);
    t.insertRange(21, 30, "b");
    expect(t.get(30)).toBe("b");
  });

  it("iterates both ways from any index, within limits", () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 1000; i++) t.setRange(i * 10, i * 10 + 4, i);
    expect([...t.entries(4995, 5020)].map((e) => e.value)).toEqual([500, 501, 502]);
    expect([...t.entries(4994, 5009)].map((e) => e.value)).toEqual([499, 500]);
    expect([...t.entriesReverse(5003, 4980)].map((e) => e.value)).toEqual([500, 499, 498]);
    expect([...t].length).toBe(1000);
    expect([...t.entriesReverse()].length).toBe(1000);
    let sum = 0;
    t.forEach((v) => {
      sum += v;
    });
    expect(sum).toBe((999 * 1000) / 2);
    const firstThree: number[] = [];
    // biome-ignore lint/suspicious/useIterableCallbackReturn: MapleTree.forEach stops when the callback returns false
    t.forEach((v) => {
      firstThree.push(v);
      return firstThree.length < 3;
    });
    expect(firstThree).toEqual([0, 1, 2]);
  });

  it("keeps iterating correctly when the loop body writes to the tree", () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 300; i++) t.setRange(i * 4, i * 4 + 1, i);
    const seen: number[] = [];
    for (const { first, value } of t) {
      seen.push(value);
      if (value % 2 === 0) t.delete(first + 4); // erase the next range
      t.setRange(first, first, value); // rewrite the current one
    }
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => i * 2));
    validateTree(t);
  });

  it("covers the index space up to MAX_INDEX", () => {
    const t = new MapleTree<string>();
    t.setRange(MAX_INDEX - 5, MAX_INDEX, "top");
    t.set(0, "bottom");
    expect(t.get(MAX_INDEX)).toBe("top");
    expect(ranges(t)).toEqual([
      [0, 0, "bottom"],
      [MAX_INDEX - 5, MAX_INDEX, "top"],
    ]);
    expect([...t.entriesReverse()].map((e) => e.value)).toEqual(["top", "bottom"]);
  });

  it("shares one tree with the kernel layer, which may reserve ranges readers see as empty", () => {
    const t = new MapleTree<string>();
    t.setRange(1, 9, "a");
    expect(mtree_load(t.mt, 5)).toBe("a");
    expect(mtree_store_range(t.mt, 20, 29, XA_ZERO_ENTRY)).toBe(0);
    expect(t.get(25)).toBeUndefined();
    expect(ranges(t)).toEqual([[1, 9, "a"]]);
    expect(() => t.insert(25, "b")).toThrow(MapleError);
  });

  describe("bad input throws EINVAL naming the argument and changes nothing", () => {
    const bad: unknown[] = [-1, 1.5, Number.NaN, Infinity, MAX_INDEX + 1, 2n, "3", null, undefined];
    for (const v of bad) {
      it(`rejects ${typeof v === "bigint" ? `${v}n` : String(v)} as an index`, () => {
        const t = new MapleTree<string>();
        t.setRange(5, 10, "a");
        const before = dumpTree(t);
        const i = v as number;
        expectMapleError(() => t.get(i), "EINVAL", /MapleTree\.get: index must be an integer/);
        expectMapleError(() => t.set(i, "x"), "EINVAL", /MapleTree\.set: index/);
        expectMapleError(() => t.setRange(0, i, "x"), "EINVAL", /setRange: last/);
        expectMapleError(() => t.setRange(i, 3, "x"), "EINVAL", /setRange: first/);
        expectMapleError(() => t.delete(i), "EINVAL", /delete: index/);
        // (undefined is a missing argument for iteration, which then starts at 0)
        if (v !== undefined) expectMapleError(() => [...t.entries(i)], "EINVAL", /entries: from/);
        expect(dumpTree(t)).toBe(before);
      });
    }

    it("rejects an inverted range and a null or undefined value", () => {
      const t = new MapleTree<string | null | undefined>();
      t.setRange(5, 10, "a");
      const before = dumpTree(t);
      expectMapleError(() => t.setRange(9, 3, "x"), "EINVAL", /\[9, 3\] is inverted/);
      expectMapleError(() => t.set(1, null), "EINVAL", /value must not be null/);
      expectMapleError(() => t.insert(1, undefined), "EINVAL", /value must not be undefined/);
      expect(dumpTree(t)).toBe(before);
    });
  });

  it("fails with ENOMEM at its node capacity and keeps every range it had", () => {
    const t = new MapleTree<number>({ capacity: 3 });
    let stored = 0;
    let err: unknown;
    try {
      for (let i = 0; i < 10_000; i++) {
        t.setRange(i * 3, i * 3 + 1, i);
        stored++;
      }
    } catch (e) {
      err = e;
    }
    expect((err as MapleError).code).toBe("ENOMEM");
    expect(t.size).toBe(stored);
    for (let i = 0; i < stored; i++) expect(t.get(i * 3)).toBe(i);
    validateTree(t);
  });

  it("frees its nodes on dispose and clear, and stays usable", () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 500; i++) t.set(i * 2, i);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.mt.arena.live).toBe(0);
    t.set(7, 7);
    t[Symbol.dispose]();
    expect(t.get(7)).toBeUndefined();
  });
});
