// Replay of the limits, locking, sealing and placement ops of mmtrace-v1 traces (mlock, mlock2,
// munlock, mlockall, munlockall, mseal, setrlimit, getrlimit, personality, drop_caps, fill) and
// the header fields they need (MemTotal/SwapTotal, the overcommit sysctls, rlimits,
// capabilities). The core replayer (replay.ts) hands these ops here; each returns what the model
// answered and what the kernel did.

import type { MmCapability, MmOptions, MmStruct } from "@maplemm/mm";
import { hexArg, hexNum, type OpRecord, type TraceHeader } from "./trace.js";

const LIMITS_OPS = new Set([
  "mlock",
  "mlock2",
  "munlock",
  "mlockall",
  "munlockall",
  "mseal",
  "setrlimit",
  "getrlimit",
  "personality",
  "drop_caps",
  "fill",
]);

/** Whether `op` is one of the ops handled here. */
export function isLimitsOp(op: string): boolean {
  return LIMITS_OPS.has(op);
}

function rlimOf(pair: [string, string]): { cur: bigint; max: bigint } {
  return { cur: BigInt(pair[0]), max: BigInt(pair[1]) };
}

/** The MmStruct options the header's limits fields give (none for older traces). */
export function limitsOptions(hd: TraceHeader): MmOptions {
  const o: MmOptions = {
    // Traces were recorded as root: without a "caps" field every capability but
    // CAP_SYS_RESOURCE (this machine's root has no CAP_SYS_RESOURCE).
    privileged: (hd.caps ?? ["CAP_IPC_LOCK", "CAP_SYS_RAWIO", "CAP_SYS_ADMIN"]) as MmCapability[],
    personality: Number.parseInt(hd.personality, 16),
  };
  if (hd.meminfo !== undefined) {
    o.system = {
      memTotal: hd.meminfo.mem_total_kb * 1024,
      swapTotal: hd.meminfo.swap_total_kb * 1024,
      execOnlyPkey: hd.pku === true || hd.pku === 1,
      overcommit_memory: hd.sys.overcommit_memory,
      ...hd.overcommit,
      // Mode 2 compares with the whole machine's Committed_AS, which moved with other processes
      // while the trace ran: the value at the start (this process's own few pages included)
      // stands for it; the traces keep their requests far from the limit.
      ...(hd.meminfo.committed_as_kb === undefined
        ? {}
        : { otherCommitted: hd.meminfo.committed_as_kb * 1024 }),
      // The hugetlb pool the trace ran with (HugePages_Free; absent = none).
      ...(hd.meminfo.hugepages_free === undefined ? {} : { hugePages: hd.meminfo.hugepages_free }),
    };
  }
  if (hd.rlimits !== undefined) {
    const r = hd.rlimits;
    o.rlimits = {
      as: rlimOf(r.as),
      data: rlimOf(r.data),
      stack: rlimOf(r.stack),
      memlock: rlimOf(r.memlock),
    };
  }
  return o;
}

/** The outcome of one op: the model's return value, and a mismatch beyond it (or null). */
export interface LimitsOutcome {
  ret: number;
  extra: { what: string; expected: string; actual: string } | null;
}

/** Runs one limits op on `mm`. */
export function runLimitsOp(mm: MmStruct, op: OpRecord): LimitsOutcome {
  const a = op.args;
  const num = (k: string): number => a[k] as number;
  const arg = (k: string): number | bigint => hexArg(a[k] as string);
  switch (op.op) {
    case "mlock":
      return { ret: mm.mlock(arg("addr"), arg("len")), extra: null };
    case "mlock2":
      return { ret: mm.mlock2(arg("addr"), arg("len"), num("flags")), extra: null };
    case "munlock":
      return { ret: mm.munlock(arg("addr"), arg("len")), extra: null };
    case "mlockall":
      return { ret: mm.mlockall(num("flags")), extra: null };
    case "munlockall":
      return { ret: mm.munlockall(), extra: null };
    case "mseal":
      return { ret: mm.mseal(arg("addr"), arg("len"), num("flags")), extra: null };
    case "setrlimit":
      return {
        ret: mm.setrlimit(num("resource"), {
          cur: BigInt(a.cur as string),
          max: BigInt(a.max as string),
        }),
        extra: null,
      };
    case "getrlimit": {
      const out = { cur: 0n, max: 0n };
      const ret = mm.getrlimit(num("resource"), out);
      let extra: LimitsOutcome["extra"] = null;
      if (ret === 0 && op.rlim !== undefined) {
        const want = `${BigInt(op.rlim[0])}/${BigInt(op.rlim[1])}`;
        const got = `${out.cur}/${out.max}`;
        if (want !== got) extra = { what: "rlim", expected: want, actual: got };
      }
      return { ret, extra };
    }
    case "personality":
      return { ret: mm.personality(hexNum(a.persona as string) | 0), extra: null };
    case "drop_caps":
      mm.setCapabilities(false);
      return { ret: 0, extra: null };
    case "fill":
      return { ret: fill(mm, hexNum(a.addr as string), num("n")), extra: null };
    default:
      throw new Error(`runLimitsOp: not a limits op: ${op.op}`);
  }
}

/** The tracer's fill: 2n read-only pages, every second one made PROT_NONE (2n VMAs). */
function fill(mm: MmStruct, addr: number, n: number): number {
  // MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, PROT_READ
  const r = mm.mmap(addr, 2 * n * 4096, 1, 0x02 | 0x20 | 0x10 | 0x4000);
  if (r !== addr) return r;
  for (let i = 0; i + 1 < 2 * n; i += 2) mm.mprotect(addr + (i + 1) * 4096, 4096, 0);
  return 2 * n;
}
