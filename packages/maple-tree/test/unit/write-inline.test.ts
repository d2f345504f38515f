// Integer entries ride inline in the leaf slot word (core/entry-table.ts, kernel xa_mk_value): 0 .. 2^31-2
// take no handle; every other value, -0 and integers out of range included, keeps a handle. Either
// way a read gives back exactly the value stored.
// Pins an internal: the inline slot-word encoding of integers (core/entry-table.ts) and the arena's STRIDE.

import {
  DEFINE_MTREE,
  mt_validate,
  mtree_erase,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { STRIDE } from "../../src/core/arena.js";
import { INLINE_MAX, isInlineValue } from "../../src/core/entry-table.js";
import { leaves } from "../support/write-tree.js";

const cases: [string, unknown, boolean][] = [
  ["0", 0, true],
  ["1", 1, true],
  ["2^31 - 2 (largest inline)", INLINE_MAX, true],
  ["2^31 - 1", 0x7fffffff, false],
  ["2^53 - 1", Number.MAX_SAFE_INTEGER, false],
  ["-1", -1, false],
  ["-0", -0, false],
  ["1.5", 1.5, false],
  ["NaN", Number.NaN, false],
  ["Infinity", Number.POSITIVE_INFINITY, false],
  ["a string", "7", false],
  ["a bigint", 7n, false],
];

describe("inline integer entries", () => {
  it.each(cases)("%s: stored and read back exactly (inline: %s)", (_name, value, inline) => {
    expect(isInlineValue(value)).toBe(inline);
    const mt = DEFINE_MTREE();
    for (let i = 0; i < 40; i++) mtree_store_range(mt, i * 10, i * 10 + 4, `e${i}`);
    const handles = mt.entries.handles;
    expect(mtree_store_range(mt, 100, 104, value)).toBe(0);
    expect(Object.is(mtree_load(mt, 102), value)).toBe(true);
    expect(mt.entries.size).toBe(40);
    // The overwritten string's handle was freed and, unless the value is inline, reused.
    expect(mt.entries.handles).toBe(inline ? handles - 1 : handles);
    const word = leaves(mt)
      .flatMap((l) => Array.from(mt.arena.slots.subarray(l.node * STRIDE, l.node * STRIDE + 16)))
      .find((w) => w < 0);
    if (inline) expect(word).toBe(-(value as number) - 1);
    else expect(word).toBe(undefined);
    mt_validate(mt);
  });

  it("a split range of an inline integer keeps the value in both pieces, and size counts each", () => {
    const mt = DEFINE_MTREE();
    for (let i = 0; i < 40; i++) mtree_store_range(mt, i * 10, i * 10 + 8, i);
    expect(mt.entries.handles).toBe(0);
    mtree_store_range(mt, 102, 104, "mid");
    expect([mtree_load(mt, 101), mtree_load(mt, 103), mtree_load(mt, 107)]).toEqual([
      10,
      "mid",
      10,
    ]);
    expect(mt.entries.size).toBe(42);
    expect(mt.entries.handles).toBe(1);
    mt_validate(mt);
    expect(mtree_erase(mt, 101)).toBe(10);
    expect(mtree_erase(mt, 107)).toBe(10);
    expect(mt.entries.size).toBe(40);
    mt_validate(mt);
  });
});
