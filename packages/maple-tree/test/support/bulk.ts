// Test support: a bulk load the way the kernel's fork path does it (mas_expected_entries, then one
// mas_store per range in ascending order, then mas_destroy). Public entry points only.

import {
  MA_STATE,
  type MapleTreeCore,
  mas_destroy,
  mas_expected_entries,
  mas_store,
} from "@maplemm/maple-tree/kernel";
import { expect } from "vitest";

/**
 * Stores [10i, 10i + 5] -> i for i < n under one reservation. Expects every bit of `stateFlags` set
 * on the state once reserved, and clear again after mas_destroy. Returns mas_expected_entries's
 * error, or 0.
 */
export function bulkLoad(mt: MapleTreeCore, n: number, stateFlags: number): number {
  const mas = MA_STATE(mt, 0, 0);
  const ret = mas_expected_entries(mas, n);
  if (ret !== 0) return ret;
  expect(mas.flags & stateFlags).toBe(stateFlags);
  for (let i = 0; i < n; i++) {
    mas.index = i * 10;
    mas.last = i * 10 + 5;
    mas_store(mas, i);
    expect(mas.status, `store ${i}`).not.toBe("error");
  }
  mas_destroy(mas);
  expect(mas.flags & stateFlags).toBe(0);
  return 0;
}
