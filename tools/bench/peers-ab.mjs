// A/B of two builds of @maplemm/maple-tree on the bench:peers workloads, in one process: A = a copy
// of an earlier dist/ (BEFORE, e.g. `cp -r packages/maple-tree/dist /tmp/read-before` before a
// change), B = packages/maple-tree/dist as built now, S = sorted-btree. Each workload's sides are
// built (in the order of SIDES, default ABS: on this machine the tree built first is often the
// faster one at N = 1e6, so run both orders), then the bench kit's measureRounds runs ROUNDS rounds,
// rotating which side goes first, each side for TIME_MS of CPU time per round. Prints per workload
// the rates, A/S, B/S and B/A as medians of the per-round ratios with their spread.
//
// Run: pnpm turbo run build && BEFORE=/tmp/read-before node --expose-gc tools/bench/peers-ab.mjs
// Env: BEFORE (required), ONLY (default the read rows), ROUNDS (7), TIME_MS (150), SIDES (ABS).

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  cpuNow as cpu,
  measureRounds,
  median,
  settleHeap as settle,
} from "@maplemm/bench-kit/harness";
import { makeData } from "@maplemm/bench-kit/workloads";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const before = process.env.BEFORE;
if (before === undefined) throw new Error("peers-ab: set BEFORE to the earlier dist/ directory");
const out = `${root}/tools/dist`;

/** Bundles peers-workloads.ts with the package resolved to `dist` (left external). */
function bundle(dist, outfile) {
  const plugin = {
    name: "maple-tree-dist",
    setup(b) {
      b.onResolve({ filter: /^@maplemm\/maple-tree(\/kernel)?$/ }, (a) => ({
        path: `${dist}/${a.path.endsWith("/kernel") ? "kernel" : "index"}.js`,
        external: true,
      }));
    },
  };
  return esbuild.build({
    entryPoints: [`${root}/tools/bench/peers-workloads.ts`],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "warning",
    plugins: [plugin],
  });
}

await bundle(resolve(before), `${out}/ab-A.mjs`);
await bundle(`${root}/packages/maple-tree/dist`, `${out}/ab-B.mjs`);
const { peerWorkloads: workloadsA } = await import(`${out}/ab-A.mjs`);
const { peerWorkloads: workloadsB } = await import(`${out}/ab-B.mjs`);

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const TIME_MS = Number(process.env.TIME_MS ?? 150);
const ONLY = (process.env.ONLY ?? "point-load,iterate,window,lowest-gap").split(",");
const SIDES = (process.env.SIDES ?? "ABS").split("");

const data = makeData();
const listA = workloadsA(data);
const listB = workloadsB(data);
for (const [i, w] of listA.entries()) {
  if (!ONLY.some((o) => w.id.includes(o))) continue;
  settle();
  const built = {};
  for (const n of SIDES) built[n] = n === "A" ? w.maple() : n === "B" ? listB[i].maple() : w.sb();
  settle();
  const names = Object.keys(built);
  // The bench kit's rounds (which side goes first rotates per round, one checksum across all),
  // on the CPU clock as bench:peers uses by default.
  const sides = names.map((n) => ({ name: n, run: built[n].run, prepare: built[n].prepare }));
  const times = await measureRounds(w.id, sides, ROUNDS, TIME_MS, null, cpu);
  const ms = Object.fromEntries(names.map((n, k) => [n, times[k]]));
  const rate = (t) => (w.unit === "ms" ? t : w.opsPerRun / t / 1000).toPrecision(3);
  const ratio = (x, y) => {
    const rs = ms[x].map((v, k) => ms[y][k] / v);
    return `${median(rs).toFixed(2)}× (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})`;
  };
  let line = w.id.padEnd(22);
  for (const n of names) line += ` ${n}=${rate(median(ms[n]))}`;
  if (ms.S && ms.A) line += ` | A/S ${ratio("A", "S")}`;
  if (ms.S && ms.B) line += ` | B/S ${ratio("B", "S")}`;
  if (ms.A && ms.B) line += ` | B/A ${ratio("B", "A")}`;
  console.log(line);
}
