// The range ledger of the shared-tree torture tests, shared by the writer (the test's main thread)
// and the reader workers (plain .mjs so both can load it). Every value the writer stores is a fresh
// id whose ledger row says the range it was stored for, the write section that stored it and the
// one that removed its last piece. A shared tree publishes a write section all at once (one root
// word), so version k is what write section k left, and a reader can check that any range it gets
// back existed: the value is an id handed out, the range lies inside the one the id was stored for
// (later stores may trim it, never widen it), the id was still in the tree after the reader's
// section began, and all the ids one section sees fit versions that only move forwards (`Section`).
//
// Control words (Int32Array `ctl`):
//   C_STOP   1 = readers finish their current op and report
//   C_VER    the write section in progress, k: once section k has returned (its version is
//            published), the writer stamps `died` = k on the ids it removed, then stores k + 1 here
//   C_IDS    ids handed out are 1 .. C_IDS - 1 (an id's row is written before it is stored)
//   C_READY  readers that attached and are about to start
//   C_KEYS   the key space: every stored range lies in [0, C_KEYS - 1]
//   C_ERRORS inconsistencies the readers found so far (a reader that hangs has still counted)
//   C_BEAT + r  reader r's heartbeat: ops it completed
// Ledger rows (Int32Array `rows`, ROW words per id): first, last, died (0 = some piece is still
// in the tree, else the section that removed the last one), born (the section that stored it).

export const C_STOP = 0;
export const C_VER = 1;
export const C_IDS = 2;
export const C_READY = 3;
export const C_KEYS = 4;
export const C_ERRORS = 5;
export const C_BEAT = 8;
export const CTL_WORDS = 16;

export const ROW = 4;
export const R_FIRST = 0;
export const R_LAST = 1;
export const R_DIED = 2;
export const R_BORN = 3;

/** A fresh control block, section counter at 1 and id counter at 1 (value 0 is never stored). */
export function makeCtl(keys) {
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  ctl[C_VER] = 1;
  ctl[C_IDS] = 1;
  ctl[C_KEYS] = keys;
  return ctl;
}

/** Ledger rows for ids 1 .. maxIds. */
export function makeRows(maxIds) {
  return new Int32Array(new SharedArrayBuffer((maxIds + 1) * ROW * 4));
}

/**
 * Checks one range a reader got back: `value` stored over [first, last] (`first` -1 when the call
 * does not say where the range starts), seen in a read section entered after C_VER read `w0`.
 * Returns null when it is a range that existed, else why not.
 */
export function checkRange(ctl, rows, value, first, last, w0) {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return `value ${String(value)} is not an integer id`;
  }
  const ids = Atomics.load(ctl, C_IDS);
  if (value < 1 || value >= ids) return `value ${value} was never stored (ids 1..${ids - 1})`;
  if (!Number.isInteger(first) || !Number.isInteger(last) || last < first || last < 0) {
    return `value ${value}: bad range [${first}, ${last}]`;
  }
  const b = value * ROW;
  const f = Atomics.load(rows, b + R_FIRST);
  const l = Atomics.load(rows, b + R_LAST);
  if ((first !== -1 && first < f) || last > l || last < f) {
    return `value ${value} at [${first}, ${last}] but it was stored for [${f}, ${l}]`;
  }
  const died = Atomics.load(rows, b + R_DIED);
  if (died !== 0 && died < w0) {
    return `value ${value} [${first}, ${last}] left the tree in write section ${died}, before this read began (at ${w0})`;
  }
  return null;
}

/**
 * The ids one read section saw, in the order it saw them. A reader moves through versions only
 * forwards: it starts on the version published when the section began and may restart on a newer
 * one (after meeting a dead node), never an older one. So there must be versions V1 <= V2 <= ...
 * with each id in the tree at its V: `saw` keeps the smallest such V (the latest section that
 * stored an id seen so far) and fails an id that was gone by then. Separately it keeps the window
 * [lo, hi) of versions in which ALL the ids were in the tree together: empty means the read
 * section saw more than one version ("mixed": legal after a restart).
 */
export class Section {
  constructor(rows) {
    this.rows = rows;
    this.reset();
  }

  reset() {
    this.lo = 0;
    this.hi = Number.POSITIVE_INFINITY;
    this.loId = 0;
    this.hiId = 0;
  }

  /** Adds an id that passed checkRange; null when it fits, else why not. */
  saw(value) {
    const b = value * ROW;
    const born = Atomics.load(this.rows, b + R_BORN);
    const died = Atomics.load(this.rows, b + R_DIED);
    if (born > this.lo) {
      this.lo = born;
      this.loId = value;
    }
    if (died !== 0 && died < this.hi) {
      this.hi = died;
      this.hiId = value;
    }
    if (died !== 0 && died <= this.lo) {
      return (
        `value ${value} (gone in write section ${died}) seen after value ${this.loId} (stored in ` +
        `write section ${this.lo}): the read went back to an older version`
      );
    }
    return null;
  }

  /** Null when the ids seen were all in the tree at once, else the two that never were. */
  mixed() {
    if (this.lo < this.hi) return null;
    return `value ${this.loId} (stored in section ${this.lo}) and value ${this.hiId} (gone in section ${this.hi})`;
  }
}

/** xorshift32 in [0, 1): the workers' seeded randomness. */
export function rng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
