// The workload of `pnpm bench:mm` on the model (docs perf-targets "mm against the real kernel"),
// shared by the side-by-side benchmark (mm-vs-kernel.ts) and the profiling driver
// (mm-profile.ts): the mm every case runs in, and one timed loop per case. tools/bench/mm-kernel.c
// builds the same address space in a real process and times the same syscalls.

import {
  type DupStrategy,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MmStruct,
  PROT_READ,
  PROT_WRITE,
} from "@maplemm/mm";

/** Mappings made by the setup and the page size. */
export const MAPPINGS = 1000;
const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

/** The mm of the workload and the address of each of its 1000 mappings (mmap order). */
export interface Workload {
  readonly mm: MmStruct;
  readonly addrs: readonly number[];
}

/**
 * 1000 anonymous mmaps of `i % 4 + 1` pages with hint 0 (they land top-down, side by side, and
 * merge), then every third mapping's first page mprotected to PROT_READ: 667 VMAs.
 */
export function buildWorkload(strategy: DupStrategy = "seed"): Workload {
  const mm = new MmStruct({ dupStrategy: strategy });
  const addrs: number[] = [];
  for (let i = 0; i < MAPPINGS; i++) {
    const a = mm.mmap(0, ((i % 4) + 1) * PAGE, RW, ANON);
    if (a < 0) throw new Error(`workload: mmap ${i} failed with ${a}`);
    addrs.push(a);
  }
  for (let i = 0; i < MAPPINGS; i += 3) {
    const r = mm.mprotect(addrs[i] as number, PAGE, PROT_READ);
    if (r !== 0) throw new Error(`workload: mprotect ${i} failed with ${r}`);
  }
  return { mm, addrs };
}

/**
 * One timed case of the model: runs `iters` operations and returns a checksum of what they gave.
 * Child mms it leaves in `leftovers` are put by the caller after the clock stopped.
 */
export type ModelCase = (w: Workload, iters: number, leftovers: MmStruct[]) => number;

/** mmap + munmap of one anonymous page, hint 0. */
function mmapPair(w: Workload, iters: number): number {
  const mm = w.mm;
  let sum = 0;
  for (let i = 0; i < iters; i++) {
    const a = mm.mmap(0, PAGE, RW, ANON);
    sum += mm.munmap(a, PAGE) + (a & 0xfff);
  }
  return sum;
}

/** The 501st mapping's first page to PROT_READ and back (a split into three, then a merge). */
function mprotectPair(w: Workload, iters: number): number {
  const mm = w.mm;
  const a = w.addrs[500] as number;
  let sum = 0;
  for (let i = 0; i < iters; i++) sum += mm.mprotect(a, PAGE, PROT_READ) + mm.mprotect(a, PAGE, RW);
  return sum;
}

/** fork's address-space copy alone: the children are put (mmput) after the clock stopped. */
function forkCopy(strategy: DupStrategy): ModelCase {
  return (w, iters, done) => {
    let sum = 0;
    for (let i = 0; i < iters; i++) {
      const child = w.mm.fork(strategy);
      sum += child.tree.count;
      done.push(child);
    }
    return sum;
  };
}

/** fork + mmput of the child (the model's counterpart of fork + exit + wait). */
function forkPut(strategy: DupStrategy): ModelCase {
  return (w, iters) => {
    let sum = 0;
    for (let i = 0; i < iters; i++) {
      const child = w.mm.fork(strategy);
      sum += child.tree.count;
      child.mmput();
    }
    return sum;
  };
}

/**
 * `procMaps()` of the whole mm, read once (a char of the middle: V8 flattens the text there, as
 * any user printing or comparing it would).
 */
function mapsRender(w: Workload, iters: number): number {
  let sum = 0;
  for (let i = 0; i < iters; i++) {
    const text = w.mm.procMaps();
    sum += text.charCodeAt(text.length >> 1);
  }
  return sum;
}

/** One row of the benchmark: a model loop and the kernel case it is compared with. */
export interface CaseDef {
  /** Key in docs/bench/mm.json. */
  readonly key: string;
  /** Row label. */
  readonly label: string;
  /** The model loop. */
  readonly model: ModelCase;
  /** mm-kernel.c case name. */
  readonly kernel: "mmap" | "mprotect" | "fork" | "maps";
  /** Operations per timed batch (model, kernel). */
  readonly iters: readonly [number, number];
  /** The target: model time at most this fraction of the kernel's, or at most this many µs. */
  readonly target: { readonly ratio?: number; readonly us?: number };
}

/** The cases, in table order. */
export const CASES: readonly CaseDef[] = [
  {
    key: "mmap_munmap",
    label: "mmap + munmap, 1 page, hint 0",
    model: mmapPair,
    kernel: "mmap",
    iters: [20000, 20000],
    target: { ratio: 0.5 },
  },
  {
    key: "mprotect_pair",
    label: "mprotect split + merge back",
    model: mprotectPair,
    kernel: "mprotect",
    iters: [20000, 20000],
    target: { ratio: 0.5 },
  },
  {
    key: "fork_seed",
    label: "fork copy, seed",
    model: forkCopy("seed"),
    kernel: "fork",
    iters: [20, 20],
    target: { us: 150 },
  },
  {
    key: "fork_modern",
    label: "fork copy, modern",
    model: forkCopy("modern"),
    kernel: "fork",
    iters: [20, 20],
    target: { us: 150 },
  },
  {
    key: "fork_put_seed",
    label: "fork + mmput, seed",
    model: forkPut("seed"),
    kernel: "fork",
    iters: [20, 20],
    target: {},
  },
  {
    key: "fork_put_modern",
    label: "fork + mmput, modern",
    model: forkPut("modern"),
    kernel: "fork",
    iters: [20, 20],
    target: {},
  },
  {
    key: "maps_render",
    label: "maps render (procMaps / read /proc/self/maps)",
    model: mapsRender,
    kernel: "maps",
    iters: [400, 400],
    target: { us: 60 },
  },
];
