// The benchmark report: every workload of the maple-tree issues, ours and sorted-btree's, in one
// process, in rounds with the implementation order rotated per round. Prints a markdown table of
// medians over rounds and the median of per-round ratios (so noise that hits a whole round
// cancels), ready for the README. Every workload returns a checksum and the two implementations
// must agree, so both answer the same questions.
//
// Run: pnpm --filter @maplemm/maple-tree bench:report   (ROUNDS=n, QUICK=1 for a smoke run)

import {
  compareRounds,
  median,
  printReport,
  type Side,
  usedBytes,
} from "@maplemm/bench-kit/harness";
import {
  type Layout,
  layoutOverwriteTargets,
  makeLayout,
  queries,
  SortedBtreeRangeMap,
  shuffled,
  sizeName,
} from "@maplemm/bench-kit/workloads";
import { MapleTree } from "../src/face/maple-tree.js";
import {
  MA_STATE,
  mas_destroy,
  mas_expected_entries,
  mas_store,
  mtree_load,
  mtree_store_range,
} from "../src/kernel.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** Run only the workloads whose name contains this text (e.g. ONLY=bulk). */
const ONLY = process.env.ONLY;
const QUICK = process.env.QUICK === "1";
const TIME_MS = QUICK ? 50 : 400;

interface Workload {
  name: string;
  /** What one `run` does, in the unit of the table. */
  opsPerRun: number;
  unit: "ops/s" | "ms";
  maple: () => Side;
  sb: () => Side;
}

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
  return SortedBtreeRangeMap.fill(l.starts, l.lasts, l.starts.length, 0, order);
}

function lookupWorkload(n: number): Workload {
  const layout = makeLayout(n, 1);
  const q = queries(layout, 1 << 16, 2);
  return {
    name: `point load, random index, N = ${sizeName(n)}`,
    opsPerRun: q.length,
    unit: "ops/s",
    maple: () => {
      const t = buildMaple(layout);
      const mt = t.mt;
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < q.length; k++) {
            const v = mtree_load(mt, q[k] as number);
            if (v !== null) sum += v as number;
          }
          return sum;
        },
      };
    },
    sb: () => {
      const m = buildSb(layout);
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < q.length; k++) {
            const v = m.get(q[k] as number);
            if (v !== undefined) sum += v;
          }
          return sum;
        },
      };
    },
  };
}

function iterateWorkload(n: number, style: "callback" | "iterator" | "reverse iterator"): Workload {
  const layout = makeLayout(n, 3);
  return {
    name: `full ordered iteration (${style}), N = ${sizeName(n)}`,
    opsPerRun: n,
    unit: "ops/s",
    maple: () => {
      const t = buildMaple(layout);
      return {
        run:
          style === "callback"
            ? () => {
                let sum = 0;
                t.forEach((v, first) => {
                  sum += v + first;
                });
                return sum;
              }
            : style === "iterator"
              ? () => {
                  let sum = 0;
                  for (const e of t) sum += e.value + e.first;
                  return sum;
                }
              : () => {
                  let sum = 0;
                  for (const e of t.entriesReverse()) sum += e.value + e.first;
                  return sum;
                },
      };
    },
    sb: () => {
      const m = buildSb(layout);
      return {
        run:
          style === "callback"
            ? () => {
                let sum = 0;
                m.tree.forEachPair((k, v) => {
                  sum += v.value + k;
                });
                return sum;
              }
            : style === "iterator"
              ? () => {
                  let sum = 0;
                  for (const [k, v] of m.tree.entries()) sum += v.value + k;
                  return sum;
                }
              : () => {
                  let sum = 0;
                  for (const [k, v] of m.tree.entriesReversed()) sum += v.value + k;
                  return sum;
                },
      };
    },
  };
}

function buildWorkload(n: number, random: boolean): Workload {
  const layout = makeLayout(n, 4);
  const order = random ? shuffled(n, 42) : undefined;
  const checksum = (size: number, probe: number | undefined) => size * 7 + (probe ?? -1);
  const probeAt = layout.starts[n >> 1] as number;
  return {
    name: `build from ${random ? "random-order" : "ascending"} stores, N = ${sizeName(n)}`,
    opsPerRun: 1,
    unit: "ms",
    maple: () => ({
      run: () => {
        const t = buildMaple(layout, order);
        return checksum(t.size, t.get(probeAt));
      },
    }),
    sb: () => ({
      run: () => {
        const m = buildSb(layout, order);
        return checksum(m.tree.size, m.get(probeAt));
      },
    }),
  };
}

