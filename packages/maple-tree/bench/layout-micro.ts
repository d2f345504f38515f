// What an interleaved node layout would give the reads, measured before anyone refactors the
// arena: today every node is spread over four typed arrays (pivots, slots, meta, gaps; see
// src/core/arena.ts), so one node visit touches three or four unrelated cache lines. The
// alternative is one 224-byte record per node in a single ArrayBuffer:
//
//   range / leaf node:  float64 words 0..14 pivots, int32 words 32..47 slots, 48..53 meta
//   arange node:        float64 words 0..8 pivots, 9..18 gaps, int32 words 38..47 slots, 48..53 meta
//
// Trees are built by the real package, then copied node for node (same ids, same spread) into the
// interleaved record array. Each kernel below exists once per layout with the same code shape and
// only the addressing changed: the point descent (the 4-probe search of core/descend.ts leafWord,
// and the meta-reading linear scan of descendToLeaf) and the lowest-gap search (read/gap-search.ts
// lowest). The gap search's answers are checked against mas_empty_area's on the real tree.
// Rounds alternate the layouts; CPU time; medians and spread printed.
//
// Run (plain node, bundled): node_modules/.pnpm/node_modules/esbuild/bin/esbuild \
//   packages/maple-tree/bench/layout-micro.ts --bundle --platform=node --format=esm \
//   --outfile=/tmp/layout-micro.mjs && node --expose-gc /tmp/layout-micro.mjs

import { cpuNow, median } from "@maplemm/bench-kit/harness";
import { makeLayout, queries } from "@maplemm/bench-kit/workloads";
import { M_END, M_TYPE, META, NODE_ARANGE, NODE_LEAF, STRIDE } from "../src/core/arena.js";
import { MAX_INDEX } from "../src/core/index-space.js";
import { MA_STATE, mas_reset } from "../src/core/state.js";
import { MapleTree } from "../src/face/maple-tree.js";
import { mas_empty_area } from "../src/read/gap-search.js";

const REC_F = 28; // float64 words per record (224 bytes)
const REC_I = 56; // int32 words per record
const I_SLOT = 32; // leaf / range slots
const I_ASLOT = 38; // arange slots
const F_AGAP = 9; // arange gaps
const I_META = 48;
const ROUNDS = Number(process.env.ROUNDS ?? 9);

interface Separate {
  pivots: Float64Array;
  slots: Int32Array;
  meta: Int32Array;
  gaps: Float64Array | null;
  root: number;
  height: number;
}
interface Interleaved {
  f: Float64Array;
  i: Int32Array;
  root: number;
  height: number;
}

function separateOf(t: MapleTree<number>): Separate {
  const a = t.mt.arena;
  return {
    pivots: a.pivots,
    slots: a.slots,
    meta: a.meta,
    gaps: a.gaps,
    root: t.mt.rootNode,
    height: t.mt.height,
  };
}

/** Copies every node of `s` (same ids) into 224-byte records. */
function interleave(s: Separate, top: number): Interleaved {
  const buf = new ArrayBuffer(top * REC_F * 8);
  const f = new Float64Array(buf);
  const i = new Int32Array(buf);
  for (let n = 1; n < top; n++) {
    const type = s.meta[n * META + M_TYPE];
    const fb = n * REC_F;
    const ib = n * REC_I;
    const sb = n * STRIDE;
    const arange = type === NODE_ARANGE;
    const slots = arange ? 10 : 16;
    for (let k = 0; k < slots - 1; k++) f[fb + k] = s.pivots[sb + k] as number;
    for (let k = 0; k < slots; k++)
      i[ib + (arange ? I_ASLOT : I_SLOT) + k] = s.slots[sb + k] as number;
    if (arange && s.gaps !== null)
      for (let k = 0; k < 10; k++) f[fb + F_AGAP + k] = s.gaps[sb + k] as number;
    for (let k = 0; k < META; k++) i[ib + I_META + k] = s.meta[n * META + k] as number;
  }
  return { f, i, root: s.root, height: s.height };
}

// --- point descent, 4 probes (leafWord's search; range/leaf nodes only) ---

