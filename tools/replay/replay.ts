// The trace replayer core (docs/spec/linux-mm.md §5): replays one mmtrace-v1 trace on a fresh
// MmStruct built from the header, forks and clone_vm children included, and compares after every
// op the return value, errno, fault and old value, and the window maps (start, end, perms,
// offset, name, VmFlags, anon_kb, and shmem identity as ino equality classes). Fork children's
// maps and probes are compared too. The first divergence is kept with both sides.

import {
  ERRNO_NAMES,
  formatMapsLine,
  HugetlbFile,
  MemFile,
  MmStruct,
  renderSmapsEntry,
  ShmemObject,
  SMAPS_EXACT_FIELDS,
  type Vma,
  vmaName,
} from "@maplemm/mm";
import { isLimitsOp, limitsOptions, runLimitsOp } from "./replay-limits.js";
import { hexArg, hexNum, type OpRecord, type ProbeRow, type Trace, type VmaRow } from "./trace.js";

/** Where a replay first disagreed with the kernel. */
export interface Divergence {
  /** Position, e.g. `op #12 mprotect` or `op #40 fork → child op #2 mmap`. */
  where: string;
  /** What differed: `ret`, `fault`, `old`, `maps`, `child.maps`, `child.probes`, `end.maps`... */
  what: string;
  /** The kernel's side, human readable. */
  expected: string;
  /** The model's side, human readable. */
  actual: string;
  /** The op's arguments. */
  args: string;
}

/** The outcome of replaying one trace. */
export interface ReplayResult {
  path: string;
  /** Ops compared, nested child ops included. */
  ops: number;
  /** Ops whose every comparison agreed. */
  agreed: number;
  /** The first divergence, or null when the whole trace agreed. */
  divergence: Divergence | null;
}

/** Replay options. */
export interface ReplayOptions {
  /** dup_mmap strategy for forks. */
  strategy?: "seed" | "modern";
  /** Stop at the first divergence (default true: later ops run on a state that already differs). */
  stopAtFirst?: boolean;
  /**
   * Called after each top-level op with the op, the model after it and whether every comparison
   * of the op agreed (the playground steps through a trace with it).
   */
  onOp?: (op: OpRecord, mm: MmStruct, agreed: boolean) => void;
}

/**
 * Shmem identity classes: trace ino ↔ model ino. The tracer renumbers inodes per process (a fork
 * child starts from a copy of its parent's table), so each replayed process has its own binding.
 */
interface InoBinding {
  t2m: Map<number, number>;
  m2t: Map<number, number>;
  /** trace fd → model fd (memfd_create results; a fork child copies its parent's). */
  fds: Map<number, number>;
}

interface Ctx {
  trace: Trace;
  windows: [number, number][];
  ops: number;
  agreed: number;
  divergence: Divergence | null;
  stopAtFirst: boolean;
  strategy: "seed" | "modern";
}

