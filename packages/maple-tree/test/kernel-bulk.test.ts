// Bulk loading as Linux 6.12 does it (mas_expected_entries, bulk-mode stores, mas_destroy), the
// structural side: the node count reserved is the kernel's formula, that count carries the
// kernel's check_dup loads with no other allocation, bulk-mode stores never rebalance
// (check_bulk_rebalance), and mas_destroy rebalances a short last leaf the kernel's way
// (mas_destroy_rebalance). The 20 bulk traces of tools/oracle/maple-struct replay these loads
// node for node (tools/test/replay-maple.test.ts); none of their 635 mas_destroy calls changes
// the tree, so the rebalance itself is pinned here.

import {
  DEFINE_MTREE,
  GFP_KERNEL,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_destroy,
  mas_expected_entries,
  mas_for_each,
  mas_store,
  mt_set_non_kernel,
  mt_validate,
  mtree_load,
  mtree_store_range,
  type StructNode,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { changedNodes, items, leafOf, nodesOf, num } from "./support/kernel-shape.js";

afterEach(() => mt_set_non_kernel(Number.POSITIVE_INFINITY));

/**
 * Kernel `mas_expected_entries()` arithmetic: leaves for max(n, 2n + 1) ranges at 14 slots, one
 * internal level at 8 (allocation trees) or 14 children, plus 3.
 */
function kernelNodes(n: number, alloc: boolean): number {
  const leaves = Math.ceil(Math.max(n, 2 * n + 1) / 14);
  return leaves + Math.ceil(leaves / (alloc ? 8 : 14)) + 3;
}

describe("mas_expected_entries reserves the kernel's node count", () => {
  // [n, plain tree, allocation tree], worked out by hand from the kernel's formula.
  const table: [number, number, number][] = [
    [0, 5, 5],
    [1, 5, 5],
    [7, 6, 6],
    [100, 20, 20],
    [134, 25, 26],
    [1000, 157, 164],
    [100_000, 15_310, 16_075],
  ];
  for (const [n, plain, alloc] of table) {
    it(`n = ${n}: ${plain} nodes (plain), ${alloc} (allocation tree)`, () => {
      for (const [flags, want] of [
        [0, plain],
        [MT_FLAGS_ALLOC_RANGE, alloc],
      ] as const) {
        const mas = MA_STATE(DEFINE_MTREE(flags), 0, 0);
        expect(mas_expected_entries(mas, n)).toBe(0);
        expect(mas.reserved).toBe(want);
        expect(kernelNodes(n, flags !== 0)).toBe(want);
        mas_destroy(mas);
        expect(mas.reserved).toBe(0);
      }
    });
  }
});

/**
 * Kernel test `check_dup_gaps(mt, nr, zero_start, gap)`: ranges [10i, 10(i+1) - gap] for
 * i = (zero_start ? 0 : 1)..nr are copied in order into a new tree through mas_expected_entries(nr)
 * and mas_store with no allocation allowed beyond the reservation (mt_set_non_kernel(0)). Here
 * the new tree's arena also holds exactly the reserved count.
 */
function checkDupGaps(flags: number, nr: number, zeroStart: boolean, gap: number): void {
  const src = DEFINE_MTREE(flags);
  for (let i = zeroStart ? 0 : 1; i <= nr; i++) {
    mtree_store_range(src, i * 10, (i + 1) * 10 - gap, xa_mk_value(i));
  }
  const dst = DEFINE_MTREE(flags, { capacity: kernelNodes(nr, flags !== 0) });
  const newmas = MA_STATE(dst, 0, 0);
  expect(mas_expected_entries(newmas, nr, GFP_KERNEL)).toBe(0);
  mt_set_non_kernel(0);
  const mas = MA_STATE(src, 0, 0);
  for (const entry of mas_for_each(mas, Number.MAX_SAFE_INTEGER)) {
    newmas.index = mas.index;
    newmas.last = mas.last;
    mas_store(newmas, entry);
    expect(newmas.status, `store [${mas.index}, ${mas.last}]`).not.toBe("error");
  }
  mas_destroy(newmas);
  mt_set_non_kernel(Number.POSITIVE_INFINITY);
  mt_validate(dst);
  for (let i = zeroStart ? 0 : 1; i <= nr; i += Math.max(1, nr >> 5)) {
    expect(mtree_load(dst, i * 10)).toBe(xa_mk_value(i));
  }
}

describe("check_dup: the reservation carries the kernel's fork loads with nothing else", () => {
  const sizes = [10, 11, 13, 14, 15, 16, 57, 133, 134, 135, 500, 999];
  it("allocation trees, ranges from 0 with gaps of 5", () => {
    for (const nr of sizes) checkDupGaps(MT_FLAGS_ALLOC_RANGE, nr, true, 5);
  });
  it("allocation trees, touching ranges from 0 (no gaps)", () => {
    for (const nr of [1000, 1001, 1234, 1500, 1999])
      checkDupGaps(MT_FLAGS_ALLOC_RANGE, nr, true, 0);
  });
  it("allocation trees not starting at 0, plain trees from 0 and not", () => {
    for (const nr of [200, 333, 999]) checkDupGaps(MT_FLAGS_ALLOC_RANGE, nr, false, 5);
    for (const nr of [1500, 2222, 2999]) checkDupGaps(0, nr, false, 5);
    for (const nr of [200, 640, 999]) checkDupGaps(0, nr, true, 5);
  });
  it("unreasonably large: 100 010 ranges into an allocation tree", () => {
    checkDupGaps(MT_FLAGS_ALLOC_RANGE, 100_010, true, 5);
  });
  it.runIf(process.env.STRESS === "1")("unreasonably large, plain tree not starting at 0", () => {
    checkDupGaps(0, 100_015, false, 5);
  });
});

describe("check_forking: the pre-6.8 dup_mmap copy", () => {
  it("135 ranges copied in order through mas_expected_entries(134) give a valid allocation tree", () => {
    const src = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i <= 134; i++) mtree_store_range(src, i * 10, i * 10 + 5, xa_mk_value(i));
    const dst = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const newmas = MA_STATE(dst, 0, 0);
    expect(mas_expected_entries(newmas, 134)).toBe(0);
    const mas = MA_STATE(src, 0, 0);
    for (const entry of mas_for_each(mas, MAX_INDEX)) {
      newmas.index = mas.index;
      newmas.last = mas.last;
      mas_store(newmas, entry);
      expect(newmas.status).not.toBe("error");
    }
    mas_destroy(newmas);
    mt_validate(dst);
    for (let i = 0; i <= 134; i++) expect(mtree_load(dst, i * 10 + 5)).toBe(xa_mk_value(i));
  });
});

