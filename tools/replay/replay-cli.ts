// `pnpm replay <trace.jsonl[.gz]|dir>…`: replays each trace on a fresh MmStruct, prints the first
// divergence of every failing trace with both sides, and ends with `N passed, N failed`.
// Exit 0 when every trace agrees, 1 on a divergence, 2 on a usage error (tools/replay/cli.ts).

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine, progressLine, runCli, UsageError } from "./cli.js";
import { formatDivergence, replayTrace } from "./replay.js";
import { readTrace } from "./trace-file.js";

const HELP = `Usage: pnpm replay [options] <trace.jsonl[.gz] | directory>…

Replays Linux mm traces (recorded by tools/oracle/mmtrace.c) op by op on a fresh MmStruct and
compares every return value and the VMAs left after each op. Directories are searched recursively
for *.jsonl and *.jsonl.gz files.

Options:
  --modern      fork with the "modern" dup_mmap strategy (__mt_dup, then fix the entries in
                place) instead of "seed" (walk the parent, one mas_store per copied VMA)
  --all         keep going after a divergence, to count the ops that agree
  --quiet       print failing traces only
  -h, --help    show this help
  --version     show the version

Exit status: 0 every trace agrees, 1 a trace diverged, 2 usage error.
Example: pnpm replay ../shared/oracle/traces`;

function expand(path: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`no such file or directory: ${path}`);
  }
  if (st.isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((f) =>
        statSync(join(path, f)).isDirectory() || isTrace(f) ? expand(join(path, f)) : [],
      );
  }
  if (!isTrace(path)) throw new UsageError(`not a trace (*.jsonl or *.jsonl.gz): ${path}`);
  return [path];
}

const isTrace = (p: string): boolean => /\.jsonl(\.gz)?$/.test(p);

function main(): number {
  const { values, positionals } = parseCommandLine(
    "replay",
    process.argv.slice(2),
    {
      modern: { type: "boolean" },
      all: { type: "boolean" },
      quiet: { type: "boolean" },
    },
    HELP,
  );
  if (positionals.length === 0) throw new UsageError("no trace file or directory given");
  const paths = positionals.flatMap(expand);
  if (paths.length === 0) throw new UsageError(`no *.jsonl traces in ${positionals.join(", ")}`);
  const progress = progressLine();
  let passed = 0;
  let failed = 0;
  let ops = 0;
  let agreed = 0;
  const t0 = performance.now();
  for (const [i, p] of paths.entries()) {
    progress.update(`replay: ${i + 1}/${paths.length} ${p}`);
    const r = replayTrace(readTrace(p), {
      strategy: values.modern === true ? "modern" : "seed",
      stopAtFirst: values.all !== true,
    });
    ops += r.ops;
    agreed += r.agreed;
    progress.done();
    if (r.divergence === null) {
      passed++;
      if (values.quiet !== true) console.log(`ok   ${p} (${r.ops} ops)`);
    } else {
      failed++;
      console.log(`FAIL ${formatDivergence(r)}`);
    }
  }
  const ms = performance.now() - t0;
  console.log(`ops agreed: ${agreed}/${ops} in ${ms.toFixed(0)} ms`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

await runCli("replay", main);