function h(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Builds the initial smaps-style text (maps lines + VmFlags) from the header's VMA list. */
function initialSmaps(rows: VmaRow[], outsideAnon: Map<number, number>): string {
  let out = "";
  for (const r of rows) {
    const [s, e, perms, off, dev, ino, name, flags, anonRow] = r;
    const anon = anonRow === -1 ? (outsideAnon.get(hexNum(s)) ?? -1) : anonRow;
    out += `${hexNum(s).toString(16)}-${hexNum(e).toString(16)} ${perms} ${hexNum(off).toString(16)} ${dev} ${ino} ${name}\n`;
    out += `VmFlags: ${flags}\n`;
    if (anon > 0) out += `Anonymous: ${anon} kB\n`;
  }
  return out;
}

/** A fresh MmStruct laid out as the trace's process was before op 0 (§5 step 1). */
export function mmFromHeader(trace: Trace, strategy: "seed" | "modern" = "seed"): MmStruct {
  const hd = trace.header;
  return new MmStruct({
    mmapBase: hexNum(hd.mmap_base),
    taskSize: hexNum(hd.task_size),
    stackGuardGap: hexNum(hd.stack_guard_gap),
    startBrk: hexNum(hd.start_brk),
    brk: hexNum(hd.brk),
    // RLIM_INFINITY is no number of bytes: the header's "rlimits" (limitsOptions) carry it.
    ...(hd.rlimit_stack === "0xffffffffffffffff" ? {} : { rlimitStack: hexNum(hd.rlimit_stack) }),
    mmapMinAddr: hd.sys.mmap_min_addr,
    maxMapCount: hd.sys.max_map_count,
    initialMaps: initialSmaps(
      hd.initial_maps,
      new Map((hd.initial_anon ?? []).map(([a, kb]) => [hexNum(a), kb] as const)),
    ),
    dupStrategy: strategy,
    ...limitsOptions(hd),
    pku: hd.pku === 1 || hd.pku === true,
  });
}

function insideOneWindow(ctx: Ctx, v: Vma): boolean {
  for (const [lo, hi] of ctx.windows) if (v.start >= lo && v.end <= hi) return true;
  return false;
}

/** A model VMA as the trace would list it (numbers kept as numbers; ino = model ino). */
interface ModelRow {
  start: number;
  end: number;
  perms: string;
  offset: number;
  dev: string;
  ino: number;
  name: string;
  vmflags: string;
  anonKb: number;
}

/** The model's VMAs intersecting the windows, in address order. */
function modelRows(ctx: Ctx, mm: MmStruct): ModelRow[] {
  const rows: ModelRow[] = [];
  for (const [lo, hi] of ctx.windows) {
    for (const v of mm.vmas(lo, hi)) {
      if (rows.length > 0 && (rows[rows.length - 1] as ModelRow).start >= v.start) continue;
      const f = v.file;
      const dev =
        f instanceof ShmemObject
          ? "00:01"
          : f instanceof MemFile || f instanceof HugetlbFile
            ? f.dev
            : "00:00";
      rows.push({
        start: v.start,
        end: v.end,
        perms: v.perms,
        offset: v.file !== null ? v.pgoff * 4096 : 0,
        dev,
        ino:
          f instanceof ShmemObject || f instanceof MemFile || f instanceof HugetlbFile ? f.ino : 0,
        name: vmaName(v, mm),
        vmflags: v.vmFlags,
        anonKb: insideOneWindow(ctx, v) ? mm.anonKb(v) : -1,
      });
    }
  }
  return rows;
}

function rowText(r: VmaRow): string {
  return `${r[0].slice(2)}-${r[1].slice(2)} ${r[2]} ${r[3].slice(2)} ${r[4]} ino=${r[5]} ${JSON.stringify(r[6])} [${r[7]}] anon=${r[8]}`;
}

function modelText(r: ModelRow): string {
  return `${r.start.toString(16)}-${r.end.toString(16)} ${r.perms} ${r.offset.toString(16)} ${r.dev} ino=${r.ino} ${JSON.stringify(r.name)} [${r.vmflags}] anon=${r.anonKb}`;
}

/** Compares maps; returns a description of the first differing row, or null. */
function diffMaps(
  ino: InoBinding,
  want: VmaRow[],
  got: ModelRow[],
): { expected: string; actual: string } | null {
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    const w = want[i];
    const g = got[i];
    if (w === undefined || g === undefined) {
      return {
        expected: w ? rowText(w) : "(no more VMAs)",
        actual: g ? modelText(g) : "(no more VMAs)",
      };
    }
    let same =
      hexNum(w[0]) === g.start &&
      hexNum(w[1]) === g.end &&
      w[2] === g.perms &&
      hexNum(w[3]) === g.offset &&
      w[4] === g.dev &&
      w[6] === g.name &&
      w[7] === g.vmflags &&
      (w[8] === -1 || w[8] === g.anonKb);
    // Shmem objects and MAP_HUGETLB files are bound by their first appearance (memfds by fd).
    if (same && (w[4] === "00:01" || w[6] === "/anon_hugepage (deleted)")) {
      const bound = ino.t2m.get(w[5]);
      const back = ino.m2t.get(g.ino);
      if (bound === undefined && back === undefined) {
        ino.t2m.set(w[5], g.ino);
        ino.m2t.set(g.ino, w[5]);
      } else if (bound !== g.ino || back !== w[5]) {
        same = false;
      }
    }
    if (!same) return { expected: rowText(w), actual: modelText(g) };
  }
  return null;
}

