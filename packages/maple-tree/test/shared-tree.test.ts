// The shared tree in one thread: the API, bad input changing nothing, two views taking turns as
// the writer, a walk restarting on the newest version, and write sections atomic for readers.
// The invariant the cross-thread readers rely on (a published version never changes until its
// nodes are freed) is checked word by word in unit/shared-tree-words.test.ts. (Worker readers and
// the torture test are in tools/integration/test.)

import { MAX_INDEX, MapleError, SharedMapleTree, type SharedTreeDomain } from "@maplemm/maple-tree";
import {
  __mt_dup,
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_find,
  mas_store_gfp,
  mt_init_flags,
  mt_validate,
  mtree_destroy,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { validateTree } from "./support/debug.js";
import { RangeModel } from "./support/range-model.js";
import { createShared as create, TestDomain } from "./support/reclaim.js";
import { Rng, testSeed } from "./support/seed.js";

describe("SharedMapleTree in one thread", () => {
  it("stores, loads, iterates, finds gaps and deletes like a range map", () => {
    const { tree } = create(new TestDomain(), 4096, MT_FLAGS_ALLOC_RANGE);
    tree.setRange(10, 19, 1).setRange(30, 39, 2).set(50, 3);
    expect(tree.get(15)).toBe(1);
    expect(tree.get(20)).toBeUndefined();
    expect(tree.has(50)).toBe(true);
    expect(tree.getRange(33)).toEqual({ first: 30, last: 39, value: 2 });
    expect([...tree.entries()]).toEqual([
      { first: 10, last: 19, value: 1 },
      { first: 30, last: 39, value: 2 },
      { first: 50, last: 50, value: 3 },
    ]);
    expect(tree.size).toBe(3);
    expect(tree.findGap(10, { min: 10 })).toBe(20);
    expect(tree.findGap(11, { min: 10 })).toBe(51);
    expect(tree.findGap(5, { max: 49, highest: true })).toBe(45);
    expect(() => tree.insertRange(15, 25, 9)).toThrow(/EEXIST/);
    expect(tree.delete(35)).toBe(true);
    tree.deleteRange(0, 12);
    expect([...tree.entries()]).toEqual([
      { first: 13, last: 19, value: 1 },
      { first: 50, last: 50, value: 3 },
    ]);
    validateTree(tree);
  });

  it("refuses what a shared tree cannot hold and changes nothing", () => {
    const domain = new TestDomain();
    const { tree } = create(domain);
    tree.setRange(100, 200, 1);
    const gen = tree.generation;
    const bad: Array<[string, () => unknown, RegExp]> = [
      [
        "object value",
        () => tree.set(5, { a: 1 } as unknown as number),
        /value must be an integer/,
      ],
      ["negative value", () => tree.set(5, -1), /value must be an integer/],
      ["fraction", () => tree.setRange(1, 2, 0.5), /value must be an integer/],
      ["too large", () => tree.set(5, 2 ** 31), /value must be an integer/],
      ["bad index", () => tree.set(-1, 1), /index must be an integer/],
      ["inverted", () => tree.setRange(9, 3, 1), /inverted/],
      ["gap size 0", () => tree.findGap(0), /cannot hold/],
      [
        "kernel write outside write()",
        () => mas_store_gfp(MA_STATE(tree.mt, 1, 1), 1),
        /only inside/,
      ],
    ];
    for (const [what, f, msg] of bad) {
      expect(f, what).toThrow(msg);
    }
    // A non-integer through the kernel layer inside write() is -EINVAL.
    expect(tree.write((mt) => mas_store_gfp(MA_STATE(mt, 1, 1), "x"))).toBe(-22);
    // Block copies and re-initialisation would bypass copy-on-write: refused.
    const src = DEFINE_MTREE(MT_FLAGS_USE_RCU);
    mtree_store_range(src, 1, 2, 3);
    expect(__mt_dup(src, SharedMapleTree.create({ capacity: 16, domain }).mt)).toBe(-22);
    expect(() => mt_init_flags(tree.mt, 0)).toThrow(/cannot be re-initialised/);
    expect(() => mtree_destroy(tree.mt)).toThrow(/only inside/);
    expect(tree.generation).toBe(gen);
    expect([...tree.entries()]).toEqual([{ first: 100, last: 200, value: 1 }]);
    expect(() => SharedMapleTree.create({ capacity: 0, domain })).toThrow(/capacity/);
    expect(() => SharedMapleTree.create({ capacity: 16, domain, flags: 2 })).toThrow(/flags/);
    expect(() => SharedMapleTree.create({ capacity: 16, domain: {} as SharedTreeDomain })).toThrow(
      /options.domain/,
    );
    expect(() =>
      SharedMapleTree.attach({ ...tree.handle, header: new SharedArrayBuffer(128) }, { domain }),
    ).toThrow(/handle: header is not/);
  });

  it("makes poison a property of the tree: attach inherits it and refuses a different value", () => {
    const domain = new TestDomain();
    const { tree } = create(domain); // poison: true
    const b = SharedMapleTree.attach(tree.handle, { domain, blocking: false });
    expect(b.mt.arena.poison).toBe(true);
    expect(() =>
      SharedMapleTree.attach(tree.handle, { domain, poison: false, blocking: false }),
    ).toThrow(/options.poison is false but the tree was created with poison true/);
    // b's frees poison too, so the creator's reuse check passes.
    for (let i = 0; i < 50; i++) b.setRange(i * 10, i * 10 + 5, i);
    b.deleteRange(0, 1000);
    domain.flush();
    tree.setRange(0, 5, 1);
    validateTree(tree);
  });

  it("validates with a reclaimer that frees at once (the live count includes the reclaimed stack)", () => {
    const domain = new TestDomain();
    const tree = SharedMapleTree.create({
      capacity: 256,
      domain,
      reclaimer: { defer: (f: () => void) => f() },
      blocking: false,
    });
    for (let i = 0; i < 50; i++) tree.setRange(i * 10, i * 10 + 5, i);
    validateTree(tree);
    tree.deleteRange(0, 200);
    tree.write((mt) => mt_validate(mt)); // the kernel layer agrees
  });

  it("throws EBUSY from write() on a thread that may not block while another holds the lock", () => {
    const domain = new TestDomain();
    const { tree } = create(domain);
    const words = new Int32Array(tree.handle.header);
    expect(Atomics.compareExchange(words, 1, 0, 1)).toBe(0); // somebody else's lock
    try {
      expect(() => tree.set(1, 1)).toThrow(MapleError);
      expect(() => tree.set(1, 1)).toThrow(/EBUSY/);
    } finally {
      Atomics.store(words, 1, 0);
    }
    expect(tree.size).toBe(0);
  });

  it("writeAsync waits for the lock without blocking and then writes", async () => {
    const domain = new TestDomain();
    const { tree } = create(domain);
    const words = new Int32Array(tree.handle.header);
    Atomics.store(words, 1, 1);
    let done = false;
    const p = tree
      .writeAsync((mt) => mtreeStore(mt, 7, 9))
      .then(() => {
        done = true;
      });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // still waiting, and this thread kept running
    if (Atomics.exchange(words, 1, 0) === 2) Atomics.notify(words, 1, 1);
    await p;
    expect(tree.get(7)).toBe(9);
  });

  it("lets two views of one tree take turns as the writer (state travels in the header)", () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const domain = new TestDomain();
    const { tree: a } = create(domain, 1 << 14);
    const b = SharedMapleTree.attach(a.handle, { domain, poison: true, blocking: false });
    const model = new RangeModel();
    for (let i = 0; i < 3000; i++) {
      const t = rng.next() < 0.5 ? a : b;
      const first = Math.floor(rng.next() * 5000);
      const last = first + Math.floor(rng.next() * 30);
      if (rng.next() < 0.3) {
        t.deleteRange(first, last);
        model.store(first, last, null);
      } else {
        t.setRange(first, last, i);
        model.store(first, last, i);
      }
      if (i % 97 === 0) domain.flush();
      if (i % 500 === 0) {
        validateTree(a);
        expect([...b.entries()], `seed ${seed}`).toEqual(
          model.ranges.map((r) => ({ first: r.first, last: r.last, value: r.value })),
        );
      }
    }
    validateTree(b);
    expect([...a.entries()]).toEqual([...b.entries()]);
    expect(a.size).toBe(model.ranges.length);
  });

  it("a mas_find walk in one section restarts on the newest version after its leaf was replaced: ascending, every range one that existed, nothing freed under it", () => {
    const domain = new TestDomain();
    const { tree: owner } = create(domain, 1 << 12);
    const reader = SharedMapleTree.attach(owner.handle, { domain, blocking: false });
    // Every range that ever exists, by value: the layout (value i) and the rewrites (100000 + n).
    const existed = new Map<number, [number, number]>();
    for (let i = 0; i < 400; i++) {
      owner.setRange(i * 10, i * 10 + 4, i);
      existed.set(i, [i * 10, i * 10 + 4]);
    }
    const got: Array<[number, number, number]> = [];
    reader.read((mt) => {
      const mas = MA_STATE(mt, 0, 0);
      for (let n = 0; n < 200; n++) {
        const e = mas_find(mas, MAX_INDEX) as number;
        got.push([mas.index, mas.last, e]);
        // The owner rewrites just past the reader: its leaf dies, none of its nodes is freed.
        if (n % 20 === 0) {
          owner.setRange(mas.last + 1, mas.last + 3, 100000 + n);
          existed.set(100000 + n, [mas.last + 1, mas.last + 3]);
        }
      }
    });
    for (let k = 0; k < got.length; k++) {
      const [first, last, value] = got[k] as [number, number, number];
      if (k > 0) expect(first).toBeGreaterThan((got[k - 1] as [number, number, number])[1]);
      // A range read is the whole stored range, or (after a rewrite trimmed it) part of it.
      const r = existed.get(value) as [number, number];
      expect(r, `value ${value}`).toBeDefined();
      expect(first).toBeGreaterThanOrEqual(r[0]);
      expect(last).toBeLessThanOrEqual(r[1]);
    }
    // The rewrites ahead were seen: only a restart on a newer version (inside the one section,
    // which began before them) can show them.
    expect(got.some(([, , v]) => v >= 100000)).toBe(true);
    expect(domain.depth).toBe(0);
    expect(domain.flush()).toBeGreaterThan(0);
  });

  it("makes a write section atomic for readers, and frees what it built and unlinked at once", () => {
    const domain = new TestDomain();
    const { tree: owner } = create(domain, 1 << 14);
    const reader = SharedMapleTree.attach(owner.handle, { domain, blocking: false });
    for (let i = 0; i < 50; i++) owner.setRange(i * 100, i * 100 + 9, i);
    const before = [...reader.entries()];
    domain.flush();
    let liveMid = 0;
    owner.write((mt) => {
      for (let i = 0; i < 20000; i++) mtree_store_range(mt, 10000 + i * 3, 10000 + i * 3 + 1, i);
      // Mid-section, readers still see the version published before it, whole.
      expect([...reader.entries()]).toEqual(before);
      expect(reader.get(10000)).toBeUndefined();
      liveMid = mt.arena.live;
    });
    expect(reader.get(10000)).toBe(0);
    expect(reader.size).toBe(20050);
    // 20 000 ranges in ~1 400 leaves: the section's own intermediate nodes were reused, not left
    // waiting for a grace period (a write per section would leave ~20 000 to reclaim).
    expect(liveMid).toBeLessThan(3000);
    expect(domain.queue.length).toBeLessThan(20);
    validateTree(owner);
  });
});

function mtreeStore(mt: MapleTreeCore, index: number, value: number): number {
  return mas_store_gfp(MA_STATE(mt, index, index), value);
}
