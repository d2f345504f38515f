// Seeded random writes against a model: stores, spanning stores, NULL stores, erases and inserts,
// with mt_validate and a full content comparison after every step. SEED replays a run; STRESS=1
// runs a million operations.

import { describe, expect, it } from "vitest";
import { MAX_INDEX, XA_ZERO_ENTRY } from "../src/entry.js";
import { EEXIST } from "../src/errors.js";
import { DEFINE_MTREE, mtree_erase, mtree_insert_range, mtree_store_range } from "../src/mtree.js";
import { MT_FLAGS_ALLOC_RANGE, MT_FLAGS_USE_RCU } from "../src/tree.js";
import { mt_validate } from "../src/validate.js";
import { expectSameContents, RangeModel, rng } from "./support/write-model.js";

const STRESS = process.env.STRESS === "1";
const BASE_SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : 0x5eed;

interface Config {
  name: string;
  flags: number;
  ops: number;
  space: number;
  maxLen: number;
}

function run(cfg: Config, seed: number): void {
  const rand = rng(seed);
  const mt = DEFINE_MTREE(cfg.flags);
  const model = new RangeModel();
  const pick = (n: number): number => Math.floor(rand() * n);
  let values = 0;
  for (let op = 0; op < cfg.ops; op++) {
    const r = rand();
    const first = pick(cfg.space);
    const len = rand() < 0.7 ? pick(cfg.maxLen) : pick(cfg.maxLen * 40);
    const last = Math.min(first + len, cfg.space + 5);
    const where = `${cfg.name} seed ${seed} op ${op}`;
    try {
      if (r < 0.55) {
        const v = rand() < 0.02 ? XA_ZERO_ENTRY : { v: values++ };
        expect(mtree_store_range(mt, first, last, v)).toBe(0);
        model.store(first, last, v);
      } else if (r < 0.7) {
        expect(mtree_store_range(mt, first, last, null)).toBe(0);
        model.store(first, last, null);
      } else if (r < 0.85) {
        const idx = pick(cfg.space);
        expect(mtree_erase(mt, idx)).toBe(model.erase(idx));
      } else if (r < 0.99) {
        const v = { v: values++ };
        const ret = mtree_insert_range(mt, first, last, v);
        if (model.isEmpty(first, last)) {
          expect(ret).toBe(0);
          model.store(first, last, v);
        } else expect(ret).toBe(-EEXIST);
      } else {
        const v = { v: values++ };
        const a = rand() < 0.5 ? 0 : first;
        expect(mtree_store_range(mt, a, MAX_INDEX, v)).toBe(0);
        model.store(a, MAX_INDEX, v);
      }
      mt_validate(mt);
      expectSameContents(mt, model, where);
    } catch (e) {
      throw new Error(`${where} (SEED=${seed} replays): ${(e as Error).message}`);
    }
  }
}

const configs: Config[] = [
  { name: "small space", flags: 0, ops: 20_000, space: 200, maxLen: 4 },
  { name: "medium space", flags: 0, ops: 30_000, space: 5_000, maxLen: 20 },
  { name: "rcu mode", flags: MT_FLAGS_USE_RCU, ops: 15_000, space: 2_000, maxLen: 10 },
  { name: "alloc tree", flags: MT_FLAGS_ALLOC_RANGE, ops: 20_000, space: 3_000, maxLen: 10 },
  {
    name: "alloc tree in rcu",
    flags: MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU,
    ops: 15_000,
    space: 1_000,
    maxLen: 6,
  },
];

describe("random writes match a model, with mt_validate after every step", () => {
  for (const cfg of configs) {
    it(`${cfg.name}: ${STRESS ? cfg.ops * 10 : cfg.ops} operations`, () => {
      run(STRESS ? { ...cfg, ops: cfg.ops * 10 } : cfg, BASE_SEED + cfg.flags);
    });
  }
});
