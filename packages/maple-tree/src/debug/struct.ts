// mt_struct: the tree's structure as data, in the maple-struct/1 format the kernel's own tree was
// recorded in (docs: ../shared/oracle/maple-struct/struct-format.md, "The tree"). A debug view:
// every node in pre-order with its type, implied bounds, pivots, slots and (arange) gaps, so a
// replay can compare our node layout with the kernel's field for field.

import { M_END, M_GAP, M_TYPE, META, NODE_ARANGE, NODE_LEAF, STRIDE } from "../core/arena.js";
import { entryOf } from "../core/entry-table.js";
import { MAX_INDEX, XA_ZERO_ENTRY } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";

/** A number as a trace writes it: a plain integer below 2^52, `"max"`, or `"max-D"`. */
export type StructNum = number | string;
/** A leaf entry as a trace writes it: a value entry's integer, null, `"zero"`, or (not a value entry) a tag. */
export type StructEntry = StructNum | null;
/** One node: `[type, min, max, pivots, slots]`, plus `gaps, gapOffset` for `arange_64`. */
export type StructNode =
  | [
      type: "leaf_64" | "range_64",
      min: StructNum,
      max: StructNum,
      pivots: StructNum[],
      slots: (StructEntry | number)[],
    ]
  | [
      type: "arange_64",
      min: StructNum,
      max: StructNum,
      pivots: StructNum[],
      slots: number[],
      gaps: StructNum[],
      gapOffset: number,
    ];
/** The `tree` object of a maple-struct/1 trace line. */
export type MtStruct =
  | { height: 0; root: "empty" }
  | { height: 0; root: "entry"; entry: StructEntry }
  | { height: number; root: "node"; nodes: StructNode[] };

const LOW = 2 ** 52;

/** Writes `v` as a trace number: below 2^52 as is, MAX_INDEX as "max", near it as "max-D". */
export function structNum(v: number): StructNum {
  if (v < LOW) return v;
  if (v === MAX_INDEX) return "max";
  return `max-${MAX_INDEX - v}`;
}

/**
 * An entry as a trace writes it: a non-negative integer (the port's `xa_mk_value(n)` is `n`), null,
 * `"zero"` for XA_ZERO_ENTRY; any other value (not something the kernel traces hold) as a
 * `"<typeof>"` tag so it can never compare equal to a recorded entry.
 */
export function structEntry(e: unknown): StructEntry {
  if (e === null) return null;
  if (e === XA_ZERO_ENTRY) return "zero";
  if (typeof e === "number" && Number.isInteger(e) && e >= 0) return structNum(e);
  return `<${typeof e}>`;
}

/**
 * Kernel-layer debug view (no kernel twin; the shape of the userspace recorder's `mt_struct`
 * output, maple-struct/1): the tree's structure with nodes in pre-order, child slots as positions
 * in the node list, bounds implied by the parents. Equal JSON means the same node layout.
 */
export function mt_struct(mt: MapleTreeCore): MtStruct {
  if (mt.rootNode === 0) {
    if (mt.rootEntry === null) return { height: 0, root: "empty" };
    return { height: 0, root: "entry", entry: structEntry(mt.rootEntry) };
  }
  const nodes: StructNode[] = [];
  pushNode(mt, mt.rootNode, 0, MAX_INDEX, nodes, mt.height);
  return { height: mt.height, root: "node", nodes };
}

function pushNode(
  mt: MapleTreeCore,
  id: number,
  min: number,
  max: number,
  out: StructNode[],
  levels: number,
): void {
  if (levels < 1) throw new Error(`mt_struct: node ${id} lies deeper than the tree's height`);
  const arena = mt.arena;
  const type = arena.meta[id * META + M_TYPE];
  const end = arena.meta[id * META + M_END];
  const base = id * STRIDE;
  const pivots: StructNum[] = [];
  for (let i = 0; i < end; i++) pivots.push(structNum(arena.pivots[base + i]));
  if (type === NODE_LEAF) {
    const slots: StructEntry[] = [];
    for (let i = 0; i <= end; i++)
      slots.push(structEntry(entryOf(mt.entries.values, arena.slots[base + i])));
    out.push(["leaf_64", structNum(min), structNum(max), pivots, slots]);
    return;
  }
  const slots: number[] = [];
  if (type === NODE_ARANGE) {
    const gaps: StructNum[] = [];
    const g = arena.gaps as Float64Array;
    for (let i = 0; i <= end; i++) gaps.push(structNum(g[base + i]));
    out.push([
      "arange_64",
      structNum(min),
      structNum(max),
      pivots,
      slots,
      gaps,
      arena.meta[id * META + M_GAP],
    ]);
  } else {
    out.push(["range_64", structNum(min), structNum(max), pivots, slots]);
  }
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? arena.pivots[base + i] : max;
    slots.push(out.length);
    pushNode(mt, arena.slots[base + i], lo, hi, out, levels - 1);
    lo = hi + 1;
  }
}
