// mt_dump: a readable text picture of a tree (kernel mt_dump / mt_dump_node / mt_dump_entry with
// mt_dump_dec or mt_dump_hex; docs/spec/maple-tree.md §3). One header line, then one line per
// node and one per leaf range, indented by depth. Node ids stand in for the kernel's pointers.

import {
  M_END,
  M_GAP,
  M_PARENT,
  M_TYPE,
  META,
  NODE_ARANGE,
  NODE_LEAF,
  STRIDE,
} from "../core/arena.js";
import { entryOf } from "../core/entry-table.js";
import { MAX_INDEX, XA_ZERO_ENTRY } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";

/** Number format of {@link mt_dump}: kernel `mt_dump_dec` (default) or `mt_dump_hex`. */
export type MtDumpFormat = "dec" | "hex";

const TYPE_NAMES = ["dense", "leaf_64", "range_64", "arange_64"];

function num(n: number, format: MtDumpFormat): string {
  return format === "hex" ? `0x${n.toString(16)}` : `${n}`;
}

/** How an entry prints: value entries as in the kernel, ZERO as `zero (257)`. */
function describeEntry(entry: unknown, format: MtDumpFormat): string {
  if (entry === null) return "(null)";
  if (entry === XA_ZERO_ENTRY) return "zero (257)";
  if (typeof entry === "number") return `value ${entry} (0x${entry.toString(16)})`;
  if (typeof entry === "string") return JSON.stringify(entry);
  if (typeof entry === "bigint") return `${num(Number(entry), format)}n`;
  if (typeof entry === "object") {
    const name = (entry as { constructor?: { name?: string } }).constructor?.name;
    return `<${name ?? "object"}>`;
  }
  if (typeof entry === "function") return `<function ${entry.name}>`;
  return String(entry);
}

/**
 * Kernel `mt_dump()`: returns the tree as text. First line
 * `maple_tree(<id>) flags <hex>, height <n> root <node|entry|(null)>`, then per node
 * `<min>-<max>: node <id> depth <d> type <t> parent <id> contents: <slot> <pivot> ... <slot>`
 * (arange nodes add their gaps), and per leaf range `<min>-<max>: <entry>`.
 */
export function mt_dump(mt: MapleTreeCore, format: MtDumpFormat = "dec"): string {
  const out: string[] = [];
  const rootDesc =
    mt.rootNode !== 0
      ? `node ${mt.rootNode}`
      : mt.rootEntry !== null
        ? describeEntry(mt.rootEntry, format)
        : "(null)";
  out.push(`maple_tree flags 0x${mt.flags.toString(16)}, height ${mt.height} root ${rootDesc}`);
  if (mt.rootNode === 0) {
    if (mt.rootEntry !== null)
      out.push(`${num(0, format)}-${num(0, format)}: ${describeEntry(mt.rootEntry, format)}`);
    return `${out.join("\n")}\n`;
  }
  dumpNode(mt, mt.rootNode, 0, MAX_INDEX, 0, format, out);
  return `${out.join("\n")}\n`;
}

function leafWord(s: number): string {
  return s === 0 ? "0" : s < 0 ? `v${-s - 1}` : `h${s}`;
}

function dumpNode(
  mt: MapleTreeCore,
  node: number,
  min: number,
  max: number,
  depth: number,
  format: MtDumpFormat,
  out: string[],
): void {
  const arena = mt.arena;
  const meta = arena.meta;
  const type = meta[node * META + M_TYPE];
  const end = meta[node * META + M_END];
  const base = node * STRIDE;
  const pad = "  ".repeat(depth);
  const parts: string[] = [];
  for (let i = 0; i <= end; i++) {
    const s = arena.slots[base + i];
    // Leaf words: h<handle>, or v<integer> for an inline integer entry (core/entry-table.ts).
    parts.push(type === NODE_LEAF ? leafWord(s) : `n${s}`);
    if (i < end) parts.push(num(arena.pivots[base + i], format));
  }
  let line = `${pad}${num(min, format)}-${num(max, format)}: node ${node} depth ${depth} type ${TYPE_NAMES[type] ?? type} parent ${meta[node * META + M_PARENT]} contents: ${parts.join(" ")}`;
  if (type === NODE_ARANGE && arena.gaps !== null) {
    const g: string[] = [];
    for (let i = 0; i <= end; i++) g.push(num(arena.gaps[base + i], format));
    line += ` gaps: ${g.join(" ")} max gap at ${meta[node * META + M_GAP]}`;
  }
  out.push(line);
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? arena.pivots[base + i] : max;
    const s = arena.slots[base + i];
    if (type === NODE_LEAF) {
      out.push(
        `${pad}  ${num(lo, format)}-${num(hi, format)}: ${describeEntry(entryOf(mt.entries.values, s), format)}`,
      );
    } else {
      dumpNode(mt, s, lo, hi, depth + 1, format, out);
    }
    lo = hi + 1;
  }
}