/** The seed's fork path: mas_expected_entries, then one mas_store per range in order. */
function bulkBuildWorkload(n: number): Workload {
  const layout = makeLayout(n, 8);
  const probeAt = layout.starts[n >> 1] as number;
  return {
    name: `ascending bulk build (mas_expected_entries + mas_store), N = ${sizeName(n)}`,
    opsPerRun: 1,
    unit: "ms",
    maple: () => ({
      run: () => {
        const t = new MapleTree<number>();
        const mas = MA_STATE(t.mt, 0, 0);
        if (mas_expected_entries(mas, n) !== 0) throw new Error("bulk reservation failed");
        for (let i = 0; i < n; i++) {
          mas.index = layout.starts[i] as number;
          mas.last = layout.lasts[i] as number;
          mas_store(mas, i);
        }
        mas_destroy(mas);
        return t.size * 7 + (t.get(probeAt) ?? -1);
      },
    }),
    sb: () => ({
      run: () => {
        const m = buildSb(layout);
        return m.tree.size * 7 + (m.get(probeAt) ?? -1);
      },
    }),
  };
}

function overwriteWorkload(n: number): Workload {
  const layout = makeLayout(n, 5);
  const ops = 4000;
  const targets = layoutOverwriteTargets(layout, ops, 6);
  let maple: MapleTree<number> | undefined;
  let sb: SortedBtreeRangeMap | undefined;
  return {
    name: `overwrite a range covering 6 ranges, N = ${sizeName(n)}`,
    opsPerRun: ops,
    unit: "ops/s",
    maple: () => ({
      prepare: () => {
        maple = buildMaple(layout);
      },
      run: () => {
        const mt = (maple as MapleTree<number>).mt;
        for (let k = 0; k < ops; k++) {
          mtree_store_range(mt, targets[2 * k] as number, targets[2 * k + 1] as number, k);
        }
        return (maple as MapleTree<number>).size;
      },
    }),
    sb: () => ({
      prepare: () => {
        sb = buildSb(layout);
      },
      run: () => {
        const m = sb as SortedBtreeRangeMap;
        for (let k = 0; k < ops; k++)
          m.store(targets[2 * k] as number, targets[2 * k + 1] as number, k);
        return m.tree.size;
      },
    }),
  };
}

function memoryPerEntry(n: number): { maple: number; sb: number } {
  const layout = makeLayout(n, 7);
  const used = usedBytes;
  const base1 = used();
  let maple: MapleTree<number> | undefined = buildMaple(layout);
  const mapleBytes = used() - base1;
  if (maple.size !== n) throw new Error("maple build lost entries");
  maple = undefined;
  const base2 = used();
  let sb: SortedBtreeRangeMap | undefined = buildSb(layout);
  const sbBytes = used() - base2;
  if (sb.tree.size !== n) throw new Error("sorted-btree build lost entries");
  sb = undefined;
  return { maple: mapleBytes / n, sb: sbBytes / n };
}

async function main(): Promise<void> {
  const sizes = QUICK ? [1e3, 1e4] : [1e3, 1e5, 1e6];
  const workloads: Workload[] = [
    ...sizes.map(lookupWorkload),
    iterateWorkload(QUICK ? 1e4 : 1e5, "callback"),
    iterateWorkload(QUICK ? 1e4 : 1e5, "iterator"),
    iterateWorkload(QUICK ? 1e4 : 1e5, "reverse iterator"),
    buildWorkload(QUICK ? 1e4 : 1e5, true),
    buildWorkload(QUICK ? 1e4 : 1e5, false),
    bulkBuildWorkload(QUICK ? 1e4 : 1e6),
    overwriteWorkload(QUICK ? 1e4 : 1e5),
  ];
  const rows: string[] = [];
  for (const w of workloads) {
    if (ONLY && !w.name.includes(ONLY)) continue;
    const mapleSide = w.maple();
    const sbSide = w.sb();
    const rounds = await compareRounds(w.name, mapleSide, sbSide, ROUNDS, TIME_MS);
    const value = (ms: number) => (w.unit === "ms" ? ms : (w.opsPerRun * 1000) / ms);
    const mapleVals = rounds.a.map(value);
    const sbVals = rounds.b.map(value);
    const ratios = rounds.ratios;
    const fmt = (v: number) =>
      w.unit === "ms" ? `${v.toFixed(1)} ms` : `${(v / 1e6).toFixed(2)} Mops/s`;
    const row = `| ${w.name} | ${fmt(median(mapleVals))} | ${fmt(median(sbVals))} | ${median(ratios).toFixed(2)}× |`;
    rows.push(row);
    process.stderr.write(`${row}\n`);
  }
  if (!ONLY) {
    const mem = memoryPerEntry(QUICK ? 1e5 : 1e6);
    rows.push(
      `| heap bytes per entry, N = ${QUICK ? "1e5" : "1e6"} (numbers as entries) | ${mem.maple.toFixed(1)} B | ${mem.sb.toFixed(1)} B | ${(mem.sb / mem.maple).toFixed(2)}× less |`,
    );
  }
  printReport(
    ROUNDS,
    ["workload", "@maplemm/maple-tree", "sorted-btree 2.1", "× sorted-btree"],
    rows,
  );
}

await main();
