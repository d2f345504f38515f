// The measuring part every benchmark report shares: one implementation of a workload is a `Side`
// (an untimed `prepare`, a timed `run` returning a checksum); two sides are compared in rounds
// with their order rotated, each measured with tinybench, and the checksums must agree so both
// answer the same questions. Reports keep medians over rounds and the median of per-round ratios,
// so noise that hits a whole round cancels.

import { Bench } from "tinybench";

/** One implementation of one workload. */
export interface Side {
  /** Untimed, before every timed run (e.g. build a fresh tree to overwrite). */
  prepare?: () => void;
  /** The timed work; returns a checksum both sides must agree on. */
  run: () => number;
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

/** Median milliseconds per run of `side` (tinybench p50) and its last checksum. */
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
  bench.add(
    "w",
    () => {
      checksum = side.run();
    },
    side.prepare ? { beforeEach: side.prepare } : {},
  );
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { p50: number } } | undefined;
  if (!result?.latency) throw new Error("benchmark task produced no result");
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
