// The kernel's structural tests: checks of Linux 6.12's lib/test_maple_tree.c and
// tools/testing/radix-tree/maple.c whose expectation is a node count, a height or a shape, written
// here from what they check (through the kernel layer and mt_struct), now that the write engine
// builds the kernel's tree node for node. Also the node counts the kernel's own tree (6.12.117)
// was measured at in ../shared/spec/kernel-maple-bench.md. Where a kernel check says more than a
// shape, only the shape part is here; bulk loading has its own file (kernel-bulk.test.ts).

import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mas_set,
  mas_set_range,
  mas_store_gfp,
  mt_height,
  mt_validate,
  mtree_insert,
  mtree_load,
  mtree_store_range,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import {
  buildFullTree,
  items,
  leafOf,
  nodeCount,
  nodesOf,
  num,
  parentOf,
  slotCount,
} from "./support/kernel-shape.js";

/** Kernel test `check_seq`: index i holds xa_mk_value(i), inserted ascending from 0. */
function checkSeq(mt: MapleTreeCore, max: number): void {
  for (let i = 0; i <= max; i++) {
    expect(mtree_insert(mt, i, xa_mk_value(i)), `insert ${i}`).toBe(0);
    if (i > 0) expect(mt_height(mt)).toBeGreaterThan(0);
  }
  for (let i = 0; i <= max; i += 97) expect(mtree_load(mt, i)).toBe(xa_mk_value(i));
  expect(mtree_load(mt, max + 1)).toBe(null);
}

/** Kernel test `check_rev_seq`: the same, inserted descending from `max` down to 1. */
function checkRevSeq(mt: MapleTreeCore, max: number): void {
  for (let i = max; i > 0; i--) {
    expect(mtree_insert(mt, i, xa_mk_value(i)), `insert ${i}`).toBe(0);
    expect(mt_height(mt)).toBeGreaterThan(0);
  }
  expect(mtree_load(mt, 0)).toBe(null);
  expect(mtree_load(mt, max + 1)).toBe(null);
}

describe("check_dfs_preorder: node counts after the kernel's store sequences", () => {
  // The kernel counts the steps of a mas_dfs_preorder walk, one per node plus the step that
  // ends it: 74 and 77 steps on 64-bit are 73 and 76 nodes.
  it("check_seq(1000) on a plain tree leaves 73 nodes, 3 levels", () => {
    const mt = DEFINE_MTREE(0);
    checkSeq(mt, 1000);
    expect(nodeCount(mt)).toBe(73);
    expect(mt_height(mt)).toBe(3);
    mt_validate(mt);
  });

  it("check_seq(1000) on an allocation tree leaves 76 nodes (10-slot internal nodes)", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    checkSeq(mt, 1000);
    expect(nodeCount(mt)).toBe(76);
    mt_validate(mt);
  });

  it("check_rev_seq(1000) on an allocation tree leaves the same 76 nodes", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    checkRevSeq(mt, 1000);
    expect(nodeCount(mt)).toBe(76);
    mt_validate(mt);
  });
});

describe("check_spanning_store_height", () => {
  it("a store over [90, 140] of a 3-level tree of singletons leaves 2 levels", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    const mas = MA_STATE(mt, 0, 0);
    let index = 0;
    while (mt_height(mt) !== 3) {
      expect(mas_store_gfp(mas, xa_mk_value(index))).toBe(0);
      mas_set(mas, ++index);
    }
    mas_set_range(mas, 90, 140);
    expect(mas_store_gfp(mas, xa_mk_value(index))).toBe(0);
    expect(mt_height(mt)).toBe(2);
    mt_validate(mt);
    expect(mtree_load(mt, 115)).toBe(xa_mk_value(index));
  });
});