function argsText(op: OpRecord): string {
  return Object.entries(op.args)
    .filter(([k]) => !k.endsWith("_s"))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

function diverge(
  ctx: Ctx,
  where: string,
  what: string,
  op: OpRecord,
  expected: string,
  actual: string,
): void {
  if (ctx.divergence === null)
    ctx.divergence = { where, what, expected, actual, args: argsText(op) };
}

function errText(v: number): string {
  return v < 0 ? `-1 ${ERRNO_NAMES[-v] ?? `errno ${-v}`}` : h(v);
}

/** The model's probes of the windows (first u64 of every readable page, SIGBUS runs). */
function modelProbes(ctx: Ctx, mm: MmStruct): ProbeRow[] {
  const out: ProbeRow[] = [];
  // Only pages the model holds a value for, or shmem pages, can differ from zero: walk every page
  // anyway (SIGBUS runs need it) but keep the loop free of allocation.
  for (const [lo, hi] of ctx.windows) {
    for (const v of mm.vmas(lo, hi)) {
      if (v.perms[0] !== "r") continue;
      const s = Math.max(v.start, lo);
      const e = Math.min(v.end, hi);
      let runStart = 0;
      let runN = 0;
      let runSig = "SIGBUS";
      for (let a = s; a < e; a += 4096) {
        const val = mm.peekIn(v, a);
        if (val === "SIGBUS" || val === "SIGSEGV") {
          if (runN > 0 && a === runStart + runN * 4096 && val === runSig) runN++;
          else {
            if (runN > 0) out.push([h(runStart), runSig, runN]);
            runStart = a;
            runN = 1;
            runSig = val;
          }
          continue;
        }
        if (runN > 0) {
          out.push([h(runStart), runSig, runN]);
          runN = 0;
        }
        if (val !== 0) out.push([h(a), h(val)]);
      }
      if (runN > 0) out.push([h(runStart), runSig, runN]);
    }
  }
  return out;
}

/**
 * The tracer's probes are real reads: they fault pages in (the zero page, page cache pages, the
 * huge zero page with its anon_vma), which later ops can see. Replays them as read touches.
 */
function probeFaults(ctx: Ctx, mm: MmStruct): void {
  for (const [lo, hi] of ctx.windows) {
    for (const v of mm.vmas(lo, hi)) {
      if (v.perms[0] !== "r") continue;
      const e = Math.min(v.end, hi);
      for (let a = Math.max(v.start, lo); a < e; a += 4096) mm.touch(a, false);
    }
  }
}

function probesText(p: ProbeRow[]): string {
  return p.map((r) => (r.length === 3 ? `${r[0]}:${r[1]}x${r[2]}` : `${r[0]}=${r[1]}`)).join(" ");
}

function sameProbes(a: ProbeRow[], b: ProbeRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as ProbeRow;
    const y = b[i] as ProbeRow;
    if (hexNum(x[0]) !== hexNum(y[0]) || x.length !== y.length) return false;
    if (x.length === 3) {
      if (x[1] !== y[1] || x[2] !== y[2]) return false;
    } else if (hexNum(x[1]) !== hexNum(y[1] as string)) return false;
  }
  return true;
}

/** The kernel's return value of `op` as the model returns it (-errno on failure). */
function wantRet(op: OpRecord): number {
  return op.ret === -1 ? -op.errno : typeof op.ret === "string" ? hexNum(op.ret) : op.ret;
}

/**
 * The model's smaps of the VMAs inside one window, as lines, inode numbers in trace terms; only
 * the lines of {@link SMAPS_EXACT_FIELDS} (and the maps line) are kept, on both sides.
 */
function modelSmaps(ctx: Ctx, ino: InoBinding, mm: MmStruct): string[] {
  const out: string[] = [];
  for (const [lo, hi] of ctx.windows) {
    for (const v of mm.vmas(lo, hi)) {
      if (!insideOneWindow(ctx, v)) continue;
      const lines = renderSmapsEntry(mm, v).split("\n");
      lines.pop();
      const f = v.file;
      if (f instanceof ShmemObject || f instanceof MemFile || f instanceof HugetlbFile) {
        const t = ino.m2t.get(f.ino);
        const dev = f instanceof MemFile || f instanceof HugetlbFile ? f.dev : "00:01";
        const name = vmaName(v, mm);
        lines[0] = formatMapsLine(v.start, v.end, v.flags, v.pgoff * 4096, dev, t ?? -1, name);
      }
      out.push(...lines);
    }
  }
  return exactSmaps(out);
}

function exactSmaps(lines: string[]): string[] {
  return lines.filter((l) => {
    const m = /^([A-Za-z_]+):/.exec(l);
    return m === null || SMAPS_EXACT_FIELDS.has(m[1] as string);
  });
}

