// Table-driven state machine (docs/spec/maple-tree.md §4.4): every starting status x every read
// op, on a node tree, a direct-root tree and the empty tree, with limits at and around the ranges.
// Each row: tree, starting state, op, limit -> returned entry, index, last, status. The expected
// values were worked out by hand from §4.4 (and the kernel's *_setup functions where §4.4 is
// terse). Node-tree rows run on three layouts of the same ranges.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  EINVAL,
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  type MaStatus,
  mas_find,
  mas_find_range,
  mas_find_range_rev,
  mas_find_rev,
  mas_next,
  mas_next_range,
  mas_pause,
  mas_prev,
  mas_prev_range,
  mas_set,
  mas_set_err,
  mas_walk,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { buildTree, type FillFn } from "./support/build.js";

const M = MAX_INDEX;
const A = "A";
const B = "B";
const C = "C";

// Node tree: N0 [0,0xf] NULL, A [0x10,0x1f], N1 [0x20,0x2f] NULL, B [0x30,0x3f],
// N2 [0x40,0x4f] NULL, C [0x50,0x5f], N3 [0x60,MAX] NULL.
const NODE_ENTRIES = [
  { first: 0x10, last: 0x1f, value: A },
  { first: 0x30, last: 0x3f, value: B },
  { first: 0x50, last: 0x5f, value: C },
];

type Op =
  | "walk"
  | "find"
  | "find_range"
  | "find_rev"
  | "find_range_rev"
  | "next"
  | "next_range"
  | "prev"
  | "prev_range";

/** Starting states: `<status>@<index>`; overflow/underflow/active are reached by real ops. */
function prepare(mas: MaState, start: string): void {
  const [what, at] = start.split("@");
  const x = Number(at);
  mas_set(mas, x);
  switch (what) {
    case "start":
      return;
    case "pause":
      mas_pause(mas);
      return;
    case "none":
      mas.status = "none";
      return;
    case "active":
    case "root":
      mas_walk(mas);
      return;
    case "overflow":
      // Walk onto the range, then a next whose limit it already reaches.
      mas_walk(mas);
      mas_next(mas, mas.last);
      return;
    case "underflow":
      mas_walk(mas);
      mas_prev(mas, mas.index);
      return;
    case "error":
      mas_set_err(mas, -EINVAL);
      return;
  }
  throw new Error(`bad start ${start}`);
}

function apply(mas: MaState, op: Op, limit: number): unknown {
  switch (op) {
    case "walk":
      return mas_walk(mas);
    case "find":
      return mas_find(mas, limit);
    case "find_range":
      return mas_find_range(mas, limit);
    case "find_rev":
      return mas_find_rev(mas, limit);
    case "find_range_rev":
      return mas_find_range_rev(mas, limit);
    case "next":
      return mas_next(mas, limit);
    case "next_range":
      return mas_next_range(mas, limit);
    case "prev":
      return mas_prev(mas, limit);
    case "prev_range":
      return mas_prev_range(mas, limit);
  }
}

/** [start, op, limit, entry, index, last, status] */
type Row = [string, Op, number, unknown, number, number, MaStatus];

const FWD: Op[] = ["find", "find_range", "next", "next_range"];
const defaultLimit = (op: Op): number => (FWD.includes(op) ? M : 0);

/** Rows with the default limit (MAX forward, 0 backward): [start, op, entry, index, last, st]. */
function defaults(rows: [string, Op, unknown, number, number, MaStatus][]): Row[] {
  return rows.map(([s, op, e, i, l, st]) => [s, op, defaultLimit(op), e, i, l, st]);
}

