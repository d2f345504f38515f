// Big trees: a million entries stored in random order (height >= 4), then overwritten, erased
// and cut by spanning stores, validated and spot-checked against the model's arithmetic.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  mas_erase,
  mas_store,
  mt_height,
  mt_validate,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { rng } from "./support/write-model.js";
import { loadAt } from "./support/write-tree.js";

const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : 1234;

describe("big trees", () => {
  for (const [flags, N] of [
    [0, 1_000_000],
    [MT_FLAGS_ALLOC_RANGE, 1_000_000],
  ] as const) {
    it(`${N} entries: random-order build, overwrite, erase, spanning stores (flags ${flags})`, () => {
      const order = new Int32Array(N);
      for (let i = 0; i < N; i++) order[i] = i;
      const rand = rng(SEED + flags);
      for (let i = N - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      const mt = DEFINE_MTREE(flags);
      const mas = MA_STATE(mt, 0, 0);
      for (let n = 0; n < N; n++) {
        const i = order[n] as number;
        mas.index = i * 4;
        mas.last = i * 4 + 2;
        mas_store(mas, i);
        if (mas.status !== "active") throw new Error(`store ${i} (SEED=${SEED}): ${mas.status}`);
      }
      expect(mt_height(mt)).toBeGreaterThanOrEqual(4);
      mt_validate(mt);
      for (let k = 0; k < 2000; k++) {
        const i = Math.floor(rand() * N);
        expect(loadAt(mt, i * 4 + 1)).toBe(i);
        expect(loadAt(mt, i * 4 + 3)).toBe(null);
      }
      // Erase every third entry, overwrite every fifth with a wider range.
      for (let i = 0; i < N; i += 3) {
        mas.index = i * 4;
        mas.last = i * 4;
        const got = mas_erase(mas);
        // (a plain check: expect() in a 10^5 loop costs more than the erases)
        if (got !== i) throw new Error(`erase ${i} returned ${String(got)} (SEED=${SEED})`);
      }
      for (let i = 1; i < N; i += 5) {
        mas.index = i * 4 - 1;
        mas.last = i * 4 + 3;
        mas_store(mas, -i);
      }
      mt_validate(mt);
      for (let k = 0; k < 2000; k++) {
        const i = Math.floor(rand() * N);
        const want = i % 5 === 1 ? -i : i % 3 === 0 ? null : i;
        expect(loadAt(mt, i * 4 + 1)).toBe(want);
      }
      // Spanning stores over whole subtrees, then NULL over a third of the space.
      expect(mtree_store_range(mt, 400_000, 2_400_000, "big")).toBe(0);
      expect(mtree_store_range(mt, 1_000_000, MAX_INDEX, null)).toBe(0);
      mt_validate(mt);
      expect(loadAt(mt, 999_999)).toBe("big");
      expect(loadAt(mt, 1_000_000)).toBe(null);
      expect(loadAt(mt, 5)).toBe(-1); // entry 1, overwritten as -1 over [3,7]
    });
  }
});
