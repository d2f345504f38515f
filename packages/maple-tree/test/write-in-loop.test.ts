// The write-side half of the read/write contract: after a write through a state, the state is
// positioned on the written range, so a mas_find loop carries on after an in-loop mas_store or
// mas_erase (docs/spec/maple-tree.md §4.5, V17).

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  MA_STATE,
  MT_FLAGS_USE_RCU,
  mas_erase,
  mas_find,
  mas_store,
  mt_validate,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { treeEntries } from "./support/write-model.js";
import { sequentialTree } from "./support/write-tree.js";

describe("a mas_find loop continues after writes through the same state", () => {
  for (const flags of [0, MT_FLAGS_USE_RCU]) {
    it(`replacing every entry visits each once (flags ${flags})`, () => {
      const mt = sequentialTree(3000, 10, 5, flags);
      const mas = MA_STATE(mt, 0, 0);
      const seen: number[] = [];
      for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
        seen.push(e as number);
        mas_store(mas, `r${String(e)}`);
        expect(mas.status).toBe("active");
      }
      expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      expect(treeEntries(mt).every((r, i) => r.value === `r${i}`)).toBe(true);
      mt_validate(mt);
    });

    it(`erasing every other entry in the loop (flags ${flags})`, () => {
      const mt = sequentialTree(3000, 10, 5, flags);
      const mas = MA_STATE(mt, 0, 0);
      const seen: number[] = [];
      for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
        seen.push(e as number);
        if ((e as number) % 2 === 0) expect(mas_erase(mas)).toBe(e);
      }
      expect(seen.length).toBe(3000);
      expect(treeEntries(mt).map((r) => r.value)).toEqual(
        Array.from({ length: 1500 }, (_, i) => 2 * i + 1),
      );
      mt_validate(mt);
    });

    it(`splitting every entry in two inside the loop (flags ${flags})`, () => {
      const mt = sequentialTree(2000, 10, 5, flags);
      const mas = MA_STATE(mt, 0, 0);
      let visits = 0;
      for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
        visits++;
        const first = mas.index;
        // Overwrite the first half; the state is left on it, so the next find yields the
        // untouched second half (same entry) before moving on.
        if (typeof e === "number") {
          mas.last = first + 2;
          mas_store(mas, `a${e}`);
        }
      }
      expect(visits).toBe(4000);
      mt_validate(mt);
    });
  }
});
