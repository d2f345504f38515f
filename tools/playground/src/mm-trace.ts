// A Linux mm trace (mmtrace-v1, tools/oracle/traces) replayed for stepping: the replayer runs it
// on a fresh MmStruct laid out from the trace's header, comparing every operation with what the
// kernel recorded, and hands each top-level operation's outcome here; each step keeps the model's
// maps after it and the kernel's recorded VMAs (inside the trace's windows) beside them.

import type { DupStrategy, MmStruct } from "@maplemm/mm";
import { replayTrace } from "../../replay/replay.js";
import { hexNum, type OpRecord, parseTrace, type VmaRow as TraceRow } from "../../replay/trace.js";
import { rowsOf, type VmaRow } from "./mm-session.js";

/** One replayed operation. */
export interface MmTraceStep {
  i: number;
  /** The call as the trace recorded it, and the kernel's return. */
  text: string;
  /** Every comparison of this operation agreed with the kernel. */
  agreed: boolean;
  /** The model's maps after the operation, and its VMAs for the strip. */
  maps: string;
  vmas: VmaRow[];
  /** The kernel's recorded VMAs inside the trace's windows after the operation. */
  kernel: string;
}

/** A whole trace replayed: its steps and the replayer's verdict. */
export interface MmTraceRun {
  steps: MmTraceStep[];
  ops: number;
  agreed: number;
  divergence: string | null;
}

/** Replay a trace's text (already decompressed) with `strategy` for its forks. */
export function replayForSteps(text: string, name: string, strategy: DupStrategy): MmTraceRun {
  const steps: MmTraceStep[] = [];
  const onOp = (op: OpRecord, mm: MmStruct, agreed: boolean): void => {
    steps.push({
      i: op.i,
      text: `${op.op}(${Object.values(op.args).join(", ")}) = ${op.ret}${op.err === null ? "" : ` ${op.err}`}`,
      agreed,
      maps: mm.procMaps(),
      vmas: rowsOf(mm),
      kernel: op.maps.map(rowText).join("\n"),
    });
  };
  const r = replayTrace(parseTrace(text, name), { strategy, stopAtFirst: false, onOp });
  const d = r.divergence;
  return {
    steps,
    ops: r.ops,
    agreed: r.agreed,
    divergence: d === null ? null : `${d.where}: ${d.what}`,
  };
}

function rowText(r: TraceRow): string {
  const [start, end, perms, off, dev, ino, name] = r;
  const h = (x: string): string => hexNum(x).toString(16);
  return `${h(start)}-${h(end)} ${perms} ${h(off).padStart(8, "0")} ${dev} ${ino} ${name}`.trimEnd();
}
