// The deterministic interleaving explorer over the grace-period protocol (docs/spec/rcu.md §3.4):
// every schedule of small scenarios within a preemption bound, asserting that no reader ever reads
// a poisoned node and that every grace period terminates (no deadlock from a lost wake-up). Each
// known-wrong variant of the protocol must be caught, which proves the explorer has teeth.
import { describe, expect, it } from "vitest";
import {
  explore,
  futexNotify,
  futexWait,
  load,
  type Scenario,
  store,
  type ThreadBody,
  type World,
} from "./explorer/engine.js";
import { ALIVE, type Bugs, CTR, GP, Model, WAITING, world } from "./explorer/gp-model.js";
import { STRESS } from "./helpers.js";

type Build = (m: Model) => ThreadBody[];

const mbReader = (m: Model, s: number, sections: number): ThreadBody =>
  function* () {
    for (let k = 0; k < sections; k++) {
      if (m.bugs.derefBeforePublish) {
        const p = yield* load(m.w, 3);
        yield* m.readLock(s);
        yield* m.check(p, `reader ${s}`);
        yield* m.check(p, `reader ${s}`);
      } else {
        yield* m.readLock(s);
        const p = yield* m.deref(`reader ${s}`);
        yield* m.check(p, `reader ${s}`);
      }
      yield* m.readUnlock(s);
    }
  };

const qsbrReader = (m: Model, s: number): ThreadBody =>
  function* () {
    let qs = yield* load(m.w, GP); // online()
    yield* store(m.w, CTR(s), qs);
    const p = yield* m.deref("qsbr");
    yield* m.check(p, "qsbr");
    const g = yield* load(m.w, GP); // quiescent()
    if (g !== qs) {
      qs = g;
      yield* m.publishAndWake(s, g);
    }
    const p2 = yield* m.deref("qsbr");
    yield* m.check(p2, "qsbr");
    yield* m.publishAndWake(s, 0); // offline()
  };

const guardReader = (m: Model, s: number): ThreadBody =>
  function* () {
    yield* m.readLock(s); // g1 = acquire(): nest 0 -> 1 publishes CTR
    yield* m.deref("guard1");
    const youngValue = yield* load(m.w, GP); // g2 = acquire() while nest > 0: young bucket
    const p2 = yield* m.deref("guard2");
    const promoted = m.bugs.promoteFresh ? yield* load(m.w, GP) : youngValue;
    yield* m.publishAndWake(s, promoted); // g1.release(): old bucket drained, young promoted
    yield* m.check(p2, "guard2 after promotion");
    yield* m.check(p2, "guard2 after promotion");
    yield* m.publishAndWake(s, 0); // g2.release()
  };

const dyingReader = (m: Model, s: number): ThreadBody =>
  function* () {
    yield* m.readLock(s);
    const p = yield* m.deref("dying reader");
    yield* m.check(p, "dying reader");
    yield* store(m.w, ALIVE, 0); // the thread dies inside its section: no unlock
    yield* futexNotify(m.w); // its 'exit' event
  };

const reaper = (m: Model, s: number): ThreadBody =>
  function* (w: World, tid: number) {
    if (!m.bugs.reapLive) while ((yield* load(w, ALIVE)) !== 0) yield* futexWait(w, tid, ALIVE, 1);
    yield* store(w, CTR(s), 0); // reapThread()
    yield* store(w, WAITING(s), 0);
    yield* m.wakeWriters();
  };

const writer = (m: Model, ...updates: Array<[number, number]>): ThreadBody =>
  function* (_w: World, tid: number) {
    for (const [o, n] of updates) yield* m.update(tid, o, n);
  };

const gpOnly = (m: Model): ThreadBody =>
  function* (_w: World, tid: number) {
    yield* m.synchronize(tid);
  };

interface Case {
  name: string;
  readers: number;
  bound: number;
  initialGp?: (b: Bugs) => number;
  build: Build;
}

