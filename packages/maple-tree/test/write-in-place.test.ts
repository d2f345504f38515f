// The writers' shortcuts must not move a single item: outside RCU mode a structural write
// rewrites the nodes it replaces in place and stops where the levels above would be rebuilt as
// they are, and the normal API's state starts the next write on the leaf it stands on (an exact
// fit from there is one slot store). The same operations on three trees must give the same
// structure (mt_struct: every node's bounds, pivots, slots, gaps and gap offset) after every op:
//   - local: the normal API, every shortcut on;
//   - rcu: the normal API in RCU mode, where every replaced node is a new copy and no level is
//     skipped (the in-place shortcuts off);
//   - walked: a fresh MA_STATE per write (mas_store_gfp / mas_erase), always walking from the
//     root (the kept state off).
// Freed nodes are poisoned, so a rewrite of a node still in use fails loudly. Failures print
// fast-check's seed and path; SEED=<n> replays a seed.

import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_erase,
  mas_store_gfp,
  mt_struct,
  mt_validate,
  mtree_erase,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QueueReclaimer } from "./support/write-tree.js";

type Op =
  | { kind: "store"; first: number; len: number; value: number | null }
  | { kind: "erase"; index: number }
  | { kind: "replace-run"; from: number; count: number };

const SPACE = 45_000;
/** Ranges stored before the ops (every 150 indices), so the trees start three levels high. */
const PREFILL = 300;

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      first: fc.integer({ min: 0, max: SPACE }),
      len: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 400 })),
      value: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 1e6 }) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("erase" as const),
      index: fc.integer({ min: 0, max: SPACE }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("replace-run" as const),
      from: fc.integer({ min: 0, max: SPACE }),
      count: fc.integer({ min: 1, max: 40 }),
    }),
  },
);

/** The ranges stored from `from` on (up to `count`), as [first, last] pairs. */
function rangesFrom(mt: MapleTreeCore, from: number, count: number): number[] {
  const out: number[] = [];
  const s = mt_struct(mt);
  if (s.root !== "node") return out;
  for (const n of s.nodes) {
    if (n[0] !== "leaf_64") continue;
    const [, min, max, pivots, slots] = n as [string, number, number, number[], unknown[]];
    let lo = min;
    for (let i = 0; i < slots.length; i++) {
      const hi = i < pivots.length ? (pivots[i] as number) : max;
      if (slots[i] !== null && hi >= from && out.length < 2 * count) out.push(lo, hi);
      lo = hi + 1;
    }
  }
  return out;
}

function apply(mt: MapleTreeCore, o: Op, walked: boolean, ranges: number[]): void {
  if (o.kind === "erase") {
    if (walked) mas_erase(MA_STATE(mt, o.index, o.index));
    else mtree_erase(mt, o.index);
    return;
  }
  if (o.kind === "store") {
    const last = o.first + o.len;
    const ret = walked
      ? mas_store_gfp(MA_STATE(mt, o.first, last), o.value)
      : mtree_store_range(mt, o.first, last, o.value);
    expect(ret).toBe(0);
    return;
  }
  // Exact fits in ascending order: the normal API's kept state replaces them slot by slot.
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i] as number;
    const last = ranges[i + 1] as number;
    const ret = walked
      ? mas_store_gfp(MA_STATE(mt, first, last), first + 7)
      : mtree_store_range(mt, first, last, first + 7);
    expect(ret).toBe(0);
  }
}

const seed = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

describe("in-place writes and kept states build the same trees as fresh copies and walks", () => {
  for (const flags of [0, MT_FLAGS_ALLOC_RANGE]) {
    it(`agree after every op (flags ${flags})`, () => {
      let tallest = 0;
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
          // Each tree runs the whole sequence on its own (the normal API keeps its state only
          // while the same tree is written), recording its structure after every op.
          const q = new QueueReclaimer();
          const local = DEFINE_MTREE(flags, { poison: true });
          const rcu = DEFINE_MTREE(flags | MT_FLAGS_USE_RCU, { poison: true, reclaimer: q });
          const walked = DEFINE_MTREE(flags, { poison: true });
          const runs = [walked, local, rcu].map((mt) => {
            const isWalked = mt === walked;
            for (let i = 0; i < PREFILL; i++) {
              apply(mt, { kind: "store", first: i * 150, len: i % 9, value: i + 1 }, isWalked, []);
            }
            return ops.map((o) => {
              const ranges = o.kind === "replace-run" ? rangesFrom(mt, o.from, o.count) : [];
              apply(mt, o, isWalked, ranges);
              q.flush();
              mt_validate(mt);
              return JSON.stringify(mt_struct(mt));
            });
          });
          const [want, ...others] = runs as [string[], string[], string[]];
          for (const [k, got] of others.entries()) {
            const n = got.findIndex((g, i) => g !== want[i]);
            const where = n < 0 ? "" : `op ${n} ${JSON.stringify(ops[n])}`;
            expect(where, `${k === 0 ? "local" : "rcu"} differs from walked`).toBe("");
          }
          tallest = Math.max(tallest, local.height);
        }),
        { numRuns: 40, ...(seed === undefined ? {} : { seed }) },
      );
      expect(tallest, "the runs grew trees of at least three levels").toBeGreaterThanOrEqual(3);
    });
  }
});
