// mt_validate's occupancy rule at its boundary. The kernel's mt_validate warns when a node that
// is neither the root nor on the right edge has a data end below mt_min_slots (6; 4 in arange
// nodes), i.e. fewer than 7 items; but the kernel's own split (mab_calc_split: "avoid having a
// range less than the slot count", whose loop stops when the right node is left mt_min_slots
// items) builds such nodes. The port's rule is the bound the kernel's cuts keep: at least
// mt_min_slots items. A tree the kernel builds with a 6-item leaf passes, one item less fails;
// the same bound holds for internal nodes (6 children pass, 5 fail).
// Pins an internal: it takes a node's items away in the arena (arena.ts words) to cross the bound.

import {
  DEFINE_MTREE,
  type MapleTreeCore,
  mt_struct,
  mt_validate,
  mtree_insert,
  mtree_store_range,
  type StructNode,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { M_END, M_PARENT, M_PSLOT, META, STRIDE } from "../../src/core/arena.js";
import { leafAt } from "../../src/write/level.js";

/**
 * 40 ranges [1000 + 10k, 1000 + 10k + 5], then singletons 0..14 inserted ascending: the first
 * leaf overflows at 14 and, with no sibling to push into, is cut where mab_calc_split's loop
 * stops (pivots 0..10 are "closer than the slot count" to 0): [0, 10] keeps 11 items and
 * [11, 1005] gets 6, between two other leaves.
 */
function kernelBuiltSixItemLeaf(): MapleTreeCore {
  const mt = DEFINE_MTREE(0);
  for (let k = 0; k < 40; k++) mtree_store_range(mt, 1000 + 10 * k, 1005 + 10 * k, k);
  for (let i = 0; i <= 14; i++) expect(mtree_insert(mt, i, i)).toBe(0);
  return mt;
}

describe("mt_validate occupancy: at least mt_min_slots items off the right edge", () => {
  it("accepts the 6-item leaf the kernel's split leaves (the kernel's mt_validate would not)", () => {
    const mt = kernelBuiltSixItemLeaf();
    const s = mt_struct(mt);
    if (s.root !== "node") throw new Error("expected a node tree");
    const six = s.nodes.find((n: StructNode) => n[1] === 11) as StructNode;
    expect(six).toEqual(["leaf_64", 11, 1005, [11, 12, 13, 14, 999], [11, 12, 13, 14, null, 0]]);
    expect(s.nodes.at(-1)?.[2]).toBe("max");
    expect(() => mt_validate(mt)).not.toThrow();
  });

  it("rejects the same leaf with one item less, naming the node", () => {
    const mt = kernelBuiltSixItemLeaf();
    const leaf = leafAt(mt, 11);
    const base = leaf * STRIDE;
    // Drop the first item [11, 11]: [12, 1005] in 5 items, well-formed otherwise.
    const { pivots, slots, meta } = mt.arena;
    for (let i = 0; i < 4; i++) {
      slots[base + i] = slots[base + i + 1] as number;
      pivots[base + i] = i < 3 ? (pivots[base + i + 1] as number) : 0;
    }
    slots[base + 3] = slots[base + 4] as number;
    slots[base + 4] = slots[base + 5] as number;
    pivots[base + 3] = 999;
    pivots[base + 4] = 0;
    slots[base + 5] = 0;
    meta[leaf * META + M_END] = 4;
    expect(() => mt_validate(mt)).toThrow(
      /below minimum occupancy at node \d+ \[11-1005\]: 5 items/,
    );
  });
});

/**
 * 400 ranges [10i, 10i+5] stored in a scrambled order (internal nodes then hold 8..12 children),
 * and two adjacent children X, Y of the root, both internal, where Y can take all but `keep` of
 * X's children. Returns the tree with X cut to `keep` children (the rest prepended to Y), a
 * well-formed tree otherwise.
 */
function internalNodeWith(keep: number): MapleTreeCore {
  const mt = DEFINE_MTREE(0);
  for (let k = 0; k < 400; k++) {
    const i = (k * 7919) % 400;
    mtree_store_range(mt, i * 10, i * 10 + 5, i);
  }
  const { pivots, slots, meta } = mt.arena;
  const P = mt.rootNode;
  const pEnd = meta[P * META + M_END] as number;
  for (let ps = 0; ps < pEnd; ps++) {
    const x = slots[P * STRIDE + ps] as number;
    const y = slots[P * STRIDE + ps + 1] as number;
    const xEnd = meta[x * META + M_END] as number;
    const yEnd = meta[y * META + M_END] as number;
    const moved = xEnd + 1 - keep;
    if (moved < 1 || yEnd + 1 + moved > 16) continue;
    const xMax = pivots[P * STRIDE + ps] as number;
    for (let i = yEnd; i >= 0; i--) slots[y * STRIDE + i + moved] = slots[y * STRIDE + i] as number;
    for (let i = yEnd - 1; i >= 0; i--) {
      pivots[y * STRIDE + i + moved] = pivots[y * STRIDE + i] as number;
    }
    for (let j = 0; j < moved; j++) {
      slots[y * STRIDE + j] = slots[x * STRIDE + keep + j] as number;
      pivots[y * STRIDE + j] = keep + j < xEnd ? (pivots[x * STRIDE + keep + j] as number) : xMax;
    }
    pivots[P * STRIDE + ps] = pivots[x * STRIDE + keep - 1] as number;
    for (let i = keep - 1; i < STRIDE; i++) pivots[x * STRIDE + i] = 0;
    for (let i = keep; i < STRIDE; i++) slots[x * STRIDE + i] = 0;
    meta[x * META + M_END] = keep - 1;
    meta[y * META + M_END] = yEnd + moved;
    for (let i = 0; i <= yEnd + moved; i++) {
      const child = slots[y * STRIDE + i] as number;
      meta[child * META + M_PARENT] = y;
      meta[child * META + M_PSLOT] = i;
    }
    return mt;
  }
  throw new Error("no pair of internal nodes to move children between");
}

describe("mt_validate occupancy of internal nodes: the same bound", () => {
  it("an internal node off the right edge with 6 children (data end 5) passes", () => {
    const mt = internalNodeWith(6);
    expect(mt.height).toBeGreaterThanOrEqual(3);
    expect(() => mt_validate(mt)).not.toThrow();
  });

  it("the same with 5 children fails", () => {
    expect(() => mt_validate(internalNodeWith(5))).toThrow(
      /below minimum occupancy at node \d+ \[\d+-\d+\]: 5 items, fewer than 6/,
    );
  });
});
