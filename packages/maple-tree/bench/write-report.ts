// The write-side slice of the benchmark report (report.ts): random-order build, the 6-range
// overwrite and heap bytes per entry, ours against sorted-btree in one process, rounds with the
// order rotated. Quicker to run than the full report while tuning the store path.
//
// Run: node --expose-gc --conditions=@maplemm/source --import tsx bench/write-report.ts
//      (ROUNDS=n, N=size, MEM_N=size of the memory row, ONLY=build|overwrite|mem)

import { mtree_store_range } from "../src/kernel.js";
import { MapleTree } from "../src/map.js";
import {
  type Layout,
  makeLayout,
  overwriteTargets,
  SortedBtreeRangeMap,
  shuffled,
} from "./workloads.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = Number(process.env.N ?? 1e5);
const MEM_N = Number(process.env.MEM_N ?? 1e6);
const ONLY = process.env.ONLY ?? "";

function buildMaple(l: Layout, order?: Int32Array): MapleTree<number> {
  const t = new MapleTree<number>();
  const n = l.starts.length;
  for (let k = 0; k < n; k++) {
    const i = order ? (order[k] as number) : k;
    mtree_store_range(t.mt, l.starts[i] as number, l.lasts[i] as number, i);
  }
  return t;
}

function buildSb(l: Layout, order?: Int32Array): SortedBtreeRangeMap {
  const m = new SortedBtreeRangeMap();
  const n = l.starts.length;
  for (let k = 0; k < n; k++) {
    const i = order ? (order[k] as number) : k;
    m.tree.set(l.starts[i] as number, { last: l.lasts[i] as number, value: i });
  }
  return m;
}

/** Median milliseconds of `reps` runs of `fn` (after one warm-up run). */
function time(fn: () => void, reps: number): number {
  fn();
  const xs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function report(name: string, maple: () => void, sb: () => void, reps: number): void {
  const ms: number[] = [];
  const ss: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = time(maple, reps);
      b = time(sb, reps);
    } else {
      b = time(sb, reps);
      a = time(maple, reps);
    }
    ms.push(a);
    ss.push(b);
    ratios.push(b / a);
  }
  console.log(
    `${name}: maple ${median(ms).toFixed(2)} ms, sorted-btree ${median(ss).toFixed(2)} ms, ${median(ratios).toFixed(2)}x`,
  );
}

function memory(n: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  const layout = makeLayout(n, 7);
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const b1 = used();
  let maple: MapleTree<number> | undefined = buildMaple(layout);
  const mb = used() - b1;
  if (maple.size !== n) throw new Error("lost entries");
  maple = undefined;
  const b2 = used();
  let sb: SortedBtreeRangeMap | undefined = buildSb(layout);
  const sbb = used() - b2;
  if (sb.tree.size !== n) throw new Error("lost entries");
  sb = undefined;
  console.log(
    `bytes/entry N=${n}: maple ${(mb / n).toFixed(1)} B, sorted-btree ${(sbb / n).toFixed(1)} B`,
  );
}

if (ONLY === "" || ONLY === "build") {
  const layout = makeLayout(N, 4);
  const order = shuffled(N, 42);
  report(
    `build random N=${N}`,
    () => void buildMaple(layout, order),
    () => void buildSb(layout, order),
    5,
  );
}
if (ONLY === "" || ONLY === "overwrite") {
  const layout = makeLayout(N, 5);
  const ops = 4000;
  const targets = overwriteTargets(layout, ops, 6);
  let m = buildMaple(layout);
  let s = buildSb(layout);
  // Each timed run starts from a fresh copy of the layout, as report.ts's beforeEach does; the
  // build is outside the timing.
  const runMaple = () => {
    const mt = m.mt;
    for (let k = 0; k < ops; k++)
      mtree_store_range(mt, targets[2 * k] as number, targets[2 * k + 1] as number, k);
  };
  const runSb = () => {
    for (let k = 0; k < ops; k++)
      s.store(targets[2 * k] as number, targets[2 * k + 1] as number, k);
  };
  const ms: number[] = [];
  const ss: number[] = [];
  for (let r = 0; r < ROUNDS * 5; r++) {
    m = buildMaple(layout);
    let t0 = performance.now();
    runMaple();
    ms.push(performance.now() - t0);
    s = buildSb(layout);
    t0 = performance.now();
    runSb();
    ss.push(performance.now() - t0);
  }
  const a = median(ms.slice(2));
  const b = median(ss.slice(2));
  console.log(
    `overwrite 6 ranges N=${N}: maple ${(((ops / a) * 1e3) / 1e6).toFixed(2)} Mops/s, sorted-btree ${(((ops / b) * 1e3) / 1e6).toFixed(2)} Mops/s, ${(b / a).toFixed(2)}x`,
  );
}
if (ONLY === "" || ONLY === "mem") memory(MEM_N);
