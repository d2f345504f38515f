// The benchmark report of the gap-search and duplication workloads
// (docs/reports/2026-11-25-kernel-maple-bench.md "Exact workload definitions" (e) and (f)), in the style of
// report.ts: both sides in one process, rounds with the order rotated, medians of the timings and
// of the per-round ratios, checksums compared so both sides answer the same questions.
//
//   (e) lowest gap >= 1024 from a random min, N = 1e6: mas_empty_area on an allocation tree
//       against sorted-btree's best naive walk (floor, then in-order walk until a gap fits; the
//       fastest of three walks is picked per run).
//   (f) fork shape: dup a 1001-range tree and replace every entry, against sorted-btree
//       clone() + set of every key; and __mt_dup of the kernel's 135-range bench_forking tree
//       against re-inserting its ranges in order with mtree_store_range.
//
// Run: pnpm --filter @maplemm/maple-tree exec node --expose-gc --conditions=@maplemm/source \
//        --import tsx bench/gap-and-dup.ts        (ROUNDS=n, QUICK=1 for a smoke run)

import { compareRounds, median, printReport, type Side } from "@maplemm/bench-kit/harness";
import {
  type GapWalk,
  rng,
  SortedBtreeRangeMap,
  sortedBtreeGapWalks,
} from "@maplemm/bench-kit/workloads";
import sortedBtree from "sorted-btree";
import { MapleTree } from "../src/face/maple-tree.js";
import {
  __mt_dup,
  DEFINE_MTREE,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  mas_empty_area,
  mas_find,
  mas_reset,
  mas_set_range,
  mas_store,
  mas_store_gfp,
  mtree_store_range,
} from "../src/kernel.js";

const BTree = sortedBtree.default;
type SbRange = { last: number; value: unknown };
type SbTree = InstanceType<typeof BTree<number, SbRange>>;

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const QUICK = process.env.QUICK === "1";
const TIME_MS = QUICK ? 50 : 400;

interface Workload {
  name: string;
  ours: string;
  peer: string;
  target: number;
  opsPerRun: number;
  unit: "ops/s" | "µs";
  maple: () => Side;
  other: () => Side;
}

// ---- (e) gap search --------------------------------------------------------------------------

interface GapLayout {
  starts: Float64Array;
  lasts: Float64Array;
  lastIndex: number;
}

/** Slot j holds [16j, 16j+15] except 1024-wide holes (j % 10000 < 64) and decoys (j % 101 == 50). */
function gapLayout(n: number): GapLayout {
  const starts = new Float64Array(n);
  const lasts = new Float64Array(n);
  let k = 0;
  let j = 0;
  for (; k < n; j++) {
    if (j % 10000 < 64 || j % 101 === 50) continue;
    starts[k] = 16 * j;
    lasts[k] = 16 * j + 15;
    k++;
  }
  return { starts, lasts, lastIndex: 16 * (j - 1) + 15 };
}

function gapWorkload(n: number, count: number): Workload {
  const layout = gapLayout(n);
  const r = rng(99);
  const mins = new Float64Array(count);
  for (let i = 0; i < count; i++) mins[i] = Math.floor(r() * (layout.lastIndex + 1));
  let walkName = "editRange";
  return {
    name: `lowest gap ≥ 1024 from a random min, N = ${n.toExponential(0).replace("+", "")}`,
    ours: "mas_empty_area",
    get peer() {
      return `sorted-btree naive walk (${walkName})`;
    },
    target: 20,
    opsPerRun: count,
    unit: "ops/s",
    maple: () => {
      const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
      for (let i = 0; i < n; i++) {
        mtree_store_range(mt, layout.starts[i] as number, layout.lasts[i] as number, i);
      }
      const mas = MA_STATE(mt, 0, 0);
      return {
        run: () => {
          let sum = 0;
          for (let q = 0; q < count; q++) {
            mas_reset(mas);
            if (mas_empty_area(mas, mins[q] as number, MAX_INDEX, 1024) === 0) sum += mas.index;
          }
          return sum;
        },
      };
    },
    other: () => {
      const t = SortedBtreeRangeMap.fill(layout.starts, layout.lasts, n, 0).tree;
      // The best of the naive walks: time each on a sample, keep the fastest.
      const { editRange, nextHigherPair, entries } = sortedBtreeGapWalks(t, MAX_INDEX);
      const walks: Record<string, GapWalk> = { editRange, nextHigherPair, entries };
      let best = Number.POSITIVE_INFINITY;
      let walk = editRange;
      for (const [name, w] of Object.entries(walks)) {
        const t0 = performance.now();
        for (let q = 0; q < Math.min(count, 2000); q++) w(mins[q] as number, 1024);
        const dt = performance.now() - t0;
        if (dt < best) {
          best = dt;
          walk = w;
          walkName = name;
        }
      }
      return {
        run: () => {
          let sum = 0;
          for (let q = 0; q < count; q++) sum += walk(mins[q] as number, 1024);
          return sum;
        },
      };
    },
  };
}

// ---- (f) fork shapes -------------------------------------------------------------------------

/** The kernel's bench_forking source: ALLOC tree, [10i, 10i+5] for i = 0..nr inclusive. */
function forkSource(nr: number): MapleTreeCore {
  const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
  const mas = MA_STATE(mt, 0, 0);
  for (let i = 0; i <= nr; i++) {
    mas_set_range(mas, 10 * i, 10 * i + 5);
    if (mas_store_gfp(mas, i) !== 0) throw new Error("fork source: store failed");
  }
  return mt;
}

