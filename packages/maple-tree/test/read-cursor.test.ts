// The fast iteration of the idiomatic layer (src/cursor.ts, behind MapleTree.forEach / entries /
// entriesReverse) against loops of the kernel finds it replaces: a mas_find (mas_find_rev) loop
// that skips XA_ZERO_ENTRY and, for the iterators, re-finds from one past (before) the last range
// after a write. Random trees of every height, direct-root and empty trees, random bounds, and
// random writes made by the loop body between steps. Replay a failure with SEED=<seed>.

import { MAX_INDEX, MapleTree, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  MA_STATE,
  mas_find,
  mas_find_rev,
  mas_set,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { Rng as BaseRng, testSeed } from "./support/build.js";
import { validateTree } from "./support/debug.js";

/** The support PRNG with an integer-below-n helper. */
class Rng extends BaseRng {
  below(n: number): number {
    return this.int(0, n - 1);
  }
}

const SEED = testSeed();
const ROUNDS = process.env.STRESS === "1" ? 400 : 60;

type Seen = [number, number, unknown];

/** The pre-cursor MapleTree.forEach: a mas_find loop. */
function refForEach(
  t: MapleTree<unknown>,
  from: number,
  to: number,
  fn: (v: unknown, first: number, last: number) => unknown,
): void {
  const mas = MA_STATE(t.mt, from, from);
  for (;;) {
    const entry = mas_find(mas, to);
    if (entry === null) return;
    if (entry === XA_ZERO_ENTRY) continue;
    if (fn(entry, mas.index, mas.last) === false) return;
  }
}

/** The pre-cursor MapleTree.entries: mas_find, re-found from one past the last range after a write. */
function* refEntries(t: MapleTree<unknown>, from: number, to: number): Generator<Seen> {
  const mas = MA_STATE(t.mt, from, from);
  for (;;) {
    const gen = t.mt.generation;
    const entry = mas_find(mas, to);
    if (entry === null) return;
    if (entry === XA_ZERO_ENTRY) continue;
    const last = mas.last;
    yield [mas.index, last, entry];
    if (t.mt.generation !== gen) mas_set(mas, last === MAX_INDEX ? MAX_INDEX : last + 1);
    if (last === MAX_INDEX) return;
  }
}

/** The pre-cursor MapleTree.entriesReverse. */
function* refEntriesReverse(t: MapleTree<unknown>, from: number, to: number): Generator<Seen> {
  const mas = MA_STATE(t.mt, from, from);
  for (;;) {
    const gen = t.mt.generation;
    const entry = mas_find_rev(mas, to);
    if (entry === null) return;
    if (entry === XA_ZERO_ENTRY) continue;
    const first = mas.index;
    yield [first, mas.last, entry];
    if (first === 0) return;
    if (t.mt.generation !== gen) mas_set(mas, first - 1);
  }
}

/** A random tree: ranges, holes, XA_ZERO_ENTRY reservations; sometimes empty or a lone [0, 0]. */
function randomOps(rng: Rng): Array<[number, number, unknown]> {
  const kind = rng.below(10);
  if (kind === 0) return [];
  if (kind === 1) return [[0, 0, rng.below(2) === 0 ? "root" : XA_ZERO_ENTRY]];
  const n = [5, 40, 300, 2000][rng.below(4)] as number;
  const span = n * (1 + rng.below(40));
  const ops: Array<[number, number, unknown]> = [];
  for (let i = 0; i < n; i++) {
    const first = rng.below(span);
    const last = Math.min(first + rng.below(20), MAX_INDEX);
    const r = rng.below(20);
    ops.push([first, last, r === 0 ? null : r === 1 ? XA_ZERO_ENTRY : i]);
  }
  if (rng.below(4) === 0) ops.push([MAX_INDEX - rng.below(5), MAX_INDEX, "top"]);
  return ops;
}

function treeOf(ops: ReadonlyArray<[number, number, unknown]>): MapleTree<unknown> {
  const t = new MapleTree<unknown>();
  for (const [first, last, v] of ops) expect(mtree_store_range(t.mt, first, last, v)).toBe(0);
  return t;
}

/** Random bounds: mostly inside the tree's span, sometimes 0 / MAX_INDEX / inverted. */
function bounds(rng: Rng, t: MapleTree<unknown>): [number, number] {
  let top = 0;
  t.forEach((_v, _f, last) => {
    top = last === MAX_INDEX ? top : last;
  });
  const pick = () => {
    const r = rng.below(8);
    if (r === 0) return 0;
    if (r === 1) return MAX_INDEX;
    return rng.below(top + 10);
  };
  return [pick(), pick()];
}

/** A random write a loop body makes (both runs draw the same ones from equal generators). */
function randomWrite(rng: Rng, t: MapleTree<unknown>, at: number): void {
  const r = rng.below(6);
  const first = Math.min(MAX_INDEX, Math.max(0, at + rng.below(60) - 20));
  const last = Math.min(MAX_INDEX, first + rng.below(30));
  if (r === 0) t.deleteRange(first, last);
  else if (r === 1) t.delete(first);
  else if (r === 2) mtree_store_range(t.mt, first, last, XA_ZERO_ENTRY);
  else t.setRange(first, last, `w${rng.below(1000)}`);
}

describe(`fast iteration agrees with the kernel find loops (SEED=${SEED})`, () => {
  it("forEach visits what a mas_find loop finds, and stops where it is told to", () => {
    const rng = new Rng(SEED);
    for (let round = 0; round < ROUNDS; round++) {
      const t = treeOf(randomOps(rng));
      for (let q = 0; q < 8; q++) {
        const [from, to] = bounds(rng, t);
        const stopAfter = rng.below(3) === 0 ? rng.below(20) : -1;
        const want: Seen[] = [];
        refForEach(t, from, to, (v, f, l) => {
          want.push([f, l, v]);
          return want.length !== stopAfter;
        });
        const got: Seen[] = [];
        // biome-ignore lint/suspicious/useIterableCallbackReturn: MapleTree.forEach stops on false
        t.forEach(
          (v, f, l) => {
            got.push([f, l, v]);
            return got.length !== stopAfter;
          },
          from,
          to,
        );
        expect(got, `round ${round} [${from}, ${to}]`).toEqual(want);
      }
    }
  });

  it("entries and entriesReverse yield what the kernel find loops yield", () => {
    const rng = new Rng(SEED + 1);
    for (let round = 0; round < ROUNDS; round++) {
      const t = treeOf(randomOps(rng));
      for (let q = 0; q < 8; q++) {
        const [a, b] = bounds(rng, t);
        const got = [...t.entries(a, b)].map((e): Seen => [e.first, e.last, e.value]);
        expect(got, `entries round ${round} [${a}, ${b}]`).toEqual([...refEntries(t, a, b)]);
        const rev = [...t.entriesReverse(a, b)].map((e): Seen => [e.first, e.last, e.value]);
        expect(rev, `entriesReverse round ${round} [${a}, ${b}]`).toEqual([
          ...refEntriesReverse(t, a, b),
        ]);
      }
    }
  });

  it("keeps agreeing when the loop body writes to the tree between steps", () => {
    const rng = new Rng(SEED + 2);
    for (let round = 0; round < ROUNDS; round++) {
      const ops = randomOps(rng);
      const writeSeed = rng.below(2 ** 30);
      const p = [0.05, 0.3, 1][rng.below(3)] as number;
      const [a, b] = bounds(rng, treeOf(ops));
      const run = (
        iterate: (t: MapleTree<unknown>, body: (f: number, l: number, v: unknown) => void) => void,
      ): { seen: Seen[]; after: Seen[] } => {
        const t = treeOf(ops);
        const w = new Rng(writeSeed);
        const seen: Seen[] = [];
        iterate(t, (f, l, v) => {
          seen.push([f, l, v]);
          if (w.next() < p) randomWrite(w, t, f);
        });
        validateTree(t);
        const after: Seen[] = [];
        refForEach(t, 0, MAX_INDEX, (v, f, l) => {
          after.push([f, l, v]);
        });
        return { seen, after };
      };
      const msg = `round ${round} [${a}, ${b}] p=${p}`;
      expect(
        run((t, body) =>
          t.forEach(
            (v, f, l) => {
              body(f, l, v);
            },
            a,
            b,
          ),
        ),
        `forEach ${msg}`,
      ).toEqual(run((t, body) => refForEach(t, a, b, (v, f, l) => body(f, l, v))));
      expect(
        run((t, body) => {
          for (const e of t.entries(a, b)) body(e.first, e.last, e.value);
        }),
        `entries ${msg}`,
      ).toEqual(
        run((t, body) => {
          for (const [f, l, v] of refEntries(t, a, b)) body(f, l, v);
        }),
      );
      expect(
        run((t, body) => {
          for (const e of t.entriesReverse(a, b)) body(e.first, e.last, e.value);
        }),
        `entriesReverse ${msg}`,
      ).toEqual(
        run((t, body) => {
          for (const [f, l, v] of refEntriesReverse(t, a, b)) body(f, l, v);
        }),
      );
    }
  });
});

describe("the iterators behave like generators", () => {
  it("check their arguments on the first next(), not when created, and are done after a throw", () => {
    const t = new MapleTree<number>();
    t.setRange(1, 5, 1);
    const it = t.entries(-1);
    expect(() => it.next()).toThrow(/entries: from/);
    expect(it.next()).toEqual({ value: undefined, done: true });
    const rev = t.entriesReverse(5, 0.5);
    expect(() => rev.next()).toThrow(/entriesReverse: to/);
    expect(rev.next()).toEqual({ value: undefined, done: true });
  });

  it("are their own iterables, and return() / throw() finish them", () => {
    const t = new MapleTree<number>();
    for (let i = 0; i < 100; i++) t.setRange(i * 10, i * 10 + 3, i);
    const it = t.entries();
    expect(it[Symbol.iterator]()).toBe(it);
    expect(it.next().value).toEqual({ first: 0, last: 3, value: 0 });
    expect(it.return?.(7)).toEqual({ value: 7, done: true });
    expect(it.next()).toEqual({ value: undefined, done: true });
    const rev = t.entriesReverse();
    expect(rev.next().value).toEqual({ first: 990, last: 993, value: 99 });
    const boom = new Error("boom");
    expect(() => rev.throw?.(boom)).toThrow(boom);
    expect(rev.next().done).toBe(true);
    // for-of with break calls return(); a fresh iterator starts over.
    let count = 0;
    for (const _e of t) if (++count === 3) break;
    expect([...t].length).toBe(100);
  });

  it("yield a fresh item object per range", () => {
    const t = new MapleTree<string>();
    t.setRange(0, 1, "a").setRange(5, 9, "b");
    const items = [...t.entries()];
    expect(items).toEqual([
      { first: 0, last: 1, value: "a" },
      { first: 5, last: 9, value: "b" },
    ]);
    expect(items[0]).not.toBe(items[1]);
  });
});
