// Bulk loading reserves exactly the worst case: n ascending stores succeed within the capacity
// bulkNodes names, the state carries MA_STATE_BULK while reserved, and one node less fails with
// -ENOMEM reserving nothing.
// Pins an internal: bulkNodes (write/bulk.ts), the worst-case node count the reservation takes,
// and the MA_STATE_BULK state flag (core/state.ts).

import {
  DEFINE_MTREE,
  ENOMEM,
  MA_STATE,
  MA_STATE_PREALLOC,
  MT_FLAGS_ALLOC_RANGE,
  mas_expected_entries,
  mt_validate,
  mtree_load,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { MA_STATE_BULK } from "../../src/core/state.js";
import { bulkNodes } from "../../src/write/bulk.js";
import { bulkLoad } from "../support/bulk.js";

describe("mas_expected_entries reservation", () => {
  for (const [name, flags] of [
    ["a normal tree", 0],
    ["an allocation tree", MT_FLAGS_ALLOC_RANGE],
  ] as const) {
    it(`lets n ascending stores into ${name} succeed within exactly the reserved capacity`, () => {
      for (const n of [1, 2, 7, 8, 100, 135, 1000, 5003]) {
        const need = bulkNodes(n, flags !== 0);
        const mt = DEFINE_MTREE(flags, { capacity: need });
        expect(bulkLoad(mt, n, MA_STATE_BULK | MA_STATE_PREALLOC), `n = ${n}`).toBe(0);
        expect(mt.arena.live).toBeLessThanOrEqual(need);
        mt_validate(mt);
        for (let i = 0; i < n; i += Math.max(1, n >> 4)) expect(mtree_load(mt, i * 10 + 3)).toBe(i);
        expect(mtree_load(mt, n * 10 - 2)).toBe(null);
      }
    });
  }

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
});
