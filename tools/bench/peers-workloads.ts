// Every workload of docs/spec/perf-targets.md, read and write side, as a pair of sides (ours on
// the built package, sorted-btree@2.1.0 used as a range map) answering the same questions with
// the same checksum. The table columns (target, the kernel C tree's figure from the same file)
// travel with each workload.

import { cpuNow, type Side } from "@maplemm/bench-kit/harness";
import {
  overwriteTargets,
  type PeersData,
  queryIndices,
  SortedBtreeRangeMap,
  shuffle,
  sortedBtreeGapWalks,
} from "@maplemm/bench-kit/workloads";
import { MapleTree, SharedMapleTree } from "@maplemm/maple-tree";
import { MA_STATE, MAX_INDEX, mas_empty_area, mas_reset } from "@maplemm/maple-tree/kernel";
import { SharedRcu } from "@maplemm/rcu";

type SbRange = { last: number; value: number };

/** How a row's numbers read: a rate (higher is better) or a time per run (lower is better). */
export type Unit = "Mops/s" | "M entries/s" | "kops/s" | "ms";

export interface PeerWorkload {
  readonly id: string;
  readonly side: "read" | "write" | "shared";
  readonly name: string;
  readonly unit: Unit;
  /** Operations one run does (for rates). */
  readonly opsPerRun: number;
  /** Target as a minimum speed ratio over sorted-btree. */
  readonly target: number;
  /** How the target reads in the table, when not "≥ target×". */
  readonly targetText?: string;
  /** The kernel C tree's figure from perf-targets.md (same data, this machine). */
  readonly kernel: string;
  /** tinybench warm-up iterations (small for the long runs). */
  readonly warmup?: number;
  /** tinybench minimum iterations per side per round (default 5; fewer for the long runs). */
  readonly iterations?: number;
  maple(): Side;
  sb(): Side;
}

// Each side's timed loop is written out in its own function literal, even where two read alike
// (MapleTree.get, SharedMapleTree.get, the peer's get): one shared loop would give its call site
// several receiver types, and the polymorphic call would slow whichever side V8 met second.

/** A MapleTree holding ranges 0..n-1 (value i + 1), built by stores in order. */
export function buildMaple(d: PeersData, n: number, alloc = false): MapleTree<number> {
  const t = new MapleTree<number>({ alloc });
  for (let i = 0; i < n; i++) t.setRange(d.S[i] as number, d.L[i] as number, i + 1);
  return t;
}

/** sorted-btree holding ranges 0..n-1 as start -> {last, value}. */
export function buildSb(d: PeersData, n: number): SortedBtreeRangeMap {
  return SortedBtreeRangeMap.fill(d.S, d.L, n, 1);
}

const exp = (n: number) => n.toExponential(0).replace("+", "");

function pointLoad(d: PeersData, n: number, kernel: string): PeerWorkload {
  const q = queryIndices(d, n, 200_000);
  const count = q.length;
  return {
    id: `point-load-${exp(n)}`,
    side: "read",
    name: `point load, N = ${exp(n)}`,
    unit: "Mops/s",
    opsPerRun: count,
    target: 2,
    kernel,
    maple: () => {
      const t = buildMaple(d, n);
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < count; k++) {
            const v = t.get(q[k] as number);
            if (v !== undefined) sum += v;
          }
          return sum;
        },
      };
    },
    sb: () => {
      const m = buildSb(d, n);
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < count; k++) {
            const v = m.get(q[k] as number);
            if (v !== undefined) sum += v;
          }
          return sum;
        },
      };
    },
  };
}

function iterateCallback(d: PeersData): PeerWorkload {
  const n = 1e5;
  return {
    id: "iterate-callback-1e5",
    side: "read",
    name: "iteration, callback, N = 1e5",
    unit: "M entries/s",
    opsPerRun: n,
    target: 1.2,
    kernel: "120 M entries/s (1.2×)",
    maple: () => {
      const t = buildMaple(d, n);
      const acc = { sum: 0 };
      const fn = (v: number) => {
        acc.sum += v;
      };
      return {
        run: () => {
          acc.sum = 0;
          t.forEach(fn);
          return acc.sum;
        },
      };
    },
    sb: () => {
      const m = buildSb(d, n);
      const acc = { sum: 0 };
      const fn = (_k: number, v: SbRange) => {
        acc.sum += v.value;
      };
      return {
        run: () => {
          acc.sum = 0;
          m.tree.forEachPair(fn);
          return acc.sum;
        },
      };
    },
  };
}

