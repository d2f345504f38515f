// Parsing mmtrace-v1 traces (docs/spec/linux-mm.md §4): one JSON record per line, plain `.jsonl`
// or gzip `.jsonl.gz`. Addresses stay hex strings in the records; `hexArg` / `hexNum` convert
// them (values above 2^53 become bigints for syscall arguments, as C u64 needs).

/** A hex string `"0x…"`. */
export type Hex = string;

/** VMA entry: `[start, end, perms, offset, dev, ino, name, vmflags, anon_kb]` (§4.2). */
export type VmaRow = [Hex, Hex, string, Hex, string, number, string, string, number];

/** A probe: `[addr, value]` or `[addr, "SIGBUS", npages]` (§4.4). */
export type ProbeRow = [Hex, Hex] | [Hex, string, number];

/** The `header` record (§4.1). */
export interface TraceHeader {
  type: "header";
  format: "mmtrace-v1";
  mode: "random" | "scenario";
  scenario?: string;
  seed?: number;
  nops?: number;
  profile?: string;
  kernel: string;
  page_size: number;
  arena: { base: Hex; top: Hex; pages: number };
  window: { lo: Hex; hi: Hex };
  brk_window: { lo: Hex; hi: Hex };
  start_brk: Hex;
  brk: Hex;
  mmap_base: Hex;
  task_size: Hex;
  stack_guard_gap: Hex;
  rlimit_stack: Hex;
  personality: Hex;
  /**
   * The CPU has x86 protection keys: exec-only memory is unreadable. `1` in the header of the
   * file/thp profiles, `true` in the limits section of the lock traces.
   */
  pku?: number | boolean;
  sys: { max_map_count: number; mmap_min_addr: number; overcommit_memory: number };
  ceiling: [Hex, Hex][];
  /** The MAP_32BIT window (limits/placement traces). */
  low_window?: { lo: Hex; hi: Hex };
  /** MemTotal and SwapTotal in kB; Committed_AS (the whole machine's) when overcommit_memory is 2. */
  meminfo?: {
    mem_total_kb: number;
    swap_total_kb: number;
    committed_as_kb?: number;
    /** HugePages_Free (a count of 2 MiB pages), where the trace ran with a hugetlb pool. */
    hugepages_free?: number;
  };
  /** The overcommit sysctls strict accounting (mode 2) reads. */
  overcommit?: {
    overcommit_ratio: number;
    overcommit_kbytes: number;
    admin_reserve_kbytes: number;
    user_reserve_kbytes: number;
  };
  /** The rlimits the mm reads, `[cur, max]`. */
  rlimits?: Record<"as" | "data" | "stack" | "memlock", [Hex, Hex]>;
  /** Anonymous kB of initial VMAs outside the windows (`initial_maps` says -1 there). */
  initial_anon?: [Hex, number][];
  /** The capabilities the tracer held (CAP_IPC_LOCK, CAP_SYS_RAWIO, ...). */
  caps?: string[];
  initial_maps: VmaRow[];
  initial_maps_raw: string[];
  maps: VmaRow[];
}

/** The nested record of a `fork` or `clone_vm` op. */
export interface ChildRecord {
  maps?: VmaRow[];
  probes?: ProbeRow[];
  ops: OpRecord[];
  exit: number;
}

/** An `op` record (§4.4). */
export interface OpRecord {
  type: "op";
  i: number;
  op:
    | "mmap"
    | "munmap"
    | "mprotect"
    | "mremap"
    | "madvise"
    | "brk"
    | "touch"
    | "fork"
    | "clone_vm"
    | "memfd_create"
    | "ftruncate"
    | "close"
    | "msync"
    | "mincore"
    | "smaps"
    | LimitsOpName;
  args: Record<string, string | number | boolean>;
  ret: string | number;
  errno: number;
  err: string | null;
  maps: VmaRow[];
  fault?: string | null;
  old?: Hex;
  child?: ChildRecord;
  outside?: unknown;
  /** `mincore`: one `0`/`1` per page (bit 0 of the kernel's vector), on success. */
  vec?: string;
  /** `smaps` pseudo-op: the raw smaps lines of the VMAs inside a window. */
  smaps?: string[];
  /** getrlimit: the values read back, `[cur, max]`. */
  rlim?: [Hex, Hex];
}

/** The ops of the limits, locking, sealing and placement traces. */
export type LimitsOpName =
  | "mlock"
  | "mlock2"
  | "munlock"
  | "mlockall"
  | "munlockall"
  | "mseal"
  | "setrlimit"
  | "getrlimit"
  | "personality"
  | "drop_caps"
  | "fill";

/** The `end` record (§4.5). */
export interface TraceEnd {
  type: "end";
  nops: number;
  maps: VmaRow[];
  full_maps_raw: string[];
  probes: ProbeRow[];
}

/** A whole trace: header, the top-level ops in order (notes dropped), and the end record. */
export interface Trace {
  path: string;
  header: TraceHeader;
  ops: OpRecord[];
  end: TraceEnd | null;
}

/** Parses the text of a trace. Throws naming the line on malformed input. */
export function parseTrace(text: string, path = "<text>"): Trace {
  let header: TraceHeader | null = null;
  const ops: OpRecord[] = [];
  let end: TraceEnd | null = null;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === "") continue;
    let rec: { type?: string };
    try {
      rec = JSON.parse(line) as { type?: string };
    } catch (e) {
      throw new Error(`${path}:${n + 1}: not JSON (${(e as Error).message})`);
    }
    switch (rec.type) {
      case "header":
        header = rec as TraceHeader;
        if (header.format !== "mmtrace-v1")
          throw new Error(`${path}: unknown format ${String(header.format)}`);
        break;
      case "op":
        ops.push(rec as OpRecord);
        break;
      case "end":
        end = rec as TraceEnd;
        break;
      case "note":
        break;
      default:
        throw new Error(`${path}:${n + 1}: unknown record type ${JSON.stringify(rec.type)}`);
    }
  }
  if (header === null) throw new Error(`${path}: no header record`);
  return { path, header, ops, end };
}

/** A hex string as a number (exact below 2^53; above, the nearest double). */
export function hexNum(h: Hex): number {
  // Up to 13 hex digits fit in 52 bits: parseInt is exact and much cheaper than BigInt.
  return h.length <= 15 ? Number.parseInt(h, 16) : Number(BigInt(h));
}

/** A hex string as a syscall argument: a number when exact, else a bigint. */
export function hexArg(h: Hex | number): number | bigint {
  if (typeof h === "number") return h;
  const b = BigInt(h);
  return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}
