// Summarises several `vitest bench --outputJson` reports of this package: for every task, the
// median over the runs of its per-operation median (tasks named "... xN" run N operations per
// call), plus p99 and hz for the grace-period tasks. Usage:
//   for i in 1 2 3 4 5; do pnpm vitest bench --run --project @maplemm/rcu --outputJson /tmp/rcu-$i.json; done
//   node packages/rcu/bench/summarize.mjs /tmp/rcu-*.json
import { readFileSync } from "node:fs";

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const tasks = new Map();
for (const run of runs) {
  for (const file of run.files) {
    for (const group of file.groups) {
      for (const b of group.benchmarks) {
        const key = `${group.fullName.replace(/^.*> /, "")} > ${b.name}`;
        const ops = Number(/x(\d+)/.exec(b.name)?.[1] ?? 1);
        const t = tasks.get(key) ?? { ops, nsPerOp: [], p99us: [], hz: [] };
        t.nsPerOp.push((b.median * 1e6) / ops);
        t.p99us.push(b.p99 * 1e3);
        t.hz.push(b.hz);
        tasks.set(key, t);
      }
    }
  }
}
console.log(`${runs.length} run(s); medians over runs`);
for (const [key, t] of tasks) {
  const perOp = median(t.nsPerOp);
  const detail =
    t.ops === 1
      ? `median ${(perOp / 1000).toFixed(2)} us, p99 ${median(t.p99us).toFixed(2)} us, ${Math.round(median(t.hz)).toLocaleString("en")} /s`
      : `${perOp.toFixed(2)} ns/op`;
  console.log(
    `${key.padEnd(100)} ${detail}  [runs: ${t.nsPerOp.map((x) => (t.ops === 1 ? (x / 1000).toFixed(2) : x.toFixed(1))).join(", ")}]`,
  );
}
