// A maple tree "picture": the structure of one tree in the maple-struct/1 format
// (tools/oracle/maple-struct, struct-format.md), the same JSON the kernel's own tree was recorded
// in. The playground draws pictures, compares ours with the kernel's, and finds the path a walk
// takes through one. Nothing here touches a live tree.

import type { MtStruct, StructEntry, StructNode, StructNum } from "@maplemm/maple-tree/kernel";
import { traceNum } from "../../replay/replay-maple.js";

/** A number as the format writes it: a plain integer, `"max"`, or `"max-D"`. */
export type PicNum = StructNum;
/** A leaf slot: an entry id, null (no entry) or `"zero"` (XA_ZERO_ENTRY). */
export type PicEntry = StructEntry;
/** One node: `[kind, min, max, pivots, slots]`, plus `gaps, gapOffset` for `arange_64`. */
export type PicNode = StructNode;
/** The `tree` object of a trace line, as `mt_struct` returns it. */
export type Picture = MtStruct;

/** Where two pictures differ: the positions (pre-order) of ours that differ from theirs. */
export interface PictureDiff {
  same: boolean;
  /** Pre-order positions in `ours` whose node is not field-for-field the one in `theirs`. */
  differing: Set<number>;
  /** A one-line description of the first difference, or "" when the pictures are equal. */
  first: string;
}

/** Compare two pictures node by node (pre-order positions, as the replayer does). */
export function diffPictures(ours: Picture, theirs: Picture): PictureDiff {
  const differing = new Set<number>();
  if (ours.root !== "node" || theirs.root !== "node") {
    const same = JSON.stringify(ours) === JSON.stringify(theirs);
    const first = same ? "" : `root: ours ${describeRoot(ours)}, kernel ${describeRoot(theirs)}`;
    if (!same && ours.root === "node") for (let i = 0; i < ours.nodes.length; i++) differing.add(i);
    return { same, differing, first };
  }
  let first =
    ours.height === theirs.height ? "" : `height: ours ${ours.height}, kernel ${theirs.height}`;
  const n = Math.max(ours.nodes.length, theirs.nodes.length);
  for (let i = 0; i < n; i++) {
    const a = ours.nodes[i];
    const b = theirs.nodes[i];
    if (a !== undefined && JSON.stringify(a) === JSON.stringify(b)) continue;
    if (a !== undefined) differing.add(i);
    if (first === "")
      first = `node ${i}: ours ${JSON.stringify(a ?? null)}, kernel ${JSON.stringify(b ?? null)}`;
  }
  return { same: first === "", differing, first };
}

function describeRoot(p: Picture): string {
  if (p.root === "node") return `a node tree of height ${p.height}`;
  if (p.root === "entry") return `a root entry ${JSON.stringify(p.entry)}`;
  return "empty";
}

/** Text for a format number in a drawing: hexadecimal when large, "max" kept as written. */
export function picText(v: PicNum): string {
  if (typeof v === "string") return v;
  return v >= 0x10000 ? `0x${v.toString(16)}` : String(v);
}

/** The number of child slots in use in a node (its data end + 1). */
export function slotCount(node: PicNode): number {
  return node[4].length;
}

/**
 * The pre-order positions a walk for `index` visits, root first: at each internal node the slot
 * whose range holds the index, as the kernel's `mas_descend` chooses it.
 */
export function walkPath(p: Picture, index: number): { nodes: number[]; slot: number } {
  if (p.root !== "node") return { nodes: [], slot: -1 };
  const nodes: number[] = [];
  let pos = 0;
  for (;;) {
    nodes.push(pos);
    const node = p.nodes[pos] as PicNode;
    const pivots = node[3];
    let slot = 0;
    while (slot < pivots.length && traceNum(pivots[slot] as PicNum) < index) slot++;
    if (node[0] === "leaf_64") return { nodes, slot };
    pos = (node[4] as number[])[slot] as number;
  }
}
