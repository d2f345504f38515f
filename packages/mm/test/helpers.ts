import { type MmOptions, MmStruct, vmaName } from "@maplemm/mm";
// Test helpers: an mm laid out like the oracle's (an arena of 4096 pages right below mmap_base,
// so top-down placement lands in it), and a compact text view of its VMAs in arena pages.

/** Arena base of the oracle traces (linux-mm.md §3). */
export const A = 0x7e0000000000;
/** Page size. */
export const P = 4096;
/** Address of arena page `n`. */
export const pg = (n: number): number => A + n * P;

/** A fresh mm whose top-down area ends at the arena top (A + 4096 pages). */
export function arenaMm(options: MmOptions = {}): MmStruct {
  return new MmStruct({ mmapBase: pg(4096), startBrk: 0x555558ff6000, ...options });
}

/** One line per VMA: `start-end perms [vmflags] name`, addresses in arena pages (`A+n`). */
export function layout(mm: MmStruct, lo = A - 0x10000000 * P, hi = pg(8192)): string[] {
  const out: string[] = [];
  for (const v of mm.vmas(lo, hi)) {
    const s = (v.start - A) / P;
    const e = (v.end - A) / P;
    const name = vmaName(v, mm);
    out.push(`${s}-${e} ${v.perms} ${v.vmFlags}${name === "" ? "" : ` ${name}`}`);
  }
  return out;
}

/** Private anonymous mmap flags. */
export const PRIV = 0x22;
/** Private anonymous fixed mmap flags. */
export const PRIV_FIXED = 0x32;
/** Shared anonymous mmap flags. */
export const SHARED = 0x21;
/** Shared anonymous fixed mmap flags. */
export const SHARED_FIXED = 0x31;
/** PROT_READ | PROT_WRITE. */
export const RW = 3;

/** A seeded xorshift32 generator of floats in [0, 1): random tests replay from SEED. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
