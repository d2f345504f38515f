// Every store shape of docs/spec/maple-tree.md §1.5-§1.6, one by one, with mt_validate after each
// write: direct root stores, root expansion and collapse to empty, exact fit, in-node slot store,
// append, node rewrite, split (and push into a sibling), 3-way split, spanning stores across
// leaves and levels with NULL widening, rebalance, root growth and collapse, [0, MAX] stores.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  mas_erase,
  mas_store,
  mas_walk,
  mt_height,
  mt_validate,
  mtree_empty,
  mtree_erase,
  mtree_insert,
  mtree_store,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { expectSameContents, RangeModel, treeEntries, treeRanges } from "./support/write-model.js";
import { endOf, leaves, loadAt, sequentialTree } from "./support/write-tree.js";

const M = MAX_INDEX;

/** The ranges of a tree as [first, last, value] triples, NULL ranges included. */
function triples(mt: MapleTreeCore): [number, number, unknown][] {
  return treeRanges(mt).map((r) => [r.first, r.last, r.value]);
}

/** Asserts the state is where a walk to mas.index (mas_walk) puts a state, status active. */
function expectPositioned(mas: MaState): void {
  expect(mas.status).toBe("active");
  const probe = MA_STATE(mas.tree, mas.index, mas.index);
  mas_walk(probe);
  expect([mas.node, mas.min, mas.max, mas.offset, mas.end, mas.depth]).toEqual([
    probe.node,
    probe.min,
    probe.max,
    probe.offset,
    probe.end,
    probe.depth,
  ]);
}

describe("writes on a tree without nodes (§1.6)", () => {
  it("a non-NULL entry at [0,0] goes straight into the root, height 0, state at start", () => {
    const mt = DEFINE_MTREE();
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_store(mas, "x")).toBe(null);
    expect(mt.rootEntry).toBe("x");
    expect(mt.rootNode).toBe(0);
    expect(mt_height(mt)).toBe(0);
    expect(mas.status).toBe("start");
    expect(mas_store(mas, "y")).toBe("x");
    expect(mt.rootEntry).toBe("y");
    mt_validate(mt);
  });

  it("XA_ZERO_ENTRY at [0,0] builds a leaf instead of a direct root", () => {
    const mt = DEFINE_MTREE();
    expect(mtree_store(mt, 0, XA_ZERO_ENTRY)).toBe(0);
    expect(mt_height(mt)).toBe(1);
    expect(triples(mt)).toEqual([
      [0, 0, XA_ZERO_ENTRY],
      [1, M, null],
    ]);
    mt_validate(mt);
  });

  it("a NULL store starting above 0 keeps the direct root; one starting at 0 empties the tree", () => {
    const mt = DEFINE_MTREE();
    mtree_store(mt, 0, "x");
    expect(mtree_store_range(mt, 2, 5, null)).toBe(0);
    expect(mt.rootEntry).toBe("x");
    expect(mtree_store_range(mt, 0, 5, null)).toBe(0);
    expect(mtree_empty(mt)).toBe(true);
    mt_validate(mt);
  });

  it.each([
    {
      name: "empty tree, [5,10]",
      root: null,
      first: 5,
      last: 10,
      want: [
        [0, 4, null],
        [5, 10, "a"],
        [11, M, null],
      ],
    },
    {
      name: "empty tree, [0,7]",
      root: null,
      first: 0,
      last: 7,
      want: [
        [0, 7, "a"],
        [8, M, null],
      ],
    },
    {
      name: "empty tree, [5,MAX]",
      root: null,
      first: 5,
      last: M,
      want: [
        [0, 4, null],
        [5, M, "a"],
      ],
    },
    {
      name: "direct root, [1,3]",
      root: "r",
      first: 1,
      last: 3,
      want: [
        [0, 0, "r"],
        [1, 3, "a"],
        [4, M, null],
      ],
    },
    {
      name: "direct root, [3,3]",
      root: "r",
      first: 3,
      last: 3,
      want: [
        [0, 0, "r"],
        [1, 2, null],
        [3, 3, "a"],
        [4, M, null],
      ],
    },
    {
      name: "direct root, [0,5]",
      root: "r",
      first: 0,
      last: 5,
      want: [
        [0, 5, "a"],
        [6, M, null],
      ],
    },
    {
      name: "direct root, [1,MAX]",
      root: "r",
      first: 1,
      last: M,
      want: [
        [0, 0, "r"],
        [1, M, "a"],
      ],
    },
  ])("root expansion: $name", ({ root, first, last, want }) => {
    const mt = DEFINE_MTREE();
    if (root !== null) mtree_store(mt, 0, root);
    const mas = MA_STATE(mt, first, last);
    expect(mas_store(mas, "a")).toBe(first === 0 ? root : null);
    expect(triples(mt)).toEqual(want);
    expect(mt_height(mt)).toBe(1);
    expect([mas.index, mas.last]).toEqual([first, last]);
    expectPositioned(mas);
    mt_validate(mt);
  });

  it("a tree with nodes never turns back into a direct root", () => {
    const mt = sequentialTree(100);
    for (let i = 1; i < 99; i++) mtree_erase(mt, i * 10);
    mtree_store_range(mt, 0, 5, null);
    mtree_store(mt, 0, "x");
    mtree_erase(mt, 990);
    expect(mt.rootNode).not.toBe(0);
    expect(mt_height(mt)).toBe(1);
    expect(treeEntries(mt)).toEqual([{ first: 0, last: 0, value: "x" }]);
    mt_validate(mt);
  });
});

