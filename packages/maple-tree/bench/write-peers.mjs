// Write workloads of ../shared/spec/perf-targets.md (random build, overwrite covering 6, random
// erase; 1e5 ranges) on the built dist/ against sorted-btree, in one process, interleaved rounds,
// medians of 7 with the spread. Run: node packages/maple-tree/bench/write-peers.mjs (after build).
import sortedBtree from "sorted-btree";

const BTree = sortedBtree.default ?? sortedBtree;

import { MapleTree } from "../dist/index.js";

function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const N = 1e5;
const rnd = mulberry32(20240601);
const int = (n) => Math.floor(rnd() * n);
const S = new Float64Array(N);
const L = new Float64Array(N);
let at = 4096;
for (let i = 0; i < N; i++) {
  const len = 1 + int(32);
  S[i] = at;
  L[i] = at + len - 1;
  at = L[i] + 1 + (int(256) === 0 ? 1024 + int(3072) : int(16));
}
const shuffled = (n) => {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};
const order = shuffled(N);
const erase = shuffled(N).slice(0, 20000);
const over = Array.from({ length: 4000 }, () => int(N - 6));
const mid = (j) => Math.floor((S[j] + L[j]) / 2);
const buildMaple = () => {
  const t = new MapleTree();
  for (const i of order) t.setRange(S[i], L[i], i + 1);
  return t;
};
const buildBt = () => {
  const t = new BTree();
  for (const i of order) t.set(S[i], i + 1);
  return t;
};
const work = {
  "random build": [() => buildMaple(), () => buildBt()],
  "overwrite covering 6": [
    (t) => {
      for (const j of over) t.setRange(mid(j), mid(j + 5), 7);
    },
    (t) => {
      for (const j of over) {
        t.deleteRange(mid(j), mid(j + 5), true);
        t.set(mid(j), 7);
      }
    },
    true,
  ],
  "random erase": [
    (t) => {
      for (const i of erase) t.delete(S[i]);
    },
    (t) => {
      for (const i of erase) t.delete(S[i]);
    },
    true,
  ],
};
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [name, [fm, fb, needsTree]] of Object.entries(work)) {
  const tm = [];
  const tb = [];
  for (let r = 0; r < 7; r++) {
    const m = needsTree ? buildMaple() : null;
    const b = needsTree ? buildBt() : null;
    let t0 = performance.now();
    fm(m);
    tm.push(performance.now() - t0);
    t0 = performance.now();
    fb(b);
    tb.push(performance.now() - t0);
  }
  const ratio = med(tb) / med(tm);
  console.log(
    `${name}: maple ${med(tm).toFixed(1)} ms [${Math.min(...tm).toFixed(1)}-${Math.max(...tm).toFixed(1)}], sorted-btree ${med(tb).toFixed(1)} ms [${Math.min(...tb).toFixed(1)}-${Math.max(...tb).toFixed(1)}], ratio ${ratio.toFixed(2)}x`,
  );
}
