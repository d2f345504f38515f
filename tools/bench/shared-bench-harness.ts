// The measuring part of the shared-tree benchmark, in the house style of
// packages/maple-tree/bench/harness.ts: a `Side` is one implementation of a workload (a timed
// `run` returning a checksum); several sides are measured in rounds with their order rotated per
// round, each with tinybench (time budget plus warm-up, p50 of the run latencies); the checksums
// must agree so every side answered the same questions. Reports keep the median over rounds and the
// median of per-round ratios to a baseline side, so noise that hits a whole round cancels.

import { Bench } from "tinybench";

/** One implementation of one workload. */
export interface Side {
  /** Row label in the table. */
  readonly name: string;
  /** The timed work; returns a checksum every side of the workload must agree on. */
  run(): number;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median milliseconds per run of `side` (tinybench p50) and its last checksum. */
export async function measure(
  side: Side,
  timeMs: number,
): Promise<{ msPerRun: number; checksum: number }> {
  let checksum = 0;
  const bench = new Bench({ time: timeMs, warmupTime: timeMs / 4, iterations: 5 });
  bench.add(side.name, () => {
    checksum = side.run();
  });
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { p50: number } } | undefined;
  if (!result?.latency) throw new Error(`${side.name}: benchmark task produced no result`);
  return { msPerRun: result.latency.p50, checksum };
}

/** Per side: milliseconds per run in each round. */
export type RoundTimes = number[][];

/**
 * Measures every side for `rounds` rounds, rotating which side goes first; within a round all
 * checksums must agree (sides whose `group` differs may answer different questions: pass one
 * group per side, or null to require one checksum across all).
 */
export async function measureRounds(
  workload: string,
  sides: readonly Side[],
  rounds: number,
  timeMs: number,
  groups: readonly number[] | null = null,
): Promise<RoundTimes> {
  const times: RoundTimes = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const sums = new Map<number, { name: string; sum: number }>();
    for (let k = 0; k < sides.length; k++) {
      const i = (k + r) % sides.length;
      const side = sides[i] as Side;
      const m = await measure(side, timeMs);
      const g = groups === null ? 0 : (groups[i] as number);
      const seen = sums.get(g);
      if (seen === undefined) sums.set(g, { name: side.name, sum: m.checksum });
      else if (seen.sum !== m.checksum) {
        throw new Error(
          `${workload}: checksums differ (${seen.name}: ${seen.sum}, ${side.name}: ${m.checksum})`,
        );
      }
      (times[i] as number[]).push(m.msPerRun);
    }
  }
  return times;
}

/** Median over rounds of `times[side] / times[base]` (> 1: the side is slower than the base). */
export function medianRatio(times: RoundTimes, side: number, base: number): number {
  const a = times[side] as number[];
  const b = times[base] as number[];
  return median(a.map((t, r) => t / (b[r] as number)));
}

/** A markdown table with right-aligned numeric columns (every column but the first). */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const cell = (s: string, c: number) =>
    c === 0 ? s.padEnd(widths[c] as number) : s.padStart(widths[c] as number);
  const line = (r: readonly string[]) => `| ${r.map((s, c) => cell(s, c)).join(" | ")} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

/** 1234567 -> "1.23 M", 12345 -> "12.3 k" (three significant digits). */
export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)} k`;
  return perSecond.toPrecision(3);
}
