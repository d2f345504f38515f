// A kernel structural trace (maple-struct/1) replayed beside our tree: each recorded operation
// runs on our tree through the kernel layer, and the kernel's recorded picture after it is kept
// next to ours, node differences marked. Loading reads .jsonl or .jsonl.gz (DecompressionStream).

import { mt_struct } from "@maplemm/maple-tree/kernel";
import {
  diffPictures,
  expandRefs,
  type PicNode,
  type Picture,
  type PictureDiff,
} from "./picture.js";
import { readMaybeGzip } from "./read-file.js";
import { type StructOp, StructReplayer } from "./struct-ops.js";

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
    this.steps = replayText(text);
    this.at = 0;
  }

  current(): TraceAt | null {
    return this.steps[this.at] ?? null;
  }

  step(by: number): void {
    this.at = Math.max(0, Math.min(this.steps.length - 1, this.at + by));
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
export function replayText(text: string): TraceAt[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = JSON.parse(lines[0] as string) as { format?: string; flags?: number };
  if (header.format !== "maple-struct/1")
    throw new Error(`not a maple-struct/1 trace (format ${String(header.format)})`);
  const replayer = new StructReplayer(header.flags ?? 0);
  const out: TraceAt[] = [];
  let prev: PicNode[] | null = null;
  for (let k = 1; k < lines.length; k++) {
    const rec = JSON.parse(lines[k] as string) as StructOp & { i: number; tree: Picture };
    const kernel = expandRefs(rec.tree, prev);
    prev = kernel.root === "node" ? kernel.nodes : null;
    replayer.apply(rec);
    const ours = mt_struct(replayer.tree) as Picture;
    out.push({
      i: rec.i,
      text: `${rec.op}(${rec.args.map((a) => JSON.stringify(a)).join(", ")})`,
      ours,
      kernel,
      diff: diffPictures(ours, kernel),
    });
  }
  return out;
}
