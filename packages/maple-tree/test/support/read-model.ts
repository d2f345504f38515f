// Test support: a reference model of the read side. The tree is a sorted array of ranges covering
// 0..MAX (or "empty", or a lone direct root entry); the state is {index, last, status, err} plus
// the position (which range a node-tree state stands on, -1 for none). The status handling follows
// docs/spec/maple-tree.md §4.4 (the kernel's *_setup functions); the movement is the obvious one
// over the array, with no nodes, so any layout-dependent bug of the real tree shows up as a
// difference.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import { EINVAL, type MaStatus } from "@maplemm/maple-tree/kernel";
import type { Range } from "./build.js";

/** What a model read observes, for comparison with the real state. */
export interface Observed {
  entry: unknown;
  index: number;
  last: number;
  status: MaStatus;
  err: number;
}

const valid = (i: unknown): i is number =>
  typeof i === "number" && Number.isInteger(i) && i >= 0 && i <= MAX_INDEX;

/** The model tree plus one model state. */
export class ReadModel {
  readonly kind: "empty" | "root" | "nodes";
  readonly ranges: Range[];
  readonly rootEntry: unknown;
  index = 0;
  last = 0;
  status: MaStatus = "start";
  err = 0;
  /** Range the state stands on (the kernel's node + offset); -1 when it has no node. */
  pos = -1;

  /** `ranges` is the full partition (build.ts `partition`) of a node tree, or [] / a root entry. */
  constructor(kind: "empty" | "root" | "nodes", ranges: Range[], rootEntry: unknown = null) {
    this.kind = kind;
    this.ranges = ranges;
    this.rootEntry = rootEntry;
  }

  observe(entry: unknown): Observed {
    return { entry, index: this.index, last: this.last, status: this.status, err: this.err };
  }