describe("[0, MAX] stores (wr_new_root)", () => {
  it("a non-NULL entry over everything leaves a single one-slot leaf", () => {
    const mt = sequentialTree(1000);
    expect(mt_height(mt)).toBeGreaterThan(1);
    expect(mtree_store_range(mt, 0, M, "all")).toBe(0);
    expect(mt_height(mt)).toBe(1);
    expect(triples(mt)).toEqual([[0, M, "all"]]);
    expect(mt.arena.live).toBe(1);
    mt_validate(mt);
  });

  it("NULL over everything empties the tree, height 0, all nodes and handles freed", () => {
    const mt = sequentialTree(1000);
    expect(mtree_store_range(mt, 0, M, null)).toBe(0);
    expect(mtree_empty(mt)).toBe(true);
    expect(mt_height(mt)).toBe(0);
    expect(mt.arena.live).toBe(0);
    expect(mt.entries.size).toBe(0);
    mt_validate(mt);
  });

  it("a NULL store that widens to [0, MAX] empties the tree too", () => {
    const mt = DEFINE_MTREE();
    mtree_store_range(mt, 10, 20, "a");
    const mas = MA_STATE(mt, 10, 20);
    expect(mas_store(mas, null)).toBe("a");
    expect(mtree_empty(mt)).toBe(true);
    mt_validate(mt);
  });
});

describe("stores inside one leaf", () => {
  it("exact fit replaces one slot: same node, same layout, returns the old entry", () => {
    const mt = sequentialTree(5);
    const before = leaves(mt);
    const mas = MA_STATE(mt, 20, 25);
    expect(mas_store(mas, "new")).toBe(2);
    expect(leaves(mt)).toEqual(before);
    expect(loadAt(mt, 22)).toBe("new");
    expectPositioned(mas);
    expect([mas.index, mas.last]).toEqual([20, 25]);
    mt_validate(mt);
  });

  it("a store strictly inside a range makes three ranges; the pieces keep the old entry", () => {
    const mt = sequentialTree(3, 100, 50);
    const mas = MA_STATE(mt, 110, 120);
    expect(mas_store(mas, "mid")).toBe(1);
    expect(triples(mt).slice(2, 6)).toEqual([
      [100, 109, 1],
      [110, 120, "mid"],
      [121, 150, 1],
      [151, 199, null],
    ]);
    expectPositioned(mas);
    mt_validate(mt);
  });

  it("a slot store over the end of one range and the start of the next", () => {
    const mt = sequentialTree(4, 10, 9);
    expect(mtree_store_range(mt, 15, 24, "x")).toBe(0);
    expect(triples(mt)).toEqual([
      [0, 9, 0],
      [10, 14, 1],
      [15, 24, "x"],
      [25, 29, 2],
      [30, 39, 3],
      [40, M, null],
    ]);
    mt_validate(mt);
  });

  it("appending after the last range extends the leaf", () => {
    const mt = sequentialTree(3);
    const leaf = mt.rootNode;
    expect(mtree_store_range(mt, 30, 35, "a")).toBe(0);
    expect(mt.rootNode).toBe(leaf);
    expect(triples(mt).slice(-2)).toEqual([
      [30, 35, "a"],
      [36, M, null],
    ]);
    mt_validate(mt);
  });

  it("non-NULL neighbours with the same entry are not merged", () => {
    const mt = DEFINE_MTREE();
    const v = { v: 92 };
    mtree_store_range(mt, 920, 929, v);
    mtree_store_range(mt, 925, 929, v);
    expect(treeEntries(mt)).toEqual([
      { first: 920, last: 924, value: v },
      { first: 925, last: 929, value: v },
    ]);
    mt_validate(mt);
  });
});

