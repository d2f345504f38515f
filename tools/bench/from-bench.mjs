// Ascending bulk build of perf-targets.md ("ascending bulk build, 1e6"; "bytes per entry, 1e6"):
// `MapleTree.from(array of { first, last, value })` from the built dist against sorted-btree's
// `set` loop in order (key = first, value = { last, value }), the array made before timing. One
// process, interleaved rounds alternating which side goes first, one warm-up, the median of the
// per-round ratios with the spread. Bytes per entry: heap + external after gc() over the
// baseline, the tree alone kept. Run: `node --expose-gc tools/bench/from-bench.mjs [N] [rounds]`
// after `pnpm turbo run build`.
import BTreeModule from "sorted-btree";

const BTree = BTreeModule.default ?? BTreeModule;

import { MapleTree } from "../../packages/maple-tree/dist/index.js";

const N = Number(process.argv[2] ?? 1e6);
const ROUNDS = Number(process.argv[3] ?? 7);

function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(20240601);
const int = (n) => Math.floor(rnd() * n);
const ranges = new Array(N);
let at = 4096;
for (let i = 0; i < N; i++) {
  const len = 1 + int(32);
  const first = at;
  const last = at + len - 1;
  ranges[i] = { first, last, value: i + 1 };
  at = last + 1 + (int(256) === 0 ? 1024 + int(3072) : int(16));
}

function maple() {
  return MapleTree.from(ranges);
}
function btree() {
  const t = new BTree();
  for (let i = 0; i < N; i++) {
    const r = ranges[i];
    t.set(r.first, { last: r.last, value: r.value });
  }
  return t;
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
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (xs) =>
  `${med(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
console.log(`ascending bulk build, N = ${N}, ${ROUNDS} rounds`);
console.log(`  MapleTree.from      ms ${fmt(mms)}`);
console.log(`  sorted-btree set    ms ${fmt(bms)}`);
console.log(`  ratio (btree/maple)    ${fmt(ratios)}x`);

if (globalThis.gc !== undefined) {
  const mem = () => {
    globalThis.gc();
    globalThis.gc();
    const u = process.memoryUsage();
    return u.heapUsed + u.external + u.arrayBuffers * 0;
  };
  const base = mem();
  const keep = maple();
  const after = mem();
  console.log(`  bytes per entry: ${((after - base) / N).toFixed(1)} B (tree of ${keep.size})`);
}
