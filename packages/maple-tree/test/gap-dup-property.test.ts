// Properties (fast-check, shrinking to a minimal case):
//  - after any sequence of writes to an allocation tree, every gap query (lowest and highest,
//    any [min, max] and size) answers what the sorted-range model answers;
//  - after __mt_dup, any interleaving of writes to the source and the copy leaves each tree valid
//    and equal to its own model (neither sees the other's writes).

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  __mt_dup,
  DEFINE_MTREE,
  EBUSY,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_empty_area,
  mas_empty_area_rev,
  mt_validate,
  mtree_erase,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import fc from "fast-check";
import { describe, it } from "vitest";
import { modelHighest, modelLowest } from "./support/gap-model.js";
import { expectSameContents, RangeModel } from "./support/write-model.js";

const RUNS = process.env.STRESS === "1" ? 1500 : 120;
const SPACE = 800;

type Write =
  | { kind: "store"; first: number; len: number; zero: boolean }
  | { kind: "null"; first: number; len: number }
  | { kind: "erase"; at: number };

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      first: fc.nat(SPACE),
      len: fc.oneof(fc.nat(5), fc.nat(120)),
      zero: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("null" as const),
      first: fc.nat(SPACE),
      len: fc.nat(80),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("erase" as const), at: fc.nat(SPACE) }) },
);

let serial = 0;
function write(mt: MapleTreeCore, model: RangeModel, w: Write): void {
  switch (w.kind) {
    case "store": {
      const v = w.zero && serial % 4 === 0 ? XA_ZERO_ENTRY : { n: serial };
      serial++;
      if (mtree_store_range(mt, w.first, w.first + w.len, v) !== 0) throw new Error("store");
      model.store(w.first, w.first + w.len, v);
      break;
    }
    case "null":
      if (mtree_store_range(mt, w.first, w.first + w.len, null) !== 0) throw new Error("null");
      model.store(w.first, w.first + w.len, null);
      break;
    case "erase":
      if (mtree_erase(mt, w.at) !== model.erase(w.at)) throw new Error(`erase ${w.at}`);
      break;
  }
}

const queryArb = fc.record({
  min: fc.nat(SPACE + 200),
  span: fc.oneof(fc.nat(300), fc.constant(MAX_INDEX)),
  size: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 400 })),
  rev: fc.boolean(),
});

describe("property: gap queries after random writes match the model", () => {
  for (const flags of [MT_FLAGS_ALLOC_RANGE, MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU]) {
    it(`flags ${flags}`, () => {
      fc.assert(
        fc.property(
          fc.array(writeArb, { minLength: 1, maxLength: 200 }),
          fc.array(queryArb, { minLength: 1, maxLength: 20 }),
          (writes, queries) => {
            const mt = DEFINE_MTREE(flags);
            const model = new RangeModel();
            for (const w of writes) write(mt, model, w);
            mt_validate(mt);
            for (const q of queries) {
              const max = Math.min(MAX_INDEX, q.min + q.span);
              if (max - q.min < q.size - 1) continue;
              const mas = MA_STATE(mt, 0, 0);
              const ret = q.rev
                ? mas_empty_area_rev(mas, q.min, max, q.size)
                : mas_empty_area(mas, q.min, max, q.size);
              const want = q.rev
                ? modelHighest(model.ranges, q.min, max, q.size)
                : modelLowest(model.ranges, q.min, max, q.size);
              const got = ret === 0 ? mas.index : ret === -EBUSY ? -1 : Number.NaN;
              if (got !== want) {
                throw new Error(
                  `${q.rev ? "rev" : "fwd"} [${q.min}, ${max}] size ${q.size}: got ${got} (ret ${ret}), model ${want}`,
                );
              }
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe("property: a copy and its source stay independent under interleaved writes", () => {
  for (const flags of [0, MT_FLAGS_ALLOC_RANGE, MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU]) {
    it(`flags ${flags}`, () => {
      fc.assert(
        fc.property(
          fc.array(writeArb, { maxLength: 150 }),
          fc.array(fc.tuple(fc.boolean(), writeArb), { maxLength: 150 }),
          (before, after) => {
            const a = DEFINE_MTREE(flags);
            const ma = new RangeModel();
            for (const w of before) write(a, ma, w);
            const b = DEFINE_MTREE(flags);
            if (__mt_dup(a, b) !== 0) throw new Error("dup failed");
            const mb = new RangeModel();
            mb.ranges = ma.ranges.map((r) => ({ ...r }));
            mt_validate(b);
            for (const [toCopy, w] of after) {
              if (toCopy) write(b, mb, w);
              else write(a, ma, w);
            }
            mt_validate(a);
            mt_validate(b);
            expectSameContents(a, ma, "source");
            expectSameContents(b, mb, "copy");
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
