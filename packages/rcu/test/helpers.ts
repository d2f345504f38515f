import { Rcu, type RcuDomain, SharedRcu } from "@maplemm/rcu";
// Test helpers shared by the rcu tests: macrotask ticks, a factory for each domain kind (so the
// contract tests run table-driven over both), and seeded randomness.

/** Resolves after the next macrotask. */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Lets `n` macrotasks pass. */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}

/** A domain plus its teardown. */
export interface Made {
  readonly d: RcuDomain;
  readonly reclaimed: number[];
  done(): void;
}

/** Factories for the table-driven contract tests: each returns a fresh, ready-to-read domain. */
export const domainKinds: ReadonlyArray<{ name: string; make: (stallMs?: number) => Made }> = [
  {
    name: "Rcu",
    make: (stallMs = 1000) => {
      const reclaimed: number[] = [];
      const d = new Rcu({ reclaim: (id) => reclaimed.push(id), stallMs });
      return { d, reclaimed, done: () => {} };
    },
  },
  ...[true, false].map((wasm) => ({
    name: wasm ? "SharedRcu (Wasm read side)" : "SharedRcu (JS Atomics read side)",
    make: (stallMs = 1000): Made => {
      const reclaimed: number[] = [];
      const d = SharedRcu.create({
        reclaim: (id) => reclaimed.push(id),
        stallMs,
        maxThreads: 8,
        wasm,
      });
      d.register();
      return {
        d,
        reclaimed,
        done: () => {
          if (d.inReadSection) return;
          try {
            d.unregister();
          } catch {
            // a test left a guard open on purpose
          }
        },
      };
    },
  })),
];

/** The seed of random tests: SEED from the env, else random; printed so failures replay. */
export function seedFromEnv(): number {
  const s = process.env.SEED;
  return s !== undefined && s !== "" ? Number(s) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/** xorshift32: small, seeded, deterministic. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** Is the stress mode on (longer runs)? */
export const STRESS = process.env.STRESS === "1";
