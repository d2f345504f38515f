// Ascending bulk build of perf-targets.md ("ascending bulk build, 1e6"; "bytes per entry, 1e6"):
// `MapleTree.from(array of { first, last, value })` from the built dist against sorted-btree's
// `set` loop in order (key = first, value = { last, value }), the array made before timing. One
// process, interleaved rounds alternating which side goes first, one warm-up, the median of the
// per-round ratios with the spread. Bytes per entry: heap + external after gc() over the
// baseline, the tree alone kept. Run: `node --expose-gc tools/bench/from-bench.mjs [N] [rounds]`
// after `pnpm turbo run build`.
import { median, usedBytes } from "@maplemm/bench-kit/harness";
import { makeData, SortedBtreeRangeMap } from "@maplemm/bench-kit/workloads";
import { MapleTree } from "../../packages/maple-tree/dist/index.js";

const N = Number(process.argv[2] ?? 1e6);
const ROUNDS = Number(process.argv[3] ?? 7);

// The first N ranges of the perf-targets data (range i holds i + 1).
const d = makeData();
const ranges = Array.from({ length: N }, (_, i) => ({ first: d.S[i], last: d.L[i], value: i + 1 }));

function maple() {
  return MapleTree.from(ranges);
}
function btree() {
  return SortedBtreeRangeMap.fill(d.S, d.L, N, 1).tree;
}

// Checksums before timing: both hold every range.
{
  const m = maple();
  const b = btree();
  let sm = 0;
  for (const r of m) sm += r.first + r.last + r.value;
  let sb = 0;
  b.forEachPair((k, v) => {
    sb += k + v.last + v.value;
  });
  if (sm !== sb || m.size !== N || b.size !== N) throw new Error(`checksums differ: ${sm} ${sb}`);
}

const time = (fn) => {
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  if (r.size !== N) throw new Error("bad build");
  return ms;
};
time(maple);
time(btree);
const ratios = [];
const mms = [];
const bms = [];
for (let round = 0; round < ROUNDS; round++) {
  globalThis.gc?.();
  let m;
  let b;
  if (round % 2 === 0) {
    m = time(maple);
    globalThis.gc?.();
    b = time(btree);
  } else {
    b = time(btree);
    globalThis.gc?.();
    m = time(maple);
  }
  mms.push(m);
  bms.push(b);
  ratios.push(b / m);
}
const fmt = (xs) =>
  `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
console.log(`ascending bulk build, N = ${N}, ${ROUNDS} rounds`);
console.log(`  MapleTree.from      ms ${fmt(mms)}`);
console.log(`  sorted-btree set    ms ${fmt(bms)}`);
console.log(`  ratio (btree/maple)    ${fmt(ratios)}x`);

if (globalThis.gc !== undefined) {
  const mem = usedBytes;
  const base = mem();
  const keep = maple();
  const after = mem();
  console.log(`  bytes per entry: ${((after - base) / N).toFixed(1)} B (tree of ${keep.size})`);
}
