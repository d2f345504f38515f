// Shape helpers for the kernel's structural tests, on the kernel layer's `mt_struct` (the tree as
// the maple-struct/1 traces record it): node counts, the node a pre-order walk meets, the leaf
// holding an index, and the kernel test suite's `build_full_tree` (tools/testing/radix-tree/
// maple.c), written here from what it does: split the widest range until every node is full.

import {
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MtStruct,
  mas_for_each,
  mas_set,
  mas_store_gfp,
  mt_height,
  mt_init_flags,
  mt_struct,
  mtree_insert_range,
  type StructNode,
  type StructNum,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";

/** A trace number as ours ("max" is MAX_INDEX; "max-D" only occurs in gaps). */
export function num(v: StructNum): number {
  if (typeof v === "number") return v;
  if (v === "max") return MAX_INDEX;
  return MAX_INDEX - Number(v.slice(4));
}

/** The nodes of `mt` in pre-order (empty for a tree without nodes). */
export function nodesOf(mt: MapleTreeCore): StructNode[] {
  const s: MtStruct = mt_struct(mt);
  return s.root === "node" ? s.nodes : [];
}

/** Node count: what the kernel's `mas_dfs_preorder` loop visits (it counts one step more). */
export function nodeCount(mt: MapleTreeCore): number {
  return nodesOf(mt).length;
}

/** Slots a node of this type holds (kernel `mt_slots`). */
export function slotCount(node: StructNode): number {
  return node[0] === "arange_64" ? 10 : 16;
}

/** Items in use (kernel `mas_data_end() + 1`). */
export function items(node: StructNode): number {
  return node[4].length;
}

/** The leaf holding `index` and its position in the pre-order list. */
export function leafOf(mt: MapleTreeCore, index: number): { node: StructNode; at: number } {
  const nodes = nodesOf(mt);
  let at = 0;
  for (;;) {
    const node = nodes[at] as StructNode;
    if (node[0] === "leaf_64") return { node, at };
    const pivots = node[3];
    let k = 0;
    while (k < pivots.length && num(pivots[k] as StructNum) < index) k++;
    at = node[4][k] as number;
  }
}

/** The parent of the node at pre-order position `at` (undefined for the root). */
export function parentOf(nodes: StructNode[], at: number): StructNode | undefined {
  for (let p = at - 1; p >= 0; p--) {
    const node = nodes[p] as StructNode;
    if (node[0] !== "leaf_64" && (node[4] as number[]).includes(at)) return node;
  }
  return undefined;
}

/** How many nodes differ between two pictures of a tree (position by position), plus the count change. */
export function changedNodes(before: StructNode[], after: StructNode[]): number {
  let changed = Math.abs(before.length - after.length);
  for (let i = 0; i < Math.min(before.length, after.length); i++) {
    if (JSON.stringify(before[i]) !== JSON.stringify(after[i])) changed++;
  }
  return changed;
}

/**
 * The widest range whose first index is in [min, max] (kernel test `mas_subtree_max_range`:
 * a later range wins a tie). Every range of a full tree holds an entry.
 */
function widestRange(mt: MapleTreeCore, min: number, max: number): [number, number] {
  const mas = MA_STATE(mt, min, min);
  let best: [number, number] = [0, 0];
  for (const _ of mas_for_each(mas, max)) {
    if (mas.last - mas.index >= best[1] - best[0]) best = [mas.index, mas.last];
  }
  return best;
}

/**
 * Kernel test `build_full_tree(mt, flags, height)`: starting from [0, MAX] holding one entry,
 * halve the widest range of the whole tree until it is `height` high, then the widest range
 * under the first node (in pre-order) that is not full, until every node is full.
 */
export function buildFullTree(mt: MapleTreeCore, flags: number, height: number): number {
  mt_init_flags(mt, flags);
  mtree_insert_range(mt, 0, MAX_INDEX, xa_mk_value(5));
  const mas = MA_STATE(mt, 0, 0);
  let stores = 1;
  for (;;) {
    let min = 0;
    let max = MAX_INDEX;
    if (mt_height(mt) >= height) {
      const open = nodesOf(mt).find((n) => items(n) < slotCount(n));
      if (open === undefined) return stores;
      min = num(open[1]);
      max = num(open[2]);
    }
    const [first, last] = widestRange(mt, min, max);
    const step = last - first;
    if (step < 1) throw new Error(`build_full_tree: no range to split in [${min}, ${max}]`);
    mas_set(mas, first);
    mas.last = first + Math.floor(step / 2);
    mas_store_gfp(mas, xa_mk_value(5));
    stores++;
  }
}
