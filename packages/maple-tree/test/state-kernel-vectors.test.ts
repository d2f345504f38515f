// The kernel's own state-machine vectors: lib/test_maple_tree.c check_state_handling (every
// status on a direct-root tree and on a node tree) and the next_prev_test / check_find cases the
// spec quotes (docs/spec/maple-tree.md §1.1, §4.4), run as step tables. The node-tree tables run
// on a single leaf and on trees of the same ranges spread over several levels: the answers may
// not depend on the layout.

import { MAX_INDEX } from "@maplemm/maple-tree";
import {
  MA_STATE,
  type MapleTreeCore,
  type MaState,
  type MaStatus,
  mas_find,
  mas_find_rev,
  mas_next,
  mas_pause,
  mas_prev,
  mas_reset,
  mas_set,
  mas_walk,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { buildTree, type FillFn, type Range } from "./support/build.js";

const PTR = { name: "ptr" };
const PTR2 = { name: "ptr2" };
const PTR3 = { name: "ptr3" };
const M = MAX_INDEX;

/** One step: an op with its argument, then what the state must show afterwards. */
type Op =
  | ["set", number]
  | ["pause"]
  | ["reset"]
  | ["status", MaStatus, number?, number?]
  | ["walk"]
  | ["next" | "prev" | "find" | "find_rev", number];
type Step = [Op, unknown, number, number, MaStatus] | [Op];

function run(mas: MaState, op: Op): unknown {
  switch (op[0]) {
    case "set":
      mas_set(mas, op[1]);
      return undefined;
    case "pause":
      mas_pause(mas);
      return undefined;
    case "reset":
      mas_reset(mas);
      return undefined;
    case "status":
      // The kernel tests assign the status (and index/last) by hand.
      mas.status = op[1];
      if (op[2] !== undefined) mas.index = op[2];
      if (op[3] !== undefined) mas.last = op[3];
      mas.offset = 0;
      return undefined;
    case "walk":
      return mas_walk(mas);
    case "next":
      return mas_next(mas, op[1]);
    case "prev":
      return mas_prev(mas, op[1]);
    case "find":
      return mas_find(mas, op[1]);
    case "find_rev":
      return mas_find_rev(mas, op[1]);
  }
}

function runSteps(tree: MapleTreeCore, steps: Step[]): void {
  const mas = MA_STATE(tree, 0, 0);
  steps.forEach((step, i) => {
    const got = run(mas, step[0]);
    if (step.length === 1) return;
    const [, entry, index, last, status] = step;
    const where = `step ${i} ${JSON.stringify(step[0])}`;
    expect({ entry: got, index: mas.index, last: mas.last, status: mas.status }, where).toEqual({
      entry,
      index,
      last,
      status,
    });
  });
}

// check_state_handling, first half: a tree holding only ptr at [0, 0] (direct root).
const ROOT_STEPS: Step[] = [
  [["prev", 0], null, 0, 0, "underflow"], // prev: start -> underflow
  [["set", 10]],
  [["prev", 0], PTR, 0, 0, "root"], // prev: start -> root
  [["set", 10]],
  [["pause"]],
  [["prev", 0], PTR, 0, 0, "root"], // prev: pause -> root
  [["set", 0]],
  [["next", M], null, 1, M, "none"], // next: start -> none
  [["set", 10]],
  [["next", M], null, 1, M, "none"], // next: start -> none
  [["set", 0]],
  [["find", M], PTR, 0, 0, "root"], // find: start -> root
  [["find", M], null, 1, M, "none"], // find: root -> none
  [["find", M], null, 1, M, "none"], // find: none -> none
  [["set", 10]],
  [["find", M], null, 1, M, "none"], // find: start -> none
  [["find_rev", 0], PTR, 0, 0, "root"], // find_rev: none -> root
  [["set", 0]],
  [["find_rev", 0], PTR, 0, 0, "root"], // find_rev: start -> root
  [["find_rev", 0], null, 0, 0, "none"], // find_rev: root -> none
  [["find_rev", 0], null, 0, 0, "none"], // find_rev: none -> none
  [["set", 10]],
  [["find_rev", 0], PTR, 0, 0, "root"], // find_rev: start -> root
  [["set", 10]],
  [["walk"], null, 1, M, "none"], // walk: start -> none
  [["set", 10]],
  [["pause"]],
  [["walk"], null, 1, M, "none"], // walk: pause -> none
  [["status", "none", 10, 10]],
  [["walk"], null, 1, M, "none"], // walk: none -> none
  [["walk"], null, 1, M, "none"], // walk: none -> none
  [["set", 0]],
  [["walk"], PTR, 0, 0, "root"], // walk: start -> root
  [["set", 0]],
  [["pause"]],
  [["walk"], PTR, 0, 0, "root"], // walk: pause -> root
  [["status", "none"]],
  [["walk"], PTR, 0, 0, "root"], // walk: none -> root
  [["walk"], PTR, 0, 0, "root"], // walk: root -> root
  [["set", 10]],
  [["walk"], null, 1, M, "none"], // walk: root -> none
  [["status", "none", 0, 0]],
  [["walk"], PTR, 0, 0, "root"], // walk: none -> root
];

// check_state_handling, second half: ptr [0x1000,0x1500], ptr2 [0x2000,0x2500],
// ptr3 [0x3000,0x3500].
const NODE_STEPS: Step[] = [
  [["set", 0]],
  [["next", M], PTR, 0x1000, 0x1500, "active"], // next: start -> active
  [["set", 0]],
  [["pause"]],
  [["next", M], PTR, 0x1000, 0x1500, "active"], // next: pause -> active
  [["status", "none", 0, 0]],
  [["next", M], PTR, 0x1000, 0x1500, "active"], // next: none -> active
  [["next", 0x2100], PTR2, 0x2000, 0x2500, "active"], // next: active -> active (spanning limit)
  [["next", 0x2999], null, 0x2501, 0x2fff, "overflow"], // active -> overflow beyond data
  [["next", M], PTR3, 0x3000, 0x3500, "active"], // overflow -> active (limit changed)
  [["next", M], null, 0x3501, M, "overflow"], // active -> overflow (limit reached)
  [["next", M], null, 0x3501, M, "overflow"], // overflow -> overflow
  [["prev", 0], PTR3, 0x3000, 0x3500, "active"], // prev: overflow -> active
  [["set", 0]],
  [["next", M], PTR, 0x1000, 0x1500, "active"],
  [["status", "none"]],
  [["next", M], PTR2, 0x2000, 0x2500, "active"], // next: none -> active, skip value at location
  [["prev", 0], PTR, 0x1000, 0x1500, "active"], // prev: active -> active
  [["next", M], PTR2, 0x2000, 0x2500, "active"],
  [["prev", 0x1200], PTR, 0x1000, 0x1500, "active"], // spanning limit
  [["prev", 0x1200], null, 0x1000, 0x1500, "underflow"], // underflow
  [["prev", 0x0100], null, 0, 0x0fff, "underflow"], // underflow -> underflow, spanning end range
  [["prev", 0], null, 0, 0x0fff, "underflow"], // underflow -> underflow
  [["prev", 0], null, 0, 0x0fff, "underflow"],
  [["next", M], PTR, 0x1000, 0x1500, "active"], // next: underflow -> active
  [["prev", 0x1000], null, 0x1000, 0x1500, "underflow"], // prev: first value -> underflow
  [["find", M], PTR, 0x1000, 0x1500, "active"], // find: underflow -> first value
  [["set", 0x3600]],
  [["prev", 0], PTR3, 0x3000, 0x3500, "active"],
  [["pause"]],
  [["prev", 0], PTR2, 0x2000, 0x2500, "active"], // prev: pause -> active
  [["prev", 0x1600], null, 0x1501, 0x1fff, "underflow"], // active -> underflow spanning min
  [["prev", 0], PTR, 0x1000, 0x1500, "active"], // active -> active, continue
  [["set", 0]],
  [["find", M], PTR, 0x1000, 0x1500, "active"], // find: start -> active
  [["set", 0]],
  [["pause"]],
  [["find", M], PTR, 0x1000, 0x1500, "active"], // find: pause -> active
  [["set", 1200]],
  [["find", M], PTR, 0x1000, 0x1500, "active"], // find: start -> active on value
  [["find", M], PTR2, 0x2000, 0x2500, "active"], // find: active -> active
  [["find", 0x2700], null, 0x2501, 0x2fff, "active"], // find: active -> active (NULL)
  [["find", 0x5000], PTR3, 0x3000, 0x3500, "active"], // find: -> active
  [["find", M], null, 0x3501, M, "active"], // find: active -> active (NULL) end
  [["find_rev", 0], PTR3, 0x3000, 0x3500, "active"], // find_rev: active (END) -> active
  [["find_rev", 0], PTR2, 0x2000, 0x2500, "active"], // find_rev: active -> active
  [["pause"]],
  [["find_rev", 0], PTR, 0x1000, 0x1500, "active"], // find_rev: pause -> active
  [["find_rev", 0], null, 0, 0x0fff, "underflow"], // find_rev: active -> underflow
  [["set", 0x1200]],
  [["find_rev", 0], PTR, 0x1000, 0x1500, "active"], // find_rev: start -> active
  [["set", 0x1200]],
  [["walk"], PTR, 0x1000, 0x1500, "active"], // walk: start -> active
  [["set", 0x1600]],
  [["walk"], null, 0x1501, 0x1fff, "active"], // walk: start -> active (NULL)
  [["set", 0x1200]],
  [["pause"]],
  [["walk"], PTR, 0x1000, 0x1500, "active"], // walk: pause -> active
  [["set", 0x1600]],
  [["pause"]],
  [["walk"], null, 0x1501, 0x1fff, "active"], // walk: pause -> active
  [["set", 0x1200]],
  [["status", "none"]],
  [["walk"], PTR, 0x1000, 0x1500, "active"], // walk: none -> active
  [["set", 0x1600]],
  [["status", "none"]],
  [["walk"], null, 0x1501, 0x1fff, "active"], // walk: none -> active
  [["status", "active", 0x1200, 0x1200]],
  [["walk"], PTR, 0x1000, 0x1500, "active"], // walk: active -> active
  [["status", "active", 0x1600, 0x1600]],
  [["walk"], null, 0x1501, 0x1fff, "active"], // walk: active -> active
];

const NODE_RANGES: Range[] = [
  { first: 0x1000, last: 0x1500, value: PTR },
  { first: 0x2000, last: 0x2500, value: PTR2 },
  { first: 0x3000, last: 0x3500, value: PTR3 },
];

const LAYOUTS: [string, FillFn | undefined][] = [
  ["one leaf", undefined],
  ["one range per leaf", (level) => (level === 0 ? 1 : 2)],
  ["two ranges per leaf", () => 2],
];

/** Leaves of 7..16 slots in turn and internal nodes of 3, for a taller, uneven tree. */
function unevenFill(): FillFn {
  let k = 0;
  return (level) => (level === 0 ? 7 + (k++ % 10) : 3);
}

/** next_prev_test's tree: value i at [10i, 10i+5] for i = 0..200. */
function nextPrevEntries(): Range[] {
  const out: Range[] = [];
  for (let i = 0; i <= 200; i++)
    out.push({ first: i * 10, last: i * 10 + 5, value: xa_mk_value(i) });
  return out;
}

describe("check_state_handling", () => {
  it("gives the kernel's transitions on a direct-root tree", () => {
    runSteps(buildTree([{ first: 0, last: 0, value: PTR }]), ROOT_STEPS);
  });
  for (const [name, fill] of LAYOUTS) {
    it(`gives the kernel's transitions on a node tree (${name})`, () => {
      const tree = buildTree(NODE_RANGES, fill ? { fill } : {});
      runSteps(tree, NODE_STEPS);
    });
  }
});

describe("next_prev_test", () => {
  for (const [name, fill] of [
    ["full leaves", undefined],
    ["uneven leaves", unevenFill()],
  ] as [string, FillFn | undefined][]) {
    it(`steps across leaves and levels and off both ends (${name})`, () => {
      const tree = buildTree(nextPrevEntries(), fill ? { fill } : {});
      runSteps(tree, [
        [["set", 686]],
        [["walk"], null, 686, 689, "active"],
        [["next", 1000], 69, 690, 695, "active"],
        [["prev", 0], 68, 680, 685, "active"],
        [["next", 1000], 69, 690, 695, "active"],
        [["next", 1000], 70, 700, 705, "active"],
        [["set", 70]],
        [["walk"], 7, 70, 75, "active"],
        [["next", 1000], 8, 80, 85, "active"],
        [["prev", 70], 7, 70, 75, "active"],
        [["set", 707]],
        [["walk"], null, 706, 709, "active"],
        [["next", 1000], 71, 710, 715, "active"],
        [["next", 1000], 72, 720, 725, "active"],
        [["prev", 0], 71, 710, 715, "active"],
        [["set", 2000]],
        [["walk"], 200, 2000, 2005, "active"],
        [["next", M], null, 2006, M, "overflow"],
        [["prev", 0], 200, 2000, 2005, "active"],
        [["set", 10]],
        [["walk"], 1, 10, 15, "active"],
        [["prev", 0], 0, 0, 5, "active"],
        [["prev", 0], null, 0, 5, "underflow"],
      ]);
    });
  }

  it("mas_prev from 10 after a NULL store over [0, 5] returns NULL with [0, 9]", () => {
    // The NULL store leaves [0, 9] as one NULL range; built directly here.
    const tree = buildTree(nextPrevEntries().slice(1));
    runSteps(tree, [
      [["set", 10]],
      [["walk"], 1, 10, 15, "active"],
      [["prev", 0], null, 0, 9, "underflow"],
    ]);
  });

  it("mas_prev(4) from 5 over [0,0] and [5,5] returns NULL", () => {
    const tree = buildTree([
      { first: 0, last: 0, value: 0 },
      { first: 5, last: 5, value: 5 },
    ]);
    runSteps(tree, [[["set", 5]], [["prev", 4], null, 1, 4, "underflow"]]);
  });
});

describe("spec §4.4 worked examples", () => {
  it("mas_find_rev on an empty tree returns NULL with status root", () => {
    runSteps(buildTree([]), [[["set", 5]], [["find_rev", 0], null, 0, 0, "root"]]);
  });
  it("mas_walk on an empty tree gives [0, MAX] and status none", () => {
    runSteps(buildTree([]), [[["set", 5]], [["walk"], null, 0, M, "none"]]);
  });
  it("mas_next on an empty tree returns NULL with status none", () => {
    runSteps(buildTree([]), [[["set", 5]], [["next", M], null, 0, M, "none"]]);
  });
  it("mas_prev on an empty tree returns NULL, [0, MAX], status none", () => {
    runSteps(buildTree([]), [[["set", 5]], [["prev", 0], null, 0, M, "none"]]);
  });
});