/** A bulk load of ranges [10i, 10i+5], i < n, through `mas` (left in bulk mode). */
function bulkLoad(mt: MapleTreeCore, n: number): MaState {
  const mas = MA_STATE(mt, 0, 0);
  expect(mas_expected_entries(mas, n)).toBe(0);
  for (let i = 0; i < n; i++) {
    mas.index = i * 10;
    mas.last = i * 10 + 5;
    mas_store(mas, xa_mk_value(i));
    expect(mas.status).not.toBe("error");
  }
  return mas;
}

/**
 * Erases entries n-1 down to 0 with NULL stores through `mas` (fresh states when null) and
 * counts, among the stores that write into the rightmost leaf (a node store or a rebalance; the
 * others are spanning stores), those that changed more than that leaf, and those that left it
 * under the minimum with a sibling to its left.
 */
function eraseFromRight(mt: MapleTreeCore, n: number, mas: MaState | null) {
  let rebalanced = 0;
  let shortLeft = 0;
  for (let i = n - 1; i >= 0; i--) {
    const before = nodesOf(mt);
    if (before.length === 0) break;
    const rightmost = num(leafOf(mt, i * 10).node[2]) === MAX_INDEX;
    const m = mas ?? MA_STATE(mt, 0, 0);
    m.index = i * 10;
    m.last = i * 10 + 5;
    mas_store(m, null);
    expect(m.status).not.toBe("error");
    if (!rightmost) continue;
    if (changedNodes(before, nodesOf(mt)) > 1) rebalanced++;
    if (nodesOf(mt).length === 0) break;
    const leaf = leafOf(mt, i * 10);
    if (leaf.at > 1 && items(leaf.node) < 6) shortLeft++;
  }
  return { rebalanced, shortLeft };
}

describe("check_bulk_rebalance: stores in bulk mode never rebalance", () => {
  // The kernel erases every entry of a full 2-level tree from the right, re-entering bulk mode
  // before each erase. This port's mas_expected_entries only starts a load on an empty tree, so
  // the tree is bulk-loaded and then erased through the same state, still in bulk mode.
  it("erasing from the right in bulk mode only rewrites the last leaf, however short it gets", () => {
    const mt = DEFINE_MTREE(0);
    const mas = bulkLoad(mt, 100);
    const { rebalanced, shortLeft } = eraseFromRight(mt, 100, mas);
    expect(rebalanced).toBe(0);
    expect(shortLeft).toBeGreaterThan(0);
    mas_destroy(mas);
    for (let i = 0; i < 100; i += 7) expect(mtree_load(mt, i * 10)).toBe(null);
  });

  it("the same erases outside bulk mode rebalance the last leaf", () => {
    const mt = DEFINE_MTREE(0);
    mas_destroy(bulkLoad(mt, 100));
    const { rebalanced, shortLeft } = eraseFromRight(mt, 100, null);
    expect(rebalanced).toBeGreaterThan(0);
    expect(shortLeft).toBe(0);
  });
});

