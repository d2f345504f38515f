// The fork pattern: a mas_find loop that replaces each entry it stands on with mas_store. The
// state already knows the slot, so the replacement is one slot word: same shape, no node, no
// descent, gaps untouched — in and out of RCU mode, on normal and allocation trees.

import { XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MA_STATE,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_USE_RCU,
  mas_find,
  mas_store,
  mt_dump,
  mt_validate,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { QueueReclaimer } from "./support/write-tree.js";

/** The dump without entries: node ids, types, parents and range bounds. */
const shapeOf = (mt: MapleTreeCore): string =>
  mt_dump(mt)
    .split("\n")
    .map((line) => line.replace(/contents:.*/, "").replace(/^(\s*\d+-\d+):.*/, "$1"))
    .join("\n");

describe("replacing every entry from a mas_find loop", () => {
  for (const flags of [
    0,
    MT_FLAGS_ALLOC_RANGE,
    MT_FLAGS_USE_RCU,
    MT_FLAGS_ALLOC_RANGE | MT_FLAGS_USE_RCU,
  ]) {
    it(`keeps the shape and swaps only values (flags ${flags})`, () => {
      const q = new QueueReclaimer();
      const mt = DEFINE_MTREE(flags, { reclaimer: q });
      for (let i = 0; i < 3000; i++) mtree_store_range(mt, i * 10, i * 10 + (i % 7), i);
      mtree_store_range(mt, 30_000, 30_009, XA_ZERO_ENTRY);
      q.flush();
      const shape = shapeOf(mt);
      const live = mt.arena.live;
      const mas = MA_STATE(mt, 0, 0);
      let n = 0;
      for (
        let e = mas_find(mas, Number.MAX_SAFE_INTEGER);
        e !== null;
        e = mas_find(mas, Number.MAX_SAFE_INTEGER)
      ) {
        const replacement = n % 3 === 0 ? { copy: e } : typeof e === "number" ? e + 100_000 : e;
        expect(mas_store(mas, replacement)).toBe(e);
        expect(mas.status).toBe("active");
        n++;
      }
      expect(n).toBe(3001);
      expect(mt.arena.live).toBe(live);
      expect(shapeOf(mt)).toBe(shape);
      mt_validate(mt);
      expect(mtree_load(mt, 10 * 4 + 1)).toBe(100_004);
      expect(mtree_load(mt, 10 * 3)).toEqual({ copy: 3 });
      q.flush();
      mt_validate(mt);
    });
  }
});