describe("NULL stores widen over NULL neighbours", () => {
  it("next_prev_test: NULL over [0,5] next to [6,9] NULL reports [0,9]", () => {
    const mt = DEFINE_MTREE();
    mtree_store_range(mt, 0, 5, "v0");
    mtree_store_range(mt, 10, 15, "v1");
    const mas = MA_STATE(mt, 0, 5);
    expect(mas_store(mas, null)).toBe("v0");
    expect([mas.index, mas.last]).toEqual([0, 9]);
    expectPositioned(mas);
    expect(triples(mt)).toEqual([
      [0, 9, null],
      [10, 15, "v1"],
      [16, M, null],
    ]);
    mt_validate(mt);
  });

  it("widens on both sides inside a leaf", () => {
    const mt = sequentialTree(5);
    const mas = MA_STATE(mt, 21, 23);
    mas_store(mas, null);
    // [20,25] = 2 keeps [20,20] and [24,25]; now NULL [21,23] only.
    expect([mas.index, mas.last]).toEqual([21, 23]);
    const mas2 = MA_STATE(mt, 20, 25);
    expect(mas_store(mas2, null)).toBe(2);
    expect([mas2.index, mas2.last]).toEqual([16, 29]);
    mt_validate(mt);
  });

  it("mas_erase removes the whole range and reports the widened NULL range", () => {
    const mt = sequentialTree(5);
    const mas = MA_STATE(mt, 23, 23);
    expect(mas_erase(mas)).toBe(2);
    expect([mas.index, mas.last]).toEqual([16, 29]);
    expectPositioned(mas);
    expect(mas_erase(MA_STATE(mt, 23, 23))).toBe(null);
    mt_validate(mt);
  });

  it("widens across leaves: erasing the last range of a leaf joins the next leaf's leading NULL", () => {
    const mt = sequentialTree(400);
    const ls = leaves(mt);
    expect(ls.length).toBeGreaterThan(3);
    for (let i = 0; i + 1 < ls.length; i++) {
      const a = ls[i] as (typeof ls)[number];
      // The first range of every leaf but the first is an entry or the NULL gap between two.
      const mas = MA_STATE(mt, a.max, a.max);
      mas_erase(mas);
      mt_validate(mt);
      expect(loadAt(mt, a.max)).toBe(null);
    }
    // Every entry whose range touched a leaf boundary is gone; the rest are intact.
    const model = new RangeModel();
    for (let i = 0; i < 400; i++) model.store(i * 10, i * 10 + 5, i);
    for (const a of ls.slice(0, -1)) model.erase(a.max);
    expectSameContents(mt, model, "after boundary erases");
  });

  it("a NULL store over a whole leaf widens into the NULLs of the next leaf", () => {
    const mt = sequentialTree(300);
    const ls = leaves(mt);
    const mid = ls[Math.floor(ls.length / 2)] as (typeof ls)[number];
    const mas = MA_STATE(mt, mid.min, mid.max);
    mas_store(mas, null);
    expect(mas.index).toBeLessThanOrEqual(mid.min);
    expect(mas.last).toBeGreaterThan(mid.max);
    expect(loadAt(mt, mas.index - 1)).not.toBe(null);
    expect(loadAt(mt, mas.last + 1)).not.toBe(null);
    mt_validate(mt);
  });
});

