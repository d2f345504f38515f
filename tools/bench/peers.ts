// `pnpm bench:peers`: every workload of docs/spec/perf-targets.md (read and write side) on the
// built @maplemm/maple-tree against sorted-btree@2.1.0 in this one process, as users run it (the
// package's dist/ under plain node: this file is bundled with the package left external). Each
// workload: checksums of both sides compared, then interleaved rounds alternating which side goes
// first (tinybench p50 per side per round, after its warm-up), the median of the per-round ratios
// and their spread. Each workload is built and timed on a freshly collected heap (gc()). Prints a progress line per workload and a markdown table with the kernel C
// tree's figures beside each row, and writes docs/bench/maple-tree.json and maple-tree.svg.
//
// Env: CLOCK (cpu, the default: the process's CPU time, so time spent waiting for a core on a
// loaded machine is not counted; or wall), ROUNDS (default 5), TIME_MS (tinybench time per side per round, default 150),
// ONLY (comma-separated: run the workloads whose id contains one of these; the files are then not
// written),
// PROFILE=<id> (run only our side of that workload for PROFILE_S seconds, default 4, untimed: for
// `node --cpu-prof dist/peers.mjs`; SIDE=sb profiles sorted-btree's side instead).

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  compareRounds,
  cpuNow,
  markdownTable,
  median,
  settleHeap,
  usedBytes,
} from "@maplemm/bench-kit/harness";
import { makeData, type PeersData } from "@maplemm/bench-kit/workloads";
import { ratioChart } from "./peers-svg.js";
import {
  buildMaple,
  buildSb,
  mapleFrom,
  type PeerWorkload,
  peerWorkloads,
} from "./peers-workloads.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TIME_MS = Number(process.env.TIME_MS ?? 150);
const ONLY = process.env.ONLY;
/** "cpu" (default): the process's CPU time, which stops while other jobs hold the cores; "wall". */
const CLOCK = process.env.CLOCK === "wall" ? "wall" : "cpu";

interface Row {
  id: string;
  side: "read" | "write" | "shared";
  name: string;
  unit: string;
  maple: number;
  sortedBtree: number;
  /** Ours over sorted-btree per round (> 1: ours is better). */
  ratios: number[];
  ratio: number;
  target: string;
  met: boolean;
  kernel: string;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3);
}

async function runWorkload(w: PeerWorkload): Promise<Row> {
  // The garbage of the previous workload (the 1e6 trees) and of this one's build would otherwise
  // be collected during the timed rounds, and the CPU clock counts the collector's threads too.
  settleHeap();
  const mapleSide = w.maple();
  const sbSide = w.sb();
  // Both sides answer the same questions before anything is timed (also an unrecorded pass).
  mapleSide.prepare?.();
  const ours = mapleSide.run();
  sbSide.prepare?.();
  const theirs = sbSide.run();
  if (ours !== theirs) throw new Error(`${w.name}: checksums differ (${ours} vs ${theirs})`);
  settleHeap();
  const r = await compareRounds(
    w.name,
    mapleSide,
    sbSide,
    ROUNDS,
    TIME_MS,
    w.warmup ?? 2,
    w.iterations,
    CLOCK === "cpu" ? cpuNow : undefined,
  );
  const scale = w.unit === "ms" ? 1 : w.unit === "kops/s" ? 1e3 : 1e6;
  const value = (ms: number) => (w.unit === "ms" ? ms : (w.opsPerRun * 1000) / ms / scale);
  const ratio = median(r.ratios);
  return {
    id: w.id,
    side: w.side,
    name: w.name,
    unit: w.unit,
    maple: median(r.a.map(value)),
    sortedBtree: median(r.b.map(value)),
    ratios: r.ratios,
    ratio,
    target: w.targetText ?? `≥ ${w.target}×`,
    met: ratio >= w.target,
    kernel: w.kernel,
  };
}

/** Heap + external bytes per entry after gc(), ascending build of 1e6 (median of 3 each). */
function bytesPerEntry(d: PeersData): Row {
  const n = 1e6;
  const used = usedBytes;
  const from = mapleFrom();
  const maple: number[] = [];
  const sb: number[] = [];
  const ranges = from
    ? Array.from({ length: n }, (_, i) => ({
        first: d.S[i] as number,
        last: d.L[i] as number,
        value: i + 1,
      }))
    : [];
  // Every structure stays alive until all are measured: a freed one's ArrayBuffers are released
  // after gc() returns, so they would shrink the next measurement (it read ~0 B).
  const keep: unknown[] = [];
  for (let r = 0; r < 3; r++) {
    const b0 = used();
    const t = from ? from(ranges) : buildMaple(d, n);
    maple.push((used() - b0) / n);
    if (t.size !== n) throw new Error("bytes per entry: maple-tree lost entries");
    keep.push(t);
    const b1 = used();
    const m = buildSb(d, n);
    sb.push((used() - b1) / n);
    if (m.tree.size !== n) throw new Error("bytes per entry: sorted-btree lost entries");
    keep.push(m);
  }
  const ours = median(maple);
  const theirs = median(sb);
  return {
    id: "bytes-per-entry-1e6",
    side: "write",
    name: "bytes per entry, N = 1e6",
    unit: "B",
    maple: ours,
    sortedBtree: theirs,
    ratios: maple.map((b, i) => (sb[i] as number) / b),
    ratio: theirs / ours,
    target: "≤ 32 B",
    met: ours <= 32,
    kernel: "33.9 B/entry",
  };
}

