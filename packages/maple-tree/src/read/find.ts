// The find family of the advanced API: mas_find and mas_find_range (forward, the first call
// returns the entry at or after `index`), mas_find_rev and mas_find_range_rev (backward, at or
// before `index`), with the kernel's mas_find_setup / mas_find_rev_setup status handling
// (docs/spec/maple-tree.md §4.4).

import { isIndex as isIndex_, MAX_INDEX as MAX_INDEX_ } from "../core/index-space.js";
import type { MaState } from "../core/state.js";
import { nextSlot as nextSlot_, prevSlot as prevSlot_, STEP as STEP_ } from "./step.js";
import { mas_walk as mas_walk_, readArgsOk as readArgsOk_, statusOf as statusOf_ } from "./walk.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const MAX_INDEX = MAX_INDEX_;
const isIndex = isIndex_;
const nextSlot = nextSlot_;
const prevSlot = prevSlot_;
const STEP = STEP_;
const mas_walk = mas_walk_;
const readArgsOk = readArgsOk_;
const statusOf = statusOf_;

// findSetup / findRevSetup mirror each other and next.ts / prev.ts's setups: one function per
// kernel setup, see next.ts.

/** Kernel `mas_find_setup()`: decides the answer from the status, or returns STEP to move on. */
function findSetup(mas: MaState, max: number): unknown {
  if (!readArgsOk(mas, max)) return null;
  switch (mas.status) {
    case "active":
      return mas.last < max ? STEP : null;
    case "start":
      break;
    case "pause":
      if (mas.last >= max) return null;
      mas.last++;
      mas.index = mas.last;
      mas.status = "start";
      break;
    case "none":
      if (mas.last >= max) return null;
      mas.index = mas.last;
      mas.status = "start";
      break;
    case "underflow": {
      // The state points at the range before the first one it could not go below.
      if (mas.index >= max) {
        mas.status = "overflow";
        return null;
      }
      mas.status = "active";
      const entry = mas_walk(mas);
      if (entry !== null) return entry;
      break;
    }
    case "overflow": {
      if (mas.last >= max) return null;
      mas.status = "active";
      const entry = mas_walk(mas);
      if (entry !== null) return entry;
      break;
    }
    case "root":
      break;
    case "error":
      return null;
  }
  if (mas.status === "start") {
    // First call, or continuing after a pause.
    if (mas.index > max) return null;
    const entry = mas_walk(mas);
    if (entry !== null) return entry;
  }
  const status = statusOf(mas);
  if (status === "root") {
    // The root entry was the answer already; nothing lies after [0, 0].
    mas.status = "none";
    mas.index = 1;
    mas.last = MAX_INDEX;
    return null;
  }
  if (status === "none") return null;
  if (mas.index === max) return null;
  return STEP;
}

/** Kernel `mas_find_rev_setup()`: decides the answer from the status, or returns STEP. */
function findRevSetup(mas: MaState, min: number): unknown {
  if (!readArgsOk(mas, min)) return null;
  switch (mas.status) {
    case "active":
      return mas.index < min ? null : STEP;
    case "start":
      break;
    case "pause":
      if (mas.index <= min) {
        mas.status = "underflow";
        return null;
      }
      mas.index--;
      mas.last = mas.index;
      mas.status = "start";
      break;
    case "none":
      if (mas.index <= min) return null;
      mas.last = mas.index;
      mas.status = "start";
      break;
    case "overflow":
      // The state points one after where the caller is.
      if (mas.index <= min) {
        mas.status = "underflow";
        return null;
      }
      mas.status = "active";
      break;
    case "underflow":
      if (mas.index <= min) return null;
      mas.status = "active";
      break;
    case "root":
      break;
    case "error":
      return null;
  }
  if (mas.status === "start") {
    if (mas.index < min) return null;
    const entry = mas_walk(mas);
    if (entry !== null) return entry;
  }
  const status = statusOf(mas);
  if (status === "root") {
    mas.status = "none";
    return null;
  }
  if (status === "none") {
    // Walked to the location and found nothing there, so what lies before it is [0, 0]: the
    // root entry, or NULL with status root on an empty tree (as the kernel does).
    mas.index = 0;
    mas.last = 0;
    mas.status = "root";
    return mas.tree.rootEntry;
  }
  if (mas.index < min) return null;
  return STEP;
}

/**
 * Kernel `mas_find()`: on the first call (status start or pause) the first non-NULL entry at or
 * after `index`, else the first after the current range, up to ranges starting at or below
 * `max`. When a NULL range reaches `max` it returns null with `index`/`last` = that range and the
 * status back at active (unlike mas_next). Returns XA_ZERO_ENTRY raw. A bad `max`, `index` or
 * `last` puts the state in error (-EINVAL).
 */
export function mas_find(mas: MaState, max: number): unknown {
  // Fast path of a find loop: an active state just steps (findSetup's "active" case).
  const setup =
    mas.status === "active" && isIndex(max) ? (mas.last < max ? STEP : null) : findSetup(mas, max);
  if (setup !== STEP) return setup;
  const entry = nextSlot(mas, max, false);
  // Ignore the overflow: a find loop ends on the null it returns anyway.
  if (mas.status === "overflow") mas.status = "active";
  return entry;
}

/**
 * Kernel `mas_find_range()`: {@link mas_find}'s setup, then one step to the next range, NULL
 * ranges included; an overflow is kept.
 */
export function mas_find_range(mas: MaState, max: number): unknown {
  const setup = findSetup(mas, max);
  return setup === STEP ? nextSlot(mas, max, true) : setup;
}

/**
 * Kernel `mas_find_rev()`: on the first call the first non-NULL entry at or before `index`, else
 * the first before the current range, down to ranges ending at or above `min`. May set status
 * underflow. Returns XA_ZERO_ENTRY raw. A bad `min`, `index` or `last` puts the state in error.
 */
export function mas_find_rev(mas: MaState, min: number): unknown {
  const setup = findRevSetup(mas, min);
  return setup === STEP ? prevSlot(mas, min, false) : setup;
}

/**
 * Kernel `mas_find_range_rev()`: {@link mas_find_rev}'s setup, then one step to the previous
 * range, NULL ranges included.
 */
export function mas_find_range_rev(mas: MaState, min: number): unknown {
  const setup = findRevSetup(mas, min);
  return setup === STEP ? prevSlot(mas, min, true) : setup;
}
