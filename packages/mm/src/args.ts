// Syscall argument conversion: C `unsigned long` arguments arrive as numbers or bigints and are
// read as u64 (a negative number is its two's complement), so hostile lengths such as
// 0xfffffffffffff000 behave as in the kernel's checks. Values that are not integers are a
// programming error: an MmError naming the function and argument, and nothing changes.

import { U64_MODULUS } from "./constants.js";
import { describe, MmError } from "./errors.js";

/** Converts a C `unsigned long` argument; values above 2^53 keep their magnitude (checks only). */
export function u64(fn: string, name: string, v: number | bigint): number {
  if (typeof v === "bigint") {
    const u = BigInt.asUintN(64, v);
    return Number(u);
  }
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new MmError("EINVAL", `${fn}: ${name} must be an integer or bigint, got ${describe(v)}`);
  }
  return v < 0 ? U64_MODULUS + v : v;
}

/** Converts a C `int` argument (prot, flags, advice): an integer, taken as its low 32 bits. */
export function int32(fn: string, name: string, v: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new MmError("EINVAL", `${fn}: ${name} must be an integer, got ${describe(v)}`);
  }
  return v | 0;
}

/**
 * Converts an rlimit value (C `rlim_t`, u64): a non-negative safe integer, a bigint (taken mod
 * 2^64, so -1n is RLIM_INFINITY) or `Infinity`.
 */
export function rlimArg(fn: string, name: string, v: number | bigint): bigint {
  if (typeof v === "bigint") return BigInt.asUintN(64, v);
  if (v === Number.POSITIVE_INFINITY) return 0xffffffffffffffffn;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new MmError(
      "EINVAL",
      `${fn}: ${name} must be an integer, bigint or Infinity, got ${describe(v)}`,
    );
  }
  return BigInt.asUintN(64, BigInt(v));
}