function probeSep(s: Separate, index: number): number {
  const pivots = s.pivots;
  const slots = s.slots;
  let node = s.root;
  for (let level = s.height; ; level--) {
    const base = node * STRIDE;
    let pivot = pivots[base + 7] as number;
    let off = (+(pivot < index) & +(pivot !== 0)) << 3;
    pivot = pivots[base + off + 3] as number;
    off += (+(pivot < index) & +(pivot !== 0)) << 2;
    pivot = pivots[base + off + 1] as number;
    off += (+(pivot < index) & +(pivot !== 0)) << 1;
    pivot = pivots[base + off] as number;
    if (pivot !== 0) off += +(pivot < index);
    else if (off === 0 && index > 0 && s.meta[node * META + M_END] !== 0) off = 1;
    const word = slots[base + off] as number;
    if (level <= 1) return word;
    node = word;
  }
}

function probeInt(s: Interleaved, index: number): number {
  const f = s.f;
  const w = s.i;
  let node = s.root;
  for (let level = s.height; ; level--) {
    const base = node * REC_F;
    let pivot = f[base + 7] as number;
    let off = (+(pivot < index) & +(pivot !== 0)) << 3;
    pivot = f[base + off + 3] as number;
    off += (+(pivot < index) & +(pivot !== 0)) << 2;
    pivot = f[base + off + 1] as number;
    off += (+(pivot < index) & +(pivot !== 0)) << 1;
    pivot = f[base + off] as number;
    if (pivot !== 0) off += +(pivot < index);
    else if (off === 0 && index > 0 && w[node * REC_I + I_META + M_END] !== 0) off = 1;
    const word = w[node * REC_I + I_SLOT + off] as number;
    if (level <= 1) return word;
    node = word;
  }
}

// --- the same with the slot line and second-probe pivots loaded first (leafWord since 2026-12-08) ---

function probeSepPre(s: Separate, index: number): number {
  const pivots = s.pivots;
  const slots = s.slots;
  let node = s.root;
  for (let level = s.height; ; level--) {
    const base = node * STRIDE;
    const slot0 = slots[base] as number;
    const low = pivots[base + 3] as number;
    const high = pivots[base + 11] as number;
    let pivot = pivots[base + 7] as number;
    let off = (+(pivot < index) & +(pivot !== 0)) << 3;
    pivot = off === 0 ? low : high;
    off += (+(pivot < index) & +(pivot !== 0)) << 2;
    pivot = pivots[base + off + 1] as number;
    off += (+(pivot < index) & +(pivot !== 0)) << 1;
    pivot = pivots[base + off] as number;
    if (pivot !== 0) off += +(pivot < index);
    else if (off === 0 && index > 0 && s.meta[node * META + M_END] !== 0) off = 1;
    const word = off === 0 ? slot0 : (slots[base + off] as number);
    if (level <= 1) return word;
    node = word;
  }
}

function probeIntPre(s: Interleaved, index: number): number {
  const f = s.f;
  const w = s.i;
  let node = s.root;
  for (let level = s.height; ; level--) {
    const base = node * REC_F;
    const slotBase = node * REC_I + I_SLOT;
    const slot0 = w[slotBase] as number;
    const low = f[base + 3] as number;
    const high = f[base + 11] as number;
    let pivot = f[base + 7] as number;
    let off = (+(pivot < index) & +(pivot !== 0)) << 3;
    pivot = off === 0 ? low : high;
    off += (+(pivot < index) & +(pivot !== 0)) << 2;
    pivot = f[base + off + 1] as number;
    off += (+(pivot < index) & +(pivot !== 0)) << 1;
    pivot = f[base + off] as number;
    if (pivot !== 0) off += +(pivot < index);
    else if (off === 0 && index > 0 && w[node * REC_I + I_META + M_END] !== 0) off = 1;
    const word = off === 0 ? slot0 : (w[slotBase + off] as number);
    if (level <= 1) return word;
    node = word;
  }
}

// --- point descent, linear scan with the meta end and type (descendToLeaf's shape) ---

function scanSep(s: Separate, index: number): number {
  const pivots = s.pivots;
  const meta = s.meta;
  let node = s.root;
  for (;;) {
    const base = node * STRIDE;
    const end = meta[node * META + M_END] as number;
    let off = 0;
    while (off < end && (pivots[base + off] as number) < index) off++;
    const word = s.slots[base + off] as number;
    if (meta[node * META + M_TYPE] === NODE_LEAF) return word;
    node = word;
  }
}

function scanInt(s: Interleaved, index: number): number {
  const f = s.f;
  const w = s.i;
  let node = s.root;
  for (;;) {
    const base = node * REC_F;
    const ib = node * REC_I;
    const end = w[ib + I_META + M_END] as number;
    let off = 0;
    while (off < end && (f[base + off] as number) < index) off++;
    const word = w[ib + I_SLOT + off] as number;
    if (w[ib + I_META + M_TYPE] === NODE_LEAF) return word;
    node = word;
  }
}

