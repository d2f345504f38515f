// Bulk loading (mas_expected_entries, the seed's fork path): the reservation makes every following
// ascending store succeed, the fill is left-heavy, and mas_destroy returns the state to normal.

import {
  DEFINE_MTREE,
  EINVAL,
  ENOMEM,
  MA_STATE,
  MA_STATE_PREALLOC,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mas_destroy,
  mas_expected_entries,
  mas_store,
  mt_validate,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { M_END, M_TYPE, META, NODE_LEAF, STRIDE } from "../src/core/arena.js";
import { MA_STATE_BULK } from "../src/core/state.js";
import { bulkNodes } from "../src/write/bulk.js";

/** Leaves and the slots they use, from the arena. */
function leafFill(mt: MapleTreeCore): { leaves: number; slots: number } {
  const { arena, rootNode } = mt;
  let leaves = 0;
  let slots = 0;
  const stack = rootNode === 0 ? [] : [rootNode];
  while (stack.length > 0) {
    const n = stack.pop() as number;
    const end = arena.meta[n * META + M_END] as number;
    if (arena.meta[n * META + M_TYPE] === NODE_LEAF) {
      leaves++;
      slots += end + 1;
    } else for (let i = 0; i <= end; i++) stack.push(arena.slots[n * STRIDE + i] as number);
  }
  return { leaves, slots };
}

function bulkLoad(mt: MapleTreeCore, n: number): number {
  const mas = MA_STATE(mt, 0, 0);
  const ret = mas_expected_entries(mas, n);
  if (ret !== 0) return ret;
  expect(mas.flags & (MA_STATE_BULK | MA_STATE_PREALLOC)).toBe(MA_STATE_BULK | MA_STATE_PREALLOC);
  for (let i = 0; i < n; i++) {
    mas.index = i * 10;
    mas.last = i * 10 + 5;
    mas_store(mas, i);
    expect(mas.status, `store ${i}`).not.toBe("error");
  }
  mas_destroy(mas);
  expect(mas.flags & (MA_STATE_BULK | MA_STATE_PREALLOC)).toBe(0);
  return 0;
}

describe("mas_expected_entries", () => {
  for (const [name, flags] of [
    ["a normal tree", 0],
    ["an allocation tree", MT_FLAGS_ALLOC_RANGE],
  ] as const) {
    it(`lets n ascending stores into ${name} succeed within exactly the reserved capacity`, () => {
      for (const n of [1, 2, 7, 8, 100, 135, 1000, 5003]) {
        const need = bulkNodes(n, flags !== 0);
        const mt = DEFINE_MTREE(flags, { capacity: need });
        expect(bulkLoad(mt, n), `n = ${n}`).toBe(0);
        expect(mt.arena.live).toBeLessThanOrEqual(need);
        mt_validate(mt);
        for (let i = 0; i < n; i += Math.max(1, n >> 4)) expect(mtree_load(mt, i * 10 + 3)).toBe(i);
        expect(mtree_load(mt, n * 10 - 2)).toBe(null);
      }
    });
  }

  it("fills leaves left-heavy: far fuller than the same ranges stored in random order", () => {
    const n = 10_000;
    const bulk = DEFINE_MTREE(0);
    bulkLoad(bulk, n);
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

  it("fails with -ENOMEM when the capacity cannot hold the worst case, reserving nothing", () => {
    const n = 1000;
    const mt = DEFINE_MTREE(0, { capacity: bulkNodes(n, false) - 1 });
    const mas = MA_STATE(mt, 0, 0);
    expect(mas_expected_entries(mas, n)).toBe(-ENOMEM);
    expect(mas.status).toBe("error");
    expect(mas.reserved).toBe(0);
    expect(mt.arena.live).toBe(0);
    expect(mt.rootNode).toBe(0);
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
