// `pnpm bench:mm`: the model (the built dist/ under plain node) against this machine's kernel,
// side by side in one run. tools/bench/mm-kernel.c is compiled with gcc and kept running as a
// child process; every round times each case on the model and then on the kernel (the order
// flips every round), so load that hits a round hits both sides. Reports the median over rounds
// of each side's time per operation, the spread (min-max over rounds), and the median of the
// per-round ratios model / kernel; writes docs/bench/mm.json. Each side is timed twice: wall clock,
// and the process's own CPU time (user + system: the kernel's syscall work is system time of the
// C process; the model's includes V8's GC and compiler threads). On a machine shared with other
// busy processes the wall clock mostly measures waiting for a core; CPU time does not.
//
//   pnpm bench:mm [--rounds N] [--cases key,key]

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { MmStruct } from "@maplemm/mm";
import { buildWorkload, CASES, type CaseDef, type Workload } from "./mm-workload.js";

// Run from tools/dist/ (the bundle) or tools/bench/: the repository is two levels up either way.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const source = join(root, "tools/bench/mm-kernel.c");

/** The C side: a compiled mm-kernel.c answering one request line at a time. */
class KernelSide {
  private readonly lines: AsyncIterator<string>;
  private readonly proc;

  constructor(binary: string) {
    this.proc = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  async ask(request: string): Promise<string> {
    this.proc.stdin.write(`${request}\n`);
    const r = await this.lines.next();
    if (r.done === true) throw new Error(`mm-kernel exited while answering "${request}"`);
    return r.value;
  }

  /** Wall and CPU nanoseconds per operation of `iters` operations of `what`. */
  async time(what: string, iters: number): Promise<Timing> {
    const answer = await this.ask(`${what} ${iters}`);
    const m = /^ns (\d+) (\d+)$/.exec(answer);
    if (m === null) throw new Error(`mm-kernel: unexpected answer "${answer}"`);
    return { wall: Number(m[1]) / iters, cpu: Number(m[2]) / iters };
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/** Nanoseconds per operation: wall clock and process CPU time. */
interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and CPU nanoseconds per model operation (children put after the clocks stopped). */
function timeModel(c: CaseDef, w: Workload, iters: number): Timing {
  const leftovers: MmStruct[] = [];
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const sum = c.model(w, iters, leftovers);
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  for (const child of leftovers) child.mmput();
  if (!Number.isFinite(sum)) throw new Error(`${c.key}: bad checksum ${sum}`);
  return { wall: wall / iters, cpu: ((cpu.user + cpu.system) * 1000) / iters };
}

/** Per round, both clocks, both sides. */
interface Rounds {
  model: Timing[];
  kernel: Timing[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function us(ns: number): string {
  const u = ns / 1000;
  return u >= 100 ? u.toFixed(0) : u >= 10 ? u.toFixed(1) : u.toFixed(2);
}

function spread(xs: readonly number[]): string {
  return `${us(Math.min(...xs))}–${us(Math.max(...xs))}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((s, c) => (c === 0 ? s.padEnd(widths[c] as number) : s.padStart(widths[c] as number))).join(" | ")} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

function targetText(c: CaseDef): string {
  if (c.target.ratio !== undefined) return `≤ ${c.target.ratio} × kernel`;
  if (c.target.us !== undefined) return `≤ ${c.target.us} µs`;
  return "—";
}

function met(c: CaseDef, modelNs: number, ratio: number): string {
  if (c.target.ratio !== undefined) return ratio <= c.target.ratio ? "yes" : "no";
  if (c.target.us !== undefined) return modelNs / 1000 <= c.target.us ? "yes" : "no";
  return "";
}

/** Median, spread and median ratio of one clock of one case. */
function summary(t: Rounds, clock: keyof Timing) {
  const m = t.model.map((x) => x[clock]);
  const k = t.kernel.map((x) => x[clock]);
  return {
    model: m,
    kernel: k,
    modelMedian: median(m),
    kernelMedian: median(k),
    ratio: median(m.map((x, r) => x / (k[r] as number))),
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const rounds = Number(arg("--rounds") ?? 7);
  if (!Number.isInteger(rounds) || rounds < 5) throw new Error("--rounds must be an integer ≥ 5");
  const only = arg("--cases")?.split(",");
  const cases = CASES.filter((c) => only === undefined || only.includes(c.key));
  if (cases.length === 0) throw new Error(`--cases: none of ${only} is a case`);

  const dir = mkdtempSync(join(tmpdir(), "mm-kernel-"));
  const binary = join(dir, "mm-kernel");
  execFileSync("gcc", ["-O2", "-Wall", "-o", binary, source], {
    stdio: "inherit",
  });
  const kernel = new KernelSide(binary);
  const vm = /^vmas (\d+) (\d+)$/.exec(await kernel.ask("setup"));
  if (vm === null) throw new Error("mm-kernel: bad setup answer");
  const kernelBefore = Number(vm[1]);
  const kernelAfter = Number(vm[2]);
  const w = buildWorkload();
  const modelVmas = w.mm.tree.count;
  process.stderr.write(
    `setup: model ${modelVmas} VMAs; kernel process ${kernelBefore} -> ${kernelAfter} VMAs (+${kernelAfter - kernelBefore})\n`,
  );
  const load0 = loadavg();

  const times: Rounds[] = cases.map(() => ({ model: [], kernel: [] }));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k] as CaseDef;
      const [mi, ki] = c.iters;
      const t = times[k] as Rounds;
      const sides = [
        async () => {
          timeModel(c, w, Math.max(1, mi >> 3)); // warm-up
          t.model.push(timeModel(c, w, mi));
        },
        async () => {
          await kernel.time(c.kernel, Math.max(1, ki >> 3));
          t.kernel.push(await kernel.time(c.kernel, ki));
        },
      ];
      if (r % 2 === 1) sides.reverse();
      for (const s of sides) await s();
      const m = t.model[r] as Timing;
      const kt = t.kernel[r] as Timing;
      process.stderr.write(
        `round ${r + 1}/${rounds} ${c.key}: model ${us(m.wall)} µs (cpu ${us(m.cpu)}), kernel ${us(kt.wall)} µs (cpu ${us(kt.cpu)})\n`,
      );
    }
  }
  kernel.close();

  if (w.mm.tree.count !== modelVmas) throw new Error("the workload mm changed during the run");
  const rows: string[][] = [];
  const json: Record<string, unknown> = {};
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k] as CaseDef;
    const t = times[k] as Rounds;
    const wall = summary(t, "wall");
    const cpu = summary(t, "cpu");
    rows.push([
      c.label,
      us(wall.kernelMedian),
      spread(wall.kernel),
      us(wall.modelMedian),
      spread(wall.model),
      wall.ratio.toFixed(2),
      us(cpu.kernelMedian),
      us(cpu.modelMedian),
      spread(cpu.model),
      cpu.ratio.toFixed(2),
      targetText(c),
      met(c, cpu.modelMedian, cpu.ratio),
    ]);
    const round = (xs: number[]) => xs.map(Math.round);
    json[c.key] = {
      label: c.label,
      kernelCase: c.kernel,
      target: c.target,
      wall: {
        kernelNsPerOp: round(wall.kernel),
        modelNsPerOp: round(wall.model),
        kernelMedianUs: wall.kernelMedian / 1000,
        modelMedianUs: wall.modelMedian / 1000,
        ratioMedian: wall.ratio,
      },
      cpu: {
        kernelNsPerOp: round(cpu.kernel),
        modelNsPerOp: round(cpu.model),
        kernelMedianUs: cpu.kernelMedian / 1000,
        modelMedianUs: cpu.modelMedian / 1000,
        ratioMedian: cpu.ratio,
      },
      metOnCpu: met(c, cpu.modelMedian, cpu.ratio) === "yes",
    };
  }
  const out = table(
    [
      "case",
      "kernel µs",
      "spread",
      "model µs",
      "spread",
      "model/kernel",
      "kernel cpu µs",
      "model cpu µs",
      "spread",
      "model/kernel cpu",
      "target",
      "met (cpu)",
    ],
    rows,
  );
  const load1 = loadavg();
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root })
    .toString()
    .trim();
  console.log(out);
  console.log(
    `\n${rounds} rounds, medians; spread = min–max over rounds; ratio = median of per-round ratios; ` +
      "cpu = the process's own user + system time (the kernel's fork row: the parent's side only). " +
      `commit ${commit}, node ${process.version}, load ${load0.map((x) => x.toFixed(2)).join(" ")} -> ${load1.map((x) => x.toFixed(2)).join(" ")}`,
  );
  const file = join(root, "docs/bench/mm.json");
  execFileSync("mkdir", ["-p", dirname(file)]);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        commit,
        node: process.version,
        rounds,
        loadavg: { before: load0, after: load1 },
        vmas: {
          model: modelVmas,
          kernelProcess: kernelAfter,
          kernelAdded: kernelAfter - kernelBefore,
        },
        cases: json,
      },
      null,
      2,
    )}\n`,
  );
  // In the repository's JSON style, so `biome ci` passes on the committed file.
  execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", file], {
    stdio: "ignore",
  });
  console.log(`wrote ${file}`);
}

await main();