const cases: Case[] = [
  {
    name: "one mb reader (two sections) and a writer",
    readers: 1,
    bound: 3,
    build: (m) => [mbReader(m, 0, 2), writer(m, [1, 2])],
  },
  {
    name: "two mb readers and a writer",
    readers: 2,
    bound: 2,
    build: (m) => [mbReader(m, 0, 1), mbReader(m, 1, 1), writer(m, [1, 2])],
  },
  {
    name: "a reader and two concurrent grace-period drivers",
    readers: 1,
    bound: 2,
    build: (m) => [mbReader(m, 0, 2), writer(m, [1, 2]), gpOnly(m)],
  },
  {
    name: "a QSBR reader and a writer",
    readers: 1,
    bound: 3,
    build: (m) => [qsbrReader(m, 0), writer(m, [1, 2])],
  },
  {
    name: "a QSBR reader and two concurrent grace-period drivers",
    readers: 1,
    bound: 2,
    build: (m) => [qsbrReader(m, 0), writer(m, [1, 2]), gpOnly(m)],
  },
  {
    name: "overlapping guards (young bucket promotion) and a writer",
    readers: 1,
    bound: 3,
    build: (m) => [guardReader(m, 0), writer(m, [1, 2])],
  },
  {
    name: "a reader dying inside its section, a reaper and a writer",
    readers: 1,
    bound: 3,
    build: (m) => [dyingReader(m, 0), reaper(m, 0), writer(m, [1, 2])],
  },
  {
    name: "two updates across the wrap of the GP counter",
    readers: 1,
    bound: 2,
    initialGp: () => 2 ** 31 - 3,
    build: (m) => [mbReader(m, 0, 2), writer(m, [1, 2], [2, 3])],
  },
  {
    name: "three updates passing GP value 0",
    readers: 1,
    bound: 2,
    initialGp: (b) => (b.zeroGp ? -2 : -3),
    build: (m) => [mbReader(m, 0, 1), writer(m, [1, 2], [2, 3], [3, 4])],
  },
];

function scenario(c: Case, bugs: Bugs): () => Scenario {
  return () => {
    const w = world(c.readers, c.initialGp?.(bugs) ?? 1);
    const m = new Model(bugs, w);
    return { world: w, threads: c.build(m) };
  };
}

const byName = (n: string): Case => {
  const c = cases.find((x) => x.name === n);
  if (c === undefined) throw new Error(`no explorer scenario named ${n}`);
  return c;
};

describe("the interleaving explorer over the grace-period protocol", () => {
  it.each(cases)("finds no poisoned read and no stuck grace period: $name", (c) => {
    const r = explore(scenario(c, {}), c.bound + (STRESS ? 1 : 0));
    expect(r.failure, `trace ${r.trace.join("")}`).toBeNull();
    expect(r.executions).toBeGreaterThan(20);
  });

  const mutants: Array<{ bug: keyof Bugs; scenario: string; expect: RegExp }> = [
    {
      bug: "derefBeforePublish",
      scenario: "one mb reader (two sections) and a writer",
      expect: /poisoned/,
    },
    {
      bug: "freeBeforeGp",
      scenario: "one mb reader (two sections) and a writer",
      expect: /poisoned/,
    },
    { bug: "noRecheck", scenario: "one mb reader (two sections) and a writer", expect: /deadlock/ },
    {
      bug: "unlockIgnoresWaiting",
      scenario: "one mb reader (two sections) and a writer",
      expect: /deadlock/,
    },
    {
      bug: "futexFlag",
      scenario: "a reader and two concurrent grace-period drivers",
      expect: /deadlock/,
    },
    {
      bug: "promoteFresh",
      scenario: "overlapping guards (young bucket promotion) and a writer",
      expect: /poisoned/,
    },
    {
      bug: "reapLive",
      scenario: "a reader dying inside its section, a reaper and a writer",
      expect: /poisoned/,
    },
    {
      bug: "nonModular",
      scenario: "two updates across the wrap of the GP counter",
      expect: /poisoned/,
    },
    { bug: "zeroGp", scenario: "three updates passing GP value 0", expect: /poisoned/ },
  ];

  it.each(mutants)("catches the broken variant $bug", ({ bug, scenario: name, expect: want }) => {
    const c = byName(name);
    const r = explore(scenario(c, { [bug]: true }), c.bound);
    expect(r.failure).toMatch(want);
  });
});