function iterateForOf(d: PeersData): PeerWorkload {
  const n = 1e5;
  return {
    id: "iterate-for-of-1e5",
    side: "read",
    name: "iteration, for-of, N = 1e5",
    unit: "M entries/s",
    opsPerRun: n,
    target: 1.5,
    kernel: "—",
    maple: () => {
      const t = buildMaple(d, n);
      return {
        run: () => {
          let sum = 0;
          for (const r of t) sum += r.value;
          return sum;
        },
      };
    },
    sb: () => {
      const m = buildSb(d, n);
      return {
        run: () => {
          let sum = 0;
          for (const [, v] of m.tree.entries()) sum += v.value;
          return sum;
        },
      };
    },
  };
}

function windowQuery(d: PeersData): PeerWorkload {
  const n = 1e5;
  const count = 2000;
  const starts = queryIndices(d, n, count);
  return {
    id: "window-1e5",
    side: "read",
    name: "window query (3 400 indices), N = 1e5",
    unit: "kops/s",
    opsPerRun: count,
    target: 1.5,
    kernel: "0.62–0.99 Mops/s (0.9–1.4×)",
    maple: () => {
      const t = buildMaple(d, n);
      const acc = { sum: 0 };
      const fn = (v: number) => {
        acc.sum += v;
      };
      return {
        run: () => {
          acc.sum = 0;
          for (let k = 0; k < count; k++) {
            const s = starts[k] as number;
            t.forEach(fn, s, s + 3399);
          }
          return acc.sum;
        },
      };
    },
    sb: () => {
      const m = buildSb(d, n);
      const acc = { sum: 0 };
      const fn = (_k: number, v: SbRange) => {
        acc.sum += v.value;
      };
      return {
        run: () => {
          acc.sum = 0;
          for (let k = 0; k < count; k++) {
            const s = starts[k] as number;
            const v = m.get(s);
            if (v !== undefined) acc.sum += v;
            m.tree.forRange(s + 1, s + 3399, true, fn);
          }
          return acc.sum;
        },
      };
    },
  };
}

function lowestGap(d: PeersData): PeerWorkload {
  const n = 1e6;
  const count = 20_000;
  const mins = queryIndices(d, n, count);
  return {
    id: "lowest-gap-1e6",
    side: "read",
    name: "lowest gap ≥ 1024, alloc tree, N = 1e6",
    unit: "Mops/s",
    opsPerRun: count,
    target: 20,
    kernel: "4.2–4.8 Mops/s (21–25×)",
    maple: () => {
      const t = buildMaple(d, n, true);
      const mas = MA_STATE(t.mt, 0, 0);
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < count; k++) {
            mas_reset(mas);
            if (mas_empty_area(mas, mins[k] as number, MAX_INDEX, 1024) === 0) sum += mas.index;
          }
          return sum;
        },
      };
    },
    sb: () => {
      const t = buildSb(d, n).tree;
      // The faster of the two walks, by CPU time over three alternating passes (one pass on
      // this loaded machine picked either).
      const all = sortedBtreeGapWalks(t, MAX_INDEX);
      const walks = [all.forRange, all.nextHigherPair];
      const spent = walks.map(() => 0);
      for (let pass = 0; pass < 3; pass++) {
        for (const [i, w] of walks.entries()) {
          const t0 = cpuNow();
          for (let k = 0; k < 4000; k++) w(mins[k] as number, 1024);
          spent[i] = (spent[i] as number) + cpuNow() - t0;
        }
      }
      const walk = (spent[0] as number) <= (spent[1] as number) ? walks[0] : walks[1];
      if (walk === undefined) throw new Error("no sorted-btree gap walk");
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < count; k++) sum += walk(mins[k] as number, 1024);
          return sum;
        },
      };
    },
  };
}

/** Checksum of a built tree: its size and the values at a few starts. */
function probeSum(size: number, get: (i: number) => number | undefined, d: PeersData, n: number) {
  let sum = size * 7;
  for (let k = 0; k < n; k += Math.max(1, n >> 4)) sum += get(d.S[k] as number) ?? -1;
  return sum;
}

