// MmError: the one error class of @maplemm/mm for misuse of the idiomatic API (bad option values,
// unparsable /proc maps text, use of a released mm). Syscall-style methods never throw for
// conditions Linux reports with an errno: they return -errno as the kernel does.

/** Stable codes carried by {@link MmError}. */
export type MmErrorCode = "EINVAL" | "ENOMEM" | "EPARSE" | "EDEAD" | "ESTATE" | "EEXIST" | "EAGAIN";

/** The error thrown by @maplemm/mm; `code` is stable, the message names the function and value. */
export class MmError extends Error {
  /** Stable literal code. */
  readonly code: MmErrorCode;

  constructor(code: MmErrorCode, message: string) {
    super(message);
    this.name = "MmError";
    this.code = code;
  }
}

/** Formats a value for an error message without throwing on exotic inputs. */
export function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return `0x${v.toString(16)}`;
  return String(v);
}
