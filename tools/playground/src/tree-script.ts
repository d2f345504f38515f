// The tree view's small script language: one operation a line, `#` starts a comment.
//
//   store FIRST LAST VALUE      insert FIRST LAST VALUE     erase INDEX
//   allocate SIZE MIN MAX VALUE gap SIZE MIN MAX            gaprev SIZE MIN MAX
//   walk INDEX                  next                        prev
//   dup                         rcu on|off                  clear
//
// Numbers are decimal or 0x-hexadecimal and `max` (the top index). A number that does not parse is
// passed on as NaN, so the library itself names the bad argument, as it would for any caller.

import { MAX_INDEX } from "@maplemm/maple-tree/kernel";
import type { TreeOp } from "./tree-session.js";

const ARITY: Record<string, number> = {
  store: 3,
  insert: 3,
  erase: 1,
  allocate: 4,
  gap: 3,
  gaprev: 3,
  walk: 1,
  next: 0,
  prev: 0,
  dup: 0,
  rcu: 1,
  clear: 0,
};

/** A number as scripts and forms write it; NaN when it is not one. */
export function parseNum(text: string): number {
  const t = text.trim();
  if (t === "max") return MAX_INDEX;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^-?\d+$/.test(t)) return Number(t);
  return Number.NaN;
}

/** Parse one line; null for a blank or comment line. Throws naming the line for a bad command. */
export function parseLine(line: string, lineNo = 1): TreeOp | null {
  const words = line.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const [name, ...args] = words as [string, ...string[]];
  const want = ARITY[name];
  if (want === undefined) throw new Error(`line ${lineNo}: unknown operation "${name}"`);
  if (args.length !== want)
    throw new Error(`line ${lineNo}: ${name} takes ${want} argument(s), got ${args.length}`);
  const n = args.map(parseNum);
  switch (name) {
    case "store":
    case "insert":
      return { op: name, first: n[0] as number, last: n[1] as number, value: n[2] as number };
    case "erase":
    case "walk":
      return { op: name, index: n[0] as number };
    case "allocate":
      return {
        op: name,
        size: n[0] as number,
        min: n[1] as number,
        max: n[2] as number,
        value: n[3] as number,
      };
    case "gap":
    case "gaprev":
      return { op: name, size: n[0] as number, min: n[1] as number, max: n[2] as number };
    case "rcu":
      if (args[0] !== "on" && args[0] !== "off")
        throw new Error(`line ${lineNo}: rcu takes on or off`);
      return { op: "rcu", on: args[0] === "on" };
    default:
      return { op: name as "next" | "prev" | "dup" | "clear" };
  }
}

/** Parse a whole script; the first bad line throws and nothing runs. */
export function parseScript(text: string): TreeOp[] {
  const ops: TreeOp[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const op = parseLine(lines[i] as string, i + 1);
    if (op !== null) ops.push(op);
  }
  return ops;
}
