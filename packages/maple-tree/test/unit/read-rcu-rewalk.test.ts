// A reader's state on a node that an RCU-mode writer replaced: the old node is marked dead (not
// yet freed, readers may still hold it) and the reader re-walks to its save point before moving,
// so it sees the new contents (the kernel's check_rcu_simulated, docs/spec/maple-tree.md §5).
// Pins an internal: the dead mark (arena meta M_DEAD) a replaced node carries until it is freed.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_USE_RCU,
  mas_next,
  mas_prev,
  mas_walk,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { M_DEAD, META } from "../../src/core/arena.js";

function rcuTree(): { mt: MapleTreeCore; pending: (() => void)[] } {
  const pending: (() => void)[] = [];
  // A reclaimer whose grace period never ends during the test: replaced nodes stay readable.
  const mt = DEFINE_MTREE(MT_FLAGS_USE_RCU, { reclaimer: { defer: (f) => pending.push(f) } });
  for (let i = 0; i < 1000; i++) mtree_store_range(mt, i * 10, i * 10 + 5, i);
  return { mt, pending };
}

/**
 * The first range start `x` (a multiple of 10) whose leaf also holds [x - 10, x + 15], so the
 * tests below do not depend on where the split policy puts leaf boundaries.
 */
function insideOneLeaf(mt: MapleTreeCore): number {
  for (let x = 1000; x < 9000; x += 10) {
    const mas = MA_STATE(mt, x, x);
    mas_walk(mas);
    if (mas.min <= x - 10 && mas.max >= x + 15) return x;
  }
  throw new Error("no leaf holds three consecutive ranges");
}

describe("a reader on a node replaced in RCU mode", () => {
  it("walks again and sees the new value (mas_walk)", () => {
    const { mt } = rcuTree();
    const mas = MA_STATE(mt, 4320, 4320);
    expect(mas_walk(mas)).toBe(432);
    mtree_store_range(mt, 4320, 4325, "new");
    expect(mas_walk(mas)).toBe("new");
  });

  it("re-walks from a dead node before stepping, even if the generation looks current", () => {
    const { mt, pending } = rcuTree();
    const x = insideOneLeaf(mt) - 10;
    const mas = MA_STATE(mt, x, x);
    expect(mas_walk(mas)).toBe(x / 10);
    const old = mas.node;
    // Not an exact fit: the leaf is rebuilt as a new node and the old one dies.
    mtree_store_range(mt, x + 10, x + 12, "new");
    expect(mt.arena.meta[old * META + M_DEAD]).toBe(1);
    expect(pending.length).toBeGreaterThan(0);
    // Only the dead mark can tell the reader now.
    mas.generation = mt.generation;
    expect(mas_next(mas, MAX_INDEX)).toBe("new");
    expect([mas.index, mas.last]).toEqual([x + 10, x + 12]);
    expect(mas_next(mas, MAX_INDEX)).toBe(x / 10 + 1);
    expect([mas.index, mas.last]).toEqual([x + 13, x + 15]);
  });

  it("after mas_prev, mas_next sees the value written meanwhile (check_rcu_simulated)", () => {
    const { mt } = rcuTree();
    const mas = MA_STATE(mt, 4320, 4320);
    expect(mas_walk(mas)).toBe(432);
    expect(mas_prev(mas, 0)).toBe(431);
    mtree_store_range(mt, 4320, 4325, "new");
    expect(mas_next(mas, MAX_INDEX)).toBe("new");
    expect([mas.index, mas.last]).toEqual([4320, 4325]);
  });

  it("backward: re-walks to index and steps to the new previous range", () => {
    const { mt } = rcuTree();
    const x = insideOneLeaf(mt);
    const mas = MA_STATE(mt, x, x);
    expect(mas_walk(mas)).toBe(x / 10);
    const old = mas.node;
    mtree_store_range(mt, x - 9, x - 1, "wide");
    mas.generation = mt.generation;
    expect(mt.arena.meta[old * META + M_DEAD]).toBe(1);
    expect(mas_prev(mas, 0)).toBe("wide");
    expect([mas.index, mas.last]).toEqual([x - 9, x - 1]);
  });
});
