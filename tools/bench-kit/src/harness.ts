// The measuring part every benchmark of the repo shares. One implementation of a workload is a
// `Side` (an untimed `prepare`, a timed `run` returning a checksum). Sides are measured in rounds
// with their order rotated per round, each with tinybench (time budget plus warm-up, p50 of the run
// latencies), and the checksums must agree so every side answered the same questions. Reports keep
// the median over rounds and the median of per-round ratios, so noise that hits a whole round
// cancels, and print the spread of those ratios.

import { Bench } from "tinybench";

/** One implementation of one workload. */
export interface Side {
  /** Untimed, before every timed run (e.g. build a fresh tree to overwrite). */
  prepare?: () => void;
  /** The timed work; returns a checksum every side of the workload must agree on. */
  run: () => number;
}

/** A side with a row label, for {@link measureRounds}. */
export interface NamedSide extends Side {
  readonly name: string;
}

/** Per-round results of {@link compareRounds}: milliseconds per run of each side. */
export interface Rounds {
  a: number[];
  b: number[];
  /** b's time over a's, per round (> 1: a is faster). */
  ratios: number[];
}

/**
 * Milliseconds of CPU time this process has used (user + system): a clock that stops while the
 * process waits for a core, for timing on a machine other jobs load.
 */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * A full collection when the process runs under `--expose-gc` (a no-op otherwise): garbage of the
 * previous workload would else be collected during the timed rounds, by whichever side runs.
 */
export function settleHeap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/**
 * Heap plus `external` bytes after two collections (typed arrays' ArrayBuffers count in
 * `external`); throws without `--expose-gc`, where the number would mean nothing.
 */
export function usedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("measuring memory needs node --expose-gc");
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Median milliseconds per run of `side` (tinybench p50) and its last checksum. `warmupIterations`
 * absent: tinybench's default; `now`: the clock in milliseconds (tinybench's wall clock when
 * absent; see {@link cpuNow}).
 */
export async function measure(
  side: Side,
  timeMs: number,
  warmupIterations?: number,
  iterations = 5,
  now?: () => number,
): Promise<{ msPerRun: number; checksum: number }> {
  let checksum = 0;
  const bench = new Bench({
    time: timeMs,
    warmupTime: timeMs / 4,
    iterations,
    ...(now === undefined ? {} : { now }),
    ...(warmupIterations === undefined ? {} : { warmupIterations }),
  });
  const name = (side as Partial<NamedSide>).name ?? "side";
  bench.add(
    name,
    () => {
      checksum = side.run();
    },
    side.prepare ? { beforeEach: side.prepare } : {},
  );
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { p50: number } } | undefined;
  if (!result?.latency) throw new Error(`${name}: benchmark task produced no result`);
  return { msPerRun: result.latency.p50, checksum };
}

/** Measures `a` and `b` for `rounds` rounds, alternating which goes first; checksums must agree. */
export async function compareRounds(
  name: string,
  a: Side,
  b: Side,
  rounds: number,
  timeMs: number,
  warmupIterations?: number,
  iterations?: number,
  now?: () => number,
): Promise<Rounds> {
  const out: Rounds = { a: [], b: [], ratios: [] };
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0 ? a : b;
    const second = first === a ? b : a;
    const m1 = await measure(first, timeMs, warmupIterations, iterations, now);
    const m2 = await measure(second, timeMs, warmupIterations, iterations, now);
    const [x, y] = first === a ? [m1, m2] : [m2, m1];
    if (x.checksum !== y.checksum) {
      throw new Error(`${name}: checksums differ (${x.checksum} vs ${y.checksum})`);
    }
    out.a.push(x.msPerRun);
    out.b.push(y.msPerRun);
    out.ratios.push(y.msPerRun / x.msPerRun);
  }
  return out;
}

/** Per side: milliseconds per run in each round. */
export type RoundTimes = number[][];

/**
 * Measures every side for `rounds` rounds, rotating which side goes first; within a round all
 * checksums must agree (sides whose `group` differs may answer different questions: pass one
 * group per side, or null to require one checksum across all). `now`: the clock in milliseconds
 * (wall clock when absent; see {@link cpuNow}).
 */
export async function measureRounds(
  workload: string,
  sides: readonly NamedSide[],
  rounds: number,
  timeMs: number,
  groups: readonly number[] | null = null,
  now?: () => number,
): Promise<RoundTimes> {
  const times: RoundTimes = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const sums = new Map<number, { name: string; sum: number }>();
    for (let k = 0; k < sides.length; k++) {
      const i = (k + r) % sides.length;
      const side = sides[i] as NamedSide;
      const m = await measure(side, timeMs, undefined, undefined, now);
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

/**
 * Prints a comparison report as the package's report scripts do: the rounds line, then a markdown
 * table of already-formatted rows (`| … |` lines) under `head`, every column but the first numeric.
 */
export function printReport(
  rounds: number,
  head: readonly string[],
  rows: readonly string[],
): void {
  console.log(
    `Median of ${rounds} rounds, Node ${process.version}; ratio = median of per-round ratios.\n`,
  );
  console.log(`| ${head.join(" | ")} |`);
  console.log(
    `|${head.map((_, c) => (c === 0 || head[c] === "target" ? "---" : "---:")).join("|")}|`,
  );
  for (const r of rows) console.log(r);
}

/** 1234567 -> "1.23 M", 12345 -> "12.3 k" (three significant digits). */
export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)} k`;
  return perSecond.toPrecision(3);
}