/** Runs a file / msync / smaps op; returns false when it diverged. */
function runFileOp(ctx: Ctx, ino: InoBinding, mm: MmStruct, op: OpRecord, at: string): boolean {
  const a = op.args;
  const fd = (n: unknown): number => ino.fds.get(n as number) ?? (n as number);
  let got: number;
  switch (op.op) {
    case "memfd_create":
      // fd numbers may differ (the tracer holds pipes the model does not): bind them.
      got = mm.memfd_create(a.name as string, a.flags as number);
      if (got >= 0 && typeof op.ret === "number" && op.ret >= 0) {
        ino.fds.set(op.ret, got);
        got = op.ret;
      }
      break;
    case "ftruncate":
      got = mm.ftruncate(fd(a.fd), a.length as number);
      break;
    case "close":
      got = mm.close(fd(a.fd));
      break;
    case "msync":
      got = mm.msync(hexArg(a.addr as string), hexArg(a.len as string), a.flags as number);
      break;
    case "mincore": {
      const want = (op as { vec?: string }).vec;
      const vec = new Uint8Array(want?.length ?? 1 << 20);
      got = mm.mincore(hexArg(a.addr as string), hexArg(a.len as string), vec);
      if (got === 0 && want !== undefined) {
        let have = "";
        for (let i = 0; i < want.length; i++) have += (vec[i] as number) & 1 ? "1" : "0";
        if (have !== want) {
          diverge(ctx, at, "vec", op, want, have);
          return false;
        }
      }
      break;
    }
    default: {
      const want = exactSmaps((op as { smaps?: string[] }).smaps ?? []);
      const have = modelSmaps(ctx, ino, mm);
      for (let i = 0; i < Math.max(want.length, have.length); i++) {
        if (want[i] !== have[i]) {
          diverge(ctx, at, "smaps", op, want[i] ?? "(end)", have[i] ?? "(end)");
          return false;
        }
      }
      return true;
    }
  }
  if (got !== wantRet(op)) {
    diverge(ctx, at, "ret", op, op.ret === -1 ? `-1 ${op.err}` : String(op.ret), errText(got));
    return false;
  }
  return true;
}

/** Runs one op on `mm`; returns false when it diverged. */
function runOp(ctx: Ctx, ino: InoBinding, mm: MmStruct, op: OpRecord, where: string): boolean {
  const a = op.args;
  const at = `${where}op #${op.i} ${op.op}`;
  let ok = true;
  const retCheck = (got: number): void => {
    const want = op.ret === -1 ? -op.errno : typeof op.ret === "string" ? hexNum(op.ret) : op.ret;
    if (got !== want) {
      ok = false;
      diverge(ctx, at, "ret", op, op.ret === -1 ? `-1 ${op.err}` : String(op.ret), errText(got));
    }
  };
  switch (op.op) {
    case "mmap":
      retCheck(
        mm.mmap(
          hexArg(a.addr as string),
          hexArg(a.len as string),
          a.prot as number,
          a.flags as number,
          ino.fds.get(a.fd as number) ?? (a.fd as number),
          hexArg(a.off as string),
        ),
      );
      break;
    case "munmap":
      retCheck(mm.munmap(hexArg(a.addr as string), hexArg(a.len as string)));
      break;
    case "mprotect":
      retCheck(mm.mprotect(hexArg(a.addr as string), hexArg(a.len as string), a.prot as number));
      break;
    case "mremap":
      retCheck(
        mm.mremap(
          hexArg(a.old_addr as string),
          hexArg(a.old_len as string),
          hexArg(a.new_len as string),
          a.flags as number,
          hexArg(a.new_addr as string),
        ),
      );
      break;
    case "madvise":
      retCheck(mm.madvise(hexArg(a.addr as string), hexArg(a.len as string), a.advice as number));
      break;
    case "brk":
      retCheck(mm.brk(hexArg(a.addr as string)));
      break;
    case "touch": {
      const addr = hexNum(a.addr as string);
      const before = mm.peek(addr);
      const r = mm.touch(addr, a.write === true, hexNum(a.val as string));
      const wantFault = op.fault ?? null;
      const gotFault = r === 0 ? null : r;
      if (wantFault !== gotFault) {
        ok = false;
        diverge(ctx, at, "fault", op, String(wantFault ?? "none"), String(gotFault ?? "none"));
      } else if (r === 0 && op.old !== undefined) {
        const old = typeof before === "number" ? before : 0;
        if (old !== hexNum(op.old)) {
          ok = false;
          diverge(ctx, at, "old", op, op.old, h(old));
        }
      }
      break;
    }
    case "fork": {
      const child = mm.fork(ctx.strategy);
      const c = op.child;
      const childIno: InoBinding = {
        t2m: new Map(ino.t2m),
        m2t: new Map(ino.m2t),
        fds: new Map(ino.fds),
      };
      if (c !== undefined) {
        const d = diffMaps(childIno, c.maps ?? [], modelRows(ctx, child));
        if (d !== null) {
          ok = false;
          diverge(ctx, at, "child.maps", op, d.expected, d.actual);
        }
        if (c.probes !== undefined) {
          const mp = modelProbes(ctx, child);
          if (!sameProbes(c.probes, mp)) {
            ok = false;
            diverge(ctx, at, "child.probes", op, probesText(c.probes), probesText(mp));
          }
          probeFaults(ctx, child);
        }
        for (const sub of c.ops) {
          if (!runOp(ctx, childIno, child, sub, `${at} → child `) && ctx.stopAtFirst) break;
        }
      }
      child.mmput();
      break;
    }
    case "clone_vm": {
      mm.mmget();
      for (const sub of op.child?.ops ?? []) {
        if (!runOp(ctx, ino, mm, sub, `${at} → child `) && ctx.stopAtFirst) break;
      }
      mm.mmput();
      break;
    }
    case "memfd_create":
    case "ftruncate":
    case "close":
    case "msync":
    case "mincore":
    case "smaps":
      ok = runFileOp(ctx, ino, mm, op, at) && ok;
      break;
    default:
      if (isLimitsOp(op.op)) {
        const r = runLimitsOp(mm, op);
        retCheck(r.ret);
        if (r.extra !== null) {
          ok = false;
          diverge(ctx, at, r.extra.what, op, r.extra.expected, r.extra.actual);
        }
        break;
      }
      ok = false;
      diverge(ctx, at, "op", op, "a known op", String((op as { op: unknown }).op));
  }
  const d = diffMaps(ino, op.maps, modelRows(ctx, mm));
  if (d !== null) {
    ok = false;
    diverge(ctx, at, "maps", op, d.expected, d.actual);
  }
  ctx.ops++;
  if (ok) ctx.agreed++;
  return ok;
}

