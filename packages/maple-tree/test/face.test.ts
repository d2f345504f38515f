// The idiomatic face, the same on MapleTree and SharedMapleTree (docs/spec/api-idiomatic.md):
// keys / values / first / last / floor / ceiling / count in tables on fixed trees, a fast-check
// property test of both faces against a sorted array of ranges (mt_validate after every step),
// bad input that changes nothing, snapshots through structuredClone and JSON, the inspect text,
// and gap search needing an allocation tree on both. Through the public entry point only.
// SEED=<n> replays the property test.

import { inspect } from "node:util";
import {
  immediateReclaimer,
  MAX_INDEX,
  MapleError,
  MapleTree,
  type MapleTreeSnapshot,
  type RangeEntry,
  SharedMapleTree,
  type SharedTreeDomain,
} from "@maplemm/maple-tree";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateTree } from "./support/debug.js";

/** A single-thread domain: read sections are no-ops, frees happen at once (no other reader). */
const domain: SharedTreeDomain = {
  defer: immediateReclaimer.defer,
  readLock() {},
  readUnlock() {},
};

type Face = MapleTree<number> | SharedMapleTree;
type R = RangeEntry<number>;

function makeFace(
  kind: "MapleTree" | "SharedMapleTree",
  ranges: readonly R[],
  alloc = false,
): Face {
  const face: Face =
    kind === "MapleTree"
      ? new MapleTree<number>({ alloc })
      : SharedMapleTree.create({ capacity: 4096, flags: alloc ? 1 : 0, domain, blocking: false });
  for (const r of ranges) face.setRange(r.first, r.last, r.value);
  return face;
}

const KINDS = ["MapleTree", "SharedMapleTree"] as const;
const r = (first: number, last: number, value: number): R => ({ first, last, value });
const SAMPLE = [r(10, 19, 1), r(30, 39, 2), r(50, 50, 3)];

/** Everything observable about a face, for "nothing changed" checks. */
function stateOf(face: Face): { ranges: R[]; size: number } {
  return { ranges: [...face.entries()], size: face.size };
}

