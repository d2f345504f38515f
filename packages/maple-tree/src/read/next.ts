// Forward steps of the advanced API: mas_next and mas_next_range, with the kernel's
// mas_next_setup status handling (docs/spec/maple-tree.md §4.4).

import { MAX_INDEX as MAX_INDEX_ } from "../core/index-space.js";
import type { MaState } from "../core/state.js";
import { nextSlot as nextSlot_, STEP as STEP_ } from "./step.js";
import { mas_walk as mas_walk_, readArgsOk as readArgsOk_ } from "./walk.js";

// Module-local copies of imported bindings, read by the hot paths instead of the imports. The same
// block heads each read/ file on purpose: under plain node on the built dist, removing them cost
// lookups 3-10 % and iteration about a third (docs/reports/2026-12-07-read-speed.md, "Measure
// what users run"; docs/reports/2026-12-08-read-speed.md, "Mirror pairs").
const MAX_INDEX = MAX_INDEX_;
const nextSlot = nextSlot_;
const STEP = STEP_;
const mas_walk = mas_walk_;
const readArgsOk = readArgsOk_;

// The four status setups (nextSetup, prevSetup here and in next.ts / prev.ts, findSetup and
// findRevSetup in find.ts) look alike but are four kernel functions whose cases differ in detail
// (which bound overflows, what a root or none status answers); they stay one per kernel function
// so each can be read against its kernel source (docs/reports/2026-12-08-read-speed.md, "Mirror
// pairs").

/** Kernel `mas_next_setup()`: decides the answer from the status, or returns STEP to move on. */
function nextSetup(mas: MaState, max: number): unknown {
  if (!readArgsOk(mas, max)) return null;
  const wasNone = mas.status === "none";
  if (mas.last >= max) {
    mas.status = "overflow";
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
    case "overflow":
      // Overflowed before, but the limit moved: carry on from the same place.
      mas.status = "active";
      break;
    case "underflow": {
      // The caller expects the state to be one before where it is.
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
  if (mas.status === "active") return STEP;
  if (mas.status === "root") {
    // The same normalisation as mas_walk's root case (walk.ts), here only after a walk from none.
    if (wasNone && mas.index === 0) {
      mas.last = 0;
      return null;
    }
    mas.index = 1;
    mas.last = MAX_INDEX;
    mas.status = "none";
  }
  return null;
}

/**
 * Kernel `mas_next()`: the first non-NULL entry after the state's current range, looking no
 * further than ranges starting at or below `max` (a range starting there is returned whole).
 * From start/pause/none it first walks to `index`, so the range holding `index` is skipped.
 * `last >= max` sets status overflow and returns null with `index`/`last` unchanged. Returns
 * XA_ZERO_ENTRY raw. A bad `max`, `index` or `last` puts the state in error (-EINVAL).
 */
export function mas_next(mas: MaState, max: number): unknown {
  const entry = nextSetup(mas, max);
  return entry === STEP ? nextSlot(mas, max, false) : entry;
}

/** Kernel `mas_next_range()`: {@link mas_next}, but the next range is returned even if NULL. */
export function mas_next_range(mas: MaState, max: number): unknown {
  const entry = nextSetup(mas, max);
  return entry === STEP ? nextSlot(mas, max, true) : entry;
}
