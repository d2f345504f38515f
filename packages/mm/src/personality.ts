// personality (kernel kernel/exec_domain.c `SYSCALL_DEFINE1(personality)`) and the mmap layout
// it selects at exec (arch/x86/mm/mmap.c `arch_pick_mmap_layout()` / `mmap_is_legacy()` /
// `mmap_base()`): ADDR_COMPAT_LAYOUT gives the legacy bottom-up layout from TASK_UNMAPPED_BASE;
// otherwise the top-down layout below the stack gap. An unlimited RLIMIT_STACK does not select the
// legacy layout on x86 (its mmap_is_legacy() dropped that test; the generic one keeps it): the gap
// is clamped to 5/6 of TASK_SIZE, so the top-down area starts at TASK_SIZE / 6 (recorded:
// tools/oracle/traces/layout/stack_unlimited). As in Linux, changing the persona or the rlimit
// after start affects only the next exec: here, a new MmStruct built with them.

import { ADDR_COMPAT_LAYOUT, PAGE_SIZE, TASK_UNMAPPED_BASE } from "./constants.js";

/** `personality(2)`: returns the old persona; 0xffffffff only queries. */
export function doPersonality(current: { persona: number }, persona: number): number {
  const old = current.persona;
  if (persona >>> 0 !== 0xffffffff) current.persona = persona >>> 0;
  return old;
}

/** x86 `mmap_is_legacy()` (sysctl legacy_va_layout aside): the persona alone decides. */
export function mmapIsLegacy(persona: number): boolean {
  return (persona & ADDR_COMPAT_LAYOUT) !== 0;
}

/** x86 `mmap_base()` without randomisation: TASK_SIZE less the stack gap (128 MiB..5/6). */
export function topdownMmapBase(taskSize: number, stackLimit: number, guardGap: number): number {
  let gap = stackLimit + guardGap;
  const lo = 128 * 1024 * 1024;
  const hi = Math.floor(taskSize / 6) * 5;
  if (gap < lo) gap = lo;
  else if (gap > hi) gap = hi;
  return Math.ceil((taskSize - gap) / PAGE_SIZE) * PAGE_SIZE;
}

/** The mmap base of a new mm: legacy or top-down. */
export function pickMmapBase(
  taskSize: number,
  persona: number,
  stackLimit: number,
  guardGap: number,
): number {
  if (mmapIsLegacy(persona)) return TASK_UNMAPPED_BASE;
  return topdownMmapBase(taskSize, stackLimit, guardGap);
}
