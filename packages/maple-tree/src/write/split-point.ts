// Where the kernel cuts a big node (lib/maple_tree.c `mab_calc_split`, `mab_middle_node`,
// `mab_no_null_split`, Linux 6.12): these choices decide every node's fill, so they are kept
// exactly, quirks included (the "range smaller than the slot count" walk, the bulk-mode cut that
// leaves the last node to be rebalanced). Indices are relative to the big node's first item;
// `bEnd` is the kernel's `b_end`, the last item's index.

import { minEndOf, NODE_LEAF, slotsOf } from "../core/arena.js";
import type { WriteContext } from "./context.js";

/**
 * Kernel `mab_no_null_split()`: a node must not end on a NULL slot, so a cut on one moves right
 * when the right side stays sufficient, else left.
 */
export function noNullSplit(
  ctx: WriteContext,
  at: number,
  split: number,
  bEnd: number,
  type: number,
): number {
  if (ctx.bSlot[at + split] !== 0) return split;
  if (split < slotsOf(type) - 1 && bEnd - split > minEndOf(type)) return split + 1;
  return split - 1;
}

/** `pivot - min < cap - 1` in the kernel's unsigned arithmetic. */
function inReach(pivot: number, min: number, cap: number): boolean {
  return pivot >= min && pivot - min < cap - 1;
}

/** Kernel `mab_middle_node()`: do the items need three nodes? */
function middleNode(
  ctx: WriteContext,
  at: number,
  split: number,
  bEnd: number,
  cap: number,
): boolean {
  if (bEnd >= 2 * cap) return true;
  return ctx.bSlot[at + split] === 0 && bEnd >= 2 * cap - 1;
}

/**
 * Kernel `mab_calc_split()`: the last item index of the left node for big node items
 * [ctx.start, ctx.stop) of ctx.type; sets `ctx.mid` to the middle node's last index for a 3-way
 * split (else 0). `min` is the minimum the kernel passes (see WriteContext.prevMin).
 */
export function calcSplit(ctx: WriteContext, min: number): number {
  const at = ctx.start;
  const bEnd = ctx.stop - ctx.start - 1;
  const type = ctx.type;
  const cap = slotsOf(type);
  let split = bEnd >> 1;
  if (ctx.bulk) {
    ctx.mid = 0;
    split = bEnd - minEndOf(type);
    if (type !== NODE_LEAF) return split;
    ctx.rebalanceAsked = true;
    return ctx.bSlot[at + split] === 0 ? split - 1 : split;
  }
  if (middleNode(ctx, at, split, bEnd, cap)) {
    split = Math.floor(bEnd / 3);
    ctx.mid = split * 2;
  } else {
    ctx.mid = 0;
    const slotMin = minEndOf(type);
    // Avoid a node covering fewer indices than it has slots, unless the right side would
    // become deficient. The kernel's difference is unsigned: a pivot below `min` is far.
    while (split < cap - 1 && inReach(ctx.bPiv[at + split], min, cap) && bEnd - split > slotMin) {
      split++;
    }
  }
  split = noNullSplit(ctx, at, split, bEnd, type);
  if (ctx.mid !== 0) ctx.mid = noNullSplit(ctx, at, ctx.mid, bEnd, type);
  return split;
}
