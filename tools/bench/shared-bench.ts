// The shared-memory maple tree benchmark: part 1, reader throughput with 1 and 2 reader
// workers with and without a writer (shared-bench-throughput.ts); part 2, the cost of a shared-mode
// lookup against the single-thread tree in the same process (shared-bench-lookup.ts); part 3,
// where a shared get() spends that cost, one tree kind per process (shared-bench-breakdown.ts).
// Prints markdown tables of medians over rounds (docs/reports/2026-11-25-shared-tree-bench.md keeps them).
//
// Run: pnpm --filter @maplemm/tools bench:shared — builds the packages' dist/, bundles this file
// with esbuild (the packages stay external, so every thread runs the same native dist/ modules,
// and no module getters or source transforms sit on the hot path) and runs it under plain node.
// Env: ROUNDS (default 5), QUICK=1 (short windows, 2 rounds, small trees: a smoke run),
// ONLY=lookup | throughput | breakdown (one part).

import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { SharedRcu } from "@maplemm/rcu";
import { breakdownChild, lookupBreakdown } from "./shared-bench-breakdown.js";
import { lookupCost } from "./shared-bench-lookup.js";
import { readerThroughput } from "./shared-bench-throughput.js";

const QUICK = process.env.QUICK === "1";
const ROUNDS = Number(process.env.ROUNDS ?? (QUICK ? 2 : 5));
const ONLY = process.env.ONLY;
const TIME_MS = QUICK ? 50 : 400;
const SIZES = QUICK ? [1e3, 1e4] : [1e3, 1e5, 1e6];

/** The 1-minute load average: other processes on a 2-CPU machine move every number here. */
function loadText(): string {
  return (loadavg()[0] as number).toFixed(2);
}

/** The checkout's commit: the packages' dist/ was just built from it (plus any uncommitted edits). */
function commitText(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "../packages"], {
      encoding: "utf8",
    });
    return dirty.trim() === "" ? head : `${head} + uncommitted package edits`;
  } catch {
    return "unknown commit";
  }
}

async function main(): Promise<void> {
  const rcu = SharedRcu.create({ maxThreads: 8 });
  rcu.register();
  const child = process.env.BREAKDOWN_CHILD;
  if (child !== undefined) {
    await breakdownChild(rcu, child, 1, TIME_MS);
    rcu.unregister();
    return;
  }
  console.log(
    `# shared maple tree bench — node ${process.version}, ${availableParallelism()} CPUs, ` +
      `${ROUNDS} rounds, ${new Date().toISOString()}, ${commitText()}, load average ${loadText()}\n`,
  );
  if (ONLY === undefined || ONLY === "lookup") {
    const table = await lookupCost(rcu, { rounds: ROUNDS, timeMs: TIME_MS, sizes: SIZES });
    console.log(
      `## Lookup cost, one thread, every tree kind in one process: 65536 random point lookups per run (load average ${loadText()})\n`,
    );
    console.log(`${table}\n`);
  }
  if (ONLY === undefined || ONLY === "breakdown") {
    const table = await lookupBreakdown(SIZES, ROUNDS);
    console.log(
      `## Where a shared get() spends its time, one tree kind per process (load average ${loadText()})\n`,
    );
    console.log(`${table}\n`);
  }
  if (ONLY === undefined || ONLY === "throughput") {
    const table = await readerThroughput(rcu, {
      rounds: ROUNDS,
      windowMs: QUICK ? 200 : 1000,
      n: QUICK ? 1e4 : 1e5,
    });
    console.log(
      `## Reader throughput: reader workers, main thread idle or writing (load average ${loadText()})\n`,
    );
    console.log(`${table}\n`);
  }
  rcu.unregister();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