const BATCH = 8;

function forkReplaceWorkload(nr: number, idiomatic: boolean): Workload {
  // The child's new entries, made up front for both sides (they stand for the new VMAs).
  const fresh: SbRange[] = [];
  for (let i = 0; i <= nr; i++) fresh.push({ last: 10 * i + 5, value: -i });
  let keep: unknown[] = [];
  return {
    name: `fork shape: dup a ${nr + 1}-range tree and replace every entry (×${BATCH})`,
    ours: idiomatic ? "MapleTree.dup(map)" : "__mt_dup + mas_find/mas_store loop",
    peer: "sorted-btree clone() + set of every key",
    target: 2,
    opsPerRun: BATCH,
    unit: "µs",
    maple: () => {
      if (idiomatic) {
        const src = new MapleTree<number>({ alloc: true });
        const mas = MA_STATE(src.mt, 0, 0);
        for (let i = 0; i <= nr; i++) {
          mas_set_range(mas, 10 * i, 10 * i + 5);
          mas_store_gfp(mas, i);
        }
        const child = (v: number): SbRange => fresh[v] as SbRange;
        return {
          prepare: () => {
            keep = [];
          },
          run: () => {
            let sum = 0;
            for (let b = 0; b < BATCH; b++) {
              const dst = src.dup(child);
              sum += dst.size;
              keep.push(dst);
            }
            return sum;
          },
        };
      }
      const src = forkSource(nr);
      return {
        prepare: () => {
          keep = [];
        },
        run: () => {
          let sum = 0;
          for (let b = 0; b < BATCH; b++) {
            const dst = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
            if (__mt_dup(src, dst) !== 0) throw new Error("dup failed");
            const mas = MA_STATE(dst, 0, 0);
            let k = 0;
            while (mas_find(mas, MAX_INDEX) !== null) mas_store(mas, fresh[k++]);
            sum += k;
            keep.push(dst);
          }
          return sum;
        },
      };
    },
    other: () => {
      const src: SbTree = new BTree<number, SbRange>(undefined, (a, b) => a - b);
      for (let i = 0; i <= nr; i++) src.set(10 * i, { last: 10 * i + 5, value: i });
      return {
        prepare: () => {
          keep = [];
        },
        run: () => {
          let sum = 0;
          for (let b = 0; b < BATCH; b++) {
            const c = src.clone();
            for (let i = 0; i <= nr; i++) c.set(10 * i, fresh[i] as SbRange);
            sum += c.size;
            keep.push(c);
          }
          return sum;
        },
      };
    },
  };
}

function dupVsRebuildWorkload(nr: number): Workload {
  let keep: unknown[] = [];
  return {
    name: `__mt_dup vs in-order re-insert, ${nr + 1}-range tree (bench_forking shape, ×${BATCH})`,
    ours: "__mt_dup",
    peer: "mtree_store_range of every range",
    target: 5,
    opsPerRun: BATCH,
    unit: "µs",
    maple: () => {
      const src = forkSource(nr);
      return {
        prepare: () => {
          keep = [];
        },
        run: () => {
          let sum = 0;
          for (let b = 0; b < BATCH; b++) {
            const dst = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
            if (__mt_dup(src, dst) !== 0) throw new Error("dup failed");
            sum += dst.entries.size;
            keep.push(dst);
          }
          return sum;
        },
      };
    },
    other: () => {
      return {
        prepare: () => {
          keep = [];
        },
        run: () => {
          let sum = 0;
          for (let b = 0; b < BATCH; b++) {
            const dst = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
            for (let i = 0; i <= nr; i++) mtree_store_range(dst, 10 * i, 10 * i + 5, i);
            sum += dst.entries.size;
            keep.push(dst);
          }
          return sum;
        },
      };
    },
  };
}

async function main(): Promise<void> {
  const workloads: Workload[] = [
    // 2^16 queries per rep (the kernel's rep is 2^18): the per-query rate and the ratio are the
    // same, and the naive walk's runs stay a few seconds long.
    gapWorkload(QUICK ? 1e5 : 1e6, QUICK ? 1 << 12 : 1 << 16),
    forkReplaceWorkload(1000, false),
    forkReplaceWorkload(1000, true),
    dupVsRebuildWorkload(134),
  ];
  const rows: string[] = [];
  for (const w of workloads) {
    const a = w.maple();
    const b = w.other();
    // Few warmup runs: a run of the naive walk at N = 1e6 takes seconds.
    const rounds = await compareRounds(w.name, a, b, ROUNDS, TIME_MS, 2);
    const value = (ms: number) =>
      w.unit === "µs" ? (ms * 1000) / w.opsPerRun : (w.opsPerRun * 1000) / ms;
    const av = rounds.a.map(value);
    const bv = rounds.b.map(value);
    const ratios = rounds.ratios;
    const fmt = (v: number) =>
      w.unit === "µs" ? `${v.toFixed(1)} µs/copy` : `${(v / 1e6).toFixed(3)} Mops/s`;
    const ratio = median(ratios);
    const row = `| ${w.name} | ${w.ours}: ${fmt(median(av))} | ${w.peer}: ${fmt(median(bv))} | ${ratio.toFixed(1)}× | ≥ ${w.target}× ${ratio >= w.target ? "met" : "NOT met"} |`;
    rows.push(row);
    process.stderr.write(`${row}\n`);
  }
  printReport(ROUNDS, ["workload", "@maplemm/maple-tree", "peer / baseline", "×", "target"], rows);
}

await main();
