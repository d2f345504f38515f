// RcuError and its stable codes (docs/spec/rcu.md §5 "Errors"). Every misuse the package can detect
// is reported with one of these codes; the message names the function and the offending value.

/** Every code an {@link RcuError} can carry. The strings are stable API. */
export const RCU_ERROR_CODES = [
  "ERR_RCU_UNBALANCED_UNLOCK",
  "ERR_RCU_SYNC_IN_READER",
  "ERR_RCU_PROMISE_IN_SYNC_READ",
  "ERR_RCU_SECTION_LEAKED",
  "ERR_RCU_NOT_REGISTERED",
  "ERR_RCU_ALREADY_REGISTERED",
  "ERR_RCU_NO_SLOTS",
  "ERR_RCU_UNREGISTER_IN_READER",
  "ERR_RCU_BLOCKING_ON_MAIN",
  "ERR_RCU_BAD_BUFFER",
  "ERR_RCU_CLOSED",
  // Not in the spec table, added for argument validation and the QSBR / timeout paths:
  "ERR_RCU_INVALID_ARGUMENT",
  "ERR_RCU_QUIESCENT_IN_READER",
  "ERR_RCU_TIMEOUT",
  "ERR_RCU_UNPROTECTED_DEREFERENCE",
] as const;

/** A stable error code; see {@link RCU_ERROR_CODES}. */
export type RcuErrorCode = (typeof RCU_ERROR_CODES)[number];

/**
 * The one error class of @maplemm/rcu. Where the kernel would hit a lockdep splat, a BUG() or a
 * silent deadlock (`synchronize_rcu()` inside `rcu_read_lock()`), this package throws or rejects
 * with an `RcuError` whose `code` says which rule was broken.
 */
export class RcuError extends Error {
  /** The stable code, e.g. `"ERR_RCU_UNBALANCED_UNLOCK"`. */
  readonly code: RcuErrorCode;

  constructor(code: RcuErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "RcuError";
    this.code = code;
  }
}

/** True if `e` is an {@link RcuError}, optionally with the given code. */
export function isRcuError(e: unknown, code?: RcuErrorCode): e is RcuError {
  return e instanceof RcuError && (code === undefined || e.code === code);
}