function table(rows: readonly Row[]): string {
  return markdownTable(
    [
      "workload",
      "unit",
      "maple-tree",
      "sorted-btree",
      "× sb",
      "spread",
      "target",
      "met",
      "kernel C",
    ],
    rows.map((r) => [
      r.name,
      r.unit,
      fmt(r.maple),
      fmt(r.sortedBtree),
      `${r.ratio.toFixed(2)}×`,
      `${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)}`,
      r.target,
      r.met ? "yes" : "no",
      r.kernel,
    ]),
  );
}

/** PROFILE mode: one side of one workload in a loop, for a CPU profile. */
function profileOne(d: PeersData, id: string): void {
  const w = peerWorkloads(d).find((x) => x.id === id);
  if (!w) throw new Error(`PROFILE: no workload ${id}`);
  const side = process.env.SIDE === "sb" ? w.sb() : w.maple();
  const until = performance.now() + 1000 * Number(process.env.PROFILE_S ?? 4);
  let runs = 0;
  let sum = 0;
  const t0 = performance.now();
  while (performance.now() < until) {
    side.prepare?.();
    const t1 = performance.now();
    sum += side.run();
    runs++;
    if (runs === 1) process.stderr.write(`first run ${(performance.now() - t1).toFixed(2)} ms\n`);
  }
  process.stderr.write(
    `${id}: ${runs} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s (checksum ${sum})\n`,
  );
}

/** The ratio a row's bar must reach, for the chart's tick (null: the target is not a ratio). */
function targetRatio(r: Row): number | null {
  if (r.unit === "B") return null;
  if (r.side === "shared") return 1 / 1.5;
  return Number(r.target.replace(/[^0-9.]/g, ""));
}

/** Four significant digits, so the file diffs readably from run to run. */
const round4 = (v: number) => Number(v.toPrecision(4));

/** JSON as the repository's formatter writes it: number arrays on one line, rounded. */
function toJson(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? round4(v) : v),
    2,
  );
  return `${text.replace(/\[\s*([-0-9.e+,\s]*?)\s*\]/g, (_m, body: string) => `[${body.split(/,\s*/).join(", ")}]`)}\n`;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const d = makeData();
  if (process.env.PROFILE) {
    profileOne(d, process.env.PROFILE);
    return;
  }
  const only = ONLY ? ONLY.split(",") : null;
  const workloads = peerWorkloads(d).filter((w) => !only || only.some((o) => w.id.includes(o)));
  const withBytes = !only || only.includes("bytes");
  const total = workloads.length + (withBytes ? 1 : 0);
  // Bytes per entry first, in a heap the timed rows have not filled yet.
  let bytesRow: Row | null = null;
  if (withBytes) {
    process.stderr.write(`[${total}/${total}] bytes per entry, N = 1e6 (measured first) ... `);
    bytesRow = bytesPerEntry(d);
    process.stderr.write(`${fmt(bytesRow.maple)} B vs ${fmt(bytesRow.sortedBtree)} B\n`);
  }
  const rows: Row[] = [];
  for (const [i, w] of workloads.entries()) {
    process.stderr.write(`[${i + 1}/${total}] ${w.name} ... `);
    const row = await runWorkload(w);
    rows.push(row);
    process.stderr.write(
      `${row.ratio.toFixed(2)}× (spread ${Math.min(...row.ratios).toFixed(2)}–${Math.max(...row.ratios).toFixed(2)}, ${fmt(row.maple)} vs ${fmt(row.sortedBtree)} ${row.unit})\n`,
    );
  }
  if (bytesRow !== null) rows.push(bytesRow);
  const seconds = (performance.now() - t0) / 1000;
  const head = `Node ${process.version}, ${CLOCK} clock, ${ROUNDS} rounds, ${TIME_MS} ms per side per round, ${seconds.toFixed(0)} s. × sb = median of per-round ratios (> 1: maple-tree better); spread = min–max over rounds.`;
  console.log(`${head}\n\n${table(rows)}`);
  if (ONLY) return;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const dir = resolve(root, "docs/bench");
  mkdirSync(dir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    rounds: ROUNDS,
    clock: CLOCK,
    timeMsPerSide: TIME_MS,
    peer: "sorted-btree@2.1.0",
    spec: "docs/spec/perf-targets.md",
    rows,
  };
  writeFileSync(resolve(dir, "maple-tree.json"), toJson(json));
  const chart = ratioChart(
    `@maplemm/maple-tree vs sorted-btree 2.1.0 (Node ${process.version}, ${json.date.slice(0, 10)})`,
    rows.map((r) => ({
      label: r.name,
      ratio: r.ratio,
      lo: Math.min(...r.ratios),
      hi: Math.max(...r.ratios),
      target: targetRatio(r),
      met: r.met,
    })),
  );
  writeFileSync(resolve(dir, "maple-tree.svg"), chart);
  process.stderr.write("wrote docs/bench/maple-tree.json and docs/bench/maple-tree.svg\n");
}

await main();
