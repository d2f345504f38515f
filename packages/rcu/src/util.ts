// Small helpers shared by both domains: argument validation, thenable detection, and the default
// error hook.

import { RcuError } from "./errors.js";

/** Throws `ERR_RCU_INVALID_ARGUMENT` naming `fn`, `arg` and the bad value. */
export function invalid(fn: string, arg: string, value: unknown, want: string): never {
  let shown: string;
  try {
    shown = typeof value === "function" ? "a function" : String(value);
  } catch {
    shown = typeof value;
  }
  throw new RcuError("ERR_RCU_INVALID_ARGUMENT", `${fn}: ${arg} must be ${want}, got ${shown}`);
}

/** Validates `stallMs` (non-negative finite number) and returns it, or the default. */
export function checkStallMs(fn: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    invalid(fn, "options.stallMs", v, "a non-negative finite number");
  }
  return v;
}

/** Validates an optional function option. */
export function checkFn<F>(fn: string, arg: string, v: unknown): F | undefined {
  if (v !== undefined && typeof v !== "function") invalid(fn, arg, v, "a function");
  return v as F | undefined;
}

/** True for anything with a callable `then`: what an async `fn` returns. */
export function isThenable(v: unknown): boolean {
  return (
    v !== null &&
    (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function"
  );
}

/** Default error hook: rethrow in a microtask, so the GP loop keeps going but nothing is hidden. */
export function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

/** Hands `err` to `hook` (a throwing hook is rethrown later), or rethrows it in a microtask. */
export function reportTo(hook: ((err: unknown) => void) | undefined, err: unknown): void {
  if (hook === undefined) {
    rethrowLater(err);
    return;
  }
  try {
    hook(err);
  } catch (e) {
    rethrowLater(e);
  }
}

/** Validates that an options argument is an object; returns it. */
export function checkOpts<T>(fn: string, opts: T): T {
  if (opts === null || typeof opts !== "object") invalid(fn, "opts", opts, "an object");
  return opts;
}
