// Reading a maple-struct/1 trace file in Node (plain `.jsonl` or gzip `.jsonl.gz`); the parsing
// and the replay are replay-maple.ts's, free of node: imports so the browser playground can use them.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { type MapleTrace, parseMapleTrace } from "./replay-maple.js";

/** Reads a `.jsonl` or `.jsonl.gz` trace and expands its node references. */
export function readMapleTrace(path: string): MapleTrace {
  let raw = readFileSync(path);
  if (path.endsWith(".gz")) raw = gunzipSync(raw);
  return parseMapleTrace(raw.toString("utf8"), path.replace(/^.*\//, ""));
}
