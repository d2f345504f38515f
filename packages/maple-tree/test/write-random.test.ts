// Seeded random writes against a model: stores, spanning stores, NULL stores, erases and inserts,
// with mt_validate and a full content comparison after every step. SEED replays a run; STRESS=1
// runs a million operations.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  EEXIST,
  MA_STATE,
  type MaState,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_store,
  mas_walk,
  mt_validate,
  mtree_erase,
  mtree_insert_range,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, it } from "vitest";
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

/** A failed check (plain: expect() per operation would cost more than the operation). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** The state sits on the written range, exactly where a walk to its index (mas_walk) would put it. */
function checkPositioned(mas: MaState, first: number, last: number): void {
  if (mas.tree.rootNode === 0) {
    check(mas.status === "start", `direct-root write left status ${mas.status}`);
    return;
  }
  check(mas.status === "active", `write left status ${mas.status}`);
  check(mas.index === first && mas.last === last, `write left [${mas.index},${mas.last}]`);
  const probe = MA_STATE(mas.tree, first, first);
  mas_walk(probe);
  check(
    probe.node === mas.node &&
      probe.min === mas.min &&
      probe.max === mas.max &&
      probe.offset === mas.offset &&
      probe.end === mas.end &&
      probe.depth === mas.depth,
    `write left the state at node ${mas.node} [${mas.min}-${mas.max}] off ${mas.offset} end ${mas.end} depth ${mas.depth}, descent finds node ${probe.node} [${probe.min}-${probe.max}] off ${probe.offset} end ${probe.end} depth ${probe.depth}`,
  );
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
    const len = rand() < 0.92 ? pick(cfg.maxLen) : pick(cfg.maxLen * 30);
    const last = Math.min(first + len, cfg.space + 5);
    const where = `${cfg.name} seed ${seed} op ${op}`;
    try {
      if (r < 0.3) {
        const v = rand() < 0.02 ? XA_ZERO_ENTRY : { v: values++ };
        const ret = mtree_store_range(mt, first, last, v);
        check(ret === 0, `store [${first},${last}] returned ${ret}`);
        model.store(first, last, v);
      } else if (r < 0.6) {
        // Through a state: returns the first entry overwritten, then sits on the written range.
        const v = { v: values++ };
        const mas = MA_STATE(mt, first, last);
        const old = mas_store(mas, v);
        check(
          old === model.store(first, last, v),
          `mas_store [${first},${last}] returned ${String(old)}`,
        );
        checkPositioned(mas, first, last);
      } else if (r < 0.7) {
        const ret = mtree_store_range(mt, first, last, null);
        check(ret === 0, `NULL store [${first},${last}] returned ${ret}`);
        model.store(first, last, null);
      } else if (r < 0.8) {
        const idx = pick(cfg.space);
        const got = mtree_erase(mt, idx);
        const want = model.erase(idx);
        check(got === want, `erase ${idx} returned ${String(got)}, model ${String(want)}`);
      } else if (r < 0.997) {
        const v = { v: values++ };
        const ret = mtree_insert_range(mt, first, last, v);
        if (model.isEmpty(first, last)) {
          check(ret === 0, `insert [${first},${last}] into empty returned ${ret}`);
          model.store(first, last, v);
        } else check(ret === -EEXIST, `insert [${first},${last}] over entries returned ${ret}`);
      } else {
        const v = { v: values++ };
        const a = rand() < 0.1 ? 0 : first;
        const ret = mtree_store_range(mt, a, MAX_INDEX, v);
        check(ret === 0, `store [${a},MAX] returned ${ret}`);
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
  { name: "small space", flags: 0, ops: 25_000, space: 200, maxLen: 4 },
  { name: "medium space", flags: 0, ops: 30_000, space: 20_000, maxLen: 20 },
  { name: "rcu mode", flags: MT_FLAGS_USE_RCU, ops: 15_000, space: 5_000, maxLen: 10 },
  { name: "alloc tree", flags: MT_FLAGS_ALLOC_RANGE, ops: 20_000, space: 20_000, maxLen: 10 },
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

describe("random writes on deep trees (height >= 4), validated every few hundred steps", () => {
  for (const flags of [0, MT_FLAGS_ALLOC_RANGE, MT_FLAGS_USE_RCU]) {
    it(`flags ${flags}: ${STRESS ? 200_000 : 20_000} mixed writes on a 60 000-entry tree`, () => {
      const seed = BASE_SEED + 17 + flags;
      const rand = rng(seed);
      const mt = DEFINE_MTREE(flags);
      const model = new RangeModel();
      const N = 60_000;
      for (let i = 0; i < N; i++) {
        mtree_store_range(mt, i * 8, i * 8 + 4, i);
        model.store(i * 8, i * 8 + 4, i);
      }
      check(mt.height >= 4, `height ${mt.height} < 4`);
      const ops = STRESS ? 200_000 : 20_000;
      const space = N * 8;
      for (let op = 0; op < ops; op++) {
        const r = rand();
        const first = Math.floor(rand() * space);
        const len = rand() < 0.95 ? Math.floor(rand() * 12) : Math.floor(rand() * 5000);
        const last = first + len;
        try {
          if (r < 0.4) {
            const v = { op };
            check(mtree_store_range(mt, first, last, v) === 0, "store");
            model.store(first, last, v);
          } else if (r < 0.6) {
            check(mtree_store_range(mt, first, last, null) === 0, "NULL store");
            model.store(first, last, null);
          } else {
            const got = mtree_erase(mt, first);
            const want = model.erase(first);
            check(got === want, `erase ${first}: ${String(got)} vs ${String(want)}`);
          }
          if (op % 500 === 0) mt_validate(mt);
        } catch (e) {
          throw new Error(
            `deep flags ${flags} op ${op} (SEED=${seed - 17 - flags} replays): ${(e as Error).message}`,
          );
        }
      }
      mt_validate(mt);
      expectSameContents(mt, model, `deep flags ${flags}`);
    });
  }
});