function randomBuild(d: PeersData): PeerWorkload {
  const n = 1e5;
  const order = shuffle(d, n);
  return {
    id: "random-build-1e5",
    side: "write",
    name: "random-order build, N = 1e5",
    unit: "ms",
    opsPerRun: 1,
    target: 1.2,
    kernel: "60.7–79.2 ms",
    warmup: 2,
    maple: () => ({
      run: () => {
        const t = new MapleTree<number>();
        for (let k = 0; k < n; k++) {
          const i = order[k] as number;
          t.setRange(d.S[i] as number, d.L[i] as number, i + 1);
        }
        return probeSum(t.size, (i) => t.get(i), d, n);
      },
    }),
    sb: () => ({
      run: () => {
        const m = new SortedBtreeRangeMap();
        for (let k = 0; k < n; k++) {
          const i = order[k] as number;
          m.tree.set(d.S[i] as number, { last: d.L[i] as number, value: i + 1 });
        }
        return probeSum(m.tree.size, (i) => m.get(i), d, n);
      },
    }),
  };
}

type FromStatic = (ranges: { first: number; last: number; value: number }[]) => MapleTree<number>;

/** `MapleTree.from` when this build of the package has it (another branch adds it). */
export function mapleFrom(): FromStatic | null {
  const from = (MapleTree as unknown as { from?: unknown }).from;
  return typeof from === "function" ? (from.bind(MapleTree) as FromStatic) : null;
}

function ascendingBuild(d: PeersData): PeerWorkload {
  const n = 1e6;
  const from = mapleFrom();
  return {
    id: "ascending-build-1e6",
    side: "write",
    name: `ascending bulk build (${from ? "MapleTree.from" : "setRange loop"}), N = 1e6`,
    unit: "ms",
    opsPerRun: 1,
    target: 4,
    kernel: "208 ms store_range, 177 ms bulk",
    warmup: 1,
    iterations: 3,
    maple: () => {
      const ranges = from
        ? Array.from({ length: n }, (_, i) => ({
            first: d.S[i] as number,
            last: d.L[i] as number,
            value: i + 1,
          }))
        : [];
      return {
        run: () => {
          const t = from ? from(ranges) : buildMaple(d, n);
          return probeSum(t.size, (i) => t.get(i), d, n);
        },
      };
    },
    sb: () => ({
      run: () => {
        const m = buildSb(d, n);
        return probeSum(m.tree.size, (i) => m.get(i), d, n);
      },
    }),
  };
}

function overwrite(d: PeersData): PeerWorkload {
  const n = 1e5;
  const ops = 4000;
  const targets = overwriteTargets(d, n, ops);
  const box: { t: MapleTree<number> | null; m: SortedBtreeRangeMap | null } = { t: null, m: null };
  return {
    id: "overwrite-6-1e5",
    side: "write",
    name: "overwrite covering 6 ranges, N = 1e5",
    unit: "kops/s",
    opsPerRun: ops,
    target: 3,
    kernel: "532–646 kops/s",
    warmup: 2,
    maple: () => ({
      prepare: () => {
        box.t = buildMaple(d, n);
      },
      run: () => {
        const t = box.t as MapleTree<number>;
        for (let k = 0; k < ops; k++) {
          t.setRange(targets[2 * k] as number, targets[2 * k + 1] as number, k + 1);
        }
        return probeSum(t.size, (i) => t.get(i), d, n);
      },
    }),
    sb: () => ({
      prepare: () => {
        box.m = buildSb(d, n);
      },
      run: () => {
        const m = box.m as SortedBtreeRangeMap;
        for (let k = 0; k < ops; k++) {
          m.store(targets[2 * k] as number, targets[2 * k + 1] as number, k + 1);
        }
        return probeSum(m.tree.size, (i) => m.get(i), d, n);
      },
    }),
  };
}

