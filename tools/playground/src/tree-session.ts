// The maple tree view's model: one tree, one maple state, and the history of every operation run
// on them, each step keeping the picture of the tree after it and the state it left. Writes go
// through the idiomatic MapleTree (its errors name the bad argument); walks, gap searches and
// next/prev go through the kernel layer on the same core tree, so the state shown is a real
// `ma_state`. No DOM here: Node tests drive the same session the page does.

import { MapleTree } from "@maplemm/maple-tree";
import {
  MA_STATE,
  MAX_INDEX,
  type MaState,
  mas_empty_area,
  mas_empty_area_rev,
  mas_next,
  mas_prev,
  mas_reset,
  mas_set,
  mas_walk,
  mt_clear_in_rcu,
  mt_in_rcu,
  mt_set_in_rcu,
  mt_struct,
} from "@maplemm/maple-tree/kernel";
import { type Picture, walkPath } from "./picture.js";

/** One operation of the tree view, as the form or a script line gives it. */
export type TreeOp =
  | { op: "store" | "insert"; first: number; last: number; value: number }
  | { op: "erase"; index: number }
  | { op: "allocate"; size: number; min: number; max: number; value: number }
  | { op: "gap" | "gaprev"; size: number; min: number; max: number }
  | { op: "walk"; index: number }
  | { op: "next" | "prev" }
  | { op: "dup" }
  | { op: "rcu"; on: boolean }
  | { op: "clear" };

/** The maple state's fields as the view shows them. */
export interface StateView {
  index: number;
  last: number;
  status: string;
  node: number;
  offset: number;
}

/** One step of the history: the operation, what it answered, and the tree and state after it. */
export interface TreeStep {
  text: string;
  result: string;
  ok: boolean;
  picture: Picture;
  state: StateView;
  /** Picture positions the operation walked through (root first) and the state's node/slot. */
  path: number[];
  stateNode: number;
  stateSlot: number;
  rcu: boolean;
}

/** The tree, its state and its history. */
export class TreeSession {
  private tree: MapleTree<number>;
  private mas: MaState;
  readonly steps: TreeStep[] = [];

  constructor(readonly alloc: boolean) {
    this.tree = new MapleTree<number>({ alloc });
    this.mas = MA_STATE(this.tree.mt, 0, 0);
    this.record(
      "new tree",
      alloc ? "an allocation tree (MT_FLAGS_ALLOC_RANGE)" : "a plain tree",
      -1,
    );
  }

  /**
   * Run one operation and record the step. A failure answers with the library's message, changes
   * nothing and is not recorded: the step returned is the current one with that message.
   */
  run(op: TreeOp): TreeStep {
    const text = opText(op);
    let result: string;
    try {
      result = this.apply(op);
    } catch (e) {
      const now = this.steps[this.steps.length - 1] as TreeStep;
      return { ...now, text, result: (e as Error).message, ok: false };
    }
    return this.record(text, result, indexOf(op, this.mas));
  }

  private apply(op: TreeOp): string {
    const mt = this.tree.mt;
    switch (op.op) {
      case "store":
        this.tree.setRange(op.first, op.last, op.value);
        return this.writeDone();
      case "insert":
        this.tree.insertRange(op.first, op.last, op.value);
        return this.writeDone();
      case "erase": {
        const had = this.tree.delete(op.index);
        this.writeDone();
        return had ? "erased" : "nothing there";
      }
      case "allocate": {
        const at = this.tree.allocate(op.size, op.value, { min: op.min, max: op.max });
        this.writeDone();
        return `allocated at ${at}`;
      }
      case "gap":
      case "gaprev": {
        mas_reset(this.mas);
        const fn = op.op === "gap" ? mas_empty_area : mas_empty_area_rev;
        const ret = fn(this.mas, op.min, op.max, op.size);
        return ret === 0 ? `gap at [${this.mas.index}, ${this.mas.last}]` : `returned ${ret}`;
      }
      case "walk":
        mas_set(this.mas, op.index);
        return `entry ${String(mas_walk(this.mas) ?? "NULL")}`;
      case "next":
        return `entry ${String(mas_next(this.mas, MAX_INDEX) ?? "NULL")}`;
      case "prev":
        return `entry ${String(mas_prev(this.mas, 0) ?? "NULL")}`;
      case "dup":
        this.tree = this.tree.dup();
        this.mas = MA_STATE(this.tree.mt, 0, 0);
        return "the copy replaces the tree (__mt_dup)";
      case "rcu":
        if (op.on) mt_set_in_rcu(mt);
        else mt_clear_in_rcu(mt);
        return op.on ? "RCU mode on" : "RCU mode off";
      case "clear":
        this.tree.clear();
        return this.writeDone();
    }
  }

  /** A write leaves the view's state at the start, as any write invalidates a kernel ma_state. */
  private writeDone(): string {
    mas_reset(this.mas);
    return `${this.tree.size} ranges`;
  }

  private record(text: string, result: string, index: number): TreeStep {
    const picture = mt_struct(this.tree.mt) as Picture;
    const m = this.mas;
    const state = {
      index: m.index,
      last: m.last,
      status: m.status,
      node: m.node,
      offset: m.offset,
    };
    const walked = index >= 0 ? walkPath(picture, index) : { nodes: [], slot: -1 };
    const active = m.status === "active" && walked.nodes.length > 0;
    const step: TreeStep = {
      text,
      result,
      ok: true,
      picture,
      state,
      path: walked.nodes,
      stateNode: active ? (walked.nodes[walked.nodes.length - 1] as number) : -1,
      stateSlot: active ? m.offset : -1,
      rcu: mt_in_rcu(this.tree.mt),
    };
    this.steps.push(step);
    return step;
  }
}

/** The index an operation's walk goes to, for the path drawn: the state's index after it. */
function indexOf(op: TreeOp, mas: MaState): number {
  switch (op.op) {
    case "store":
    case "insert":
      return op.first;
    case "erase":
      return op.index;
    case "dup":
    case "rcu":
    case "clear":
      return -1;
    default:
      return mas.status === "active" ? mas.index : -1;
  }
}

/** The operation as a script line. */
export function opText(op: TreeOp): string {
  switch (op.op) {
    case "store":
    case "insert":
      return `${op.op} ${op.first} ${op.last} ${op.value}`;
    case "erase":
    case "walk":
      return `${op.op} ${op.index}`;
    case "allocate":
      return `allocate ${op.size} ${op.min} ${op.max} ${op.value}`;
    case "gap":
    case "gaprev":
      return `${op.op} ${op.size} ${op.min} ${op.max}`;
    case "rcu":
      return `rcu ${op.on ? "on" : "off"}`;
    default:
      return op.op;
  }
}
