// Backward steps of the advanced API: mas_prev and mas_prev_range, with the kernel's
// mas_prev_setup status handling (docs/spec/maple-tree.md §4.4).

import type { MaState } from "../core/state.js";
import { prevSlot as prevSlot_, STEP as STEP_ } from "./step.js";
import { mas_walk as mas_walk_, readArgsOk as readArgsOk_ } from "./walk.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const prevSlot = prevSlot_;
const STEP = STEP_;
const mas_walk = mas_walk_;
const readArgsOk = readArgsOk_;

// The mirror of next.ts's nextSetup: one function per kernel setup, see there.

/** Kernel `mas_prev_setup()`: decides the answer from the status, or returns STEP to move on. */
function prevSetup(mas: MaState, min: number): unknown {
  if (!readArgsOk(mas, min)) return null;
  if (mas.index <= min) {
    mas.status = "underflow";
    return null;
  }
  switch (mas.status) {
    case "active":
      return STEP;
    case "start":
    case "pause":
    case "none":
      mas_walk(mas);
      break;
    case "underflow":
      // Underflowed before, but the limit moved: carry on from the same place.
      mas.status = "active";
      break;
    case "overflow": {
      // The caller expects the state to be one after where it is.
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
  if (mas.status === "root") {
    if (mas.index === 0) {
      mas.status = "none";
      return null;
    }
    mas.index = 0;
    mas.last = 0;
    return mas.tree.rootEntry;
  }
  if (mas.status === "none") {
    if (mas.index !== 0) {
      // Walked past the direct root entry: [0, 0] is the previous range.
      mas.index = 0;
      mas.last = 0;
      mas.status = "root";
      return mas.tree.rootEntry;
    }
    return null;
  }
  return STEP;
}

/**
 * Kernel `mas_prev()`: the first non-NULL entry before the state's current range, looking no
 * further than ranges ending at or above `min` (a range ending there is returned whole).
 * `index <= min` sets status underflow and returns null with `index`/`last` unchanged. On a
 * direct-root tree it returns the root entry as `[0, 0]` (status root) from any index > 0.
 * Returns XA_ZERO_ENTRY raw. A bad `min`, `index` or `last` puts the state in error (-EINVAL).
 */
export function mas_prev(mas: MaState, min: number): unknown {
  const entry = prevSetup(mas, min);
  return entry === STEP ? prevSlot(mas, min, false) : entry;
}

/** Kernel `mas_prev_range()`: {@link mas_prev}, but the previous range is returned even if NULL. */
export function mas_prev_range(mas: MaState, min: number): unknown {
  const entry = prevSetup(mas, min);
  return entry === STEP ? prevSlot(mas, min, true) : entry;
}
