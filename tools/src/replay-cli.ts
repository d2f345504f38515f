// `pnpm replay <trace.jsonl[.gz]|dir>…`: replays each trace on a fresh MmStruct, prints the first
// divergence of every failing trace with both sides, and ends with `N passed, N failed`.
// Options: --modern (fork with the __mt_dup strategy), --all (keep going after a divergence to
// count agreeing ops), --quiet (failures only).

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { formatDivergence, replayTrace } from "./replay.js";
import { readTrace } from "./trace.js";

function expand(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((f) => expand(join(path, f)));
  }
  return /\.jsonl(\.gz)?$/.test(path) ? [path] : [];
}

const argv = process.argv.slice(2);
const flags = new Set(argv.filter((a) => a.startsWith("--")));
const paths = argv.filter((a) => !a.startsWith("--")).flatMap(expand);
if (paths.length === 0) {
  console.error("usage: pnpm replay [--modern] [--all] [--quiet] <trace.jsonl[.gz]|dir>…");
  process.exit(2);
}
let passed = 0;
let failed = 0;
let ops = 0;
let agreed = 0;
const t0 = performance.now();
for (const p of paths) {
  const r = replayTrace(readTrace(p), {
    strategy: flags.has("--modern") ? "modern" : "seed",
    stopAtFirst: !flags.has("--all"),
  });
  ops += r.ops;
  agreed += r.agreed;
  if (r.divergence === null) {
    passed++;
    if (!flags.has("--quiet")) console.log(`ok   ${p} (${r.ops} ops)`);
  } else {
    failed++;
    console.log(`FAIL ${formatDivergence(r)}`);
  }
}
const ms = performance.now() - t0;
console.log(`ops agreed: ${agreed}/${ops} in ${ms.toFixed(0)} ms`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
