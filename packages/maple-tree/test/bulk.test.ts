// Bulk loading (mas_expected_entries, the seed's fork path): the fill is left-heavy, bad input is
// refused with nothing changed. How much it reserves (exactly the worst case) is pinned in
// unit/bulk-reserve.test.ts.

import {
  DEFINE_MTREE,
  EINVAL,
  MA_STATE,
  MA_STATE_PREALLOC,
  type MapleTreeCore,
  mas_expected_entries,
  mt_validate,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { bulkLoad } from "./support/bulk.js";
import { items, nodesOf } from "./support/kernel-shape.js";

/** Leaves and the slots they use, from the kernel layer's mt_struct view. */
function leafFill(mt: MapleTreeCore): { leaves: number; slots: number } {
  const leaves = nodesOf(mt).filter((node) => node[0] === "leaf_64");
  return { leaves: leaves.length, slots: leaves.reduce((sum, node) => sum + items(node), 0) };
}

describe("mas_expected_entries", () => {
  it("fills leaves left-heavy: far fuller than the same ranges stored in random order", () => {
    const n = 10_000;
    const bulk = DEFINE_MTREE(0);
    bulkLoad(bulk, n, MA_STATE_PREALLOC);
    const random = DEFINE_MTREE(0);
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => ((a * 7919) % n) - ((b * 7919) % n),
    );
    for (const i of order) mtree_store_range(random, i * 10, i * 10 + 5, i);
    const b = leafFill(bulk);
    const r = leafFill(random);
    // A leaf holds 16 slots; entries alternate with NULL gaps and a leaf may not end in NULL.
    expect(b.slots / b.leaves).toBeGreaterThanOrEqual(13.5);
    expect(b.leaves).toBeLessThan(r.leaves);
  });

  it("rejects a bad count or a tree that is not empty with -EINVAL, changing nothing", () => {
    const mt = DEFINE_MTREE(0);
    for (const bad of [-1, 1.5, Number.NaN]) {
      const mas = MA_STATE(mt, 0, 0);
      expect(mas_expected_entries(mas, bad)).toBe(-EINVAL);
      expect(mas.flags).toBe(0);
    }
    mtree_store_range(mt, 5, 9, "x");
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_expected_entries(mas, 10)).toBe(-EINVAL);
    expect(mtree_load(mt, 7)).toBe("x");
    mt_validate(mt);
  });
});
