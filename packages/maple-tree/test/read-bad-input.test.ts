// Bad input to the reads: a limit or an index that is not an integer in 0..MAX_INDEX puts the
// state in error with err = -EINVAL (advanced API) or gives null (normal API); the state's
// index/last and the tree itself stay exactly as they were.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  EINVAL,
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  mas_find,
  mas_find_range,
  mas_find_range_rev,
  mas_find_rev,
  mas_for_each,
  mas_next,
  mas_next_range,
  mas_prev,
  mas_prev_range,
  mas_set,
  mas_walk,
  mt_find,
  mt_find_after,
  mt_for_each,
  mt_next,
  mt_prev,
  mtree_load,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { buildTree, rangesOf } from "./support/build.js";

const BAD: unknown[] = [
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  MAX_INDEX + 1,
  2 ** 64,
  10n,
  "7",
  null,
  undefined,
];

const LIMITED: [string, (mas: MaState, limit: number) => unknown][] = [
  ["mas_find", mas_find],
  ["mas_find_range", mas_find_range],
  ["mas_find_rev", mas_find_rev],
  ["mas_find_range_rev", mas_find_range_rev],
  ["mas_next", mas_next],
  ["mas_next_range", mas_next_range],
  ["mas_prev", mas_prev],
  ["mas_prev_range", mas_prev_range],
];

function tree(): MapleTreeCore {
  const entries = [];
  for (let i = 0; i < 300; i++) entries.push({ first: i * 10, last: i * 10 + 4, value: `v${i}` });
  return buildTree(entries);
}

/** Everything a read could have changed: the ranges and the raw node words. */
function snapshot(mt: MapleTreeCore): unknown {
  return {
    ranges: rangesOf(mt),
    pivots: Array.from(mt.arena.pivots),
    slots: Array.from(mt.arena.slots),
    meta: Array.from(mt.arena.meta),
    height: mt.height,
    root: mt.rootNode,
  };
}

describe("a bad limit puts the state in error and changes nothing", () => {
  const mt = tree();
  const before = snapshot(mt);
  for (const [name, fn] of LIMITED) {
    it.each(BAD.map((b) => [String(b), b] as const))(`${name} with limit %s`, (_n, bad) => {
      const mas = MA_STATE(mt, 1234, 1234);
      mas_walk(mas); // active on [1230, 1234]
      const got = fn(mas, bad as number);
      expect(got).toBeNull();
      expect(mas.status).toBe("error");
      expect(mas.err).toBe(-EINVAL);
      expect([mas.index, mas.last]).toEqual([1230, 1234]);
      expect(snapshot(mt)).toEqual(before);
    });
  }
});

describe("a bad index or last puts the state in error and changes nothing", () => {
  const mt = tree();
  const before = snapshot(mt);
  for (const [name, fn] of [...LIMITED, ["mas_walk", (m: MaState) => mas_walk(m)] as const]) {
    it.each(BAD.map((b) => [String(b), b] as const))(`${name} with index %s`, (_n, bad) => {
      const mas = MA_STATE(mt, 0, 0);
      mas.index = bad as number;
      expect(fn(mas, 100)).toBeNull();
      expect(mas.status).toBe("error");
      expect(mas.err).toBe(-EINVAL);
      expect(mas.index).toBe(bad);
      expect(snapshot(mt)).toEqual(before);
    });
  }
  it.each(BAD.map((b) => [String(b), b] as const))("mas_next with last %s", (_n, bad) => {
    const mas = MA_STATE(mt, 5, 5);
    mas.last = bad as number;
    expect(mas_next(mas, MAX_INDEX)).toBeNull();
    expect(mas.status).toBe("error");
    expect(mas.last).toBe(bad);
  });
});

describe("a state in error stays there until it is reset or walked", () => {
  it("returns null from every op, and mas_set / mas_walk recover", () => {
    const mt = tree();
    const mas = MA_STATE(mt, 0, 0);
    mas_find(mas, -1);
    for (const [, fn] of LIMITED) {
      mas.index = 500;
      mas.last = 500;
      // next/prev check their limit against last/index before the status, as the kernel does.
      expect(fn(mas, fn === mas_next || fn === mas_next_range ? MAX_INDEX : 0)).toBeNull();
      expect(mas.status).toBe("error");
    }
    mas_set(mas, 1231);
    expect(mas.err).toBe(0);
    expect(mas_find(mas, MAX_INDEX)).toBe("v123");
    mas_find(mas, Number.NaN);
    expect(mas_walk(mas)).toBe("v123");
    expect([mas.status, mas.err]).toEqual(["active", 0]);
  });
  it("mas_for_each ends at once on a bad limit, leaving the error", () => {
    const mas = MA_STATE(tree(), 0, 0);
    expect([...mas_for_each(mas, 0.5)]).toEqual([]);
    expect(mas.status).toBe("error");
  });
});

describe("the normal API returns null on bad arguments and leaves the index alone", () => {
  const mt = tree();
  const before = snapshot(mt);
  it.each(BAD.map((b) => [String(b), b] as const))("with %s", (_n, bad) => {
    const b = bad as number;
    expect(mtree_load(mt, b)).toBeNull();
    const ref = { value: b };
    expect(mt_find(mt, ref, MAX_INDEX)).toBeNull();
    expect(ref.value).toBe(b);
    const ok = { value: 5 };
    expect(mt_find(mt, ok, b)).toBeNull();
    expect(ok.value).toBe(5);
    expect(mt_find_after(mt, ok, b)).toBeNull();
    expect(mt_next(mt, b, MAX_INDEX)).toBeNull();
    expect(mt_next(mt, 5, b)).toBeNull();
    expect(mt_prev(mt, b, 0)).toBeNull();
    expect(mt_prev(mt, 2000, b)).toBeNull();
    expect([...mt_for_each(mt, b, MAX_INDEX)]).toEqual([]);
    expect([...mt_for_each(mt, 0, b)]).toEqual([]);
    expect(snapshot(mt)).toEqual(before);
  });
  it("but answers the same calls with good arguments", () => {
    expect(mtree_load(mt, 1232)).toBe("v123");
    expect(mt_next(mt, 5, MAX_INDEX)).toBe("v1");
    expect(mt_prev(mt, 2000, 0)).toBe("v199");
  });
});
