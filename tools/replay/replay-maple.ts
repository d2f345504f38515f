// Replaying maple-struct/1 traces (tools/oracle/maple-struct, format in struct-format.md there):
// each recorded operation runs on our tree through the kernel layer, then its result and our
// tree's structure (`mt_struct`) are compared with what the kernel recorded. The first difference
// is reported as the path from the root to the node and the fields that differ.

import {
  __mt_dup,
  DEFINE_MTREE,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MaState,
  type MtStruct,
  mas_destroy,
  mas_expected_entries,
  mas_for_each,
  mas_lock,
  mas_store,
  mas_store_gfp,
  mas_unlock,
  mt_struct,
  mtree_alloc_cyclic,
  mtree_alloc_range,
  mtree_alloc_rrange,
  mtree_destroy,
  mtree_erase,
  mtree_insert_range,
  mtree_store_range,
  type StructNode,
  type StructNum,
  structEntry,
  structNum,
  XA_ZERO_ENTRY,
} from "@maplemm/maple-tree/kernel";

/** A trace's header line. */
export interface MapleTraceHeader {
  format: string;
  family: string;
  seed?: number;
  set?: string;
  ops: number;
  flags: number;
  refs: boolean;
  kernel: string;
}

/** One operation line, its tree expanded (no node references left). */
export interface MapleOp {
  i: number;
  op: string;
  args: (StructNum | null)[];
  ret?: unknown;
  mas?: StructNum[];
  start?: StructNum;
  next?: StructNum;
  tree: MtStruct;
}

/** A parsed trace. */
export interface MapleTrace {
  name: string;
  header: MapleTraceHeader;
  ops: MapleOp[];
}

/** Parses a trace's text (gunzipped) and expands its node references. */
export function parseMapleTrace(text: string, name: string): MapleTrace {
  const lines = text.split("\n").filter((l) => l.length > 0);
  const header = JSON.parse(lines[0] as string) as MapleTraceHeader;
  const ops: MapleOp[] = [];
  let prev: StructNode[] | null = null;
  for (let k = 1; k < lines.length; k++) {
    const r = JSON.parse(lines[k] as string) as MapleOp;
    if (r.tree.root === "node") {
      const p = prev;
      r.tree.nodes = r.tree.nodes.map((n) =>
        typeof n === "number" ? (p as StructNode[])[n] : n,
      ) as StructNode[];
      prev = r.tree.nodes;
    } else {
      prev = null;
    }
    ops.push(r);
  }
  return { name, header, ops };
}

/** Result of one trace's replay. */
export interface MapleReplayResult {
  name: string;
  /** Operations replayed (all of them, or up to the first difference). */
  ops: number;
  /** Operations whose result and structure agreed, counted up to the first difference. */
  agreed: number;
  /** Total operations of the trace. */
  total: number;
  /** The first difference, or null when every operation agreed. */
  divergence: string | null;
}

/** A trace number as ours: "max" is MAX_INDEX, "max-D" is MAX_INDEX - D. */
export function traceNum(v: StructNum): number {
  if (typeof v === "number") return v;
  if (v === "max") return MAX_INDEX;
  if (v.startsWith("max-")) return MAX_INDEX - Number(v.slice(4));
  throw new Error(`replay-maple: bad number ${JSON.stringify(v)}`);
}

/** A trace entry as ours: an integer, null, or XA_ZERO_ENTRY for "zero". */
export function traceEntry(v: StructNum | null): unknown {
  if (v === null) return null;
  if (v === "zero") return XA_ZERO_ENTRY;
  return traceNum(v);
}

/** The state of a replay: the tree and the bulk state `B` kept across lines. */
interface Replayer {
  mt: MapleTreeCore;
  bulk: MaState | null;
}

/** What an operation returned, in trace form (keys as the trace records them). */
type Outcome = Partial<Pick<MapleOp, "ret" | "mas" | "start" | "next">>;

