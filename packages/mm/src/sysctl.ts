// The machine an mm runs on, as far as the mm code asks it (kernel `vm.*` sysctls of
// mm/util.c / mm/mmap.c / security/min_addr.c, /proc/meminfo's MemTotal and SwapTotal, and the
// hugetlb pool): one object shared by an mm and every mm forked from it, changed through
// `MmStruct.sysctl()` as writing /proc/sys/vm/<name> changes it for every process.

import {
  DEFAULT_MAX_MAP_COUNT,
  DEFAULT_MEM_TOTAL,
  DEFAULT_MMAP_MIN_ADDR,
  DEFAULT_OVERCOMMIT_RATIO,
  PAGE_SIZE,
} from "./constants.js";
import { describe, MmError } from "./errors.js";

/** The `vm.*` sysctls the model obeys. */
export interface MmSysctls {
  /** `vm.overcommit_memory`: 0 heuristic (default), 1 always, 2 never (strict accounting). */
  overcommit_memory: number;
  /** `vm.overcommit_ratio` (percent of RAM for mode 2; default 50). */
  overcommit_ratio: number;
  /** `vm.overcommit_kbytes` (mode 2 limit in kB instead of the ratio when non-zero). */
  overcommit_kbytes: number;
  /** `vm.max_map_count` (default 65530). */
  max_map_count: number;
  /** `vm.mmap_min_addr` (default 4096). */
  mmap_min_addr: number;
  /** `vm.admin_reserve_kbytes` (mode 2 reserve kept from callers without CAP_SYS_ADMIN). */
  admin_reserve_kbytes: number;
  /** `vm.user_reserve_kbytes` (mode 2 reserve kept from a growing process). */
  user_reserve_kbytes: number;
}

/** A sysctl name. */
export type SysctlName = keyof MmSysctls;

/** Options describing the machine ({@link MmOptions.system}). */
export interface MmSystemOptions extends Partial<MmSysctls> {
  /** /proc/meminfo `MemTotal` in bytes (default 16 GiB): the overcommit heuristic's RAM. */
  memTotal?: number;
  /** /proc/meminfo `SwapTotal` in bytes (default 0). */
  swapTotal?: number;
  /**
   * The hugetlb pool: free huge pages of the default 2 MiB size (`HugePages_Free`; the sysctl
   * `vm.nr_hugepages`). Default 0, as on the recording machine: MAP_HUGETLB then gets ENOMEM
   * unless MAP_NORESERVE. A MAP_HUGETLB mmap reserves its pages here; faults take them.
   */
  hugePages?: number;
  /** Bytes committed by the rest of the machine (`Committed_AS` less this mm), for mode 2. */
  otherCommitted?: number;
  /**
   * The CPU has protection keys (x86 `pku`): memory mapped or mprotected PROT_EXEC alone gets the
   * execute-only key, and reads of it fault (default false).
   */
  execOnlyPkey?: boolean;
}

const RANGES: Readonly<Record<SysctlName, [number, number]>> = {
  overcommit_memory: [0, 2],
  overcommit_ratio: [0, Number.MAX_SAFE_INTEGER],
  overcommit_kbytes: [0, Number.MAX_SAFE_INTEGER],
  max_map_count: [0, 2 ** 31 - 1],
  mmap_min_addr: [0, Number.MAX_SAFE_INTEGER],
  admin_reserve_kbytes: [0, Number.MAX_SAFE_INTEGER],
  user_reserve_kbytes: [0, Number.MAX_SAFE_INTEGER],
};

function checked(where: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    throw new MmError(
      "EINVAL",
      `${where} must be an integer in [${lo}, ${hi}], got ${describe(v)}`,
    );
  }
  return v;
}

/** The machine-wide settings shared by an mm and its forks. */
export class MmSystem {
  readonly sysctls: MmSysctls;
  /** MemTotal in pages (kernel `totalram_pages()`). */
  readonly totalramPages: number;
  /** SwapTotal in pages (kernel `total_swap_pages`). */
  readonly totalSwapPages: number;
  /** Free 2 MiB huge pages (`HugePages_Free`): faults take them, unmaps give them back. */
  hugePages: number;
  /** Of those, the ones reserved by mappings and not faulted in yet (`HugePages_Rsvd`). */
  hugeReserved = 0;
  /** Pages committed by the rest of the machine. */
  readonly otherCommittedPages: number;
  /** Exec-only memory is unreadable (protection keys). */
  readonly execOnlyPkey: boolean;

  constructor(o: MmSystemOptions = {}) {
    if (typeof o !== "object" || o === null) {
      throw new MmError(
        "EINVAL",
        `new MmStruct: option system must be an object, got ${describe(o)}`,
      );
    }
    const mem = o.memTotal ?? DEFAULT_MEM_TOTAL;
    const big = Number.MAX_SAFE_INTEGER;
    this.totalramPages = Math.floor(checked("option system.memTotal", mem, 0, big) / PAGE_SIZE);
    this.totalSwapPages = Math.floor(
      checked("option system.swapTotal", o.swapTotal ?? 0, 0, big) / PAGE_SIZE,
    );
    this.hugePages = checked("option system.hugePages", o.hugePages ?? 0, 0, big);
    this.otherCommittedPages = Math.floor(
      checked("option system.otherCommitted", o.otherCommitted ?? 0, 0, big) / PAGE_SIZE,
    );
    if (o.execOnlyPkey !== undefined && typeof o.execOnlyPkey !== "boolean") {
      throw new MmError("EINVAL", `new MmStruct: option system.execOnlyPkey must be a boolean`);
    }
    this.execOnlyPkey = o.execOnlyPkey ?? false;
    const memKb = this.totalramPages * 4;
    this.sysctls = {
      overcommit_memory: 0,
      overcommit_ratio: DEFAULT_OVERCOMMIT_RATIO,
      overcommit_kbytes: 0,
      max_map_count: DEFAULT_MAX_MAP_COUNT,
      mmap_min_addr: DEFAULT_MMAP_MIN_ADDR,
      // mm/util.c init_admin_reserve() / init_user_reserve(): min(3% of RAM, 8 MiB / 128 MiB).
      admin_reserve_kbytes: Math.min(Math.floor(memKb / 32), 8192),
      user_reserve_kbytes: Math.min(Math.floor(memKb / 32), 131072),
    };
    for (const name of Object.keys(RANGES) as SysctlName[]) {
      const v = o[name];
      if (v !== undefined) this.set(name, v, "new MmStruct: option system.");
    }
  }

  /** Writes one sysctl (throws MmError EINVAL for an unknown name or out-of-range value). */
  set(name: SysctlName, value: number, where = "sysctl: "): void {
    const r = RANGES[name];
    if (r === undefined) throw new MmError("EINVAL", `${where}unknown sysctl ${describe(name)}`);
    this.sysctls[name] = checked(`${where}${name}`, value, r[0], r[1]);
  }

  /** Reads one sysctl (throws MmError EINVAL for an unknown name). */
  get(name: SysctlName): number {
    if (RANGES[name] === undefined)
      throw new MmError("EINVAL", `sysctl: unknown sysctl ${describe(name)}`);
    return this.sysctls[name];
  }
}