/** Replays `trace` on a fresh MmStruct and compares every op (§5). */
export function replayTrace(trace: Trace, options: ReplayOptions = {}): ReplayResult {
  const hd = trace.header;
  const windows: [number, number][] = [
    [hexNum(hd.window.lo), hexNum(hd.window.hi)],
    [hexNum(hd.brk_window.lo), hexNum(hd.brk_window.hi)],
  ];
  if (hd.low_window !== undefined) {
    windows.push([hexNum(hd.low_window.lo), hexNum(hd.low_window.hi)]);
  }
  const ctx: Ctx = {
    trace,
    windows,
    ops: 0,
    agreed: 0,
    divergence: null,
    stopAtFirst: options.stopAtFirst ?? true,
    strategy: options.strategy ?? "seed",
  };
  ctx.windows.sort((x, y) => x[0] - y[0]);
  const mm = mmFromHeader(trace, ctx.strategy);
  const ino: InoBinding = { t2m: new Map(), m2t: new Map(), fds: new Map() };
  for (const op of trace.ops) {
    const agreed = runOp(ctx, ino, mm, op, "");
    options.onOp?.(op, mm, agreed);
    if (!agreed && ctx.stopAtFirst) break;
  }
  if (ctx.divergence === null && trace.end !== null) {
    const d = diffMaps(ino, trace.end.maps, modelRows(ctx, mm));
    if (d !== null)
      ctx.divergence = {
        where: "end",
        what: "maps",
        expected: d.expected,
        actual: d.actual,
        args: "",
      };
    else {
      const mp = modelProbes(ctx, mm);
      if (!sameProbes(trace.end.probes, mp)) {
        ctx.divergence = {
          where: "end",
          what: "probes",
          expected: probesText(trace.end.probes),
          actual: probesText(mp),
          args: "",
        };
      }
    }
  }
  mm.mmput();
  return { path: trace.path, ops: ctx.ops, agreed: ctx.agreed, divergence: ctx.divergence };
}

/** Formats a divergence for people: where, what, the op's arguments, kernel vs model. */
export function formatDivergence(r: ReplayResult): string {
  const d = r.divergence;
  if (d === null) return `${r.path}: agreed on all ${r.ops} ops`;
  return [
    `${r.path}: first divergence at ${d.where} (${d.what})`,
    d.args === "" ? "" : `  args:   ${d.args}`,
    `  kernel: ${d.expected}`,
    `  model:  ${d.actual}`,
  ]
    .filter((l) => l !== "")
    .join("\n");
}