const NODE_ROWS: Row[] = [
  ...defaults([
    // walk
    ["start@0x35", "walk", B, 0x30, 0x3f, "active"],
    ["start@0x25", "walk", null, 0x20, 0x2f, "active"],
    ["pause@0x35", "walk", B, 0x30, 0x3f, "active"],
    ["none@0x35", "walk", B, 0x30, 0x3f, "active"],
    ["active@0x35", "walk", B, 0x30, 0x3f, "active"],
    ["active@0x25", "walk", null, 0x20, 0x2f, "active"],
    ["overflow@0x35", "walk", B, 0x30, 0x3f, "active"],
    ["underflow@0x35", "walk", B, 0x30, 0x3f, "active"],
    ["error@0x35", "walk", B, 0x30, 0x3f, "active"],
    // find
    ["start@0x35", "find", B, 0x30, 0x3f, "active"],
    ["start@0x25", "find", B, 0x30, 0x3f, "active"],
    ["pause@0x35", "find", B, 0x30, 0x3f, "active"],
    ["none@0x35", "find", B, 0x30, 0x3f, "active"],
    ["active@0x35", "find", C, 0x50, 0x5f, "active"],
    ["active@0x25", "find", B, 0x30, 0x3f, "active"],
    ["overflow@0x35", "find", B, 0x30, 0x3f, "active"],
    ["underflow@0x35", "find", B, 0x30, 0x3f, "active"],
    ["error@0x35", "find", null, 0x35, 0x35, "error"],
    // find_range
    ["start@0x35", "find_range", B, 0x30, 0x3f, "active"],
    ["start@0x25", "find_range", B, 0x30, 0x3f, "active"],
    ["pause@0x35", "find_range", B, 0x30, 0x3f, "active"],
    ["none@0x35", "find_range", B, 0x30, 0x3f, "active"],
    ["active@0x35", "find_range", null, 0x40, 0x4f, "active"],
    ["active@0x25", "find_range", B, 0x30, 0x3f, "active"],
    ["overflow@0x35", "find_range", B, 0x30, 0x3f, "active"],
    ["underflow@0x35", "find_range", B, 0x30, 0x3f, "active"],
    ["error@0x35", "find_range", null, 0x35, 0x35, "error"],
    // find_rev
    ["start@0x35", "find_rev", B, 0x30, 0x3f, "active"],
    ["start@0x25", "find_rev", A, 0x10, 0x1f, "active"],
    ["pause@0x35", "find_rev", B, 0x30, 0x3f, "active"],
    ["none@0x35", "find_rev", B, 0x30, 0x3f, "active"],
    ["active@0x35", "find_rev", A, 0x10, 0x1f, "active"],
    ["active@0x25", "find_rev", A, 0x10, 0x1f, "active"],
    ["overflow@0x35", "find_rev", A, 0x10, 0x1f, "active"],
    ["underflow@0x35", "find_rev", A, 0x10, 0x1f, "active"],
    ["error@0x35", "find_rev", null, 0x35, 0x35, "error"],
    // find_range_rev
    ["start@0x35", "find_range_rev", B, 0x30, 0x3f, "active"],
    ["start@0x25", "find_range_rev", A, 0x10, 0x1f, "active"],
    ["pause@0x35", "find_range_rev", B, 0x30, 0x3f, "active"],
    ["none@0x35", "find_range_rev", B, 0x30, 0x3f, "active"],
    ["active@0x35", "find_range_rev", null, 0x20, 0x2f, "active"],
    ["active@0x25", "find_range_rev", A, 0x10, 0x1f, "active"],
    ["overflow@0x35", "find_range_rev", null, 0x20, 0x2f, "active"],
    ["underflow@0x35", "find_range_rev", null, 0x20, 0x2f, "active"],
    ["error@0x35", "find_range_rev", null, 0x35, 0x35, "error"],
    // next
    ["start@0x35", "next", C, 0x50, 0x5f, "active"],
    ["start@0x25", "next", B, 0x30, 0x3f, "active"],
    ["pause@0x35", "next", C, 0x50, 0x5f, "active"],
    ["none@0x35", "next", C, 0x50, 0x5f, "active"],
    ["active@0x35", "next", C, 0x50, 0x5f, "active"],
    ["active@0x25", "next", B, 0x30, 0x3f, "active"],
    ["overflow@0x35", "next", C, 0x50, 0x5f, "active"],
    ["underflow@0x35", "next", B, 0x30, 0x3f, "active"],
    ["error@0x35", "next", null, 0x35, 0x35, "error"],
    // next_range
    ["start@0x35", "next_range", null, 0x40, 0x4f, "active"],
    ["start@0x25", "next_range", B, 0x30, 0x3f, "active"],
    ["pause@0x35", "next_range", null, 0x40, 0x4f, "active"],
    ["none@0x35", "next_range", null, 0x40, 0x4f, "active"],
    ["active@0x35", "next_range", null, 0x40, 0x4f, "active"],
    ["active@0x25", "next_range", B, 0x30, 0x3f, "active"],
    ["overflow@0x35", "next_range", null, 0x40, 0x4f, "active"],
    ["underflow@0x35", "next_range", B, 0x30, 0x3f, "active"],
    ["error@0x35", "next_range", null, 0x35, 0x35, "error"],
    // prev
    ["start@0x35", "prev", A, 0x10, 0x1f, "active"],
    ["start@0x25", "prev", A, 0x10, 0x1f, "active"],
    ["pause@0x35", "prev", A, 0x10, 0x1f, "active"],
    ["none@0x35", "prev", A, 0x10, 0x1f, "active"],
    ["active@0x35", "prev", A, 0x10, 0x1f, "active"],
    ["active@0x25", "prev", A, 0x10, 0x1f, "active"],
    ["overflow@0x35", "prev", B, 0x30, 0x3f, "active"],
    ["underflow@0x35", "prev", A, 0x10, 0x1f, "active"],
    ["error@0x35", "prev", null, 0x35, 0x35, "error"],
    // prev_range
    ["start@0x35", "prev_range", null, 0x20, 0x2f, "active"],
    ["start@0x25", "prev_range", A, 0x10, 0x1f, "active"],
    ["pause@0x35", "prev_range", null, 0x20, 0x2f, "active"],
    ["none@0x35", "prev_range", null, 0x20, 0x2f, "active"],
    ["active@0x35", "prev_range", null, 0x20, 0x2f, "active"],
    ["active@0x25", "prev_range", A, 0x10, 0x1f, "active"],
    ["overflow@0x35", "prev_range", B, 0x30, 0x3f, "active"],
    ["underflow@0x35", "prev_range", null, 0x20, 0x2f, "active"],
    ["error@0x35", "prev_range", null, 0x35, 0x35, "error"],
    // at the ends of the index space
    ["active@0x55", "next", null, 0x60, M, "overflow"],
    ["active@0x55", "find", null, 0x60, M, "active"],
    [`start@${M}`, "find_rev", C, 0x50, 0x5f, "active"],
    ["start@5", "prev", null, 0, 0xf, "underflow"],
    ["start@0", "prev", null, 0, 0, "underflow"],
    ["active@5", "find_rev", null, 0, 0xf, "underflow"],
    ["start@0", "find", A, 0x10, 0x1f, "active"],
    ["start@0", "next", A, 0x10, 0x1f, "active"],
  ]),
  // limits
  ["active@0x35", "next", 0x3f, null, 0x30, 0x3f, "overflow"],
  ["active@0x35", "next", 0x40, null, 0x40, 0x4f, "overflow"],
  ["active@0x35", "next", 0x50, C, 0x50, 0x5f, "active"],
  ["active@0x35", "next_range", 0x40, null, 0x40, 0x4f, "active"],
  ["active@0x35", "find", 0x45, null, 0x40, 0x4f, "active"],
  ["active@0x35", "find_range", 0x45, null, 0x40, 0x4f, "active"],
  ["active@0x35", "prev", 0x30, null, 0x30, 0x3f, "underflow"],
  ["active@0x35", "prev", 0x2f, null, 0x20, 0x2f, "underflow"],
  ["active@0x35", "prev", 0x1f, A, 0x10, 0x1f, "active"],
  ["active@0x35", "find_rev", 0x31, null, 0x30, 0x3f, "active"],
  ["start@0x35", "find", 0x34, null, 0x35, 0x35, "start"],
  ["start@0x25", "find", 0x25, null, 0x20, 0x2f, "active"],
  ["start@0x20", "find", 0x20, null, 0x20, 0x2f, "active"],
  ["start@0x35", "find_rev", 0x36, null, 0x35, 0x35, "start"],
  ["pause@0x3f", "find", 0x3f, null, 0x3f, 0x3f, "pause"],
  ["pause@0x30", "find_rev", 0x30, null, 0x30, 0x30, "underflow"],
  ["none@0x35", "find_rev", 0x35, null, 0x35, 0x35, "none"],
  ["overflow@0x35", "find", 0x3f, null, 0x30, 0x3f, "overflow"],
  ["underflow@0x35", "find", 0x30, null, 0x30, 0x3f, "overflow"],
  ["overflow@0x35", "find_rev", 0x30, null, 0x30, 0x3f, "underflow"],
  ["underflow@0x35", "find_rev", 0x30, null, 0x30, 0x3f, "underflow"],
  ["error@0x35", "next", 0x35, null, 0x35, 0x35, "overflow"],
  ["error@0x35", "prev", 0x35, null, 0x35, 0x35, "underflow"],
];

