// Replay throughput: parses the given traces first, then times only the replays (model work plus
// comparison) and prints ops/s per trace and overall. Default input: the 2000-op traces of the
// corpus. Usage: `tsx --conditions=@maplemm/source tools/bench/replay-bench.ts [trace…] [--rounds N]`.

import { join } from "node:path";
import { replayTrace } from "../replay/replay.js";
import { readTrace } from "../replay/trace-file.js";

const argv = process.argv.slice(2);
const ri = argv.indexOf("--rounds");
const rounds = ri >= 0 ? Number(argv[ri + 1]) : 5;
const files = argv.filter((a, i) => !a.startsWith("--") && (ri < 0 || i !== ri + 1));
const defaults = [
  join(import.meta.dirname, "..", "oracle", "traces", "random", "full-s101-n2000.jsonl.gz"),
];
const traces = (files.length > 0 ? files : defaults).map((p) => readTrace(p));

let totalOps = 0;
let totalMs = 0;
for (const t of traces) {
  replayTrace(t); // warm-up
  let ops = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const res = replayTrace(t);
    if (res.divergence !== null) throw new Error(`${t.path} diverged: ${res.divergence.where}`);
    ops += res.ops;
  }
  const ms = performance.now() - t0;
  totalOps += ops;
  totalMs += ms;
  console.log(
    `${t.path}: ${Math.round((ops / ms) * 1000)} ops/s (${ops} ops in ${ms.toFixed(0)} ms)`,
  );
}
console.log(`overall: ${Math.round((totalOps / totalMs) * 1000)} ops/s`);
