// `pnpm replay:maple [--all] [--quiet] [trace.jsonl[.gz]|dir]…`: replays maple-struct/1 traces
// (default: tools/oracle/maple-struct) on our tree through the kernel layer and compares each
// op's result and the tree's structure with the kernel's. Prints every failing trace's first
// difference (the path to the node and its fields); `--all` keeps going after a difference to
// count the agreeing ops. Last line: `N passed, N failed`.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { formatMapleDivergence, replayMaple } from "./replay-maple.js";
import { readMapleTrace } from "./replay-maple-file.js";

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
const given = argv.filter((a) => !a.startsWith("--"));
const roots =
  given.length > 0 ? given : [join(import.meta.dirname, "..", "oracle", "maple-struct")];
const paths = roots.flatMap(expand);
let passed = 0;
let failed = 0;
let agreed = 0;
let total = 0;
const t0 = performance.now();
for (const p of paths) {
  const r = replayMaple(readMapleTrace(p), { all: flags.has("--all") });
  agreed += r.agreed;
  total += r.total;
  if (r.divergence === null) {
    passed++;
    if (!flags.has("--quiet")) console.log(`ok   ${r.name} (${r.total} ops)`);
  } else {
    failed++;
    console.log(`FAIL ${formatMapleDivergence(r)}`);
  }
}
const ms = performance.now() - t0;
const how = flags.has("--all") ? "agreed" : "agreed before each trace's first difference";
console.log(`ops ${how}: ${agreed}/${total} in ${ms.toFixed(0)} ms`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
