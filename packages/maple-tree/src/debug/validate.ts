// mt_validate: the debug walk that proves a tree's invariants (kernel mt_validate,
// mas_validate_limits, mas_validate_parent_slot, mas_validate_child_slot, mas_validate_gaps and
// mt_validate_nulls; docs/spec/maple-tree.md §1.4, §1.5 and §3). It throws an Error that names
// the broken invariant and the node; it never changes the tree.
//
// Checked, in one in-order walk: height equals the real depth and every leaf is at it; node types
// (leaves at the bottom, range or arange internal nodes as the tree's kind asks); data end in
// range; pivots strictly increasing inside (min, max) and the last used slot non-empty; pivot and
// slot words past the end zero; occupancy in non-root nodes whose max is not MAX_INDEX: at least
// mt_min_slots items (the bound the kernel's cuts keep, see walkNode);
// parent and parent-slot links; no dead or freed node reachable; every node and every entry
// handle referenced once, each handle live (inline integer words have none); no two adjacent NULL
// ranges, across leaves too; no leaf but the rightmost ends in NULL (our writers' rule, stricter
// than the kernel's checks); exact gaps and max-gap offsets in allocation trees; the node count matches the arena when frees
// are immediate; referenced handles match the entry table's live, not yet retired ones, and the
// non-NULL ranges match its range count (which `size` reports).

import {
  M_DEAD,
  M_END,
  M_GAP,
  M_PARENT,
  M_PSLOT,
  M_TYPE,
  META,
  minEndOf,
  NODE_ARANGE,
  NODE_LEAF,
  NODE_RANGE,
  STRIDE,
  slotsOf,
} from "../core/arena.js";
import { MAX_INDEX } from "../core/index-space.js";
import { immediateReclaimer } from "../core/reclaim.js";
import type { MapleTreeCore } from "../core/tree.js";

const TYPE_NAMES = ["dense", "leaf", "range", "arange"];

class Walk {
  nodes = 0;
  handles = 0;
  /** Non-NULL leaf ranges seen (handles and inline integers). */
  ranges = 0;
  /** Was the previous range (in index order) NULL? */
  prevNull = false;
  seenNode: Uint8Array;
  seenHandle: Uint8Array;
  constructor(
    readonly mt: MapleTreeCore,
    readonly height: number,
  ) {
    this.seenNode = new Uint8Array(mt.arena.meta.length / META);
    this.seenHandle = new Uint8Array(mt.entries.values.length);
  }
}

function fail(what: string, node: number, min: number, max: number, detail = ""): never {
  throw new Error(
    `mt_validate: ${what} at node ${node} [${min}-${max}]${detail === "" ? "" : `: ${detail}`}`,
  );
}

/**
 * Kernel `mt_validate()`: checks every invariant of `mt` and throws an Error naming the first one
 * broken and the node where it is. Returns nothing on a valid tree.
 */
export function mt_validate(mt: MapleTreeCore): void {
  const height = mt.height;
  if (mt.rootNode === 0) {
    if (height !== 0) fail("height of a tree without nodes is not 0", 0, 0, MAX_INDEX, `${height}`);
    return;
  }
  if (mt.rootEntry !== null)
    fail("direct root entry beside a root node", mt.rootNode, 0, MAX_INDEX);
  if (height < 1) fail("height 0 with a root node", mt.rootNode, 0, MAX_INDEX);
  const w = new Walk(mt, height);
  walkNode(w, mt.rootNode, 0, MAX_INDEX, 0, 0, 0);
  // Frees that wait elsewhere (a shared tree's reclaimed stack) come back first, so the live
  // count is exact.
  mt.policy.collectFrees(mt);
  if (mt.reclaimer === immediateReclaimer) {
    if (w.nodes !== mt.arena.live) {
      fail(
        "node count differs from the arena's live count",
        mt.rootNode,
        0,
        MAX_INDEX,
        `${w.nodes} reachable, ${mt.arena.live} live`,
      );
    }
  }
  // Handles waiting for a grace period are allocated but no longer referenced.
  const e = mt.entries;
  if (w.handles !== e.handles - e.pendingFrees) {
    fail(
      "entry handle leak",
      mt.rootNode,
      0,
      MAX_INDEX,
      `${w.handles} referenced, ${e.handles - e.pendingFrees} allocated and not retired`,
    );
  }
  if (w.ranges !== e.size) {
    fail(
      "stored range count wrong",
      mt.rootNode,
      0,
      MAX_INDEX,
      `${w.ranges} non-NULL ranges, entry table counts ${e.size}`,
    );
  }
}

