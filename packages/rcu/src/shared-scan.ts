// The writer side of SharedRcu over the shared slots (docs/spec/rcu.md §2.3): bump the GP counter,
// scan the slots for readers older than the grace period, raise WAITING flags with the Dekker
// re-check, sleep on the futex word (blocking or async), publish completion, claim or reap slots.
// Plain functions over the Int32 view; the interleaving explorer (test/explorer) models these steps.

import { setImmediate } from "#platform";
import {
  GP_STEP,
  H_DONE,
  H_FUTEX,
  H_GP,
  H_HWM,
  H_NSLOTS,
  S_CTR,
  S_GEN,
  S_OWNER,
  S_WAITING,
  slotBase,
} from "./shared-layout.js";

/** Re-scans before the writer starts sleeping (liburcu's RCU_QS_ACTIVE_ATTEMPTS). */
export const SPIN_SCANS = 100;

/** A reader a grace period waits for (stall reports). */
export interface PendingReader {
  readonly slot: number;
  readonly threadId: number;
  readonly ctr: number;
}

/** Is a slot holding `v` a reader older than grace period `g`? Modular: correct across the wrap. */
const older = (v: number, g: number): boolean => v !== 0 && ((v - g) | 0) < 0;

/** Bumps the GP counter; returns this grace period's number (odd, never 0). */
export function startGp(i32: Int32Array): number {
  return (Atomics.add(i32, H_GP, GP_STEP) + GP_STEP) | 0;
}

/** Any slot still holding a GP value older than `g`? */
export function anyPending(i32: Int32Array, g: number): boolean {
  const hwm = Atomics.load(i32, H_HWM);
  for (let s = 0; s < hwm; s++) if (older(Atomics.load(i32, slotBase(s) + S_CTR), g)) return true;
  return false;
}

/** Re-scans up to SPIN_SCANS times; true if readers are still pending afterwards. */
export function spinPending(i32: Int32Array, g: number): boolean {
  for (let i = 0; i < SPIN_SCANS; i++) if (!anyPending(i32, g)) return false;
  return true;
}

/**
 * Sets WAITING on every pending slot, then re-checks it: the writer half of the Dekker pair
 * (writer: store WAITING, load CTR; reader: store CTR, load WAITING). True if any is still pending.
 */
export function flagPending(i32: Int32Array, g: number): boolean {
  const hwm = Atomics.load(i32, H_HWM);
  let any = false;
  for (let s = 0; s < hwm; s++) {
    const b = slotBase(s);
    if (!older(Atomics.load(i32, b + S_CTR), g)) continue;
    Atomics.store(i32, b + S_WAITING, 1);
    if (older(Atomics.load(i32, b + S_CTR), g)) any = true;
  }
  return any;
}

/** The readers grace period `g` is waiting for. */
export function pendingReaders(i32: Int32Array, g: number): PendingReader[] {
  const hwm = Atomics.load(i32, H_HWM);
  const out: PendingReader[] = [];
  for (let s = 0; s < hwm; s++) {
    const b = slotBase(s);
    const v = Atomics.load(i32, b + S_CTR);
    if (older(v, g)) out.push({ slot: s, threadId: Atomics.load(i32, b + S_OWNER) - 1, ctr: v });
  }
  return out;
}

/** Raises DONE to `g` unless a newer grace period already completed (a newer one implies `g`). */
export function publishDone(i32: Int32Array, g: number): void {
  for (;;) {
    const d = Atomics.load(i32, H_DONE);
    if (((g - d) | 0) <= 0 || Atomics.compareExchange(i32, H_DONE, d, g) === d) return;
  }
}

/** Claims a free slot for `threadId`; returns its CTR word index, or -1 if all are taken. */
export function claimSlot(i32: Int32Array, threadId: number): number {
  const n = Atomics.load(i32, H_NSLOTS);
  for (let s = 0; s < n; s++) {
    const b = slotBase(s);
    if (Atomics.compareExchange(i32, b + S_OWNER, 0, threadId + 1) !== 0) continue;
    Atomics.add(i32, b + S_GEN, 1);
    Atomics.store(i32, b + S_WAITING, 0);
    Atomics.store(i32, b + S_CTR, 0);
    // Raise the high-water mark before the thread can read: a scan that misses the slot then
    // started before the thread's first section (spec §2.3).
    for (;;) {
      const h = Atomics.load(i32, H_HWM);
      if (h > s || Atomics.compareExchange(i32, H_HWM, h, s + 1) === h) break;
    }
    return b + S_CTR;
  }
  return -1;
}

/** Clears every slot owned by `threadId` (CTR first, then OWNER); returns how many. */
export function reapSlots(i32: Int32Array, threadId: number): number {
  const hwm = Atomics.load(i32, H_HWM);
  let n = 0;
  for (let s = 0; s < hwm; s++) {
    const b = slotBase(s);
    if (Atomics.load(i32, b + S_OWNER) !== threadId + 1) continue;
    Atomics.store(i32, b + S_CTR, 0);
    Atomics.store(i32, b + S_WAITING, 0);
    Atomics.store(i32, b + S_OWNER, 0);
    n++;
  }
  return n;
}

/** Backstop timeout of one futex wait; every wake-up is also notified explicitly. */
export const WAIT_MS = 50;
/** How long an async grace period polls (one scan per macrotask) before it sleeps on the futex. */
export const POLL_MS = 1;

/**
 * Blocks (`Atomics.wait`, workers only) until grace period `g` has no pending reader. Returns false
 * if `timeoutMs` ran out first.
 */
export function waitReadersSync(i32: Int32Array, g: number, timeoutMs: number): boolean {
  if (!spinPending(i32, g)) return true;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // Read the wake sequence before raising WAITING and re-checking: a reader that clears its slot
    // after the re-check bumps it, so the wait below cannot miss that wake-up.
    const seq = Atomics.load(i32, H_FUTEX);
    if (!flagPending(i32, g)) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(i32, H_FUTEX, seq, Math.min(left, WAIT_MS));
  }
}

/**
 * Waits without blocking the event loop until grace period `g` has no pending reader: polls for
 * POLL_MS, then sleeps with `Atomics.waitAsync`, calling `tick(waitedMs)` now and then (stall
 * reports). Holds a ref'ed timer while waiting, since a waitAsync promise alone does not keep Node
 * alive (spec §6 trap 1), and yields a macrotask every 64 synchronous returns so timers and worker
 * 'exit' events get through.
 */
export async function waitReaders(
  i32: Int32Array,
  g: number,
  tick: (waitedMs: number) => void,
): Promise<void> {
  const t0 = performance.now();
  const keepAlive = setInterval(() => tick(performance.now() - t0), 100);
  let syncReturns = 0;
  try {
    // Poll from fresh macrotasks first, without raising WAITING: a reader that sees WAITING pays
    // for a cross-thread Atomics.notify (~40 us on this VM, measured), during which its own slot
    // stays stale, so with QSBR or overlapping-guard readers nearly every grace period fell into
    // the sleep path. Readers whose slot turns over within POLL_MS are caught here instead.
    while (performance.now() - t0 < POLL_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!anyPending(i32, g)) return;
    }
    for (;;) {
      const seq = Atomics.load(i32, H_FUTEX);
      if (!flagPending(i32, g)) return;
      const r = Atomics.waitAsync(i32, H_FUTEX, seq, WAIT_MS);
      if (r.async) await r.value;
      else if ((++syncReturns & 63) === 0) await new Promise((resolve) => setImmediate(resolve));
      tick(performance.now() - t0);
    }
  } finally {
    clearInterval(keepAlive);
  }
}
