// The normal write API around the stores: tree init, destroy, emptiness, height, the flag locks.

import { MAX_INDEX, MapleTree } from "@maplemm/maple-tree";
import {
  __mt_destroy,
  DEFINE_MTREE,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_ALLOC_WRAPPED,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_USE_RCU,
  mas_lock,
  mas_unlock,
  mt_height,
  mt_init,
  mt_init_flags,
  mt_lock_is_held,
  mt_validate,
  mtree_destroy,
  mtree_empty,
  mtree_erase,
  mtree_lock,
  mtree_store,
  mtree_store_range,
  mtree_unlock,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { treeEntries } from "./support/write-model.js";
import { QueueReclaimer, sequentialTree } from "./support/write-tree.js";

describe("tree lifetime", () => {
  it("DEFINE_MTREE gives an empty tree with the flags, height 0", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    expect(mtree_empty(mt)).toBe(true);
    expect(mt_height(mt)).toBe(0);
    expect(mt.flags).toBe(MT_FLAGS_ALLOC_RANGE);
    expect(mt.arena.gaps).not.toBe(null);
  });

  it("mtree_destroy frees every node and handle, clears the height, keeps the other flags", () => {
    const flags = MT_FLAGS_ALLOC_RANGE | MT_FLAGS_ALLOC_WRAPPED;
    const mt = sequentialTree(2000, 10, 5, flags);
    expect(mt_height(mt)).toBeGreaterThan(2);
    mtree_destroy(mt);
    expect(mtree_empty(mt)).toBe(true);
    expect(mt_height(mt)).toBe(0);
    expect(mt.flags).toBe(flags);
    expect(mt.arena.live).toBe(0);
    expect(mt.entries.size).toBe(0);
    mt_validate(mt);
    // The tree is usable again.
    expect(mtree_store_range(mt, 5, 6, "again")).toBe(0);
    mt_validate(mt);
  });

  it("in RCU mode destroyed nodes are dead and freed only after the grace period", () => {
    const q = new QueueReclaimer();
    const mt = DEFINE_MTREE(MT_FLAGS_USE_RCU, { reclaimer: q });
    for (let i = 0; i < 500; i++) mtree_store_range(mt, i * 10, i * 10 + 5, i);
    q.flush();
    const live = mt.arena.live;
    __mt_destroy(mt);
    expect(mtree_empty(mt)).toBe(true);
    expect(mt.arena.live).toBe(live);
    expect(q.flush()).toBeGreaterThanOrEqual(live);
    expect(mt.arena.live).toBe(0);
    expect(mt.flags).toBe(MT_FLAGS_USE_RCU);
  });

  it("a direct root entry is dropped by destroy", () => {
    const mt = DEFINE_MTREE();
    mtree_store(mt, 0, "r");
    mtree_destroy(mt);
    expect(mtree_empty(mt)).toBe(true);
  });

  it("mt_init and mt_init_flags re-initialise a used tree", () => {
    const mt = sequentialTree(100);
    mt_init_flags(mt, MT_FLAGS_ALLOC_RANGE);
    expect(mtree_empty(mt)).toBe(true);
    expect(mt.flags).toBe(MT_FLAGS_ALLOC_RANGE);
    mtree_store_range(mt, 1, 2, "a");
    mt_validate(mt);
    mt_init(mt);
    expect(mt.flags).toBe(0);
    expect(mtree_empty(mt)).toBe(true);
  });
});

describe("locks and the normal API", () => {
  it("mtree_lock / mas_lock are flags; normal-API writes keep a caller's lock held", () => {
    const mt = DEFINE_MTREE();
    mtree_lock(mt);
    expect(mt.locked).toBe(true);
    mtree_store_range(mt, 1, 5, "a");
    expect(mt.locked).toBe(true);
    mtree_unlock(mt);
    expect(mt.locked).toBe(false);
    const mas = MA_STATE(mt, 0, 0);
    mas_lock(mas);
    expect(mt.locked).toBe(true);
    mas_unlock(mas);
    expect(mt.locked).toBe(false);
    mtree_store_range(mt, 7, 9, "b");
    expect(mt.locked).toBe(false);
  });

  it("mt_lock_is_held reads the lock: mtree_lock / mas_lock, a normal-API write, or an external lock", () => {
    const mt = DEFINE_MTREE();
    expect(mt_lock_is_held(mt)).toBe(false);
    mtree_lock(mt);
    expect(mt_lock_is_held(mt)).toBe(true);
    mtree_unlock(mt);
    expect(mt_lock_is_held(mt)).toBe(false);
    // Inside a normal-API write the lock is held (an RCU-mode tree's reclaimer is handed the
    // replaced nodes during the write), and it is let go after.
    const seen: boolean[] = [];
    const rcu = DEFINE_MTREE(MT_FLAGS_USE_RCU, {
      reclaimer: {
        defer: (free) => {
          seen.push(mt_lock_is_held(rcu));
          free();
        },
      },
    });
    for (let i = 0; i < 200; i++) mtree_store_range(rcu, i * 10, i * 10 + 5, i);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((held) => held)).toBe(true);
    expect(mt_lock_is_held(rcu)).toBe(false);
    const mas = MA_STATE(mt, 0, 0);
    mas_lock(mas);
    expect(mt_lock_is_held(mt)).toBe(true);
    mas_unlock(mas);
    // MT_FLAGS_LOCK_EXTERN: the caller's own lock, which the port cannot see, counts as held.
    const ext = DEFINE_MTREE(MT_FLAGS_LOCK_EXTERN);
    expect(mt_lock_is_held(ext)).toBe(true);
  });

  it("mtree_store writes one index; mtree_erase returns what it erased, then null", () => {
    const mt = DEFINE_MTREE();
    expect(mtree_store(mt, 42, "x")).toBe(0);
    expect(mtree_store(mt, MAX_INDEX, "top")).toBe(0);
    expect(treeEntries(mt)).toEqual([
      { first: 42, last: 42, value: "x" },
      { first: MAX_INDEX, last: MAX_INDEX, value: "top" },
    ]);
    expect(mtree_erase(mt, 42)).toBe("x");
    expect(mtree_erase(mt, 42)).toBe(null);
    expect(mtree_erase(mt, MAX_INDEX)).toBe("top");
    expect(mtree_empty(mt)).toBe(true);
    mt_validate(mt);
  });

  it("mtree_store_range(0, MAX, NULL) always leaves an empty tree (check_store_null)", () => {
    for (const make of [
      () => DEFINE_MTREE(),
      () => sequentialTree(1),
      () => sequentialTree(3000),
    ]) {
      const mt = make();
      mtree_store(mt, 0, "r");
      expect(mtree_store_range(mt, 0, MAX_INDEX, null)).toBe(0);
      expect(mtree_empty(mt)).toBe(true);
      expect(mt_height(mt)).toBe(0);
    }
  });
});

describe("MapleTree.size counts every stored range", () => {
  it("includes a direct root entry, and follows it into and out of a root node", () => {
    const t = new MapleTree<string>();
    expect(t.size).toBe(0);
    t.set(0, "x");
    expect(t.mt.rootNode).toBe(0);
    expect(t.size).toBe(1);
    t.set(5, "y");
    expect(t.size).toBe(2);
    t.delete(5);
    expect(t.size).toBe(1);
    t.delete(0);
    expect(t.size).toBe(0);
    t.set(0, "z");
    t.set(7, "w");
    t.delete(0);
    expect(t.size).toBe(1);
  });
});