/** mas_destroy_rebalance's result, from the two leaves before it (written from the kernel). */
function expectedRebalance(
  left: StructNode,
  right: StructNode,
): { left: unknown[]; right: unknown[] } {
  const lslots = left[4] as unknown[];
  // The sibling's pivots with its max last: the kernel keeps the max in the word after the last
  // pivot of a node that is not full.
  const lpivs = [...(left[3] as unknown[]), left[2]];
  let split = 8;
  if (lslots[split] === null) split++;
  return {
    left: ["leaf_64", left[1], lpivs[split], lpivs.slice(0, split), lslots.slice(0, split + 1)],
    right: [
      "leaf_64",
      num(lpivs[split] as number) + 1,
      right[2],
      [...lpivs.slice(split + 1), ...(right[3] as unknown[])],
      [...lslots.slice(split + 1), ...(right[4] as unknown[])],
    ],
  };
}

describe("mas_destroy rebalances the last leaf of a bulk load (mas_destroy_rebalance)", () => {
  /** A bulk load of `n` ranges whose last leaf is then cut to 3 items, still in bulk mode. */
  function shortLastLeaf(flags: number, n: number): { mt: MapleTreeCore; mas: MaState; i: number } {
    const mt = DEFINE_MTREE(flags);
    const mas = bulkLoad(mt, n);
    let i = n - 1;
    while (items(leafOf(mt, MAX_INDEX).node) > 3) {
      mas.index = i * 10;
      mas.last = i * 10 + 5;
      mas_store(mas, null);
      i--;
    }
    return { mt, mas, i };
  }

  // n = 14: the left sibling holds 15 items, slot 8 an entry (cut after slot 8); n = 22: 16
  // items with slot 8 NULL (cut after slot 9). Both move 6 items into the last leaf.
  for (const n of [14, 22]) {
    for (const [name, flags] of [
      ["a plain tree", 0],
      ["a tree in RCU mode", MT_FLAGS_USE_RCU],
    ] as const) {
      it(`${name}, ${n} ranges: a last leaf cut to 3 items takes the tail of its left sibling`, () => {
        const { mt, mas, i } = shortLastLeaf(flags, n);
        const before = nodesOf(mt);
        const last = leafOf(mt, MAX_INDEX);
        const left = before[last.at - 1] as StructNode;
        expect(left[0]).toBe("leaf_64");
        expect(items(left)).toBeGreaterThan(10);
        const want = expectedRebalance(left, last.node);
        mas_destroy(mas);
        const after = nodesOf(mt);
        expect(after.length).toBe(before.length);
        expect(after[last.at - 1]).toEqual(want.left);
        expect(after[last.at]).toEqual(want.right);
        expect(changedNodes(before, after)).toBe(3); // the two leaves and their parent's pivot
        mt_validate(mt);
        for (let k = 0; k <= i; k++) expect(mtree_load(mt, k * 10 + 5)).toBe(xa_mk_value(k));
        expect(mtree_load(mt, (i + 1) * 10)).toBe(null);
      });
    }
  }

  it("moves nothing when the sibling's cut falls on its last slot (10 items, slot 8 NULL)", () => {
    // 40 ranges: the sibling holds [316, 365] in 10 items; the kernel's cut moves to slot 9,
    // its last, and both leaves are rewritten as they were.
    const { mt, mas } = shortLastLeaf(0, 40);
    const before = nodesOf(mt);
    expect(items(before[leafOf(mt, MAX_INDEX).at - 1] as StructNode)).toBe(10);
    mas_destroy(mas);
    expect(nodesOf(mt)).toEqual(before);
    mt_validate(mt);
  });

  it("leaves a load whose last leaf holds 5 items or more as it is", () => {
    for (const n of [9, 40, 41, 300]) {
      const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
      const mas = bulkLoad(mt, n);
      expect(items(leafOf(mt, MAX_INDEX).node)).toBeGreaterThanOrEqual(5);
      const before = nodesOf(mt);
      mas_destroy(mas);
      expect(nodesOf(mt)).toEqual(before);
      mt_validate(mt);
    }
  });
});
