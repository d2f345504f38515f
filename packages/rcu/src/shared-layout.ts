// The SharedArrayBuffer layout of a SharedRcu domain (docs/spec/rcu.md §2.3), viewed as an
// Int32Array: one 64-byte header line, then one 64-byte line per reader slot so that two readers'
// counters never share a cache line (false sharing costs 2.5x on the read side, spec §2.3).
//
// The GP counter advances by 2 from an odd start, so it is always odd and never 0: 0 in a slot's
// CTR means "quiescent", and a reader that loads the counter can store it without a branch.

import { RcuError } from "./errors.js";

/** Layout version; bump on any change to the words below. */
export const LAYOUT_VERSION = 1;
/** Header word 0: "RCU" + version byte. */
export const MAGIC = 0x52435500 | LAYOUT_VERSION | 0;

/** Header words. */
export const H_MAGIC = 0;
/** The GP counter (odd, wraps through negative values). */
export const H_GP = 1;
/** Futex word: a wake sequence, bumped by every reader that wakes writers (never reset). */
export const H_FUTEX = 2;
/** Number of slots. */
export const H_NSLOTS = 3;
/** High-water mark: slots at or above it were never claimed. */
export const H_HWM = 4;
/** Newest GP number known complete (for polling). */
export const H_DONE = 5;

/** Slot words, relative to the slot base. */
export const S_CTR = 0;
/** threadId + 1 of the owner, 0 = free. */
export const S_OWNER = 1;
/** Claim generation (debugging, ABA-proof identity). */
export const S_GEN = 2;
/** 1 while a writer waits on this slot. */
export const S_WAITING = 3;

export const HEADER_WORDS = 16;
export const SLOT_WORDS = 16;
/** The GP counter's step: keeps it odd. */
export const GP_STEP = 2;
/** Upper bound on slots per domain. */
export const MAX_SLOTS = 4096;

/** Word index of slot `s`. */
export function slotBase(s: number): number {
  return HEADER_WORDS + s * SLOT_WORDS;
}

/** Bytes needed for `nslots` slots. */
export function layoutBytes(nslots: number): number {
  return (HEADER_WORDS + nslots * SLOT_WORDS) * 4;
}

/** Writes a fresh header into `i32` (all slots zero). */
export function initLayout(i32: Int32Array, nslots: number, initialGp: number): void {
  Atomics.store(i32, H_GP, initialGp);
  Atomics.store(i32, H_DONE, initialGp);
  Atomics.store(i32, H_NSLOTS, nslots);
  Atomics.store(i32, H_HWM, 0);
  Atomics.store(i32, H_FUTEX, 0);
  Atomics.store(i32, H_MAGIC, MAGIC); // last: a buffer with the magic is fully initialised
}

/** Validates a buffer handed to `attach()`, returning its Int32 view. Throws `ERR_RCU_BAD_BUFFER`. */
export function checkLayout(buf: unknown): Int32Array {
  if (!(buf instanceof SharedArrayBuffer)) {
    throw new RcuError(
      "ERR_RCU_BAD_BUFFER",
      "SharedRcu.attach: buf must be a SharedArrayBuffer (domain.buffer)",
    );
  }
  if (buf.byteLength < layoutBytes(1)) {
    throw new RcuError(
      "ERR_RCU_BAD_BUFFER",
      `SharedRcu.attach: buffer of ${buf.byteLength} bytes is too small`,
    );
  }
  const i32 = new Int32Array(buf);
  const m = Atomics.load(i32, H_MAGIC);
  if (m !== MAGIC) {
    const why =
      (m & ~0xff) === (MAGIC & ~0xff)
        ? `layout version ${m & 0xff}, expected ${LAYOUT_VERSION}`
        : "no RCU magic";
    throw new RcuError("ERR_RCU_BAD_BUFFER", `SharedRcu.attach: ${why}`);
  }
  const n = Atomics.load(i32, H_NSLOTS);
  if (n < 1 || n > MAX_SLOTS || buf.byteLength < layoutBytes(n)) {
    throw new RcuError(
      "ERR_RCU_BAD_BUFFER",
      `SharedRcu.attach: slot count ${n} does not fit the buffer`,
    );
  }
  return i32;
}
