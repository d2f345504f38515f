// Test support: the kernel's `compare_tree` (tools/testing/radix-tree/maple.c) as the dup tests use
// it, so that "a copy node for node" is checked word by word, not through the read API.
// Pins an internal: it reads both trees' node words straight from the arena (arena.ts layout).

import type { MapleTreeCore } from "@maplemm/maple-tree/kernel";
import { expect } from "vitest";
import {
  M_END,
  M_GAP,
  M_PARENT,
  M_PSLOT,
  M_TYPE,
  META,
  NODE_LEAF,
  STRIDE,
} from "../../src/core/arena.js";

/**
 * Kernel `compare_tree`: walks both trees in parallel and throws at the first node that differs
 * in type, data end, pivots, gaps, max-gap offset, parent slot or a leaf's value. Returns the
 * number of nodes compared. Also checks the copy's parent links point at the copy's own nodes.
 */
export function compareTrees(a: MapleTreeCore, b: MapleTreeCore): number {
  expect(b.flags).toBe(a.flags);
  expect(b.rootEntry).toBe(a.rootEntry);
  if (a.rootNode === 0) {
    expect(b.rootNode).toBe(0);
    return 0;
  }
  expect(b.rootNode).not.toBe(0);
  const A = a.arena;
  const B = b.arena;
  let nodes = 0;
  const walk = (x: number, y: number, yParent: number): void => {
    nodes++;
    const where = `node ${x} / copy ${y}`;
    for (const w of [M_TYPE, M_END, M_GAP]) {
      if (A.meta[x * META + w] !== B.meta[y * META + w]) throw new Error(`${where}: meta ${w}`);
    }
    if (B.meta[y * META + M_PARENT] !== yParent) throw new Error(`${where}: parent link`);
    if (yParent !== 0 && A.meta[x * META + M_PSLOT] !== B.meta[y * META + M_PSLOT]) {
      throw new Error(`${where}: parent slot`);
    }
    for (let i = 0; i < STRIDE; i++) {
      if (A.pivots[x * STRIDE + i] !== B.pivots[y * STRIDE + i])
        throw new Error(`${where}: pivot ${i}`);
      if (A.gaps !== null && A.gaps[x * STRIDE + i] !== (B.gaps as Float64Array)[y * STRIDE + i]) {
        throw new Error(`${where}: gap ${i}`);
      }
    }
    const end = A.meta[x * META + M_END];
    const leaf = A.meta[x * META + M_TYPE] === NODE_LEAF;
    for (let i = 0; i <= end; i++) {
      const hx = A.slots[x * STRIDE + i];
      const hy = B.slots[y * STRIDE + i];
      if (leaf) {
        if ((hx === 0) !== (hy === 0)) throw new Error(`${where}: slot ${i} NULL-ness`);
        if (a.entries.values[hx] !== b.entries.values[hy]) throw new Error(`${where}: value ${i}`);
      } else walk(hx, hy, y);
    }
  };
  walk(a.rootNode, b.rootNode, 0);
  return nodes;
}
