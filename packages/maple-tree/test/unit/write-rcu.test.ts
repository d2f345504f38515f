// RCU mode on the write side (docs/spec/maple-tree.md §5): nodes are copied on write and the
// copies published with one slot store; replaced nodes are marked dead and, with their entry
// handles, freed only when the reclaimer says readers are gone. A reader that still holds an old
// node sees the old contents, whole, until then.
// Pins an internal: the dead marks (arena meta M_DEAD) and slot words of the replaced nodes.

import { immediateReclaimer } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_store,
  mas_walk,
  mt_validate,
  mtree_erase,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { M_DEAD, META, STRIDE } from "../../src/core/arena.js";
import { expectSameContents, RangeModel, rng } from "../support/write-model.js";
import { QueueReclaimer } from "../support/write-tree.js";

function rcuTree(n: number, flags = MT_FLAGS_USE_RCU): { mt: MapleTreeCore; q: QueueReclaimer } {
  const q = new QueueReclaimer();
  const mt = DEFINE_MTREE(flags, { reclaimer: q });
  for (let i = 0; i < n; i++) mtree_store_range(mt, i * 10, i * 10 + 5, i);
  q.flush();
  return { mt, q };
}

/** What a reader holding leaf `node` would see: its pivots and entries, by slot. */
function snapshot(mt: MapleTreeCore, node: number): { pivots: number[]; values: unknown[] } {
  const a = mt.arena;
  const pivots = Array.from(a.pivots.subarray(node * STRIDE, node * STRIDE + STRIDE));
  const values = Array.from(a.slots.subarray(node * STRIDE, node * STRIDE + STRIDE), (h) =>
    h === 0 ? null : mt.entries.values[h],
  );
  return { pivots, values };
}

function leafOf(mt: MapleTreeCore, index: number): number {
  const mas = MA_STATE(mt, index, index);
  mas_walk(mas);
  return mas.node;
}