  /** Index of the range holding `i` (binary search over the partition). */
  rangeAt(i: number): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid].last < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // --- positioning ---------------------------------------------------------------------------

  set(i: number): void {
    this.setRange(i, i);
  }
  setRange(a: number, b: number): void {
    this.index = a;
    this.last = b;
    this.reset();
  }
  reset(): void {
    this.status = "start";
    this.pos = -1;
    this.err = 0;
  }
  pause(): void {
    this.status = "pause";
    this.pos = -1;
  }
  private fail(): null {
    this.status = "error";
    this.err = -EINVAL;
    this.pos = -1;
    return null;
  }
  private argsOk(limit: number): boolean {
    return valid(limit) && valid(this.index) && valid(this.last);
  }

  /** Kernel mas_start + mas_state_walk from status start. */
  private stateWalk(): unknown {
    if (this.kind === "nodes") {
      this.pos = this.rangeAt(this.index);
      const r = this.ranges[this.pos];
      this.index = r.first;
      this.last = r.last;
      this.status = "active";
      return r.value;
    }
    this.pos = -1;
    if (this.kind === "empty") {
      this.status = "none";
      return null;
    }
    this.status = "root";
    return this.index === 0 ? this.rootEntry : null;
  }

  walk(): unknown {
    if (!valid(this.index)) return this.fail();
    this.status = "start";
    this.err = 0;
    const e = this.stateWalk();
    const t = this.status as MaStatus;
    if (t === "none") {
      this.index = 0;
      this.last = MAX_INDEX;
    } else if (t === "root") {
      if (this.index === 0) {
        this.last = 0;
        return e;
      }
      this.index = 1;
      this.last = MAX_INDEX;
      this.status = "none";
      return null;
    }
    return e;
  }

  /** Positions a state that must move but has no node; false when the tree has no nodes. */
  private ensure(savePoint: number, forward: boolean): boolean {
    if (this.pos >= 0) return true;
    if (this.kind === "nodes") {
      const keep = this.status;
      this.index = savePoint;
      this.stateWalk();
      this.status = keep;
      return true;
    }
    if (this.kind === "empty") {
      this.index = 0;
      this.last = MAX_INDEX;
    } else if (forward) {
      this.index = 1;
      this.last = MAX_INDEX;
    } else if (savePoint > 0) {
      this.index = 0;
      this.last = 0;
      this.status = "root";
      return false;
    }
    this.status = "none";
    return false;
  }

  // --- movement over the array ---------------------------------------------------------------

  private stepForward(max: number, empty: boolean): unknown {
    if (!this.ensure(this.last, true)) return null;
    let p = this.pos;
    if (this.ranges[p].last >= max) {
      this.status = "overflow";
      return null;
    }
    for (;;) {
      p++;
      const r = this.ranges[p];
      this.pos = p;
      this.index = r.first;
      this.last = r.last;
      if (r.value !== null || empty) return r.value;
      if (r.last >= max) {
        this.status = "overflow";
        return null;
      }
    }
  }

  private stepBackward(min: number, empty: boolean): unknown {
    if (!this.ensure(this.index, false)) return this.status === "root" ? this.rootEntry : null;
    let p = this.pos;
    if (this.ranges[p].first <= min) {
      this.status = "underflow";
      return null;
    }
    for (;;) {
      p--;
      const r = this.ranges[p];
      this.pos = p;
      this.index = r.first;
      this.last = r.last;
      if (r.value !== null || empty) return r.value;
      if (r.first <= min) {
        this.status = "underflow";
        return null;
      }
    }
  }

  // --- the reads -----------------------------------------------------------------------------

  private nextSetup(max: number): { done: boolean; entry: unknown } {
    const no = { done: true, entry: null };
    if (!this.argsOk(max)) return { done: true, entry: this.fail() };
    const wasNone = this.status === "none";
    if (this.last >= max) {
      this.status = "overflow";
      return no;
    }
    const s = this.status;
    if (s === "active") return { done: false, entry: null };
    if (s === "error") return no;
    if (s === "start" || s === "pause" || s === "none") this.walk();
    else if (s === "overflow") this.status = "active";
    else if (s === "underflow") {
      this.status = "active";
      const e = this.walk();
      if (e !== null) return { done: true, entry: e };
    }
    const t = this.status as MaStatus;
    if (t === "active") return { done: false, entry: null };
    if (t === "root") {
      if (wasNone && this.index === 0) {
        this.last = 0;
        return no;
      }
      this.index = 1;
      this.last = MAX_INDEX;
      this.status = "none";
    }
    return no;
  }

  next(max: number): unknown {
    const s = this.nextSetup(max);
    return s.done ? s.entry : this.stepForward(max, false);
  }
  nextRange(max: number): unknown {
    const s = this.nextSetup(max);
    return s.done ? s.entry : this.stepForward(max, true);
  }

  private prevSetup(min: number): { done: boolean; entry: unknown } {
    const no = { done: true, entry: null };
    if (!this.argsOk(min)) return { done: true, entry: this.fail() };
    if (this.index <= min) {
      this.status = "underflow";
      return no;
    }
    const s = this.status;
    if (s === "active") return { done: false, entry: null };
    if (s === "error") return no;
    if (s === "start" || s === "pause" || s === "none") this.walk();
    else if (s === "underflow") this.status = "active";
    else if (s === "overflow") {
      this.status = "active";
      const e = this.walk();
      if (e !== null) return { done: true, entry: e };
    }
    const t = this.status as MaStatus;
    if (t === "root") {
      if (this.index === 0) {
        this.status = "none";
        return no;
      }
      this.index = 0;
      this.last = 0;
      return { done: true, entry: this.rootEntry };
    }
    if (t === "none") {
      if (this.index !== 0) {
        this.index = 0;
        this.last = 0;
        this.status = "root";
        return { done: true, entry: this.rootEntry };
      }
      return no;
    }
    return { done: false, entry: null };
  }

  prev(min: number): unknown {
    const s = this.prevSetup(min);
    return s.done ? s.entry : this.stepBackward(min, false);
  }
  prevRange(min: number): unknown {
    const s = this.prevSetup(min);
    return s.done ? s.entry : this.stepBackward(min, true);
  }

  private findSetup(max: number): { done: boolean; entry: unknown } {
    const no = { done: true, entry: null };
    if (!this.argsOk(max)) return { done: true, entry: this.fail() };
    const s = this.status;
    if (s === "active") return this.last < max ? { done: false, entry: null } : no;
    if (s === "error") return no;
    if (s === "pause" || s === "none") {
      if (this.last >= max) return no;
      this.index = s === "pause" ? this.last + 1 : this.last;
      this.last = this.index;
      this.status = "start";
    } else if (s === "underflow" || s === "overflow") {
      if (s === "underflow" && this.index >= max) {
        this.status = "overflow";
        return no;
      }
      if (s === "overflow" && this.last >= max) return no;
      this.status = "active";
      const e = this.walk();
      if (e !== null) return { done: true, entry: e };
    }
    if (this.status === "start") {
      if (this.index > max) return no;
      const e = this.walk();
      if (e !== null) return { done: true, entry: e };
    }
    const t = this.status as MaStatus;
    if (t === "root") {
      this.status = "none";
      this.index = 1;
      this.last = MAX_INDEX;
      return no;
    }
    if (t === "none") return no;
    if (this.index === max) return no;
    return { done: false, entry: null };
  }

  find(max: number): unknown {
    const s = this.findSetup(max);
    if (s.done) return s.entry;
    const e = this.stepForward(max, false);
    if (this.status === "overflow") this.status = "active";
    return e;
  }
  findRange(max: number): unknown {
    const s = this.findSetup(max);
    return s.done ? s.entry : this.stepForward(max, true);
  }

  private findRevSetup(min: number): { done: boolean; entry: unknown } {
    const no = { done: true, entry: null };
    if (!this.argsOk(min)) return { done: true, entry: this.fail() };
    const s = this.status;
    if (s === "active") return this.index < min ? no : { done: false, entry: null };
    if (s === "error") return no;
    if (s === "pause") {
      if (this.index <= min) {
        this.status = "underflow";
        return no;
      }
      this.index = this.index - 1;
      this.last = this.index;
      this.status = "start";
    } else if (s === "none") {
      if (this.index <= min) return no;
      this.last = this.index;
      this.status = "start";
    } else if (s === "overflow" || s === "underflow") {
      if (this.index <= min) {
        this.status = "underflow";
        return no;
      }
      this.status = "active";
    }
    if (this.status === "start") {
      if (this.index < min) return no;
      const e = this.walk();
      if (e !== null) return { done: true, entry: e };
    }
    const t = this.status as MaStatus;
    if (t === "root") {
      this.status = "none";
      return no;
    }
    if (t === "none") {
      this.index = 0;
      this.last = 0;
      this.status = "root";
      return { done: true, entry: this.rootEntry };
    }
    if (this.index < min) return no;
    return { done: false, entry: null };
  }

  findRev(min: number): unknown {
    const s = this.findRevSetup(min);
    return s.done ? s.entry : this.stepBackward(min, false);
  }
  findRangeRev(min: number): unknown {
    const s = this.findRevSetup(min);
    return s.done ? s.entry : this.stepBackward(min, true);
  }

  // --- the normal API over the model tree (stateless) ----------------------------------------

  /** mtree_load: the entry at `i`, ZERO hidden. */
  load(i: unknown): unknown {
    if (!valid(i)) return null;
    let e: unknown = null;
    if (this.kind === "nodes") e = this.ranges[this.rangeAt(i)].value;
    else if (this.kind === "root" && i === 0) e = this.rootEntry;
    return e === XA_ZERO_ENTRY ? null : e;
  }

  /** mt_find: `[entry, new index]`, or `[null, start]`. */
  mtFind(start: number, max: number): [unknown, number] {
    if (!valid(start) || !valid(max) || start > max) return [null, start];
    if (this.kind === "empty") return [null, start];
    if (this.kind === "root") return start === 0 ? [this.rootEntry, 1] : [null, start];
    for (let p = this.rangeAt(start); p < this.ranges.length; p++) {
      const r = this.ranges[p];
      if (r.first > max) break;
      if (r.value !== null && r.value !== XA_ZERO_ENTRY) {
        return [r.value, r.last === MAX_INDEX ? 0 : r.last + 1];
      }
    }
    return [null, start];
  }

  /** The whole mt_for_each sequence from `start` to `max`. */
  mtForEach(start: number, max: number): [unknown, number][] {
    const out: [unknown, number][] = [];
    let [e, i] = this.mtFind(start, max);
    while (e !== null) {
      out.push([e, i]);
      if (i === 0) break;
      [e, i] = this.mtFind(i, max);
    }
    return out;
  }
}

/** A model of the tree `buildTree(entries, options)` builds (same kind and ranges). */
export function modelOf(entries: readonly Range[], ranges: Range[], forceNodes = false): ReadModel {
  if (entries.length === 0) return new ReadModel("empty", []);
  if (
    entries.length === 1 &&
    entries[0].first === 0 &&
    entries[0].last === 0 &&
    !forceNodes &&
    entries[0].value !== XA_ZERO_ENTRY
  ) {
    return new ReadModel("root", [], entries[0].value);
  }
  return new ReadModel("nodes", ranges);
}