/** Validates the subtree of `node` on [min, max]; returns its largest gap (NULL run). */
function walkNode(
  w: Walk,
  node: number,
  min: number,
  max: number,
  depth: number,
  parent: number,
  pslot: number,
): number {
  const mt = w.mt;
  const arena = mt.arena;
  const meta = arena.meta;
  const pivots = arena.pivots;
  const slots = arena.slots;
  if (node <= 0 || node >= arena.top)
    fail("slot refers to no node", parent, min, max, `id ${node}`);
  if (w.seenNode[node] !== 0) fail("node referenced twice", node, min, max);
  w.seenNode[node] = 1;
  w.nodes++;
  const m = node * META;
  if (meta[m + M_DEAD] >= 2) fail("freed node reachable", node, min, max);
  if (meta[m + M_DEAD] !== 0) fail("dead node reachable", node, min, max);
  if (meta[m + M_PARENT] !== parent) {
    fail("parent link wrong", node, min, max, `parent ${meta[m + M_PARENT]}, expected ${parent}`);
  }
  if (meta[m + M_PSLOT] !== pslot && parent !== 0) {
    fail("parent slot wrong", node, min, max, `pslot ${meta[m + M_PSLOT]}, expected ${pslot}`);
  }
  const type = meta[m + M_TYPE];
  const leaf = depth === w.height - 1;
  if (leaf && type !== NODE_LEAF)
    fail(
      "height does not match the depth of the leaves",
      node,
      min,
      max,
      `node of type ${TYPE_NAMES[type] ?? type} at depth ${depth}`,
    );
  if (!leaf) {
    const want = mt.isAlloc ? NODE_ARANGE : NODE_RANGE;
    if (type === NODE_LEAF)
      fail(
        "height does not match the depth of the leaves",
        node,
        min,
        max,
        `leaf at depth ${depth}`,
      );
    if (type !== want)
      fail("internal node of the wrong type", node, min, max, `${TYPE_NAMES[type] ?? type}`);
  }
  const cap = slotsOf(type);
  const end = meta[m + M_END];
  if (end < 0 || end >= cap) fail("data end out of range", node, min, max, `end ${end}`);
  const base = node * STRIDE;
  let prev = min - 1;
  for (let i = 0; i < end; i++) {
    const p = pivots[base + i];
    if (!(p > prev))
      fail("pivots not strictly increasing", node, min, max, `pivot[${i}] = ${p} after ${prev}`);
    if (!(p < max)) fail("pivot not below the node max", node, min, max, `pivot[${i}] = ${p}`);
    prev = p;
  }
  for (let i = end; i < STRIDE; i++) {
    if (pivots[base + i] !== 0)
      fail(
        "pivot word used past the data end",
        node,
        min,
        max,
        `pivot[${i}] = ${pivots[base + i]}`,
      );
  }
  for (let i = end + 1; i < STRIDE; i++) {
    if (slots[base + i] !== 0) fail("slot used past the data end", node, min, max, `slot[${i}]`);
  }
  // Occupancy off the root and the right edge, as the kernel's cuts leave it: at least
  // mt_min_slots items (6; 4 in arange nodes). The kernel's own mt_validate asks one more (a data
  // end of at least mt_min_slots), but its cuts do not keep that: mab_calc_split's loop ("avoid
  // having a range less than the slot count") stops when the right node is left exactly
  // mt_min_slots items, and mab_no_null_split may step onto that bound too. Bulk loads (before
  // mas_destroy) are exempt.
  if (parent !== 0 && max !== MAX_INDEX && end + 1 < minEndOf(type)) {
    fail(
      "node below minimum occupancy",
      node,
      min,
      max,
      `${end + 1} items, fewer than ${minEndOf(type)}`,
    );
  }
  let lo = min;
  let best = 0;
  if (type === NODE_LEAF) {
    if (slots[base + end] === 0 && max !== MAX_INDEX) {
      fail("leaf ends in NULL but is not the rightmost", node, min, max);
    }
    for (let i = 0; i <= end; i++) {
      const hi = i < end ? pivots[base + i] : max;
      const h = slots[base + i];
      if (h === 0) {
        if (w.prevNull) fail("adjacent NULL ranges", node, min, max, `slot ${i} [${lo}-${hi}]`);
        w.prevNull = true;
        if (hi - lo + 1 > best) best = hi - lo + 1;
      } else {
        // Negative words are inline integers (core/entry-table.ts): nothing to check but the count.
        if (h > 0) {
          if (h >= w.seenHandle.length)
            fail("slot holds no entry handle", node, min, max, `slot ${i} handle ${h}`);
          if (w.seenHandle[h] !== 0)
            fail("entry handle referenced twice", node, min, max, `slot ${i} handle ${h}`);
          if (mt.entries.values[h] === undefined || mt.entries.values[h] === null) {
            fail("slot holds a released entry handle", node, min, max, `slot ${i} handle ${h}`);
          }
          w.seenHandle[h] = 1;
          w.handles++;
        }
        w.ranges++;
        w.prevNull = false;
      }
      lo = hi + 1;
    }
    return best;
  }
  const gaps = arena.gaps;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? pivots[base + i] : max;
    const g = walkNode(w, slots[base + i], lo, hi, depth + 1, node, i);
    if (type === NODE_ARANGE && gaps !== null) {
      if (gaps[base + i] !== g)
        fail("gap wrong", node, min, max, `gap[${i}] = ${gaps[base + i]}, subtree has ${g}`);
    }
    if (g > best) best = g;
    lo = hi + 1;
  }
  if (type === NODE_ARANGE && gaps !== null) {
    const off = meta[m + M_GAP];
    if (gaps[base + off] !== best) fail("max gap offset wrong", node, min, max, `meta.gap ${off}`);
    for (let i = end + 1; i < 10; i++) {
      if (gaps[base + i] !== 0)
        fail("gap word used past the data end", node, min, max, `gap[${i}]`);
    }
  }
  return best;
}