describe("RCU mode writes", () => {
  it("exact fit stores one slot in place; the old handle lives until the grace period ends", () => {
    const { mt, q } = rcuTree(10);
    // An object entry lives behind a handle (integers would be inline words).
    const three = { v: 3 };
    mtree_store_range(mt, 30, 35, three);
    q.flush();
    const leaf = leafOf(mt, 30);
    const live = mt.arena.live;
    const oldHandle = mt.arena.slots[leaf * STRIDE + 6] as number;
    expect(oldHandle).toBeGreaterThan(0);
    expect(mt.entries.values[oldHandle]).toBe(three);
    const size = mt.entries.size;
    const mas = MA_STATE(mt, 30, 35);
    expect(mas_store(mas, "new")).toBe(three);
    expect(leafOf(mt, 30)).toBe(leaf);
    expect(mt.arena.live).toBe(live);
    // A reader that loaded the old handle still resolves it; the range count is exact already.
    expect(mt.entries.values[oldHandle]).toBe(three);
    expect(mt.entries.size).toBe(size);
    expect(q.pending.length).toBe(1);
    mt_validate(mt);
    q.flush();
    expect(mt.entries.values[oldHandle]).toBe(undefined);
    mt_validate(mt);
  });

  it("an erase drops the range count at once, before the deferred handle free runs", () => {
    const { mt, q } = rcuTree(10);
    mtree_store_range(mt, 40, 45, "four");
    mtree_store_range(mt, 50, 55, 5);
    q.flush();
    const size = mt.entries.size;
    const handles = mt.entries.handles;
    mtree_erase(mt, 40);
    mtree_erase(mt, 50);
    expect(mt.entries.size).toBe(size - 2);
    // The string's handle waits for the grace period; the inline 5 had none.
    expect(mt.entries.handles).toBe(handles);
    expect(mt.entries.pendingFrees).toBe(1);
    mt_validate(mt);
    q.flush();
    expect(mt.entries.handles).toBe(handles - 1);
    expect(mt.entries.pendingFrees).toBe(0);
    mt_validate(mt);
  });

  it("a slot store rewrites the leaf as a new node; the old one is dead but intact", () => {
    const { mt, q } = rcuTree(5);
    const leaf = leafOf(mt, 20);
    const before = snapshot(mt, leaf);
    mtree_store_range(mt, 21, 22, "x");
    const now = leafOf(mt, 20);
    expect(now).not.toBe(leaf);
    expect(mt.arena.meta[leaf * META + M_DEAD]).toBe(1);
    expect(snapshot(mt, leaf)).toEqual(before);
    mt_validate(mt);
    q.flush();
    expect(mt.arena.isFreed(leaf)).toBe(true);
    mt_validate(mt);
  });

  it("appends are not done in place in RCU mode", () => {
    const { mt, q } = rcuTree(3);
    const leaf = mt.rootNode;
    mtree_store_range(mt, 40, 45, "a");
    expect(mt.rootNode).not.toBe(leaf);
    expect(mt.arena.meta[leaf * META + M_DEAD]).toBe(1);
    q.flush();
    mt_validate(mt);
  });

  it("splits and spanning stores retire every replaced node only after the grace period", () => {
    const { mt, q } = rcuTree(2000);
    const leafA = leafOf(mt, 5000);
    const leafB = leafOf(mt, 9000);
    const a = snapshot(mt, leafA);
    const b = snapshot(mt, leafB);
    mtree_store_range(mt, 4001, 12003, "span");
    mt_validate(mt);
    expect(snapshot(mt, leafA)).toEqual(a);
    expect(snapshot(mt, leafB)).toEqual(b);
    expect(q.pending.length).toBeGreaterThan(0);
    const pendingNodes = q.pending.length;
    q.flush();
    expect(pendingNodes).toBeGreaterThan(10);
    expect(mt.arena.isFreed(leafA)).toBe(true);
    expect(mt.arena.isFreed(leafB)).toBe(true);
    mt_validate(mt);
  });

  it("random writes in RCU mode: held leaves stay readable until flushed; no leaks after", () => {
    for (const flags of [MT_FLAGS_USE_RCU, MT_FLAGS_USE_RCU | MT_FLAGS_ALLOC_RANGE]) {
      const q = new QueueReclaimer();
      const mt = DEFINE_MTREE(flags, { reclaimer: q });
      const model = new RangeModel();
      const rand = rng(99 + flags);
      for (let op = 0; op < 4000; op++) {
        const first = Math.floor(rand() * 3000);
        const last = first + Math.floor(rand() * (rand() < 0.1 ? 400 : 8));
        const held = mt.rootNode === 0 ? 0 : leafOf(mt, first);
        const before = held === 0 ? null : snapshot(mt, held);
        if (rand() < 0.3) {
          const idx = Math.floor(rand() * 3000);
          expect(mtree_erase(mt, idx)).toBe(model.erase(idx));
        } else {
          const v = rand() < 0.2 ? null : { op };
          expect(mtree_store_range(mt, first, last, v)).toBe(0);
          model.store(first, last, v);
        }
        if (held !== 0 && before !== null) {
          // Replaced (dead): whole and unchanged until the flush. Still live: at most one slot
          // word changed in place (exact fit), which readers see atomically.
          const dead = mt.arena.meta[held * META + M_DEAD];
          expect(dead).not.toBe(2);
          const now = snapshot(mt, held);
          if (dead === 1) expect(now).toEqual(before);
          else {
            expect(now.pivots).toEqual(before.pivots);
            expect(now.values.filter((v, i) => v !== before.values[i]).length).toBeLessThanOrEqual(
              1,
            );
          }
        }
        if (op % 7 === 0) q.flush();
        mt_validate(mt);
        expectSameContents(mt, model, `rcu op ${op}`);
      }
      q.flush();
      // After the last grace period the validate counts (nodes, handles) hold exactly.
      const live = mt.arena.live;
      mt.reclaimer = immediateReclaimer;
      mt_validate(mt);
      expect(mt.arena.live).toBe(live);
    }
  });
});
