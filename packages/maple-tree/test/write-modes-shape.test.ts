// Property: the write mode never changes the shape of a tree (issue 12, "the mode policy"). The
// same writes go to a local tree, a tree in RCU mode (nodes copied, frees deferred) and a
// SharedMapleTree (copy-up to the root, one write section per write), plain and allocation trees;
// after every write the three structures (mt_struct: every node's type, bounds, pivots, slots and
// gaps, node ids left out) are equal, mt_validate passes on each, and all hold what a model holds.
// A mode that rewrote where the others copy would still agree on contents; this catches one that
// splits, pushes or rebalances differently.

import { SharedMapleTree, type SharedTreeDomain } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mt_set_in_rcu,
  mt_struct,
  mt_validate,
  mtree_erase,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSameContents, RangeModel } from "./support/write-model.js";
import { QueueReclaimer } from "./support/write-tree.js";

/** A domain whose grace periods end when the test flushes it (no reader: flushed every write). */
class TestDomain extends QueueReclaimer implements SharedTreeDomain {
  readLock(): void {}
  readUnlock(): void {}
}

type Op =
  | { kind: "store"; first: number; len: number; value: number }
  | { kind: "null"; first: number; len: number }
  | { kind: "erase"; at: number };

const SPACE = 20_000;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      first: fc.nat(SPACE),
      len: fc.oneof(fc.nat(4), fc.nat(4), fc.nat(600)),
      value: fc.nat(1000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("null" as const),
      first: fc.nat(SPACE),
      len: fc.nat(120),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("erase" as const), at: fc.nat(SPACE) }) },
);

/** Applies `op` to `mt` (kernel normal API) and, when `model` is given, to the model. */
function apply(mt: MapleTreeCore, op: Op, model?: RangeModel): void {
  if (op.kind === "erase") {
    mtree_erase(mt, op.at);
    model?.erase(op.at);
    return;
  }
  const value = op.kind === "store" ? op.value : null;
  expect(mtree_store_range(mt, op.first, op.first + op.len, value, 0)).toBe(0);
  model?.store(op.first, op.first + op.len, value);
}

/** 400 ranges with gaps between them, in a scattered order. */
const GROW: Op[] = Array.from({ length: 400 }, (_, i) => {
  const k = (i * 149) % 400;
  return { kind: "store" as const, first: k * 10, len: 2, value: k };
});

let tallest = 0;

function checkModes(flags: number, ops: Op[]): void {
  const local = DEFINE_MTREE(flags);
  const rcuReclaimer = new QueueReclaimer();
  const rcu = DEFINE_MTREE(flags, { reclaimer: rcuReclaimer });
  mt_set_in_rcu(rcu);
  const domain = new TestDomain();
  const shared = SharedMapleTree.create({ capacity: 1 << 14, flags, domain, blocking: false });
  const model = new RangeModel();
  for (const [i, op] of ops.entries()) {
    apply(local, op, model);
    apply(rcu, op);
    shared.write(() => apply(shared.mt, op));
    rcuReclaimer.flush();
    domain.flush();
    const want = mt_struct(local);
    const where = `after op ${i} ${JSON.stringify(op)}`;
    expect(mt_struct(rcu), `RCU mode ${where}`).toEqual(want);
    shared.write((mt) => {
      expect(mt_struct(mt), `shared tree ${where}`).toEqual(want);
      mt_validate(mt);
    });
    mt_validate(local);
    mt_validate(rcu);
  }
  tallest = Math.max(tallest, local.height);
  expectSameContents(local, model);
  expectSameContents(rcu, model);
}

describe("the write mode never changes a tree's shape", () => {
  for (const [name, flags] of [
    ["plain tree", 0],
    ["allocation tree", MT_FLAGS_ALLOC_RANGE],
  ] as const) {
    it(`${name}: local, RCU and shared trees build the same nodes after every write`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 300, size: "max" }), (ops) => {
          checkModes(flags, ops);
        }),
        // The first run is 400 separate ranges (a tree of height 3): splits and pushes above the
        // leaves happen in every run of this test, whatever the random runs reach.
        { numRuns: 8, examples: [[GROW]] },
      );
      // The writes reached splits, pushes and rebalances above the leaves.
      expect(tallest).toBeGreaterThanOrEqual(3);
    });
  }
});
