// The maple state (kernel `struct ma_state`): where an advanced-API caller is in a tree, and the
// status machine of docs/spec/maple-tree.md §4.2. The positioning helpers that only touch the state
// live here too; reads and writes that move it live in their own files.

import { MAX_INDEX } from "./index-space.js";
import type { MapleTreeCore } from "./tree.js";

/** Kernel `enum maple_status`, as strings (docs/spec/api.md). */
export type MaStatus =
  | "start"
  | "active"
  | "root"
  | "none"
  | "pause"
  | "overflow"
  | "underflow"
  | "error";

/** Kernel `MA_STATE_PREALLOC`: the state holds nodes reserved by `mas_preallocate`. */
export const MA_STATE_PREALLOC = 1;
/** Kernel `MA_STATE_BULK`: bulk loading started by `mas_expected_entries`. */
export const MA_STATE_BULK = 2;

/** Kernel `struct ma_state`. Fields follow the kernel's; node references are arena node ids. */
export class MaState {
  /** The tree this state walks (kernel `tree`). */
  tree: MapleTreeCore;
  /** First index of the range of interest; after a read, first index of the range found. */
  index: number;
  /** Last index of the range of interest; after a read, last index of the range found. */
  last: number;
  /** Where the state is in the status machine (kernel `status`). */
  status: MaStatus = "start";
  /** Current node id, 0 for none (kernel `node`). Meaningful while active/overflow/underflow. */
  node = 0;
  /** Implied minimum of `node` (kernel `min`). */
  min = 0;
  /** Implied maximum of `node` (kernel `max`). */
  max = MAX_INDEX;
  /** Slot of interest in `node` (kernel `offset`). */
  offset = 0;
  /** Cached data end of `node` (kernel `end`). */
  end = 0;
  /** Depth of `node` below the root (kernel `depth`). */
  depth = 0;
  /** Negative errno while `status === "error"` (kernel `xa_err(mas->node)`), else 0. */
  err = 0;
  /** Kernel `mas_flags` (MA_STATE_PREALLOC, MA_STATE_BULK). */
  flags = 0;
  /** Nodes reserved for this state by preallocation or bulk loading (kernel `node_request`). */
  reserved = 0;
  /** Tree generation the position was taken at (debug check of stale iterators). */
  generation = 0;

  constructor(tree: MapleTreeCore, index: number, last: number) {
    this.tree = tree;
    this.index = index;
    this.last = last;
  }
}

/** Kernel `MA_STATE(name, mt, first, end)`: a state at `[first, end]`, status start. */
export function MA_STATE(mt: MapleTreeCore, first = 0, end = first): MaState {
  return new MaState(mt, first, end);
}

/** Kernel `mas_init()`: re-targets `mas` at `addr` on `mt`. */
export function mas_init(mas: MaState, mt: MapleTreeCore, addr: number): void {
  mas.tree = mt;
  mas.index = addr;
  mas.last = addr;
  mas_reset(mas);
}

/** Kernel `mas_reset()`: status start, no node; `index`/`last` kept. */
export function mas_reset(mas: MaState): void {
  mas.status = "start";
  mas.node = 0;
  mas.err = 0;
}

/** Kernel `mas_pause()`: the next op re-walks; forward resumes after `last`, reverse before `index`. */
export function mas_pause(mas: MaState): void {
  mas.status = "pause";
  mas.node = 0;
}

/** Kernel `__mas_set_range()`: changes `index`/`last` and keeps the position. */
export function __mas_set_range(mas: MaState, start: number, last: number): void {
  mas.index = start;
  mas.last = last;
}

/** Kernel `mas_set_range()`: `mas_reset`, then `index = start`, `last = last`. */
export function mas_set_range(mas: MaState, start: number, last: number): void {
  __mas_set_range(mas, start, last);
  mas_reset(mas);
}

/** Kernel `mas_set()`: `mas_set_range(mas, index, index)`. */
export function mas_set(mas: MaState, index: number): void {
  mas_set_range(mas, index, index);
}

/** Kernel `mas_set_err()`: puts the state in error with `err` (a negative errno). */
export function mas_set_err(mas: MaState, err: number): void {
  mas.status = "error";
  mas.node = 0;
  mas.err = err;
}

// The kernel's status predicates, one per status: each is API a port calls by name.
/** Kernel `mas_is_err()`. */
export function mas_is_err(mas: MaState): boolean {
  return mas.status === "error";
}
/** Kernel `mas_is_none()`. */
export function mas_is_none(mas: MaState): boolean {
  return mas.status === "none";
}
/** Kernel `mas_is_active()`. */
export function mas_is_active(mas: MaState): boolean {
  return mas.status === "active";
}
/** Kernel `mas_is_paused()`. */
export function mas_is_paused(mas: MaState): boolean {
  return mas.status === "pause";
}
/** Kernel `mas_is_start()`. */
export function mas_is_start(mas: MaState): boolean {
  return mas.status === "start";
}
/** Kernel `mas_is_ptr()`: the state describes a direct root entry. */
export function mas_is_ptr(mas: MaState): boolean {
  return mas.status === "root";
}
/** Kernel `mas_is_overflow()`. */
export function mas_is_overflow(mas: MaState): boolean {
  return mas.status === "overflow";
}
/** Kernel `mas_is_underflow()`. */
export function mas_is_underflow(mas: MaState): boolean {
  return mas.status === "underflow";
}
