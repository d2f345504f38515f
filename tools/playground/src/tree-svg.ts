// The maple tree drawn as SVG: one box per node (kind, bounds, then a column per slot with its
// pivot, its entry or child, and in allocation trees its gap), parents centred over their
// children. A pure function of a picture, so Node tests check the same markup the browser shows.

import { esc } from "./escape.js";
import { type PicNode, type Picture, picText, slotCount } from "./picture.js";

/** What to mark in a drawing. */
export interface TreeMarks {
  /** Pre-order positions the last operation walked through. */
  path?: readonly number[];
  /** The node and slot the maple state ends on (`mas.node`, `mas.offset` in picture terms). */
  stateNode?: number;
  stateSlot?: number;
  /** Positions that differ from the kernel's picture. */
  differing?: ReadonlySet<number>;
}

const COL = 44;
/** Width of one character of the 11 px monospace font the drawing uses. */
const CHAR_W = 6.7;
const PAD = 8;
const GAP_X = 14;
const ROW_H = 112;
const HEAD_H = 18;
const LINE_H = 15;

interface Placed {
  x: number;
  y: number;
  w: number;
}

/** Render a picture as an SVG document fragment. */
export function treeSvg(p: Picture, marks: TreeMarks = {}): string {
  if (p.root !== "node") {
    const text = p.root === "empty" ? "empty tree" : `root entry: ${String(p.entry)} at [0, 0]`;
    return svgDoc(320, 60, `<text class="root-text" x="12" y="34">${esc(text)}</text>`, 0);
  }
  const placed: Placed[] = new Array(p.nodes.length);
  const width = place(p.nodes, 0, 0, 0, placed);
  const parts: string[] = [];
  for (let i = 0; i < p.nodes.length; i++) edges(p.nodes, i, placed, marks, parts);
  for (let i = 0; i < p.nodes.length; i++)
    parts.push(nodeSvg(p.nodes[i] as PicNode, i, placed[i] as Placed, marks));
  return svgDoc(width, p.height * ROW_H, parts.join(""), p.nodes.length);
}