describe("check_ranges: heights of the 3-way split cases", () => {
  /** [10i, 10(i+1)] for i = 0..n on an allocation tree, never 4 levels high (kernel check). */
  function steps(n: number): MapleTreeCore {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i <= n; i++) {
      expect(mtree_store_range(mt, i * 10, (i + 1) * 10, xa_mk_value(i * 10))).toBe(0);
      expect(mt_height(mt), `store ${i}`).toBeLessThan(4);
    }
    return mt;
  }

  it("NULL holes cause a 3 child split all the way up the tree: 4 levels", () => {
    const mt = steps(1300);
    for (let i = 5; i < 215; i += 10) mtree_store_range(mt, 11450 + i, 11450 + i + 1, null);
    for (let i = 5; i < 65; i += 10) mtree_store_range(mt, 11770 + i, 11770 + i + 1, null);
    expect(mt_height(mt)).toBeLessThan(4);
    for (let i = 5; i < 45; i += 10) mtree_store_range(mt, 11700 + i, 11700 + i + 1, null);
    expect(mt_height(mt)).toBeGreaterThanOrEqual(4);
    mt_validate(mt);
  });

  it("parents and leaves filled before a triple split across levels: exactly 4 levels", () => {
    const mt = steps(1200);
    for (let i = 5; i < 455; i += 10) mtree_store_range(mt, 7800 + i, 7800 + i + 1, null);
    for (let i = 1; i < 16; i++) {
      mtree_store_range(mt, 8185 + i, 8185 + i + 1, xa_mk_value(8185 + i));
    }
    expect(mt_height(mt)).toBeLessThan(4);
    mtree_store_range(mt, 8184, 8184, xa_mk_value(8184));
    expect(mt_height(mt)).toBe(4);
    mt_validate(mt);
  });
});

describe("check_spanning_write: a spanning store ending at a full parent (depth 2)", () => {
  it("four singletons fill the leaf's parent, and the spanning NULL store keeps a valid tree", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i <= 5000; i++) mtree_store_range(mt, i * 10, i * 10 + 5, xa_mk_value(i));
    const mas = MA_STATE(mt, 0, 0);
    for (const i of [47606, 47607, 47608, 47609]) {
      mas_set(mas, i);
      expect(mas_store_gfp(mas, xa_mk_value(i))).toBe(0);
    }
    const nodes = nodesOf(mt);
    const parent = parentOf(nodes, leafOf(mt, 47609).at);
    if (parent === undefined) throw new Error("the leaf has no parent");
    expect(items(parent)).toBe(slotCount(parent));
    mas_set_range(mas, 11516, 48940);
    expect(mas_store_gfp(mas, null)).toBe(0);
    mt_validate(mt);
    expect(mtree_load(mt, 30000)).toBe(null);
    expect(mtree_load(mt, 48950)).toBe(xa_mk_value(4895));
  });
});

describe("check_null_expand: NULL stores next to NULLs widen in place", () => {
  it("the leaf's data end moves by the NULL ranges each store absorbed", () => {
    // Ranges [10i, 10i+5] for i = 0..100 on an allocation tree; the four stores run in the
    // kernel's order on the same tree, each measured against the leaf just before it.
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i <= 100; i++) mtree_store_range(mt, i * 10, i * 10 + 5, xa_mk_value(i));
    const cases: [string, number, number, number, number][] = [
      ["at the start", 959, 959, 963, 0],
      ["at the end", 880, 884, 887, 0],
      ["at the start and the end", 890, 900, 905, 2],
      ["across several slots", 800, 810, 825, 4],
    ];
    for (const [name, walk, first, last, fewer] of cases) {
      const before = items(leafOf(mt, walk).node);
      expect(mtree_store_range(mt, first, last, null), name).toBe(0);
      expect(items(leafOf(mt, first).node), name).toBe(before - fewer);
      for (let i = first; i <= last; i++) expect(mtree_load(mt, i), `${name}: ${i}`).toBe(null);
      mt_validate(mt);
    }
    expect(mtree_load(mt, 889)).toBe(null);
    expect(mtree_load(mt, 906)).toBe(null);
    expect(mtree_load(mt, 826)).toBe(null);
  });
});

describe("check_node_overwrite", () => {
  it("a NULL store over 480 of 4000 ranges on an allocation tree leaves a valid tree", () => {
    const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
    for (let i = 0; i < 4000; i++) mtree_store_range(mt, i * 100, i * 100 + 50, xa_mk_value(i));
    expect(mtree_store_range(mt, 319951, 367950, null)).toBe(0);
    mt_validate(mt);
    expect(mtree_load(mt, 319950)).toBe(xa_mk_value(3199));
    expect(mtree_load(mt, 340000)).toBe(null);
    expect(mtree_load(mt, 368000)).toBe(xa_mk_value(3680));
  });
});

