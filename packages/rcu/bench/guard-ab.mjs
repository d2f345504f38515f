// A/B of a change to the read guard: BEFORE (a copy of the package with its dist/ and src/platform-*.js,
// default /tmp/rcub) against this package's dist/, in one plain node process, interleaved rounds,
// CPU time. MODE=rcu|sh|mixed, R=rounds. Used for docs/reports/2026-12-07-house-arrangement.md.
const [before, after] = await Promise.all([
  import(process.env.BEFORE ?? "/tmp/rcub/dist/index.js"),
  import(new URL("../dist/index.js", import.meta.url).href),
]);
const N = 200_000;
function setup(m) {
  const rcu = new m.Rcu();
  const sh = m.SharedRcu.create({ maxThreads: 4 });
  sh.register();
  return { rcu, sh };
}
function loop(d) {
  let live = 0;
  for (let i = 0; i < N; i++) {
    const g = d.acquire();
    if (g.live) live++;
    g.release();
  }
  return live;
}
function mixed(s) {
  // both domains through the same call sites: the shape a program using both would see
  let t = 0;
  const mode = process.env.MODE ?? "mixed";
  for (let k = 0; k < 4; k++) {
    if (mode === "rcu") t += loop(s.rcu) + loop(s.rcu);
    else if (mode === "sh") t += loop(s.sh) + loop(s.sh);
    else t += loop(s.rcu) + loop(s.sh);
  }
  return t;
}
const sides = { before: setup(before), after: setup(after) };
const times = { before: [], after: [] };
for (let r = 0; r < 3; r++) {
  mixed(sides.before);
  mixed(sides.after);
} // warm
for (let r = 0; r < Number(process.env.R ?? 15); r++) {
  for (const k of r % 2 ? ["before", "after"] : ["after", "before"]) {
    const t0 = process.cpuUsage();
    mixed(sides[k]);
    const d = process.cpuUsage(t0);
    times[k].push((d.user + d.system) / 1000);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ns = (ms) => ((ms * 1e6) / (8 * N)).toFixed(1);
for (const k of ["before", "after"]) {
  const a = times[k];
  console.log(
    `${k}: median ${ns(med(a))} ns per acquire+release (min ${ns(Math.min(...a))}, max ${ns(Math.max(...a))})`,
  );
}
const ratios = times.after.map((t, i) => t / times.before[i]);
console.log(
  `after/before per round: median ${med(ratios).toFixed(3)} (spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
);
process.exit(0);
