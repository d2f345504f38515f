// The VMA flag bits above bit 30 that the model sets itself (VM_MERGEABLE `mg`, VM_DROPPABLE `dp`,
// VM_SEALED `sl`): vm_flags bits 0..30 live in Vma.flags as a number for the hot paths, so these
// are kept, like the high bits parsed from smaps, as names in Vma.foreignFlags. Lists are
// interned in the kernel's bit order, so smaps renders them in the right place and merges compare
// them as the kernel compares vm_flags.

import { NO_FOREIGN, type Vma } from "./vma.js";

/** Bit number of each high-flag mnemonic (include/linux/mm.h; unknown names sort last). */
const RANK: Readonly<Record<string, number>> = {
  mg: 31,
  p0: 32,
  p1: 33,
  p2: 34,
  p3: 35,
  p4: 36,
  ss: 37,
  ui: 38,
  dp: 40,
  sl: 42,
};

/** Interned lists: one frozen array per distinct content. */
const INTERNED = new Map<string, readonly string[]>();

function rank(name: string): number {
  return RANK[name] ?? 100;
}

/** The interned list equal to `names` (already in order). */
function intern(names: readonly string[]): readonly string[] {
  if (names.length === 0) return NO_FOREIGN;
  const key = names.join(" ");
  let hit = INTERNED.get(key);
  if (hit === undefined) {
    hit = Object.freeze([...names]);
    INTERNED.set(key, hit);
  }
  return hit;
}

/** Whether `vma` carries the high flag `name`. */
export function hasHighFlag(vma: Vma, name: string): boolean {
  const f = vma.foreignFlags;
  return f.length > 0 && f.includes(name);
}

/** `list` with `name` set (`on`) or cleared, in the kernel's bit order. */
export function withHighFlag(
  list: readonly string[],
  name: string,
  on: boolean,
): readonly string[] {
  const has = list.includes(name);
  if (has === on) return list;
  if (!on) return intern(list.filter((n) => n !== name));
  const out: string[] = [];
  let placed = false;
  for (const n of list) {
    if (!placed && rank(n) > rank(name)) {
      out.push(name);
      placed = true;
    }
    out.push(n);
  }
  if (!placed) out.push(name);
  return intern(out);
}
