// Integration of the two lower packages: a maple tree in RCU mode whose reclaimer is a real
// @maplemm/rcu domain. Neither package imports the other (the tree defines the one-method
// Reclaimer interface, the domains implement it structurally), so the proof that they fit lives
// here: a reader inside a read section keeps a consistent view while a writer rewrites the tree
// around it, no replaced node is reused before the grace period ends, and afterwards every
// retired node is back on the free list, poisoned.

import { MapleTree, type Reclaimer } from "@maplemm/maple-tree";
import { MA_STATE, mas_find, mas_next, mas_prev, mt_validate } from "@maplemm/maple-tree/kernel";
import { Rcu, SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";

interface Domain extends Reclaimer {
  synchronize(): Promise<void>;
  barrier(): Promise<void>;
  readLock(): void;
  readUnlock(): void;
}

const domains: { name: string; make: () => Domain; close: (d: Domain) => void }[] = [
  { name: "Rcu", make: () => new Rcu(), close: () => {} },
  {
    name: "SharedRcu",
    make: () => {
      const d = SharedRcu.create({ maxThreads: 4 });
      d.register();
      return d;
    },
    close: (d) => (d as SharedRcu).unregister(),
  },
];

const open: (() => void)[] = [];
afterEach(() => {
  for (const f of open.splice(0)) f();
});

for (const { name, make, close } of domains) {
  describe(`a maple tree in RCU mode over ${name}`, () => {
    it("satisfies the tree's Reclaimer interface", () => {
      const d = make();
      open.push(() => close(d));
      const r: Reclaimer = d;
      expect(typeof r.defer).toBe("function");
    });

    it("keeps replaced nodes whole while a reader is in its section, and frees them after", async () => {
      const rcu = make();
      open.push(() => close(rcu));
      const tree = new MapleTree<number>({ rcu: true, reclaimer: rcu, poison: true });
      for (let i = 0; i < 2000; i++) tree.setRange(i * 10, i * 10 + 5, i);
      await rcu.barrier();
      const liveBefore = tree.mt.arena.live;

      rcu.readLock();
      open.unshift(() => {
        try {
          rcu.readUnlock();
        } catch {
          // already unlocked by the test body
        }
      });
      // The reader positions a state on [5000, 5005] and remembers the node it stands on.
      const mas = MA_STATE(tree.mt, 5000, 5000);
      expect(mas_find(mas, Number.MAX_SAFE_INTEGER)).toBe(500);
      const readerNode = mas.node;
      const words = Array.from(
        tree.mt.arena.pivots.subarray(readerNode * 16, readerNode * 16 + 16),
      );

      // The writer rewrites the tree around it: spanning stores, erases, splits, rebalances.
      tree.setRange(4000, 6000, -1);
      for (let i = 0; i < 300; i++) tree.delete(i * 10);
      for (let i = 0; i < 300; i++) tree.setRange(30_000 + i * 3, 30_000 + i * 3, i);
      mt_validate(tree.mt);

      // Nothing the reader could hold was reused or overwritten: its node is dead but intact,
      // and every replaced node is still allocated (live grew by the copies).
      expect(tree.mt.arena.isFreed(readerNode)).toBe(false);
      expect(
        Array.from(tree.mt.arena.pivots.subarray(readerNode * 16, readerNode * 16 + 16)),
      ).toEqual(words);
      expect(tree.mt.arena.live).toBeGreaterThan(liveBefore);
      // The reader's state sees the new tree when it moves on (it re-walks from a dead node):
      // range 600 was [6000, 6005] and is now trimmed to [6001, 6005] by the -1 store.
      expect(mas_next(mas, Number.MAX_SAFE_INTEGER)).toBe(600);
      expect([mas.index, mas.last]).toEqual([6001, 6005]);
      expect(mas_prev(mas, 0)).toBe(-1);
      rcu.readUnlock();

      const liveDuring = tree.mt.arena.live;
      await rcu.synchronize();
      await rcu.barrier();
      // After the grace period the replaced nodes are back on the free list, poisoned.
      expect(tree.mt.arena.isFreed(readerNode)).toBe(true);
      expect(
        Array.from(tree.mt.arena.pivots.subarray(readerNode * 16, readerNode * 16 + 16)),
      ).not.toEqual(words);
      expect(tree.mt.arena.live).toBeLessThan(liveDuring);
      mt_validate(tree.mt);
      expect(tree.get(5000)).toBe(-1);
      expect(tree.get(30_003)).toBe(1);
    });
  });
}