function runOp(r: Replayer, op: MapleOp): Outcome {
  const a = op.args;
  const n = (k: number) => traceNum(a[k] as StructNum);
  const e = (k: number) => traceEntry(a[k] as StructNum | null);
  switch (op.op) {
    case "init":
      r.mt = DEFINE_MTREE(n(0));
      r.bulk = null;
      return {};
    case "store_range":
      return { ret: mtree_store_range(r.mt, n(0), n(1), e(2)) };
    case "insert_range":
      return { ret: mtree_insert_range(r.mt, n(0), n(1), e(2)) };
    case "erase":
      return { ret: structEntry(mtree_erase(r.mt, n(0))) };
    case "mas_store_gfp": {
      const mas = MA_STATE(r.mt, n(0), n(1));
      mas_lock(mas);
      const ret = mas_store_gfp(mas, e(2));
      mas_unlock(mas);
      return { ret, mas: [structNum(mas.index), structNum(mas.last)] };
    }
    case "alloc_range":
    case "alloc_rrange": {
      const start = { value: -1 };
      const f = op.op === "alloc_range" ? mtree_alloc_range : mtree_alloc_rrange;
      const ret = f(r.mt, start, e(3), n(0), n(1), n(2));
      return ret === 0 ? { ret, start: structNum(start.value) } : { ret };
    }
    case "alloc_cyclic": {
      const start = { value: -1 };
      const next = { value: n(2) };
      const ret = mtree_alloc_cyclic(r.mt, start, e(3), n(0), n(1), next);
      return ret >= 0
        ? { ret, start: structNum(start.value), next: structNum(next.value) }
        : { ret, next: structNum(next.value) };
    }
    case "destroy":
      mtree_destroy(r.mt);
      return {};
    case "mas_expected_entries": {
      r.bulk = MA_STATE(r.mt, 0, 0);
      mas_lock(r.bulk);
      return { ret: mas_expected_entries(r.bulk, n(0)) };
    }
    case "mas_store": {
      const b = r.bulk as MaState;
      b.index = n(0);
      b.last = n(1);
      const ret = structEntry(mas_store(b, e(2)));
      return { ret, mas: [structNum(b.index), structNum(b.last)] };
    }
    case "mas_destroy": {
      const b = r.bulk as MaState;
      mas_destroy(b);
      mas_unlock(b);
      r.bulk = null;
      return {};
    }
    case "dup": {
      const copy = DEFINE_MTREE(r.mt.attr);
      const ret = __mt_dup(r.mt, copy);
      mtree_destroy(r.mt);
      r.mt = copy;
      return { ret };
    }
    case "dup_walk": {
      const mas = MA_STATE(r.mt, 0, 0);
      mas_lock(mas);
      for (const v of mas_for_each(mas, MAX_INDEX)) {
        if (typeof v === "number") mas_store(mas, v + 1);
      }
      mas_destroy(mas);
      mas_unlock(mas);
      return {};
    }
    default:
      throw new Error(`replay-maple: unknown op ${op.op}`);
  }
}

const RESULT_KEYS = ["ret", "mas", "start", "next"] as const;

/** The first result field that differs, or null. */
function compareOutcome(op: MapleOp, got: Outcome): string | null {
  for (const k of RESULT_KEYS) {
    if (!(k in op)) continue;
    const want = JSON.stringify(op[k]);
    const have = JSON.stringify(got[k]);
    if (want !== have) return `${k}: kernel ${want}, ours ${have}`;
  }
  return null;
}

const FIELDS = ["type", "min", "max", "pivots", "slots", "gaps", "gapOffset"];

function describeNode(nodes: StructNode[], at: number): string {
  const n = nodes[at] as StructNode;
  return `${n[0]} [${n[1]}, ${n[2]}]`;
}

/** Path of node `at` from the root: `root > slot 3 > slot 0`, found through the parents' slots. */
function pathTo(nodes: StructNode[], at: number): string {
  const steps: string[] = [];
  let cur = at;
  while (cur !== 0) {
    let found = -1;
    for (let p = cur - 1; p >= 0 && found < 0; p--) {
      const node = nodes[p] as StructNode;
      if (node[0] === "leaf_64") continue;
      const k = (node[4] as number[]).indexOf(cur);
      if (k >= 0) {
        steps.push(`slot ${k}`);
        found = p;
      }
    }
    if (found < 0) break;
    cur = found;
  }
  return ["root", ...steps.reverse()].join(" > ");
}

