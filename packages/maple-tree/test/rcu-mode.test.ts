// Switching RCU mode at run time: the flag, and what it changes for writers (nodes replaced, not
// rewritten; frees deferred to the reclaimer) while reads stay the same.

import {
  DEFINE_MTREE,
  MT_FLAGS_USE_RCU,
  mt_clear_in_rcu,
  mt_in_rcu,
  mt_set_in_rcu,
  mt_validate,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { QueueReclaimer } from "./support/write-tree.js";

describe("mt_set_in_rcu / mt_clear_in_rcu / mt_in_rcu", () => {
  it("flip the USE_RCU flag, idempotently, keeping the other flags and the height", () => {
    const mt = DEFINE_MTREE(0x300);
    for (let i = 0; i < 100; i++) mtree_store_range(mt, i * 4, i * 4 + 1, i);
    const height = mt.height;
    expect(mt_in_rcu(mt)).toBe(false);
    mt_set_in_rcu(mt);
    mt_set_in_rcu(mt);
    expect(mt_in_rcu(mt)).toBe(true);
    expect(mt.flags & MT_FLAGS_USE_RCU).toBe(MT_FLAGS_USE_RCU);
    expect(mt.flags & 0x300).toBe(0x300);
    expect(mt.height).toBe(height);
    mt_clear_in_rcu(mt);
    mt_clear_in_rcu(mt);
    expect(mt_in_rcu(mt)).toBe(false);
    expect(mt.flags & 0x300).toBe(0x300);
  });

  it("in RCU mode a rewrite defers the old node to the reclaimer; outside it frees at once", () => {
    const q = new QueueReclaimer();
    const mt = DEFINE_MTREE(0, { reclaimer: q });
    for (let i = 0; i < 100; i++) mtree_store_range(mt, i * 4, i * 4 + 1, i);
    q.flush();
    mtree_store_range(mt, 10, 50, "x"); // a node rewrite spanning several slots
    expect(q.pending.length).toBe(0);
    mt_set_in_rcu(mt);
    const live = mt.arena.live;
    mtree_store_range(mt, 100, 140, "y");
    expect(q.pending.length).toBeGreaterThan(0);
    expect(mt.arena.live).toBeGreaterThan(live - 1);
    q.flush();
    mt_clear_in_rcu(mt);
    mtree_store_range(mt, 200, 240, "z");
    expect(q.pending.length).toBe(0);
    expect(mtree_load(mt, 120)).toBe("y");
    expect(mtree_load(mt, 220)).toBe("z");
    mt_validate(mt);
  });
});
