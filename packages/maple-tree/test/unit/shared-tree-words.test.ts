// The shared tree's words: a lone [0, 0] held in the root word, a published version that never
// changes (node words, dead marks) until a grace period frees it while a leaf the open write
// section made itself is changed in place, and the arena's allocation
// state kept in the header words that other threads read.
// Pins an internal: the node words (core/arena.ts layout) and the shared header words
// (shared/layout.ts: H_ROOT, H_LIVE, H_TOP, H_RECLAIMED, adoptRoot) a reader thread relies on.

import { MAX_INDEX, type MapleError, SharedMapleTree } from "@maplemm/maple-tree";
import {
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mas_walk,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { M_DEAD, M_END, M_GAP, M_TYPE, META, STRIDE } from "../../src/core/arena.js";
import {
  adoptRoot,
  H_LIVE,
  H_RECLAIMED,
  H_ROOT,
  H_TOP,
  rootNodeOf,
} from "../../src/shared/layout.js";
import { validateTree } from "../support/debug.js";
import { modelLowest } from "../support/gap-model.js";
import { createShared as create, TestDomain } from "../support/reclaim.js";
import { Rng, testSeed } from "../support/seed.js";
import { RangeModel, treeEntries } from "../support/write-model.js";

/** The words of every node reachable from a root word, as a map id -> words. */
function snapshot(mt: MapleTreeCore, rootWord: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const a = mt.arena;
  const visit = (id: number): void => {
    const words: number[] = [];
    for (let i = 0; i < STRIDE; i++) {
      words.push(a.pivots[id * STRIDE + i] as number, a.slots[id * STRIDE + i] as number);
      if (a.gaps !== null) words.push(a.gaps[id * STRIDE + i] as number);
    }
    words.push(
      a.meta[id * META + M_END] as number,
      a.meta[id * META + M_TYPE] as number,
      a.meta[id * META + M_GAP] as number,
    );
    out.set(id, words);
    if (a.meta[id * META + M_TYPE] !== 1) {
      const end = a.meta[id * META + M_END] as number;
      for (let i = 0; i <= end; i++) visit(a.slots[id * STRIDE + i] as number);
    }
  };
  const root = rootNodeOf(rootWord);
  if (root !== 0) visit(root);
  return out;
}

describe("SharedMapleTree words", () => {
  it("holds a lone [0, 0] as the root word and grows out of it", () => {
    const { tree } = create(new TestDomain());
    tree.set(0, 5);
    expect(Atomics.load(new Int32Array(tree.handle.header), H_ROOT)).toBe(-6);
    expect(tree.get(0)).toBe(5);
    expect(tree.size).toBe(1);
    tree.set(1, 6);
    expect([...tree.entries()].map((r) => r.value)).toEqual([5, 6]);
    expect(tree.height).toBe(1);
  });

  it("never changes a published version: every write copies up to the root (seeded)", () => {
    const seed = testSeed();
    for (const flags of [0, MT_FLAGS_ALLOC_RANGE]) {
      const rng = new Rng(seed);
      const domain = new TestDomain();
      const { tree } = create(domain, 1 << 14, flags);
      const model = new RangeModel();
      const words = new Int32Array(tree.handle.header);
      const reader = SharedMapleTree.attach(tree.handle, { domain, blocking: false });
      for (let i = 0; i < 700; i++) {
        const oldRoot = Atomics.load(words, H_ROOT);
        const before = snapshot(tree.mt, oldRoot);
        const beforeRanges = model.ranges.slice();
        const first = Math.floor(rng.next() * 3000);
        const last = first + Math.floor(rng.next() * (rng.next() < 0.1 ? 400 : 12));
        const op = rng.next();
        if (op < 0.25) {
          tree.deleteRange(first, last);
          model.store(first, last, null);
        } else if (op < 0.35) {
          const v = tree.getRange(first);
          tree.delete(first);
          if (v !== undefined) model.store(v.first, v.last, null);
        } else {
          tree.setRange(first, last, i & 0xffff);
          model.store(first, last, i & 0xffff);
        }
        // The old version is intact: same words in every node it had, none freed yet.
        for (const [id, w] of before) {
          expect(
            snapshot(tree.mt, id | (1 << 22)).get(id),
            `seed ${seed} op ${i} node ${id}`,
          ).toEqual(w);
          expect(tree.mt.arena.meta[id * META + M_DEAD]).not.toBe(2);
        }
        // ... and still reads as exactly what it held (a reader's view pinned to the old root).
        expect(rangesAt(reader, oldRoot), `seed ${seed} op ${i}`).toEqual(beforeRanges);
        if (rng.next() < 0.3) domain.flush(); // a grace period ends: old versions may go
        if (i % 70 === 0) {
          validateTree(tree);
          expect([...tree.entries()], `seed ${seed} op ${i}`).toEqual(
            model.ranges.map((r) => ({ first: r.first, last: r.last, value: r.value })),
          );
          if (flags !== 0) {
            const lowest = modelLowest(model.ranges, 0, MAX_INDEX, 7);
            expect(tree.findGap(7), `seed ${seed} op ${i}`).toBe(lowest ?? undefined);
          }
        }
      }
      domain.flush();
      validateTree(tree);
    }
  });

  it("returns freed nodes through the reclaimed stack and fails -ENOMEM with nothing changed", () => {
    const domain = new TestDomain();
    const { tree } = create(domain, 96);
    const words = new Int32Array(tree.handle.header);
    for (let i = 0; i < 120; i++) {
      tree.set(i * 2, i);
      if (i % 8 === 0) domain.flush();
    }
    const live = words[H_LIVE] as number;
    expect(live).toBeGreaterThan(8);
    // The arena keeps its allocation state at the header words shared/layout.ts names.
    expect(live).toBe(tree.mt.arena.live);
    expect(words[H_TOP]).toBe(tree.mt.arena.top);
    domain.flush();
    for (let i = 0; i < 20; i++) tree.set(i * 2, i + 1000); // churn: old copies wait for a GP
    const waiting = domain.queue.length;
    expect(waiting).toBeGreaterThan(20);
    domain.flush();
    expect(words[H_RECLAIMED]).not.toBe(0); // pushed, not yet taken back
    const top = words[H_TOP] as number;
    tree.set(999, 1); // the next writer takes them back and reuses them
    expect(words[H_RECLAIMED]).toBe(0);
    expect(words[H_TOP]).toBe(top);
    // Fill until the capacity refuses: the failing store changes nothing.
    let failed = false;
    for (let i = 0; i < 2000 && !failed; i++) {
      const before = [...tree.entries()];
      try {
        tree.setRange(10000 + i * 3, 10000 + i * 3, i);
      } catch (e) {
        expect((e as MapleError).code).toBe("ENOMEM");
        expect([...tree.entries()]).toEqual(before);
        failed = true;
      }
      if (i % 10 === 0) domain.flush();
    }
    expect(failed).toBe(true);
    validateTree(tree);
  });

  it("changes a leaf its own write section made in place, and never a node of the published version (seeded)", () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const domain = new TestDomain();
    const { tree } = create(domain, 1 << 14);
    const model = new RangeModel();
    for (let i = 0; i < 300; i++) {
      tree.setRange(i * 100, i * 100 + 9, i);
      model.store(i * 100, i * 100 + 9, i);
    }
    const words = new Int32Array(tree.handle.header);
    const before = snapshot(tree.mt, Atomics.load(words, H_ROOT));
    const leafOf = (mt: MapleTreeCore, index: number): number => {
      const mas = MA_STATE(mt, index, index);
      mas_walk(mas);
      return mas.node;
    };
    tree.write((mt) => {
      for (let i = 0; i < 400; i++) {
        const first = Math.floor(rng.next() * 31000);
        const last = first + Math.floor(rng.next() * 40);
        const value = rng.next() < 0.3 ? null : i;
        expect(mtree_store_range(mt, first, last, value)).toBe(0);
        model.store(first, last, value);
        for (const [id, w] of before) {
          expect(snapshot(mt, id | (1 << 22)).get(id), `seed ${seed} op ${i} node ${id}`).toEqual(
            w,
          );
        }
      }
      // A leaf this section made takes the next store into it in place (same node, no copy).
      expect(mtree_store_range(mt, 50000, 50001, 7)).toBe(0);
      const leaf = leafOf(mt, 50000);
      expect(before.has(leaf)).toBe(false);
      expect(mtree_store_range(mt, 50000, 50001, 8)).toBe(0);
      expect(leafOf(mt, 50000)).toBe(leaf);
      model.store(50000, 50001, 8);
    });
    expect([...tree.entries()], `seed ${seed}`).toEqual(
      model.ranges.map((r) => ({ first: r.first, last: r.last, value: r.value })),
    );
    domain.flush();
    validateTree(tree);
  });
});

/** The non-NULL ranges of the version whose root word is `rootWord`, read through `view`. */
function rangesAt(view: SharedMapleTree, rootWord: number): Array<Record<string, unknown>> {
  const mt = view.mt;
  adoptRoot(mt, rootWord);
  return treeEntries(mt).map((r) => ({ first: r.first, last: r.last, value: r.value }));
}