function randomErase(d: PeersData): PeerWorkload {
  const n = 1e5;
  const ops = 20_000;
  const order = shuffle(d, n);
  const box: { t: MapleTree<number> | null; m: SortedBtreeRangeMap | null } = { t: null, m: null };
  return {
    id: "random-erase-1e5",
    side: "write",
    name: "random erase, N = 1e5",
    unit: "Mops/s",
    opsPerRun: ops,
    target: 1.5,
    kernel: "1.1–1.4 Mops/s",
    warmup: 2,
    maple: () => ({
      prepare: () => {
        box.t = buildMaple(d, n);
      },
      run: () => {
        const t = box.t as MapleTree<number>;
        for (let k = 0; k < ops; k++) t.delete(d.S[order[k] as number] as number);
        return probeSum(t.size, (i) => t.get(i), d, n);
      },
    }),
    sb: () => ({
      prepare: () => {
        box.m = buildSb(d, n);
      },
      run: () => {
        const m = box.m as SortedBtreeRangeMap;
        for (let k = 0; k < ops; k++) m.tree.delete(d.S[order[k] as number] as number);
        return probeSum(m.tree.size, (i) => m.get(i), d, n);
      },
    }),
  };
}

function dupReplace(d: PeersData): PeerWorkload {
  const n = 1000;
  return {
    id: "dup-replace-1e3",
    side: "write",
    name: "dup + replace every entry, N = 1e3",
    unit: "kops/s",
    opsPerRun: 1,
    target: 2,
    kernel: "25–30 k dups/s",
    maple: () => {
      const t = buildMaple(d, n);
      return {
        run: () => {
          const c = t.dup();
          for (let i = 0; i < n; i++) c.setRange(d.S[i] as number, d.L[i] as number, i + 2);
          return probeSum(c.size, (i) => c.get(i), d, n);
        },
      };
    },
    sb: () => {
      const m = buildSb(d, n);
      const pair: [number, SbRange] = [0, { last: 0, value: 0 }];
      return {
        run: () => {
          const c = m.tree.clone();
          for (let i = 0; i < n; i++) {
            c.set(d.S[i] as number, { last: d.L[i] as number, value: i + 2 });
          }
          const get = (i: number) => {
            const p = c.getPairOrNextLower(i, pair);
            return p && p[1].last >= i ? p[1].value : undefined;
          };
          return probeSum(c.size, get, d, n);
        },
      };
    },
  };
}

/**
 * Not a sorted-btree row: SharedMapleTree.get (a read section per lookup) against MapleTree.get
 * on the same ranges, 1e5; the target is the shared lookup within 1.5× of the local one.
 */
function sharedGet(d: PeersData): PeerWorkload {
  const n = 1e5;
  const q = queryIndices(d, n, 200_000);
  const count = q.length;
  return {
    id: "shared-get-1e5",
    side: "shared",
    name: "SharedMapleTree.get vs MapleTree.get, N = 1e5",
    unit: "Mops/s",
    opsPerRun: count,
    target: 1 / 1.5,
    targetText: "≤ 1.5× local",
    kernel: "—",
    maple: () => {
      const rcu = SharedRcu.create({ maxThreads: 2 });
      rcu.register();
      // No grace period passes while it is built (one registered thread), so every replaced node
      // stays allocated: room for all of them (untouched pages of the buffers cost nothing).
      const t = SharedMapleTree.create({ domain: rcu, capacity: 1 << 21 });
      for (let i = 0; i < n; i++) t.setRange(d.S[i] as number, d.L[i] as number, i + 1);
      return {
        run: () => {
          let sum = 0;
          for (let k = 0; k < count; k++) {
            const v = t.get(q[k] as number);
            if (v !== undefined) sum += v;
          }
          return sum;
        },
      };
    },
    // The local side is the point-load row's own (same ranges, same queries).
    sb: () => pointLoad(d, n, "").maple(),
  };
}

/** Every timed workload, in table order (bytes per entry is measured apart). */
export function peerWorkloads(d: PeersData): PeerWorkload[] {
  return [
    pointLoad(d, 1e3, "28.0 Mops/s (2.5×)"),
    pointLoad(d, 1e5, "11.3 Mops/s (3.8×)"),
    pointLoad(d, 1e6, "3.56 Mops/s (3.1×)"),
    iterateCallback(d),
    iterateForOf(d),
    windowQuery(d),
    lowestGap(d),
    randomBuild(d),
    ascendingBuild(d),
    overwrite(d),
    randomErase(d),
    dupReplace(d),
    sharedGet(d),
  ];
}
