// A step-by-step model of SharedRcu's protocol (src/shared-rcu.ts) for the explorer: the reader
// side (readLock/readUnlock, QSBR online/quiescent/offline, guards with the young/old buckets), the
// grace period (bump, spin scan, WAITING flags with re-check, futex sleep), and reaping. Every
// shared access is one step. `Bugs` switches in known-wrong variants so the tests can prove the
// explorer catches each of them.
import { fetchAdd, futexNotify, futexWait, load, store, World } from "./engine.js";

export interface Bugs {
  /** Reader dereferences the root before publishing its CTR. */
  derefBeforePublish?: boolean;
  /** Writer sleeps without re-checking CTR after raising WAITING (lost wake-up). */
  noRecheck?: boolean;
  /** Outermost unlock does not look at WAITING (lost wake-up). */
  unlockIgnoresWaiting?: boolean;
  /** Writer poisons the old node before the grace period. */
  freeBeforeGp?: boolean;
  /** GP counter steps by 1 and may take the value 0 ("quiescent"). */
  zeroGp?: boolean;
  /** Pending test `v < g` instead of the modular `((v - g) | 0) < 0`. */
  nonModular?: boolean;
  /** The futex word is the spec's -1/0 flag that every GP driver re-arms (lost wake-up). */
  futexFlag?: boolean;
  /** Young-guard promotion publishes a fresh GP value instead of the one read at acquire. */
  promoteFresh?: boolean;
  /** The reaper clears a slot without waiting for its thread to die. */
  reapLive?: boolean;
}

// Memory map of the model.
export const GP = 0;
export const FUTEX = 1;
export const HWM = 2;
export const ROOT = 3;
export const ALIVE = 4;
const STATE0 = 8; // node states: STATE0 + id, ids 1..4
export const state = (id: number) => STATE0 + id;
const SLOT0 = 16;
export const CTR = (s: number) => SLOT0 + s * 4;
export const WAITING = (s: number) => SLOT0 + s * 4 + 1;
export const WORDS = SLOT0 + 4 * 4;

export const LIVE = 1;
export const POISON = 0xdead;
const SPIN_SCANS = 1;

export class Model {
  constructor(
    readonly bugs: Bugs,
    readonly w: World,
  ) {}

  get step(): number {
    return this.bugs.zeroGp ? 1 : 2;
  }

  pending(v: number, g: number): boolean {
    if (v === 0) return false;
    return this.bugs.nonModular ? v < g : ((v - g) | 0) < 0;
  }

  // ---------------- reader side ----------------

  *readLock(s: number): Generator<void, void, void> {
    const g = yield* load(this.w, GP);
    yield* store(this.w, CTR(s), g);
  }

  /** The drained() path: CTR = value (0 or a promoted young value), then the WAITING check. */
  *publishAndWake(s: number, value: number): Generator<void, void, void> {
    yield* store(this.w, CTR(s), value);
    if (this.bugs.unlockIgnoresWaiting) return;
    if ((yield* load(this.w, WAITING(s))) !== 0) {
      yield* store(this.w, WAITING(s), 0);
      yield* this.wakeWriters();
    }
  }

  /** notifyWriters(): bump the wake sequence (or, in the flag variant, store 0), then notify. */
  *wakeWriters(): Generator<void, void, void> {
    if (this.bugs.futexFlag) yield* store(this.w, FUTEX, 0);
    else yield* fetchAdd(this.w, FUTEX, 1);
    yield* futexNotify(this.w);
  }

  *readUnlock(s: number): Generator<void, void, void> {
    yield* this.publishAndWake(s, 0);
  }

  /** Dereference the root and validate the node; returns the node id. */
  *deref(who: string): Generator<void, number, void> {
    const p = yield* load(this.w, ROOT);
    yield* this.check(p, who);
    return p;
  }

  *check(p: number, who: string): Generator<void, void, void> {
    if ((yield* load(this.w, state(p))) === POISON)
      this.w.violations.push(`${who} read poisoned node ${p}`);
  }

  // ---------------- grace period ----------------

  *anyPending(g: number): Generator<void, boolean, void> {
    const hwm = yield* load(this.w, HWM);
    for (let s = 0; s < hwm; s++) if (this.pending(yield* load(this.w, CTR(s)), g)) return true;
    return false;
  }

  *flagPending(g: number): Generator<void, boolean, void> {
    const hwm = yield* load(this.w, HWM);
    let any = false;
    for (let s = 0; s < hwm; s++) {
      if (!this.pending(yield* load(this.w, CTR(s)), g)) continue;
      yield* store(this.w, WAITING(s), 1);
      if (this.bugs.noRecheck || this.pending(yield* load(this.w, CTR(s)), g)) any = true;
    }
    return any;
  }

  *synchronize(tid: number): Generator<void, void, void> {
    const g = ((yield* fetchAdd(this.w, GP, this.step)) + this.step) | 0;
    for (let i = 0; i < SPIN_SCANS; i++) if (!(yield* this.anyPending(g))) return;
    for (;;) {
      let seq = -1;
      if (this.bugs.futexFlag) yield* store(this.w, FUTEX, -1);
      else seq = yield* load(this.w, FUTEX);
      if (!(yield* this.flagPending(g))) return;
      yield* futexWait(this.w, tid, FUTEX, seq);
    }
  }

  /** Replace node `oldId` by `newId` (P3), wait a grace period, poison the old one. */
  *update(tid: number, oldId: number, newId: number): Generator<void, void, void> {
    yield* store(this.w, state(newId), LIVE);
    yield* store(this.w, ROOT, newId);
    if (this.bugs.freeBeforeGp) {
      yield* store(this.w, state(oldId), POISON);
      yield* this.synchronize(tid);
      return;
    }
    yield* this.synchronize(tid);
    yield* store(this.w, state(oldId), POISON);
  }
}

/** Builds a world: node 1 live and published, `readers` registered slots, GP at `initialGp`. */
export function world(readers: number, initialGp = 1): World {
  const w = new World(WORDS);
  w.m[GP] = initialGp;
  w.m[HWM] = readers;
  w.m[ROOT] = 1;
  w.m[state(1)] = LIVE;
  w.m[ALIVE] = 1;
  return w;
}
