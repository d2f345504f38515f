// Test support: the seeded generator of the random tests and the seed they run with, so a failing
// run replays from the printed SEED. Public entry points only (it needs none).

/** A small seeded PRNG (mulberry32), so random tests can be replayed from SEED. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi] (inclusive), for hi - lo < 2^32. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of a random test: `SEED` from the environment, else a fresh one (printed by tests). */
export function testSeed(): number {
  const env = process.env.SEED;
  return env !== undefined && env !== "" ? Number(env) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}
