// __mt_dup_map (this port's addition for @maplemm/mm's fork): a node-for-node __mt_dup whose
// copy stores map(v) wherever the source stores v. It must give exactly what the kernel's
// dup_mmap does in two steps — __mt_dup, then a mas_find loop replacing each entry in place —
// on both copy paths (whole arena, node by node), call map once per non-NULL range in index
// order, keep XA_ZERO_ENTRY, leave the source alone, and on -EINVAL / -ENOMEM call map never and
// leave the target empty.

import {
  __mt_dup,
  __mt_dup_map,
  DEFINE_MTREE,
  EINVAL,
  ENOMEM,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_destroy,
  mas_find,
  mas_store,
  mt_validate,
  mtree_erase,
  mtree_store_range,
  XA_ZERO_ENTRY,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { compareTrees } from "./support/compare-tree.js";
import { treeRanges } from "./support/write-model.js";

/** 3000 ranges of objects (a few XA_ZERO_ENTRY), optionally with erases (free nodes, handles). */
function source(flags: number, erase: boolean): MapleTreeCore {
  const mt = DEFINE_MTREE(flags);
  for (let i = 0; i < 3000; i++) {
    mtree_store_range(mt, i * 4, i * 4 + 2, i % 97 === 5 ? XA_ZERO_ENTRY : { i });
  }
  if (erase) {
    for (let i = 0; i < 3000; i += 3) mtree_erase(mt, i * 4);
    mtree_store_range(mt, 100, 5000, null);
  }
  return mt;
}

/** The kernel's two steps: __mt_dup, then every entry replaced in place by `map(entry)`. */
function twoStep(src: MapleTreeCore, map: (v: unknown) => unknown): MapleTreeCore {
  const dst = DEFINE_MTREE(src.flags);
  expect(__mt_dup(src, dst)).toBe(0);
  const mas = MA_STATE(dst, 0, 0);
  for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
    if (e !== XA_ZERO_ENTRY) mas_store(mas, map(e));
  }
  mas_destroy(mas);
  return dst;
}

describe("__mt_dup_map gives what __mt_dup + an in-place replace loop gives", () => {
  for (const flags of [MT_FLAGS_ALLOC_RANGE, MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU, 0]) {
    for (const erase of [false, true]) {
      it(`flags ${flags}, ${erase ? "after erases (node by node)" : "append-only (whole arena)"}`, () => {
        const src = source(flags, erase);
        const before = treeRanges(src);
        const copies = new Map<unknown, { copyOf: unknown }>();
        const seen: unknown[] = [];
        const map = (v: unknown) => {
          seen.push(v);
          let c = copies.get(v);
          if (c === undefined) {
            c = { copyOf: v };
            copies.set(v, c);
          }
          return c;
        };
        const dst = DEFINE_MTREE(flags);
        expect(__mt_dup_map(src, dst, map)).toBe(0);
        mt_validate(dst);
        mt_validate(src);
        // Called once per non-NULL, non-zero range, in index order.
        const expected = before
          .filter((r) => r.value !== null && r.value !== XA_ZERO_ENTRY)
          .map((r) => r.value);
        expect(seen).toEqual(expected);
        const ref = twoStep(src, map);
        expect(treeRanges(dst)).toEqual(treeRanges(ref));
        expect(dst.height).toBe(ref.height);
        expect(dst.arena.live).toBe(ref.arena.live);
        expect(treeRanges(src)).toEqual(before);
        // Same shape as the source, and writes to the copy stay out of the source.
        expect(compareTrees(src, __dupOf(src))).toBe(src.arena.live);
        mtree_store_range(dst, 0, 50, "copy");
        expect(treeRanges(src)).toEqual(before);
      });
    }
  }
});

/** A plain __mt_dup of `src` (compareTrees checks the shape against the source). */
function __dupOf(src: MapleTreeCore): MapleTreeCore {
  const dst = DEFINE_MTREE(src.flags);
  expect(__mt_dup(src, dst)).toBe(0);
  return dst;
}

describe("__mt_dup_map failures call map never and leave the target empty", () => {
  it("-EINVAL for a non-empty or mismatched target", () => {
    const src = source(MT_FLAGS_ALLOC_RANGE, false);
    const calls: unknown[] = [];
    const full = source(MT_FLAGS_ALLOC_RANGE, false);
    const fullBefore = treeRanges(full);
    expect(__mt_dup_map(src, full, (v) => calls.push(v))).toBe(-EINVAL);
    expect(treeRanges(full)).toEqual(fullBefore);
    const plain = DEFINE_MTREE(0);
    expect(__mt_dup_map(src, plain, (v) => calls.push(v))).toBe(-EINVAL);
    expect(treeRanges(plain)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("-ENOMEM when the target's capacity is one node short", () => {
    const src = source(MT_FLAGS_ALLOC_RANGE, true);
    const calls: unknown[] = [];
    const small = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE, { capacity: src.arena.live - 1 });
    expect(__mt_dup_map(src, small, (v) => calls.push(v))).toBe(-ENOMEM);
    expect([small.rootNode, small.rootEntry, small.arena.live, small.entries.size]).toEqual([
      0,
      null,
      0,
      0,
    ]);
    expect(calls).toEqual([]);
    mt_validate(small);
  });
});
