// Resource limits of the process owning an mm (kernel `struct rlimit` in `signal->rlim`,
// kernel/sys.c `do_prlimit()`): soft and hard value per resource, as the u64 the kernel stores
// (RLIM_INFINITY = 2^64 - 1). The mm reads RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK and
// RLIMIT_MEMLOCK; the other resources are kept so getrlimit/setrlimit answer as Linux does. A fork
// child gets a copy.

import {
  DEFAULT_RLIMIT_MEMLOCK,
  DEFAULT_RLIMIT_STACK,
  EINVAL,
  EPERM,
  RLIM_INFINITY,
  RLIM_NLIMITS,
  RLIMIT_AS,
  RLIMIT_DATA,
  RLIMIT_MEMLOCK,
  RLIMIT_STACK,
} from "./constants.js";
import { describe, MmError } from "./errors.js";

/** One limit: soft (`cur`) and hard (`max`) value in bytes; `RLIM_INFINITY` is unlimited. */
export interface Rlimit {
  cur: bigint;
  max: bigint;
}

/** The limits given as {@link MmOptions.rlimits}: bytes as number or bigint, or `Infinity`. */
export type RlimitInit = { cur: number | bigint; max?: number | bigint };

/** Option names of the limits the mm reads. */
export interface RlimitOptions {
  /** `RLIMIT_AS`: the most bytes of address space (default unlimited). */
  as?: RlimitInit;
  /** `RLIMIT_DATA`: the most bytes of private writable non-stack mappings (default unlimited). */
  data?: RlimitInit;
  /** `RLIMIT_STACK` (default 8 MiB soft, unlimited hard). */
  stack?: RlimitInit;
  /** `RLIMIT_MEMLOCK` (default 8 MiB soft and hard). */
  memlock?: RlimitInit;
}

const NAMES = { as: RLIMIT_AS, data: RLIMIT_DATA, stack: RLIMIT_STACK, memlock: RLIMIT_MEMLOCK };

function toU64(where: string, v: number | bigint): bigint {
  if (v === Number.POSITIVE_INFINITY) return RLIM_INFINITY;
  if (typeof v === "bigint") {
    if (v >= 0n && v <= RLIM_INFINITY) return v;
  } else if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
    return BigInt(v);
  }
  throw new MmError(
    "EINVAL",
    `${where} must be a byte count, bigint or Infinity, got ${describe(v)}`,
  );
}

/** A bigint limit as a number of bytes (`Infinity` when unlimited or beyond 2^53). */
export function limitBytes(v: bigint): number {
  return v >= RLIM_INFINITY ? Number.POSITIVE_INFINITY : Number(v);
}

/** The resource limits of one process. */
export class Rlimits {
  private readonly cur: bigint[] = new Array<bigint>(RLIM_NLIMITS).fill(RLIM_INFINITY);
  private readonly max: bigint[] = new Array<bigint>(RLIM_NLIMITS).fill(RLIM_INFINITY);
  /** The soft limits as numbers (`Infinity` when unlimited): mmap reads them on every call. */
  private readonly softBytes: number[] = new Array<number>(RLIM_NLIMITS).fill(
    Number.POSITIVE_INFINITY,
  );

  constructor(init: RlimitOptions = {}, stackCur?: number) {
    this.cur[RLIMIT_STACK] = BigInt(DEFAULT_RLIMIT_STACK);
    this.cur[RLIMIT_MEMLOCK] = BigInt(DEFAULT_RLIMIT_MEMLOCK);
    this.max[RLIMIT_MEMLOCK] = BigInt(DEFAULT_RLIMIT_MEMLOCK);
    if (typeof init !== "object" || init === null) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option rlimits must be an object, got ${describe(init)}`,
      );
    }
    if (stackCur !== undefined) this.cur[RLIMIT_STACK] = BigInt(stackCur);
    for (const [key, res] of Object.entries(NAMES)) {
      const v = init[key as keyof RlimitOptions];
      if (v === undefined) continue;
      if (typeof v !== "object" || v === null) {
        throw new MmError("EINVAL", `new MmStruct: option rlimits.${key} must be {cur, max?}`);
      }
      const cur = toU64(`new MmStruct: option rlimits.${key}.cur`, v.cur);
      const max = v.max === undefined ? RLIM_INFINITY : toU64(`rlimits.${key}.max`, v.max);
      if (cur > max) {
        throw new MmError("EINVAL", `new MmStruct: option rlimits.${key}: cur exceeds max`);
      }
      this.cur[res] = cur;
      this.max[res] = max;
    }
    for (let i = 0; i < RLIM_NLIMITS; i++) this.softBytes[i] = limitBytes(this.cur[i] as bigint);
  }

  /** A copy (fork). */
  clone(): Rlimits {
    const c = new Rlimits();
    for (let i = 0; i < RLIM_NLIMITS; i++) {
      c.cur[i] = this.cur[i] as bigint;
      c.max[i] = this.max[i] as bigint;
      c.softBytes[i] = this.softBytes[i] as number;
    }
    return c;
  }

  /** The soft limit of `resource` in bytes (`Infinity` when unlimited). */
  soft(resource: number): number {
    return this.softBytes[resource] as number;
  }

  /** The hard limit of `resource` as stored. */
  hard(resource: number): bigint {
    return this.max[resource] as bigint;
  }

  /** Kernel `getrlimit()`: fills `out`; 0 or `-EINVAL` for an unknown resource. */
  get(resource: number, out: Rlimit): number {
    if (!Number.isInteger(resource) || resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
    out.cur = this.cur[resource] as bigint;
    out.max = this.max[resource] as bigint;
    return 0;
  }

  /**
   * Kernel `do_prlimit()` for the caller itself: `-EINVAL` for an unknown resource or cur > max,
   * `-EPERM` when raising the hard limit without CAP_SYS_RESOURCE; else 0.
   */
  set(resource: number, cur: bigint, max: bigint, capSysResource: boolean): number {
    if (!Number.isInteger(resource) || resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
    if (cur > max) return -EINVAL;
    if (max > (this.max[resource] as bigint) && !capSysResource) return -EPERM;
    this.cur[resource] = cur;
    this.max[resource] = max;
    this.softBytes[resource] = limitBytes(cur);
    return 0;
  }
}