// Direct-root tree: A at [0, 0].
const ROOT_ROWS: Row[] = defaults([
  ["start@0", "walk", A, 0, 0, "root"],
  ["start@0", "find", A, 0, 0, "root"],
  ["start@0", "find_range", A, 0, 0, "root"],
  ["start@0", "find_rev", A, 0, 0, "root"],
  ["start@0", "find_range_rev", A, 0, 0, "root"],
  ["start@0", "next", null, 1, M, "none"],
  ["start@0", "next_range", null, 1, M, "none"],
  ["start@0", "prev", null, 0, 0, "underflow"],
  ["start@0", "prev_range", null, 0, 0, "underflow"],
  ["start@5", "walk", null, 1, M, "none"],
  ["start@5", "find", null, 1, M, "none"],
  ["start@5", "find_rev", A, 0, 0, "root"],
  ["start@5", "next", null, 1, M, "none"],
  ["start@5", "prev", A, 0, 0, "root"],
  ["start@5", "prev_range", A, 0, 0, "root"],
  ["root@0", "walk", A, 0, 0, "root"],
  ["root@0", "find", null, 1, M, "none"],
  ["root@0", "find_rev", null, 0, 0, "none"],
  ["root@0", "next", null, 1, M, "none"],
  ["root@0", "prev", null, 0, 0, "underflow"],
  ["none@0", "find", A, 0, 0, "root"],
  ["none@0", "next", null, 0, 0, "root"],
  ["none@5", "next", null, 1, M, "none"],
  ["none@5", "prev", A, 0, 0, "root"],
  ["pause@5", "find", null, 1, M, "none"],
  ["pause@5", "find_rev", A, 0, 0, "root"],
  ["pause@5", "prev", A, 0, 0, "root"],
  ["error@5", "find", null, 5, 5, "error"],
]).concat([
  // The kernel returns the root entry even below the limit (mas_find_rev_setup).
  ["start@5", "find_rev", 3, A, 0, 0, "root"],
  ["start@5", "find_rev", 6, null, 5, 5, "start"],
]);

