// A small stateless model checker, the JS stand-in for loom (docs/spec/rcu.md §3.4). Threads are
// generators that yield right before every shared-memory operation, so one scheduling step is one
// atomic operation. JS Atomics are sequentially consistent, so exploring the interleavings of these
// steps is exploring every behaviour the real protocol can have. The search is a DFS over
// schedules with a preemption bound (CHESS-style); executions are replayed from their prefix.

/** The shared world of one execution: memory words, futex sleepers, finished threads, violations. */
export class World {
  readonly m: number[];
  readonly blocked = new Set<number>();
  readonly done = new Set<number>();
  readonly violations: string[] = [];
  constructor(words: number) {
    this.m = new Array<number>(words).fill(0);
  }
}

export type ThreadBody = (w: World, tid: number) => Generator<void, void, void>;

export interface Scenario {
  readonly world: World;
  readonly threads: readonly ThreadBody[];
  /** Called when every thread has finished; returns a violation or null. */
  readonly finalCheck?: (w: World) => string | null;
}

export interface ExploreResult {
  executions: number;
  failure: string | null;
  trace: number[];
}

// ---- shared operations: each yields first, then acts (one step = one atomic op) ----

export function* load(w: World, a: number): Generator<void, number, void> {
  yield;
  return w.m[a] as number;
}
export function* store(w: World, a: number, v: number): Generator<void, void, void> {
  yield;
  w.m[a] = v | 0;
}
export function* fetchAdd(w: World, a: number, d: number): Generator<void, number, void> {
  yield;
  const old = w.m[a] as number;
  w.m[a] = (old + d) | 0;
  return old;
}
/** Atomics.wait / waitAsync: false ('not-equal') at once, or sleeps until a notify. */
export function* futexWait(
  w: World,
  tid: number,
  a: number,
  expected: number,
): Generator<void, boolean, void> {
  yield;
  if (w.m[a] !== expected) return false;
  w.blocked.add(tid);
  yield; // resumes only after a notify removed tid from `blocked`
  return true;
}
export function* futexNotify(w: World): Generator<void, void, void> {
  yield;
  w.blocked.clear();
}

interface Branch {
  pos: number;
  alts: number[];
}

function runOnce(make: () => Scenario, prefix: readonly number[], bound: number, maxSteps: number) {
  const sc = make();
  const w = sc.world;
  const gens = sc.threads.map((t, i) => t(w, i));
  for (let i = 0; i < gens.length; i++) if ((gens[i] as Generator).next().done) w.done.add(i);
  const trace: number[] = [];
  const branches: Branch[] = [];
  let cur = -1;
  let pre = 0;
  for (let step = 0; ; step++) {
    const runnable: number[] = [];
    for (let i = 0; i < gens.length; i++) if (!w.done.has(i) && !w.blocked.has(i)) runnable.push(i);
    if (runnable.length === 0) {
      if (w.done.size === gens.length) {
        const f = sc.finalCheck?.(w) ?? null;
        return { trace, branches, failure: f };
      }
      const stuck = [...w.blocked].join(",");
      return {
        trace,
        branches,
        failure: `deadlock: no runnable thread, blocked [${stuck}] (a lost wake-up or a GP that never ends)`,
      };
    }
    if (step > maxSteps)
      return { trace, branches, failure: `livelock: more than ${maxSteps} steps` };
    const curRunnable = runnable.includes(cur);
    const cost = (x: number) => (curRunnable && x !== cur ? 1 : 0);
    let c: number;
    if (step < prefix.length) {
      c = prefix[step] as number;
    } else {
      c = curRunnable ? cur : (runnable[0] as number);
      const alts = runnable.filter((a) => a !== c && pre + cost(a) <= bound);
      if (alts.length !== 0) branches.push({ pos: step, alts });
    }
    pre += cost(c);
    cur = c;
    trace.push(c);
    if ((gens[c] as Generator).next().done) w.done.add(c);
    if (w.violations.length !== 0) return { trace, branches, failure: w.violations[0] as string };
  }
}

/** Explores every schedule of `make()` within `bound` preemptions; stops at the first failure. */
export function explore(make: () => Scenario, bound: number, maxSteps = 5000): ExploreResult {
  const stack: number[][] = [[]];
  let executions = 0;
  while (stack.length !== 0) {
    const prefix = stack.pop() as number[];
    const r = runOnce(make, prefix, bound, maxSteps);
    executions++;
    if (r.failure !== null) return { executions, failure: r.failure, trace: r.trace };
    for (const b of r.branches) for (const a of b.alts) stack.push([...r.trace.slice(0, b.pos), a]);
  }
  return { executions, failure: null, trace: [] };
}
