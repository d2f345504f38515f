// Reading an mmtrace-v1 trace file (plain `.jsonl` or gzip `.jsonl.gz`) in Node; the parsing is
// trace.ts's, which stays free of node: imports so the browser playground can use it.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseTrace, type Trace } from "./trace.js";

/** Reads a `.jsonl` or `.jsonl.gz` trace file. */
export function readTrace(path: string): Trace {
  const raw = readFileSync(path);
  const text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return parseTrace(text, path);
}