const EMPTY_ROWS: Row[] = defaults([
  ["start@5", "walk", null, 0, M, "none"],
  ["start@5", "find", null, 0, M, "none"],
  ["start@5", "find_range", null, 0, M, "none"],
  ["start@5", "find_rev", null, 0, 0, "root"],
  ["start@5", "find_range_rev", null, 0, 0, "root"],
  ["start@5", "next", null, 0, M, "none"],
  ["start@5", "next_range", null, 0, M, "none"],
  ["start@5", "prev", null, 0, M, "none"],
  ["start@5", "prev_range", null, 0, M, "none"],
  ["none@5", "find", null, 0, M, "none"],
  ["pause@5", "find", null, 0, M, "none"],
  ["pause@5", "next", null, 0, M, "none"],
  ["error@5", "walk", null, 0, M, "none"],
]);

function check(tree: MapleTreeCore, row: Row): void {
  const [start, op, limit, entry, index, last, status] = row;
  const mas = MA_STATE(tree, 0, 0);
  prepare(mas, start);
  const got = apply(mas, op, limit);
  expect({ entry: got, index: mas.index, last: mas.last, status: mas.status }).toEqual({
    entry,
    index,
    last,
    status,
  });
}

const hex = (i: number): string => (i === M ? "MAX" : `0x${i.toString(16)}`);
const label = (r: Row): string =>
  `${r[0]} ${r[1]}(${hex(r[2])}) -> ${String(r[3])} [${hex(r[4])}, ${hex(r[5])}] ${r[6]}`;

const layouts: [string, FillFn | undefined][] = [
  ["one leaf", undefined],
  ["one range per leaf", (level) => (level === 0 ? 1 : 2)],
  ["two ranges per leaf, binary", () => 2],
];

describe("state table: node tree", () => {
  for (const [name, fill] of layouts) {
    const tree = buildTree(NODE_ENTRIES, fill ? { fill } : {});
    it.each(NODE_ROWS.map((r) => [label(r), r] as const))(`${name}: %s`, (_l, row) =>
      check(tree, row),
    );
  }
});

describe("state table: direct-root tree", () => {
  const tree = buildTree([{ first: 0, last: 0, value: A }]);
  it.each(ROOT_ROWS.map((r) => [label(r), r] as const))("%s", (_l, row) => check(tree, row));
});

describe("state table: empty tree", () => {
  const tree = buildTree([]);
  it.each(EMPTY_ROWS.map((r) => [label(r), r] as const))("%s", (_l, row) => check(tree, row));
});
