// mt_validate names the invariant it finds broken: each case builds a valid tree, breaks one
// thing in the arena by hand, and expects the error naming it.
// Pins an internal: the node words (arena.ts layout) it corrupts by hand to make each invariant fail.

import {
  DEFINE_MTREE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mt_validate,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { M_DEAD, M_END, M_GAP, M_PARENT, M_PSLOT, META, STRIDE } from "../../src/core/arena.js";
import { leaves, sequentialTree } from "../support/write-tree.js";

/** A two-level tree whose entries are strings, so every slot holds a handle (not inline). */
function twoLevelHandles(): MapleTreeCore {
  const mt = DEFINE_MTREE();
  for (let i = 0; i < 60; i++) mtree_store_range(mt, i * 10, i * 10 + 5, `e${i}`);
  mt_validate(mt);
  expect(mt.height).toBe(2);
  return mt;
}

function twoLevel(flags = 0): MapleTreeCore {
  const mt = sequentialTree(60, 10, 5, flags);
  mt_validate(mt);
  expect(mt.height).toBe(2);
  return mt;
}

describe("mt_validate accepts valid trees", () => {
  it.each([
    ["empty", () => DEFINE_MTREE()],
    [
      "direct root",
      () => {
        const mt = DEFINE_MTREE();
        mtree_store_range(mt, 0, 0, "r");
        return mt;
      },
    ],
    ["one leaf", () => sequentialTree(3)],
    ["height 3", () => sequentialTree(3000)],
    ["allocation tree", () => sequentialTree(3000, 10, 5, MT_FLAGS_ALLOC_RANGE)],
  ] as [string, () => MapleTreeCore][])("%s", (_n, make) => {
    expect(() => mt_validate(make())).not.toThrow();
  });
});

describe("mt_validate finds each broken invariant", () => {
  type Leaf = { node: number; end: number; max: number };
  type Words = "pivots" | "slots" | "meta";
  // One word of leaf 0 or 1 overwritten: [name, message, leaf, which words, index in the node
  // (a slot, or a meta field), the value written].
  const wordCases: [
    string,
    RegExp,
    0 | 1,
    Words,
    (l: Leaf) => number,
    (mt: MapleTreeCore, l: Leaf) => number,
  ][] = [
    [
      "pivot order",
      /pivots not strictly increasing/,
      1,
      "pivots",
      () => 3,
      (mt, l) => mt.arena.pivots[l.node * STRIDE + 2] as number,
    ],
    [
      "pivot above max",
      /pivot not below the node max/,
      0,
      "pivots",
      (l) => l.end - 1,
      (_, l) => l.max,
    ],
    [
      "pivot word past the end",
      /pivot word used past the data end/,
      0,
      "pivots",
      (l) => l.end + 1,
      () => 7,
    ],
    ["slot past the end", /slot used past the data end/, 0, "slots", (l) => l.end + 1, () => 1],
    ["data end", /data end out of range/, 0, "meta", () => M_END, () => 16],
    ["parent link", /parent link wrong/, 1, "meta", () => M_PARENT, () => 99],
    ["parent slot", /parent slot wrong/, 1, "meta", () => M_PSLOT, () => 0],
    ["dead node", /dead node reachable/, 1, "meta", () => M_DEAD, () => 1],
    ["freed node", /freed node reachable/, 1, "meta", () => M_DEAD, () => 2],
    // Slot 2 is an entry between NULL slots 1 and 3.
    ["adjacent NULLs", /adjacent NULL ranges/, 0, "slots", () => 2, () => 0],
    ["NULL at a leaf's end", /leaf ends in NULL/, 0, "slots", (l) => l.end, () => 0],
    [
      "handle twice",
      /entry handle referenced twice/,
      0,
      "slots",
      () => 2,
      (mt, l) => mt.arena.slots[l.node * STRIDE] as number,
    ],
  ];
  it.each(wordCases)("%s", (_name, message, leaf, words, at, value) => {
    const mt = twoLevelHandles();
    const l = leaves(mt)[leaf] as Leaf;
    const v = value(mt, l);
    mt.arena[words][l.node * (words === "meta" ? META : STRIDE) + at(l)] = v;
    expect(() => mt_validate(mt)).toThrow(message);
  });

  // Breakages that are not one word of a leaf.
  const cases: [string, RegExp, (mt: MapleTreeCore) => void][] = [
    [
      "height",
      /height does not match/,
      (mt) => {
        mt.height = 3;
      },
    ],
    [
      "occupancy",
      /below minimum occupancy/,
      (mt) => {
        const l = leaves(mt)[0] as { node: number };
        const base = l.node * STRIDE;
        // Keep only slots 0..2 (entry, NULL, entry): well-formed but too few.
        for (let i = 2; i < STRIDE; i++) {
          mt.arena.pivots[base + i] = 0;
          if (i > 2) mt.arena.slots[base + i] = 0;
        }
        mt.arena.meta[l.node * META + M_END] = 2;
      },
    ],
    [
      "released handle",
      /released entry handle/,
      (mt) => {
        const l = leaves(mt)[0] as { node: number };
        mt.entries.release(mt.arena.slots[l.node * STRIDE] as number);
      },
    ],
    [
      "node twice",
      /node referenced twice/,
      (mt) => {
        const root = mt.rootNode;
        mt.arena.slots[root * STRIDE + 1] = mt.arena.slots[root * STRIDE] as number;
      },
    ],
    [
      "leaked node",
      /node count differs/,
      (mt) => {
        mt.arena.reserve(1);
        mt.arena.alloc(1);
      },
    ],
    [
      "leaked handle",
      /entry handle leak/,
      (mt) => {
        mt.entries.word("stray");
      },
    ],
    [
      "range count off (an inline word counted but never stored)",
      /stored range count wrong/,
      (mt) => {
        mt.entries.word(7);
      },
    ],
  ];
  it.each(cases)("%s", (_name, message, breakIt) => {
    const mt = twoLevelHandles();
    breakIt(mt);
    expect(() => mt_validate(mt)).toThrow(message);
  });

  it("wrong gaps and a wrong max-gap offset in allocation trees", () => {
    const mt = twoLevel(MT_FLAGS_ALLOC_RANGE);
    const gaps = mt.arena.gaps as Float64Array;
    gaps[mt.rootNode * STRIDE + 1] = 12345;
    expect(() => mt_validate(mt)).toThrow(/gap wrong/);
    const mt2 = twoLevel(MT_FLAGS_ALLOC_RANGE);
    mtree_store_range(mt2, 100, 180, null);
    mt_validate(mt2);
    const off = mt2.arena.meta[mt2.rootNode * META + M_GAP] as number;
    mt2.arena.meta[mt2.rootNode * META + M_GAP] = off === 0 ? 1 : 0;
    expect(() => mt_validate(mt2)).toThrow(/max gap offset wrong/);
  });

  it("the message names the node and its range", () => {
    const mt = twoLevel();
    const l = leaves(mt)[1] as { node: number; min: number; max: number };
    mt.arena.meta[l.node * META + M_DEAD] = 1;
    expect(() => mt_validate(mt)).toThrow(`at node ${l.node} [${l.min}-${l.max}]`);
  });
});