function expectEinval(call: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a MapleError matching ${pattern}`).toBeInstanceOf(MapleError);
  expect((caught as MapleError).code).toBe("EINVAL");
  expect((caught as MapleError).message).toMatch(pattern);
}

describe.each(KINDS)("%s: Map / sorted-btree reads", (kind) => {
  const tree = makeFace(kind, SAMPLE);

  it.each([
    [0, undefined],
    [9, undefined],
    [10, SAMPLE[0]],
    [19, SAMPLE[0]],
    [20, SAMPLE[0]],
    [30, SAMPLE[1]],
    [49, SAMPLE[1]],
    [50, SAMPLE[2]],
    [MAX_INDEX, SAMPLE[2]],
  ])("floor(%s)", (index, want) => {
    expect(tree.floor(index)).toEqual(want);
  });

  it.each([
    [0, SAMPLE[0]],
    [19, SAMPLE[0]],
    [20, SAMPLE[1]],
    [40, SAMPLE[2]],
    [50, SAMPLE[2]],
    [51, undefined],
    [MAX_INDEX, undefined],
  ])("ceiling(%s)", (index, want) => {
    expect(tree.ceiling(index)).toEqual(want);
  });

  it.each([
    [0, MAX_INDEX, 3],
    [0, 9, 0],
    [0, 10, 1],
    [19, 30, 2],
    [20, 29, 0],
    [35, 35, 1],
    [15, 50, 3],
    [51, MAX_INDEX, 0],
    [40, 20, 0],
  ])("count(%s, %s) = %s", (from, to, want) => {
    expect(tree.count(from, to)).toBe(want);
    expect(tree.count(from, to)).toBe(from > to ? 0 : [...tree.entries(from, to)].length);
  });

  it.each([
    [0, MAX_INDEX, [10, 30, 50], [1, 2, 3]],
    [15, 35, [10, 30], [1, 2]],
    [20, 29, [], []],
    [50, 50, [50], [3]],
  ])("keys(%s, %s) / values", (from, to, keys, values) => {
    expect([...tree.keys(from, to)]).toEqual(keys);
    expect([...tree.values(from, to)]).toEqual(values);
  });

  it("keys() / values() / count() default to the whole tree; first() / last() are its ends", () => {
    expect([...tree.keys()]).toEqual([10, 30, 50]);
    expect([...tree.values()]).toEqual([1, 2, 3]);
    expect(tree.count()).toBe(3);
    expect(tree.first()).toEqual(SAMPLE[0]);
    expect(tree.last()).toEqual(SAMPLE[2]);
  });

  it.each([
    ["empty", [] as R[], undefined, undefined],
    ["a lone [0, 0] (the root entry)", [r(0, 0, 5)], r(0, 0, 5), r(0, 0, 5)],
    [
      "one range at the top",
      [r(MAX_INDEX - 3, MAX_INDEX, 6)],
      r(MAX_INDEX - 3, MAX_INDEX, 6),
      r(MAX_INDEX - 3, MAX_INDEX, 6),
    ],
  ])("first() / last() / floor / ceiling on %s", (_name, ranges, first, last) => {
    const t = makeFace(kind, ranges);
    expect(t.first()).toEqual(first);
    expect(t.last()).toEqual(last);
    expect(t.floor(MAX_INDEX)).toEqual(last);
    expect(t.ceiling(0)).toEqual(first);
    expect(t.count()).toBe(ranges.length);
  });

  it("entries() is an iterator, forEach calls fn(value, first, last), like Map", () => {
    const it = tree.entries();
    expect(Array.isArray(it)).toBe(false);
    expect(typeof it.next).toBe("function");
    expect(it[Symbol.iterator]()).toBe(it);
    expect([...tree]).toEqual(SAMPLE);
    expect([...tree.entriesReverse()]).toEqual([...SAMPLE].reverse());
    const seen: [number, number, number][] = [];
    tree.forEach((value, first, last) => {
      seen.push([value, first, last]);
    });
    expect(seen).toEqual(SAMPLE.map((e) => [e.value, e.first, e.last]));
  });

  it.each([
    ["floor", () => tree.floor(-1), /\.floor: index must be an integer/],
    ["floor", () => tree.floor(1.5), /\.floor: index must be an integer/],
    ["ceiling", () => tree.ceiling(Number.NaN), /\.ceiling: index must be an integer/],
    ["ceiling", () => tree.ceiling(MAX_INDEX + 1), /\.ceiling: index must be an integer/],
    ["count", () => tree.count(-1), /\.count: from must be an integer/],
    ["count", () => tree.count(0, MAX_INDEX + 2), /\.count: to must be an integer/],
    ["keys", () => tree.keys("1" as unknown as number), /\.keys: from must be an integer/],
    ["values", () => tree.values(0, -1), /\.values: to must be an integer/],
  ])("%s with bad input throws EINVAL naming the argument, nothing changes", (_m, call, msg) => {
    const before = stateOf(tree);
    expectEinval(call, msg);
    expect(stateOf(tree)).toEqual(before);
    validateTree(tree);
  });
});

// ---------------------------------------------------------------- property test

/** The model: disjoint ranges sorted by first, as both faces must hold them. */
class SortedRanges {
  ranges: R[] = [];
  store(first: number, last: number, value: number | null): void {
    const out: R[] = [];
    for (const x of this.ranges) {
      if (x.last < first || x.first > last) out.push(x);
      else {
        if (x.first < first) out.push(r(x.first, first - 1, x.value));
        if (x.last > last) out.push(r(last + 1, x.last, x.value));
      }
    }
    if (value !== null) out.push(r(first, last, value));
    this.ranges = out.sort((a, b) => a.first - b.first);
  }
  holding(i: number): R | undefined {
    return this.ranges.find((x) => x.first <= i && i <= x.last);
  }
  meeting(from: number, to: number): R[] {
    return this.ranges.filter((x) => x.last >= from && x.first <= to);
  }
  floor(i: number): R | undefined {
    return this.ranges.filter((x) => x.first <= i).at(-1);
  }
  ceiling(i: number): R | undefined {
    return this.ranges.find((x) => x.last >= i);
  }
}

type Step =
  | { kind: "set"; first: number; len: number; value: number }
  | { kind: "deleteRange"; first: number; len: number }
  | { kind: "delete"; at: number };

// Indices mostly in a small window (so ranges meet), sometimes at the top of the index space.
const index = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_INDEX - 400, max: MAX_INDEX }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("set" as const),
      first: index,
      len: fc.integer({ min: 0, max: 40 }),
      value: fc.integer({ min: 0, max: 1000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("deleteRange" as const),
      first: index,
      len: fc.integer({ min: 0, max: 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: index }) },
);

function apply(face: Face, model: SortedRanges, s: Step): void {
  if (s.kind === "delete") {
    const held = model.holding(s.at);
    expect(face.delete(s.at)).toBe(held !== undefined);
    if (held !== undefined) model.store(held.first, held.last, null);
    return;
  }
  const last = Math.min(MAX_INDEX, s.first + s.len);
  if (s.kind === "set") {
    face.setRange(s.first, last, s.value);
    model.store(s.first, last, s.value);
  } else {
    face.deleteRange(s.first, last);
    model.store(s.first, last, null);
  }
}

function checkReads(face: Face, model: SortedRanges, probes: number[]): void {
  validateTree(face);
  expect([...face.keys()]).toEqual(model.ranges.map((x) => x.first));
  expect([...face.values()]).toEqual(model.ranges.map((x) => x.value));
  expect(face.first()).toEqual(model.ranges[0]);
  expect(face.last()).toEqual(model.ranges.at(-1));
  expect(face.count()).toBe(model.ranges.length);
  for (let i = 0; i < probes.length; i++) {
    const p = probes[i] as number;
    const q = probes[(i + 1) % probes.length] as number;
    const [from, to] = p <= q ? [p, q] : [q, p];
    expect(face.floor(p)).toEqual(model.floor(p));
    expect(face.ceiling(p)).toEqual(model.ceiling(p));
    expect(face.count(from, to)).toBe(model.meeting(from, to).length);
    expect([...face.keys(from, to)]).toEqual(model.meeting(from, to).map((x) => x.first));
    expect([...face.values(from, to)]).toEqual(model.meeting(from, to).map((x) => x.value));
  }
}

const SEED = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

describe.each(KINDS)("%s against a sorted array of ranges (fast-check)", (kind) => {
  it("keys/values/first/last/floor/ceiling/count agree after every step", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.array(index, { minLength: 1, maxLength: 6 }),
        (steps, probes) => {
          const face = makeFace(kind, []);
          const model = new SortedRanges();
          for (const s of steps) {
            apply(face, model, s);
            checkReads(face, model, probes);
          }
        },
      ),
      { numRuns: 150, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });
});

describe("SharedMapleTree: a reader's view answers as the writer's", () => {
  it("keys/values/first/last/floor/ceiling/count/snapshot agree after each write", () => {
    const writer = SharedMapleTree.create({ capacity: 4096, domain, blocking: false });
    const reader = SharedMapleTree.attach(writer.handle, { domain, blocking: false });
    const model = new SortedRanges();
    let x = 12345;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    for (let i = 0; i < 300; i++) {
      const first = rand(2000);
      apply(writer, model, {
        kind: i % 4 === 3 ? "deleteRange" : "set",
        first,
        len: rand(30),
        value: i,
      });
      if (i % 10 !== 0) continue;
      const p = rand(2100);
      for (const face of [writer, reader]) {
        checkReads(face, model, [p, rand(2100)]);
        expect(face.snapshot()).toEqual({ version: 1, alloc: false, ranges: model.ranges });
      }
      expect(inspect(reader, { maxArrayLength: 3 })).toBe(inspect(writer, { maxArrayLength: 3 }));
    }
  });
});

// ---------------------------------------------------------------- snapshots, JSON, inspect

function bigTree(n: number): MapleTree<number> {
  const t = new MapleTree<number>();
  for (let i = 0; i < n; i++) t.setRange(i * 10, i * 10 + 5, i);
  return t;
}

describe("snapshot / fromSnapshot", () => {
  it.each(KINDS)(
    "%s: a snapshot survives structuredClone and JSON and restores on both faces",
    (kind) => {
      const src = makeFace(kind, [...SAMPLE, r(MAX_INDEX - 1, MAX_INDEX, 9)], true);
      const snap = src.snapshot();
      expect(snap).toEqual({ version: 1, alloc: true, ranges: [...src.entries()] });
      for (const carried of [structuredClone(snap), JSON.parse(JSON.stringify(src))]) {
        const local = MapleTree.fromSnapshot<number>(carried);
        validateTree(local);
        expect([...local]).toEqual([...src]);
        expect(local.mt.isAlloc).toBe(true);
        const shared = SharedMapleTree.fromSnapshot(carried, { capacity: 256, domain });
        validateTree(shared);
        expect([...shared]).toEqual([...src]);
        expect(shared.findGap(5)).toBe(0); // alloc came through: gap search works
      }
    },
  );

  it("restores 3000 ranges of any JSON-able value, options overriding", () => {
    const t = new MapleTree<{ name: string }>();
    for (let i = 0; i < 3000; i++) t.setRange(i * 3, i * 3 + 1, { name: `v${i}` });
    const copy = MapleTree.fromSnapshot(structuredClone(t.snapshot()), { alloc: true });
    validateTree(copy);
    expect([...copy]).toEqual([...t]);
    expect(copy.mt.isAlloc).toBe(true);
    expect(copy.findGap(1)).toBe(2);
  });

  it("an empty tree round-trips", () => {
    const s = new MapleTree<number>().snapshot();
    expect(s).toEqual({ version: 1, alloc: false, ranges: [] });
    expect(MapleTree.fromSnapshot(s).size).toBe(0);
  });

  const good = { version: 1, alloc: false, ranges: [r(5, 9, 1), r(10, 12, 2)] };
  it.each([
    ["null", null, /snapshot must be an object/],
    ["an array", [], /snapshot must be an object/],
    ["version 2", { ...good, version: 2 }, /snapshot.version must be 1, got 2/],
    ["alloc a string", { ...good, alloc: "no" }, /snapshot.alloc must be a boolean/],
    ["ranges missing", { version: 1, alloc: false }, /snapshot.ranges must be an array/],
    [
      "a null range",
      { ...good, ranges: [r(1, 2, 3), null] },
      /snapshot.ranges\[1\] must be a \{ first, last, value \}/,
    ],
    [
      "first -1",
      { ...good, ranges: [r(-1, 2, 3)] },
      /snapshot.ranges\[0\].first must be an integer/,
    ],
    [
      "last 1.5",
      { ...good, ranges: [r(1, 1.5, 3)] },
      /snapshot.ranges\[0\].last must be an integer/,
    ],
    [
      "inverted",
      { ...good, ranges: [r(1, 2, 3), r(9, 8, 3)] },
      /snapshot.ranges\[1\] \[9, 8\] is inverted/,
    ],
    [
      "overlapping",
      { ...good, ranges: [r(1, 5, 3), r(5, 8, 3)] },
      /snapshot.ranges\[1\] \[5, 8\] starts at or before the end of the range before it \(5\)/,
    ],
    [
      "descending",
      { ...good, ranges: [r(10, 12, 3), r(1, 2, 3)] },
      /snapshot.ranges\[1\] \[1, 2\] starts at or before/,
    ],
    [
      "a null value",
      { ...good, ranges: [{ first: 1, last: 2, value: null }] },
      /snapshot.ranges\[0\].value must not be null/,
    ],
  ])("rejects %s, naming the field (MapleTree and SharedMapleTree)", (_name, bad, msg) => {
    expectEinval(() => MapleTree.fromSnapshot(bad as MapleTreeSnapshot<number>), msg);
    expectEinval(
      () =>
        SharedMapleTree.fromSnapshot(bad as MapleTreeSnapshot<number>, { capacity: 64, domain }),
      msg,
    );
  });

  it("SharedMapleTree.fromSnapshot names a value a shared tree cannot hold", () => {
    const bad = {
      version: 1 as const,
      alloc: false,
      ranges: [r(1, 2, 3), { first: 4, last: 5, value: "x" }],
    };
    expectEinval(
      () =>
        SharedMapleTree.fromSnapshot(bad as MapleTreeSnapshot<number>, { capacity: 64, domain }),
      /SharedMapleTree.fromSnapshot: snapshot.ranges\[1\].value must be an integer in 0\.\./,
    );
    // A local tree takes any value.
    expect(MapleTree.fromSnapshot<unknown>(bad).get(4)).toBe("x");
  });

  it("throws ENOMEM when the ranges exceed options.capacity", () => {
    let caught: unknown;
    try {
      MapleTree.fromSnapshot(bigTree(500).snapshot(), { capacity: 8 });
    } catch (e) {
      caught = e;
    }
    expect((caught as MapleError).code).toBe("ENOMEM");
  });

  it("snapshot() and toJSON() copy nothing of the tree's internals and leave it unchanged", () => {
    const t = bigTree(300);
    const before = [...t];
    const text = JSON.stringify(t);
    expect(text).not.toMatch(/arena|pivots|slots|"mt"/);
    expect(JSON.parse(text).ranges).toHaveLength(300);
    expect(text.length).toBeLessThan(300 * 40);
    expect([...t]).toEqual(before);
    validateTree(t);
  });
});

describe("util.inspect / console.log", () => {
  it.each(KINDS)("%s shows its ranges like a Map", (kind) => {
    const t = makeFace(kind, SAMPLE);
    expect(inspect(t)).toBe(`${kind}(3) { [10, 19] => 1, [30, 39] => 2, [50, 50] => 3 }`);
    expect(inspect(makeFace(kind, []))).toBe(`${kind}(0) {}`);
    expect(inspect({ t }, { depth: 0 })).toBe(`{ t: [${kind}] }`);
    expect(inspect(t, { maxArrayLength: 1 })).toBe(`${kind}(3) { [10, 19] => 1, ... 2 more }`);
  });

  it("formats values with inspect and breaks long output into lines", () => {
    const t = new MapleTree<{ a: string }>();
    t.setRange(0, 9, { a: "x" });
    expect(inspect(t)).toBe("MapleTree(1) { [0, 9] => { a: 'x' } }");
    const big = inspect(bigTree(300));
    expect(big.split("\n")[0]).toBe("MapleTree(300) {");
    expect(big).toContain("\n  [990, 995] => 99,\n  ... 200 more\n}");
    expect(big.length).toBeLessThan(3000);
  });
});

describe("gap search needs an allocation tree on both faces", () => {
  it.each(KINDS)("%s: findGap on a plain tree throws EINVAL and changes nothing", (kind) => {
    const t = makeFace(kind, SAMPLE);
    const before = stateOf(t);
    for (const call of [
      () => t.findGap(3),
      () => t.findGap(1, { highest: true, min: 5, max: 90 }),
    ]) {
      expectEinval(
        call,
        /findGap: the tree is not an allocation tree \(create it with \{ alloc: true \}\)/,
      );
    }
    expect(stateOf(t)).toEqual(before);
    validateTree(t);
    expect(makeFace(kind, SAMPLE, true).findGap(10)).toBe(0);
    expect(makeFace(kind, SAMPLE, true).findGap(11, { min: 10 })).toBe(51);
  });
});