describe("build_full_tree and test_spanning_store_regression", () => {
  // One full 3-level tree (about 4 000 stores) serves both checks below.
  let full3: MapleTreeCore | null = null;
  function fullTree3(): MapleTreeCore {
    if (full3 === null) {
      full3 = DEFINE_MTREE(0);
      buildFullTree(full3, 0, 3);
    }
    return full3;
  }

  for (const [flags, height] of [
    [0, 2],
    [MT_FLAGS_ALLOC_RANGE, 2],
    [0, 3],
  ] as const) {
    it(`build_full_tree(flags ${flags}, height ${height}) fills every node`, () => {
      let mt: MapleTreeCore;
      if (height === 3) mt = fullTree3();
      else {
        mt = DEFINE_MTREE(flags);
        buildFullTree(mt, flags, height);
      }
      expect(mt_height(mt)).toBe(height);
      for (const node of nodesOf(mt)) expect(items(node)).toBe(slotCount(node));
      mt_validate(mt);
    });
  }

  it("a store from the last range of the second-last leaf of a parent to the parent's max", () => {
    // The kernel's regression (6.12-rc): a spanning store that consumes the whole right leaf
    // under the first depth-1 node A of a full 3-level tree, from the start of the last range
    // of the leaf before it.
    const mt = fullTree3();
    const nodes = nodesOf(mt);
    const a = nodes[nodes[0]?.[4][0] as number];
    if (a === undefined || a[0] === "leaf_64") throw new Error("no depth-1 node");
    const leaves = (a[4] as number[]).map((k) => nodes[k]);
    const b = leaves[leaves.length - 2];
    const c = leaves[leaves.length - 1];
    if (b === undefined || c === undefined) throw new Error("fewer than 2 leaves under A");
    const bPivots = b[3];
    const from = num(bPivots[bPivots.length - 1] as number) + 1;
    const to = num(c[2]);
    const mas = MA_STATE(mt, from, to);
    expect(mas_store_gfp(mas, xa_mk_value(0xdead))).toBe(0);
    mt_validate(mt);
    expect(mtree_load(mt, from)).toBe(xa_mk_value(0xdead));
    expect(mtree_load(mt, to)).toBe(xa_mk_value(0xdead));
    expect(mtree_load(mt, to + 1)).toBe(xa_mk_value(5));
    expect(mtree_load(mt, from - 1)).toBe(xa_mk_value(5));
  });
});

/** splitmix64 as kernel-maple-bench.md defines it, for the measured random build's order. */
function splitmix64(seed: bigint): () => bigint {
  const mask = (1n << 64n) - 1n;
  let state = seed;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
  };
}

describe("node counts measured on the kernel's own tree (6.12.117, kernel-maple-bench.md)", () => {
  it("bench_forking's source trees: 135 ranges in 20 nodes, 1001 ranges in 143", () => {
    for (const [nr, nodes] of [
      [134, 20],
      [1000, 143],
    ] as const) {
      const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
      const mas = MA_STATE(mt, 0, 0);
      for (let i = 0; i <= nr; i++) {
        mas_set_range(mas, i * 10, i * 10 + 5);
        expect(mas_store_gfp(mas, xa_mk_value(i))).toBe(0);
      }
      expect(nodeCount(mt), `${nr + 1} ranges`).toBe(nodes);
      mt_validate(mt);
    }
  });

  it("a random-order build of 1e5 ranges [16i, 16i+9] (shuffle seed 42) in 16 537 nodes", () => {
    const n = 100_000;
    const order = Array.from({ length: n }, (_, i) => i);
    const next = splitmix64(42n);
    for (let i = n - 1; i >= 1; i--) {
      const j = Number(next() % BigInt(i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const mt = DEFINE_MTREE(0);
    for (const i of order) mtree_store_range(mt, 16 * i, 16 * i + 9, xa_mk_value(i));
    expect(mt.arena.live).toBe(16_537);
    expect(nodeCount(mt)).toBe(16_537);
  });

  // 1e6 ranges take 15-25 s here; STRESS=1 runs them.
  const STRESS = process.env.STRESS === "1";
  it.runIf(STRESS)(
    "ascending builds of 1e6 ranges: 133 932 nodes plain, 140 628 allocation",
    () => {
      for (const [flags, nodes] of [
        [0, 133_932],
        [MT_FLAGS_ALLOC_RANGE, 140_628],
      ] as const) {
        const mt = DEFINE_MTREE(flags);
        for (let i = 0; i < 1_000_000; i++) mtree_store_range(mt, 16 * i, 16 * i + 9, i);
        expect(mt.arena.live).toBe(nodes);
      }
    },
  );
});