// --- lowest gap (read/gap-search.ts lowest, no state positioning) ---

function lowestSep(
  s: Separate,
  node: number,
  min: number,
  max: number,
  level: number,
  from: number,
  size: number,
): number {
  const pivots = s.pivots;
  const base = node * STRIDE;
  const end = s.meta[node * META + M_END] as number;
  let off = 0;
  while (off < end && (pivots[base + off] as number) < from) off++;
  let lo = off > 0 ? (pivots[base + off - 1] as number) + 1 : min;
  for (; off <= end; off++) {
    const hi = off < end ? (pivots[base + off] as number) : max;
    if (level === 1) {
      if (s.slots[base + off] === 0) {
        const st = Math.max(lo, from);
        if (hi - st + 1 >= size) return st;
      }
    } else if (((s.gaps as Float64Array)[base + off] as number) >= size) {
      const r = lowestSep(s, s.slots[base + off] as number, lo, hi, level - 1, from, size);
      if (r >= 0) return r;
    }
    lo = hi + 1;
  }
  return -1;
}

function lowestInt(
  s: Interleaved,
  node: number,
  min: number,
  max: number,
  level: number,
  from: number,
  size: number,
): number {
  const f = s.f;
  const base = node * REC_F;
  const ib = node * REC_I;
  const end = s.i[ib + I_META + M_END] as number;
  const slot = ib + (level === 1 ? I_SLOT : I_ASLOT);
  let off = 0;
  while (off < end && (f[base + off] as number) < from) off++;
  let lo = off > 0 ? (f[base + off - 1] as number) + 1 : min;
  for (; off <= end; off++) {
    const hi = off < end ? (f[base + off] as number) : max;
    if (level === 1) {
      if (s.i[slot + off] === 0) {
        const st = Math.max(lo, from);
        if (hi - st + 1 >= size) return st;
      }
    } else if ((f[base + F_AGAP + off] as number) >= size) {
      const r = lowestInt(s, s.i[slot + off] as number, lo, hi, level - 1, from, size);
      if (r >= 0) return r;
    }
    lo = hi + 1;
  }
  return -1;
}

// --- lowest gap with the first slot and gap words loaded first (gap-search.ts since 2026-12-08) ---

function lowestSepPre(
  s: Separate,
  node: number,
  min: number,
  max: number,
  level: number,
  from: number,
  size: number,
): number {
  const pivots = s.pivots;
  const slots = s.slots;
  const gaps = s.gaps as Float64Array;
  const base = node * STRIDE;
  const end = s.meta[node * META + M_END] as number;
  const slot0 = slots[base] as number;
  const gap0 = gaps[base] as number;
  let off = 0;
  while (off < end && (pivots[base + off] as number) < from) off++;
  let lo = off > 0 ? (pivots[base + off - 1] as number) + 1 : min;
  for (; off <= end; off++) {
    const hi = off < end ? (pivots[base + off] as number) : max;
    const slot = off === 0 ? slot0 : (slots[base + off] as number);
    if (level === 1) {
      if (slot === 0) {
        const st = Math.max(lo, from);
        if (hi - st + 1 >= size) return st;
      }
    } else if ((off === 0 ? gap0 : (gaps[base + off] as number)) >= size) {
      const r = lowestSepPre(s, slot, lo, hi, level - 1, from, size);
      if (r >= 0) return r;
    }
    lo = hi + 1;
  }
  return -1;
}

function lowestIntPre(
  s: Interleaved,
  node: number,
  min: number,
  max: number,
  level: number,
  from: number,
  size: number,
): number {
  const f = s.f;
  const base = node * REC_F;
  const ib = node * REC_I;
  const end = s.i[ib + I_META + M_END] as number;
  const slotBase = ib + (level === 1 ? I_SLOT : I_ASLOT);
  const slot0 = s.i[slotBase] as number;
  const gap0 = f[base + F_AGAP] as number;
  let off = 0;
  while (off < end && (f[base + off] as number) < from) off++;
  let lo = off > 0 ? (f[base + off - 1] as number) + 1 : min;
  for (; off <= end; off++) {
    const hi = off < end ? (f[base + off] as number) : max;
    const slot = off === 0 ? slot0 : (s.i[slotBase + off] as number);
    if (level === 1) {
      if (slot === 0) {
        const st = Math.max(lo, from);
        if (hi - st + 1 >= size) return st;
      }
    } else if ((off === 0 ? gap0 : (f[base + F_AGAP + off] as number)) >= size) {
      const r = lowestIntPre(s, slot, lo, hi, level - 1, from, size);
      if (r >= 0) return r;
    }
    lo = hi + 1;
  }
  return -1;
}