function svgDoc(w: number, h: number, body: string, nodes: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="tree-svg" data-nodes="${nodes}" width="${w + 2 * PAD}" height="${h + PAD}" viewBox="${-PAD} ${-PAD} ${w + 2 * PAD} ${h + PAD}">${body}</svg>`;
}

/** Column width of a node: wide enough for its longest pivot, slot or gap text. */
function colWidth(node: PicNode): number {
  let longest = 0;
  for (const v of node[3]) longest = Math.max(longest, picText(v).length);
  for (const v of node[4]) longest = Math.max(longest, String(v).length + 1);
  if (node[0] === "arange_64")
    for (const v of node[5]) longest = Math.max(longest, picText(v).length);
  return Math.max(COL, Math.ceil(longest * CHAR_W) + 8);
}

function nodeWidth(node: PicNode): number {
  return 2 * PAD + slotCount(node) * colWidth(node);
}

/** Lay out the subtree at `pos` starting at x; returns the subtree's width. */
function place(nodes: PicNode[], pos: number, x: number, depth: number, out: Placed[]): number {
  const node = nodes[pos] as PicNode;
  const own = nodeWidth(node);
  if (node[0] === "leaf_64") {
    out[pos] = { x, y: depth * ROW_H, w: own };
    return own;
  }
  let cx = x;
  const kids = node[4] as number[];
  for (let k = 0; k < kids.length; k++) {
    cx += place(nodes, kids[k] as number, cx, depth + 1, out);
    if (k < kids.length - 1) cx += GAP_X;
  }
  const span = cx - x;
  if (span >= own) {
    out[pos] = { x: x + (span - own) / 2, y: depth * ROW_H, w: own };
    return span;
  }
  // A parent wider than its children: shift the children under it.
  const shift = (own - span) / 2;
  shiftSubtree(nodes, pos, shift, out);
  out[pos] = { x, y: depth * ROW_H, w: own };
  return own;
}

function shiftSubtree(nodes: PicNode[], pos: number, dx: number, out: Placed[]): void {
  const node = nodes[pos] as PicNode;
  if (node[0] === "leaf_64") return;
  for (const k of node[4] as number[]) {
    (out[k] as Placed).x += dx;
    shiftSubtree(nodes, k, dx, out);
  }
}

function edges(
  nodes: PicNode[],
  pos: number,
  placed: Placed[],
  marks: TreeMarks,
  parts: string[],
): void {
  const node = nodes[pos] as PicNode;
  if (node[0] === "leaf_64") return;
  const from = placed[pos] as Placed;
  const h = boxHeight(node);
  const kids = node[4] as number[];
  const col = colWidth(node);
  for (let k = 0; k < kids.length; k++) {
    const to = placed[kids[k] as number] as Placed;
    const onPath = marks.path?.includes(pos) === true && marks.path.includes(kids[k] as number);
    const x1 = from.x + PAD + k * col + col / 2;
    parts.push(
      `<line class="edge${onPath ? " on-path" : ""}" x1="${x1}" y1="${from.y + h}" x2="${to.x + to.w / 2}" y2="${to.y}"/>`,
    );
  }
}

function boxHeight(node: PicNode): number {
  return HEAD_H + (node[0] === "arange_64" ? 3 : 2) * LINE_H + 6;
}

function nodeSvg(node: PicNode, pos: number, at: Placed, marks: TreeMarks): string {
  const classes = ["node", node[0]];
  if (marks.path?.includes(pos)) classes.push("on-path");
  if (marks.stateNode === pos) classes.push("mas-node");
  if (marks.differing?.has(pos)) classes.push("differs");
  const [kind, min, max, pivots, slots] = node;
  const label = `${kind.replace("_64", "")} ${picText(min)} – ${picText(max)}`;
  const out = [
    `<g class="${classes.join(" ")}" data-pos="${pos}" data-kind="${kind}" transform="translate(${at.x},${at.y})">`,
    `<title>${esc(`node ${pos}: ${kind} [${picText(min)}, ${picText(max)}], ${slots.length} slots`)}</title>`,
    `<rect class="box" width="${at.w}" height="${boxHeight(node)}" rx="4"/>`,
    `<text class="head" x="${PAD}" y="13">${esc(label)}</text>`,
  ];
  const col = colWidth(node);
  for (let k = 0; k < slots.length; k++) {
    const x = PAD + k * col;
    const stateSlot = marks.stateNode === pos && marks.stateSlot === k;
    if (stateSlot)
      out.push(
        `<rect class="mas-slot" x="${x}" y="${HEAD_H}" width="${col}" height="${2 * LINE_H + 4}"/>`,
      );
    // The last slot ends at the node's max, which the node does not store as a pivot.
    if (k < pivots.length) {
      const pivot = picText(pivots[k] as string | number);
      out.push(`<text class="pivot" x="${x + 2}" y="${HEAD_H + 12}">${esc(pivot)}</text>`);
    }
    const slot = kind === "leaf_64" ? slotText(slots[k] as number | string | null) : `→${slots[k]}`;
    out.push(
      `<text class="slot${slots[k] === null ? " null" : ""}" x="${x + 2}" y="${HEAD_H + 12 + LINE_H}">${esc(slot)}</text>`,
    );
    if (node[0] === "arange_64") {
      const gap = picText(node[5][k] as string | number);
      const big = node[6] === k ? " gap-max" : "";
      out.push(
        `<text class="gap${big}" x="${x + 2}" y="${HEAD_H + 12 + 2 * LINE_H}">${esc(gap)}</text>`,
      );
    }
  }
  out.push("</g>");
  return out.join("");
}

function slotText(e: number | string | null): string {
  if (e === null) return "∅";
  return String(e);
}
