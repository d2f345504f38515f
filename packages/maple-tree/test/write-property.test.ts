// Property: any sequence of writes (stores, NULL stores, erases, inserts, stores to MAX) leaves a
// tree that passes mt_validate and holds exactly what a sorted-array model holds, with the
// kernel return values. fast-check shrinks a failure to a minimal sequence.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  EEXIST,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_store,
  mt_validate,
  mtree_erase,
  mtree_insert_range,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import fc from "fast-check";
import { describe, it } from "vitest";
import { expectSameContents, RangeModel } from "./support/write-model.js";

type Op =
  | { kind: "store"; first: number; len: number; zero: boolean }
  | { kind: "null"; first: number; len: number }
  | { kind: "erase"; at: number }
  | { kind: "insert"; first: number; len: number }
  | { kind: "toMax"; first: number };

const SPACE = 600;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      first: fc.nat(SPACE),
      len: fc.oneof(fc.nat(6), fc.nat(200)),
      zero: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("null" as const),
      first: fc.nat(SPACE),
      len: fc.nat(60),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("erase" as const), at: fc.nat(SPACE) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      first: fc.nat(SPACE),
      len: fc.nat(8),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("toMax" as const), first: fc.nat(SPACE) }),
  },
);

function apply(flags: number, ops: Op[]): void {
  const mt = DEFINE_MTREE(flags);
  const model = new RangeModel();
  let n = 0;
  for (const op of ops) {
    const v = { n: n++ };
    switch (op.kind) {
      case "store": {
        const e = op.zero && n % 5 === 0 ? XA_ZERO_ENTRY : v;
        const mas = MA_STATE(mt, op.first, op.first + op.len);
        const old = mas_store(mas, e);
        const want = model.store(op.first, op.first + op.len, e);
        if (old !== want)
          throw new Error(`mas_store returned ${String(old)}, model ${String(want)}`);
        break;
      }
      case "null":
        if (mtree_store_range(mt, op.first, op.first + op.len, null) !== 0)
          throw new Error("NULL store failed");
        model.store(op.first, op.first + op.len, null);
        break;
      case "erase": {
        const got = mtree_erase(mt, op.at);
        const want = model.erase(op.at);
        if (got !== want)
          throw new Error(`erase ${op.at} returned ${String(got)}, model ${String(want)}`);
        break;
      }
      case "insert": {
        const ret = mtree_insert_range(mt, op.first, op.first + op.len, v);
        const empty = model.isEmpty(op.first, op.first + op.len);
        if (ret !== (empty ? 0 : -EEXIST))
          throw new Error(`insert returned ${ret}, model empty=${empty}`);
        if (empty) model.store(op.first, op.first + op.len, v);
        break;
      }
      case "toMax":
        if (mtree_store_range(mt, op.first, MAX_INDEX, v) !== 0)
          throw new Error("store to MAX failed");
        model.store(op.first, MAX_INDEX, v);
        break;
    }
    mt_validate(mt);
    expectSameContents(mt, model, JSON.stringify(op));
  }
}

describe("property: write sequences keep the tree valid and equal to the model", () => {
  for (const flags of [0, MT_FLAGS_ALLOC_RANGE, MT_FLAGS_USE_RCU]) {
    it(`flags ${flags}`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 300, size: "max" }), (ops) =>
          apply(flags, ops),
        ),
        { numRuns: process.env.STRESS === "1" ? 2000 : 150 },
      );
    });
  }
});