// --- driver ---

type Kernel = () => number;

function rounds(name: string, unitOps: number, a: Kernel, b: Kernel): string {
  const ta: number[] = [];
  const tb: number[] = [];
  const ratios: number[] = [];
  let ck = a();
  if (b() !== ck) throw new Error(`${name}: checksums differ`);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [a, b] : [b, a];
    const t: number[] = [];
    for (const k of order) {
      const t0 = cpuNow();
      ck = k();
      t.push(cpuNow() - t0);
    }
    const [x, y] = r % 2 === 0 ? t : [t[1], t[0]];
    ta.push(((x as number) * 1e6) / unitOps);
    tb.push(((y as number) * 1e6) / unitOps);
    ratios.push((x as number) / (y as number));
  }
  return `| ${name} | ${median(ta).toFixed(1)} | ${median(tb).toFixed(1)} | ${median(ratios).toFixed(2)}× | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} |`;
}

function build(n: number, alloc: boolean): MapleTree<number> {
  const layout = makeLayout(n, 3);
  const t = new MapleTree<number>({ alloc });
  for (let k = 0; k < n; k++)
    t.setRange(layout.starts[k] as number, layout.lasts[k] as number, k + 1);
  return t;
}

const lines: string[] = [
  "| kernel | separate arrays ns/op | interleaved ns/op | interleaved speed-up | spread |",
  "| --- | ---: | ---: | ---: | --- |",
];
for (const n of [1e3, 1e5, 1e6]) {
  const t = build(n, false);
  const sep = separateOf(t);
  const int = interleave(sep, t.mt.arena.top);
  const q = queries(makeLayout(n, 3), 200_000, 7);
  const count = q.length;
  const h = sep.height;
  // One loop per kernel, so each call site is monomorphic and the kernel is inlined into it.
  const ps = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += probeSep(sep, q[k] as number);
    return sum;
  };
  const pi = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += probeInt(int, q[k] as number);
    return sum;
  };
  const ss = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += scanSep(sep, q[k] as number);
    return sum;
  };
  const si = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += scanInt(int, q[k] as number);
    return sum;
  };
  const pps = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += probeSepPre(sep, q[k] as number);
    return sum;
  };
  const ppi = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) sum += probeIntPre(int, q[k] as number);
    return sum;
  };
  lines.push(rounds(`point, 4 probes, N = ${n} (height ${h})`, count, ps, pi));
  lines.push(rounds(`point, 4 probes, loads first, N = ${n} (height ${h})`, count, pps, ppi));
  lines.push(rounds(`point, scan + meta, N = ${n} (height ${h})`, count, ss, si));
}
{
  const n = 1e6;
  const t = build(n, true);
  const sep = separateOf(t);
  const int = interleave(sep, t.mt.arena.top);
  const mins = queries(makeLayout(n, 3), 20_000, 11);
  const count = mins.length;
  // The answers must be mas_empty_area's.
  const mas = MA_STATE(t.mt, 0, 0);
  let want = 0;
  for (let k = 0; k < count; k++) {
    mas_reset(mas);
    if (mas_empty_area(mas, mins[k] as number, MAX_INDEX, 1024) === 0) want += mas.index;
  }
  const a = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) {
      sum += lowestSep(sep, sep.root, 0, MAX_INDEX, sep.height, mins[k] as number, 1024);
    }
    return sum;
  };
  const b = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) {
      sum += lowestInt(int, int.root, 0, MAX_INDEX, int.height, mins[k] as number, 1024);
    }
    return sum;
  };
  if (a() !== want) throw new Error(`lowest gap: ${a()} vs mas_empty_area ${want}`);
  const pa = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) {
      sum += lowestSepPre(sep, sep.root, 0, MAX_INDEX, sep.height, mins[k] as number, 1024);
    }
    return sum;
  };
  const pb = () => {
    let sum = 0;
    for (let k = 0; k < count; k++) {
      sum += lowestIntPre(int, int.root, 0, MAX_INDEX, int.height, mins[k] as number, 1024);
    }
    return sum;
  };
  lines.push(rounds(`lowest gap ≥ 1024, alloc tree, N = 1e6 (height ${sep.height})`, count, a, b));
  lines.push(rounds(`lowest gap, loads first, N = 1e6 (height ${sep.height})`, count, pa, pb));
}
console.log(lines.join("\n"));