describe("splits, pushes and root growth", () => {
  it("filling one leaf past 16 slots splits it and grows the root (height 1 -> 2)", () => {
    const mt = DEFINE_MTREE();
    let i = 0;
    while (mt_height(mt) < 2) {
      mtree_store_range(mt, i * 10, i * 10 + 5, i);
      mt_validate(mt);
      i++;
    }
    expect(leaves(mt).length).toBe(2);
    expect(endOf(mt, mt.rootNode)).toBe(1);
    const model = new RangeModel();
    for (let j = 0; j < i; j++) model.store(j * 10, j * 10 + 5, j);
    expectSameContents(mt, model, "after split");
  });

  it("random-order inserts grow the tree to height 3 and stay valid at every step", () => {
    const mt = DEFINE_MTREE();
    const model = new RangeModel();
    let seed = 7;
    for (let n = 0; n < 3000; n++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const k = (seed % 100000) * 10;
      mtree_store_range(mt, k, k + 3, n);
      model.store(k, k + 3, n);
      if (n % 50 === 0) mt_validate(mt);
    }
    mt_validate(mt);
    expect(mt_height(mt)).toBeGreaterThanOrEqual(3);
    expectSameContents(mt, model, "random inserts");
  });

  it("an overflowing leaf pushes into a sibling with room instead of adding a leaf", () => {
    const mt = sequentialTree(40);
    expect(mt_height(mt)).toBe(2);
    // Make room in the first leaf: erase entries inside it until it has at most 12 slots.
    for (;;) {
      const first = leaves(mt)[0] as ReturnType<typeof leaves>[number];
      if (first.end <= 11) break;
      const r = treeEntries(mt).find((x) => x.first > first.min && x.last < first.max) as {
        first: number;
      };
      mtree_erase(mt, r.first);
    }
    // Fill the second leaf to 16 slots by cutting inner ranges in two.
    for (;;) {
      const second = leaves(mt)[1] as ReturnType<typeof leaves>[number];
      if (second.end === 15) break;
      const r = treeEntries(mt).find(
        (x) => x.first > second.min && x.last < second.max && x.last > x.first,
      ) as {
        first: number;
      };
      mtree_store_range(mt, r.first, r.first, "fill");
    }
    mt_validate(mt);
    const mid = leaves(mt);
    const second = mid[1] as (typeof mid)[number];
    // Overflow it with an append-like store: strictly inside its last range, two more slots.
    const span = treeEntries(mt).filter((r) => r.last === second.max)[0] as {
      first: number;
      last: number;
    };
    expect(span.last - span.first).toBeGreaterThanOrEqual(3);
    mtree_store_range(mt, span.first + 1, span.first + 2, "in");
    mt_validate(mt);
    expect(leaves(mt).length).toBe(mid.length);
    expect(endOf(mt, mt.rootNode)).toBe(mid.length - 1);
    expect(loadAt(mt, span.first + 1)).toBe("in");
    expect(loadAt(mt, span.first)).toBe(loadAt(mt, span.first + 3));
  });

  it("an insert in the middle of a full leaf splits it (no push): one more leaf", () => {
    const mt = sequentialTree(40);
    const before = leaves(mt);
    const first = before[0] as (typeof before)[number];
    for (;;) {
      const l = leaves(mt)[1] as (typeof before)[number];
      if (l.end === 15) break;
      const r = treeEntries(mt).find(
        (x) => x.first > l.min && x.last < l.max && x.last > x.first,
      ) as {
        first: number;
      };
      mtree_store_range(mt, r.first, r.first, "fill");
    }
    const mid = leaves(mt);
    const second = mid[1] as (typeof mid)[number];
    const inner = treeEntries(mt).find(
      (r) => r.first > second.min + 10 && r.last - r.first >= 3,
    ) as {
      first: number;
    };
    mtree_store_range(mt, inner.first + 1, inner.first + 2, "in");
    mt_validate(mt);
    expect(leaves(mt).length).toBe(mid.length + 1);
    expect((leaves(mt)[0] as (typeof before)[number]).node).toBe(first.node);
  });

  it("a write over the end of one full leaf and the start of the next cuts three leaves", () => {
    // Contiguous ranges of 10, so leaf bounds are range bounds.
    const mt = sequentialTree(200, 10, 9);
    let ls = leaves(mt);
    const at = 3;
    // Fill both leaves to 16 slots by cutting one inner range of each in two.
    for (const i of [at, at + 1]) {
      const leaf = ls[i] as (typeof ls)[number];
      for (let extra = leaf.end; extra < 15; extra++) {
        const cur = leaves(mt)[i] as (typeof ls)[number];
        const r = treeRanges(mt).find(
          (x) => x.first > cur.min && x.last < cur.max && x.last > x.first,
        ) as {
          first: number;
        };
        mtree_store_range(mt, r.first, r.first, `fill${extra}`);
      }
    }
    ls = leaves(mt);
    const a = ls[at] as (typeof ls)[number];
    const b = ls[at + 1] as (typeof ls)[number];
    expect([a.end, b.end]).toEqual([15, 15]);
    expect(loadAt(mt, a.max - 9)).toBe(loadAt(mt, a.max));
    // Both end slots keep a remainder, the new range goes between: 15 + 1 + 1 + 1 + 15 = 33 items.
    expect(mtree_store_range(mt, a.max - 3, b.min + 3, "3way")).toBe(0);
    mt_validate(mt);
    expect(leaves(mt).length).toBe(ls.length + 1);
    expect(loadAt(mt, a.max - 4)).not.toBe("3way");
    expect(loadAt(mt, a.max)).toBe("3way");
    expect(loadAt(mt, b.min + 4)).not.toBe("3way");
  });
});

