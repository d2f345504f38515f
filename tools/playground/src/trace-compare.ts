// A kernel structural trace (maple-struct/1) replayed beside our tree: each recorded operation
// runs on our tree through the kernel layer, and the kernel's recorded picture after it is kept
// next to ours, node differences marked. Loading reads .jsonl or .jsonl.gz (DecompressionStream).

import { mt_struct } from "@maplemm/maple-tree/kernel";
import { parseMapleTrace, replayMaple } from "../../replay/replay-maple.js";
import { diffPictures, type Picture, type PictureDiff } from "./picture.js";
import { readMaybeGzip } from "./read-file.js";

/** One replayed operation. */
export interface TraceAt {
  i: number;
  text: string;
  ours: Picture;
  kernel: Picture;
  diff: PictureDiff;
}

export class TraceCompare {
  private steps: TraceAt[] = [];
  private at = 0;

  get length(): number {
    return this.steps.length;
  }

  /** Read a trace file and replay it whole (the steps are then browsed without re-running). */
  async load(file: Blob & { name?: string }): Promise<void> {
    const text = await readMaybeGzip(file);
    this.steps = replayText(text, file.name ?? "trace");
    this.at = 0;
  }

  current(): TraceAt | null {
    return this.steps[this.at] ?? null;
  }

  step(by: number): void {
    this.goTo(this.at + by);
  }

  /** Show the state after operation `i` (clamped to the trace). */
  goTo(i: number): void {
    this.at = Math.max(0, Math.min(this.steps.length - 1, i));
  }

  /** Move to the next operation whose trees differ (stays put when none does). */
  toNextDifference(): void {
    for (let i = this.at + 1; i < this.steps.length; i++) {
      if (!(this.steps[i] as TraceAt).diff.same) {
        this.at = i;
        return;
      }
    }
  }
}

/** Replay a trace's text: one TraceAt per operation line. */
export function replayText(text: string, name = "trace"): TraceAt[] {
  const trace = parseMapleTrace(text, name);
  if (trace.header.format !== "maple-struct/1") {
    throw new Error(`not a maple-struct/1 trace (format ${String(trace.header.format)})`);
  }
  const out: TraceAt[] = [];
  replayMaple(trace, {
    all: true,
    onOp: (op, mt) => {
      const ours = mt_struct(mt) as Picture;
      const args = op.args.map((a) => JSON.stringify(a)).join(", ");
      out.push({
        i: op.i,
        text: `${op.op}(${args})`,
        ours,
        kernel: op.tree,
        diff: diffPictures(ours, op.tree),
      });
    },
  });
  return out;
}
