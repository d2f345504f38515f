// dup_mmap out of memory part-way (issue: "on -ENOMEM part-way the child is torn down cleanly and
// the parent is untouched"), for both tree strategies: the child's tree arena is too small for
// the parent's VMAs.

import { dup_mmap, MmError, MmStruct } from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { P, PRIV_FIXED, pg, RW } from "./helpers.js";

function bigParent(): MmStruct {
  const mm = new MmStruct({ mmapBase: pg(4096) });
  for (let i = 0; i < 400; i++) {
    mm.mmap(pg(i * 2), P, i % 2 === 0 ? RW : 1, PRIV_FIXED);
    if (i % 3 === 0) mm.touch(pg(i * 2), true, i + 1);
  }
  return mm;
}

describe("dup_mmap running out of tree nodes", () => {
  for (const strategy of ["seed", "modern"] as const) {
    it(`returns -ENOMEM, leaves the child empty and its own copies freed, the parent untouched (${strategy})`, () => {
      const parent = bigParent();
      const before = parent.procMaps();
      const parentVmas = parent.vmas();
      const child = new MmStruct({ mmapBase: pg(4096), nodeCapacity: 4 });
      expect(dup_mmap(child, parent, strategy)).toBe(-12);
      expect(child.vmas()).toEqual([]);
      expect(child.tree.count).toBe(0);
      expect(parent.procMaps()).toBe(before);
      expect(parentVmas.every((v) => !v.freed)).toBe(true);
      expect(parent.peek(pg(0))).toBe(1);
      // A child with room gets everything.
      const ok = new MmStruct({ mmapBase: pg(4096) });
      expect(dup_mmap(ok, parent, strategy)).toBe(0);
      expect(ok.procMaps()).toBe(before);
    });
  }

  it("rejects a node capacity that is not a positive integer, by name", () => {
    expect(() => new MmStruct({ nodeCapacity: 0 })).toThrow(MmError);
    expect(() => new MmStruct({ nodeCapacity: 1.5 })).toThrow(/nodeCapacity/);
  });
});

describe("a VMA tree at its node capacity", () => {
  it("stops a syscall with an MmError ENOMEM instead of corrupting the tree", () => {
    const mm = new MmStruct({ mmapBase: pg(4096), nodeCapacity: 2 });
    let err: unknown = null;
    try {
      for (let i = 0; i < 200; i++) mm.mmap(pg(i * 2), P, RW, PRIV_FIXED);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MmError);
    expect((err as MmError).code).toBe("ENOMEM");
    expect(mm.tree.count).toBe(mm.vmas().length);
  });
});