describe("spanning stores and rebalance", () => {
  it("a store spanning many leaves and two levels replaces them all", () => {
    const mt = sequentialTree(5000);
    expect(mt_height(mt)).toBeGreaterThanOrEqual(3);
    const mas = MA_STATE(mt, 1234, 38765);
    expect(mas_store(mas, "span")).toBe(123);
    mt_validate(mt);
    expectPositioned(mas);
    const model = new RangeModel();
    for (let i = 0; i < 5000; i++) model.store(i * 10, i * 10 + 5, i);
    model.store(1234, 38765, "span");
    expectSameContents(mt, model, "spanning");
  });

  it("a NULL spanning store widens into the NULLs on both sides", () => {
    const mt = sequentialTree(5000);
    // 1237 lies in the NULL gap [1236,1239], 38767 in [38766,38769].
    const mas = MA_STATE(mt, 1237, 38767);
    mas_store(mas, null);
    expect([mas.index, mas.last]).toEqual([1236, 38769]);
    // 1232 and 38762 lie inside entries: no widening, the entries keep their outer parts.
    const mt2 = sequentialTree(5000);
    const mas2 = MA_STATE(mt2, 1232, 38762);
    mas_store(mas2, null);
    expect([mas2.index, mas2.last]).toEqual([1232, 38762]);
    expect(loadAt(mt2, 1231)).toBe(123);
    expect(loadAt(mt2, 38763)).toBe(3876);
    mt_validate(mt2);
    mt_validate(mt);
  });

  it("erasing from the right rebalances the shrinking edge and collapses the root to one leaf", () => {
    const mt = sequentialTree(3000);
    const h0 = mt_height(mt);
    expect(h0).toBeGreaterThanOrEqual(3);
    let lastHeight = h0;
    for (let i = 2999; i >= 5; i--) {
      mtree_erase(mt, i * 10);
      if (i % 7 === 0) mt_validate(mt);
      expect(mt_height(mt)).toBeLessThanOrEqual(lastHeight);
      lastHeight = mt_height(mt);
    }
    mt_validate(mt);
    expect(mt_height(mt)).toBe(1);
    expect(mt.arena.live).toBe(1);
    expect(treeEntries(mt).map((r) => r.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it("erasing from the left merges deficient nodes and the tree gets shorter", () => {
    const mt = sequentialTree(3000);
    const h0 = mt_height(mt);
    for (let i = 0; i < 2995; i++) {
      mtree_erase(mt, i * 10);
      if (i % 7 === 0) mt_validate(mt);
    }
    mt_validate(mt);
    expect(mt_height(mt)).toBeLessThan(h0);
    expect(mt_height(mt)).toBeLessThanOrEqual(2);
    expect(mt.arena.live).toBeLessThanOrEqual(3);
    expect(treeEntries(mt).map((r) => r.value)).toEqual([2995, 2996, 2997, 2998, 2999]);
  });

  it("erasing from the right and from the middle keeps every node above the minimum", () => {
    const mt = sequentialTree(2000);
    for (let i = 1999; i >= 0; i -= 3) {
      mtree_erase(mt, i * 10 + 2);
      mt_validate(mt);
    }
    for (let i = 0; i < 2000; i += 2) mtree_erase(mt, i * 10);
    mt_validate(mt);
  });

  it("inserts and erases through the normal API over a large range keep the contents", () => {
    const mt = DEFINE_MTREE();
    const model = new RangeModel();
    for (let i = 0; i < 500; i++) {
      expect(mtree_insert(mt, i * 3, i)).toBe(0);
      model.store(i * 3, i * 3, i);
    }
    for (let i = 0; i < 500; i += 2) {
      expect(mtree_erase(mt, i * 3)).toBe(i);
      model.erase(i * 3);
    }
    mt_validate(mt);
    expectSameContents(mt, model, "insert/erase");
  });
});
