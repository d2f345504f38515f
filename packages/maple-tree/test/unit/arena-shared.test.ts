// The shared arena (groundwork of the shared-memory tree): node arrays in SharedArrayBuffers sized
// for the capacity up front, never reallocated, with the same behaviour as the local arena.
// Pins an internal: NodeArena's shared-memory mode (arena.ts), which no public call exposes alone.

import {
  __mt_dup,
  DEFINE_MTREE,
  ENOMEM,
  MT_FLAGS_ALLOC_RANGE,
  mt_validate,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { NodeArena, SHARED_CAPACITY_MAX } from "../../src/core/arena.js";

describe("a shared arena", () => {
  it("keeps every node array in a SharedArrayBuffer sized for the capacity, never replaced", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE, { shared: true, capacity: 4096 });
    const { pivots, slots, meta, gaps } = mt.arena;
    for (const a of [pivots, slots, meta, gaps])
      expect(a?.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (let i = 0; i < 20_000; i++) mtree_store_range(mt, i * 3, i * 3 + 1, i);
    expect(mt.arena.pivots).toBe(pivots);
    expect(mt.arena.slots).toBe(slots);
    expect(mt.arena.meta).toBe(meta);
    expect(mt.arena.gaps).toBe(gaps);
    mt_validate(mt);
    expect(mtree_load(mt, 30_001)).toBe(10_000);
  });

  it("fails with -ENOMEM at its capacity and keeps what it had", () => {
    const mt = DEFINE_MTREE(0, { shared: true, capacity: 3 });
    let ret = 0;
    let i = 0;
    for (; i < 1000 && ret === 0; i++) ret = mtree_store_range(mt, i * 3, i * 3 + 1, i);
    expect(ret).toBe(-ENOMEM);
    expect(mt.arena.live).toBeLessThanOrEqual(3);
    mt_validate(mt);
    for (let k = 0; k < i - 1; k++) expect(mtree_load(mt, k * 3)).toBe(k);
  });

  it("requires an explicit capacity within bounds", () => {
    expect(() => new NodeArena({ shared: true })).toThrow(/needs options.capacity/);
    expect(() => new NodeArena({ shared: true, capacity: SHARED_CAPACITY_MAX + 1 })).toThrow(
      RangeError,
    );
    expect(() => new NodeArena({ shared: true, capacity: 1.5 })).toThrow(RangeError);
  });

  it("duplicates into and out of shared arenas, the target keeping its own shared arrays", () => {
    const local = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i < 3000; i++) mtree_store_range(local, i * 10, i * 10 + 5, i);
    const shared = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE, { shared: true, capacity: 2048 });
    const arrays = shared.arena.pivots;
    expect(__mt_dup(local, shared)).toBe(0);
    expect(shared.arena.pivots).toBe(arrays);
    expect(shared.arena.pivots.buffer).toBeInstanceOf(SharedArrayBuffer);
    mt_validate(shared);
    const back = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    expect(__mt_dup(shared, back)).toBe(0);
    mt_validate(back);
    for (const i of [0, 1234, 2999]) {
      expect(mtree_load(shared, i * 10 + 2)).toBe(i);
      expect(mtree_load(back, i * 10 + 2)).toBe(i);
    }
    mtree_store_range(shared, 0, 100, "changed");
    expect(mtree_load(local, 50)).toBe(5);
    expect(mtree_load(back, 50)).toBe(5);
  });
});
