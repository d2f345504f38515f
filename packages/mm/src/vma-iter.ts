// The kernel's VMA iteration API (include/linux/mm.h `VMA_ITERATOR`, `for_each_vma`,
// `for_each_vma_range`, `vma_next`, `vma_find`) over an MmStruct, on top of vma-tree.ts's
// VmaIterator. Readers that hold an mmget_not_zero reference walk the VMA list with these.

import { MAX_INDEX } from "@maplemm/maple-tree/kernel";
import type { MmStruct } from "./mm.js";
import type { Vma } from "./vma.js";
import { VmaIterator } from "./vma-tree.js";

export { VmaIterator };

/** Kernel `VMA_ITERATOR(name, mm, addr)`: an iterator over `mm`'s VMAs from `addr`. */
export function VMA_ITERATOR(mm: MmStruct, addr = 0): VmaIterator {
  return new VmaIterator(mm.tree, addr);
}

/** Kernel `vma_find(vmi, max)`: the next VMA starting below `max`. */
export function vma_find(vmi: VmaIterator, max: number): Vma | null {
  return vmi.find(max);
}

/** Kernel `vma_next(vmi)`: the next VMA. */
export function vma_next(vmi: VmaIterator): Vma | null {
  return vmi.find(MAX_INDEX);
}

/** Kernel `for_each_vma(vmi, vma)`: yields every remaining VMA. */
export function* for_each_vma(vmi: VmaIterator): Generator<Vma, void, undefined> {
  for (let v = vmi.find(MAX_INDEX); v !== null; v = vmi.find(MAX_INDEX)) yield v;
}

/** Kernel `for_each_vma_range(vmi, vma, end)`: yields the remaining VMAs starting below `end`. */
export function* for_each_vma_range(
  vmi: VmaIterator,
  end: number,
): Generator<Vma, void, undefined> {
  for (let v = vmi.find(end); v !== null; v = vmi.find(end)) yield v;
}