function sameList(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Field-for-field equality of two nodes (no string building on the replay's hot path). */
function sameNode(a: StructNode, b: StructNode): boolean {
  if (a.length !== b.length) return false;
  for (let f = 0; f < a.length; f++) {
    const x = a[f];
    const y = b[f];
    if (x !== y && !sameList(x, y)) return false;
  }
  return true;
}

/** The first structural difference between the kernel's tree and ours, or null. */
export function compareStruct(want: MtStruct, have: MtStruct): string | null {
  if (want.root !== have.root || want.height !== have.height) {
    return `tree: kernel height ${want.height} root ${want.root}, ours height ${have.height} root ${have.root}`;
  }
  if (want.root === "entry" && have.root === "entry") {
    return want.entry === have.entry
      ? null
      : `root entry: kernel ${JSON.stringify(want.entry)}, ours ${JSON.stringify(have.entry)}`;
  }
  if (want.root !== "node" || have.root !== "node") return null;
  const w = want.nodes;
  const h = have.nodes;
  const count = Math.min(w.length, h.length);
  for (let i = 0; i < count; i++) {
    const a = w[i] as StructNode;
    const b = h[i] as StructNode;
    if (sameNode(a, b)) continue;
    const diffs: string[] = [];
    for (let f = 0; f < Math.max(a.length, b.length); f++) {
      const x = JSON.stringify(a[f]);
      const y = JSON.stringify(b[f]);
      if (x !== y) diffs.push(`${FIELDS[f]}: kernel ${x}, ours ${y}`);
    }
    if (diffs.length > 0) {
      return `node ${i} at ${pathTo(w, i)} (kernel ${describeNode(w, i)}):\n    ${diffs.join("\n    ")}`;
    }
  }
  if (w.length !== h.length) return `node count: kernel ${w.length}, ours ${h.length}`;
  return null;
}

/** Options of {@link replayMaple}. */
export interface MapleReplayOptions {
  /** Keep going after a difference, counting the agreeing ops. */
  all?: boolean;
  /** Compare the structure too (default); false compares the results only. */
  structure?: boolean;
  /** Called after each op with our tree and the op's first difference (null: it agreed). */
  onOp?: (op: MapleOp, mt: MapleTreeCore, diff: string | null) => void;
}

/** Replays one trace; stops at the first difference unless `all` (then counts agreeing ops). */
export function replayMaple(trace: MapleTrace, opts: MapleReplayOptions = {}): MapleReplayResult {
  const structure = opts.structure ?? true;
  const r: Replayer = { mt: DEFINE_MTREE(trace.header.flags), bulk: null };
  let agreed = 0;
  let done = 0;
  let divergence: string | null = null;
  for (const op of trace.ops) {
    done++;
    let diff: string | null;
    try {
      diff = compareOutcome(op, runOp(r, op));
      if (diff === null && structure) diff = compareStruct(op.tree, mt_struct(r.mt));
    } catch (err) {
      diff = `threw ${(err as Error).stack ?? err}`;
    }
    opts.onOp?.(op, r.mt, diff);
    if (diff === null) {
      agreed++;
      continue;
    }
    if (divergence === null) {
      divergence = `op ${op.i} ${op.op} ${JSON.stringify(op.args)}: ${diff}`;
    }
    if (!opts.all) break;
  }
  return { name: trace.name, ops: done, agreed, total: trace.ops.length, divergence };
}

/** Runs a trace's ops 0..`upto` (inclusive) and returns our tree (for debugging a divergence). */
export function replayUntil(trace: MapleTrace, upto: number): MapleTreeCore {
  const r: Replayer = { mt: DEFINE_MTREE(trace.header.flags), bulk: null };
  for (const op of trace.ops.slice(0, upto + 1)) runOp(r, op);
  return r.mt;
}

/** One failing trace's report: its name, the op and the first difference. */
export function formatMapleDivergence(res: MapleReplayResult): string {
  return `${res.name} (${res.agreed}/${res.total} ops agreed)\n  ${res.divergence}`;
}
