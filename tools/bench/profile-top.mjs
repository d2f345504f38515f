// Prints the top self-time frames of a V8 .cpuprofile (from `node --cpu-prof`): the figures the
// read-speed commits quote. Usage: node tools/bench/profile-top.mjs file.cpuprofile [count]
import { readFileSync } from "node:fs";

const [file, countArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-top.mjs file.cpuprofile [count]");
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  const cf = n.callFrame;
  const key = `${cf.functionName || "(anonymous)"} ${cf.url.split("/").slice(-1)[0]}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 12));
for (const [k, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);

// With a third argument (a function name): its hottest source lines (positionTicks).
const fnName = process.argv[4];
if (fnName) {
  const lines = new Map();
  for (const n of prof.nodes) {
    if (n.callFrame.functionName !== fnName || !n.positionTicks) continue;
    for (const t of n.positionTicks) lines.set(t.line, (lines.get(t.line) ?? 0) + t.ticks);
  }
  const sorted = [...lines.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [line, ticks] of sorted) console.log(`  line ${line}: ${ticks} ticks`);
}
