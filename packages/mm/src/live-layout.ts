// What /proc/<pid>/maps (or smaps) of a live process tells about its layout, for fromProcMaps:
// the task size (a mapping above the 47-bit boundary other than the [vsyscall] gate means 5-level
// paging, whose addresses numbers cannot hold exactly: refused) and the top of the top-down mmap area (the dynamic loader is mapped first, right below
// mmap_base, so the highest mapping below the stack's gap ends at it). What cannot be known from
// the text: the random offset below that top when nothing is mapped at it yet, whether the
// process uses the legacy bottom-up layout (the ADDR_COMPAT_LAYOUT persona), which pages of a VMA are
// present (smaps gives only counts), and whether an anon_vma came through fork.

import { PAGE_SIZE, PMD_SIZE, TASK_SIZE_64 } from "./constants.js";
import { MmError } from "./errors.js";
import type { ParsedMapping } from "./proc-maps.js";

/** The gate area's start ([vsyscall]): above every TASK_SIZE, never in the VMA tree. */
const GATE_START = 0xffffffffff600000;

/** Kernel `mmap_base()` keeps at least this gap (128 MiB) below the stack top. */
const MIN_GAP = 128 * 1024 * 1024;

/** Layout inferred from a process's maps (absent when the text gives no hint). */
export interface InferredLayout {
  taskSize?: number;
  mmapBase?: number;
}

/** Infers `TASK_SIZE` and `mmap_base` from parsed maps (see the file header). */
export function inferLayout(
  parsed: readonly ParsedMapping[],
  taskSizeGiven = false,
): InferredLayout {
  const out: InferredLayout = {};
  const user = parsed.filter((m) => m.start < GATE_START);
  if (user.length === 0) return out;
  const top = Math.max(...user.map((m) => m.end));
  if (top > TASK_SIZE_64 && !taskSizeGiven) {
    throw new MmError(
      "EINVAL",
      `fromProcMaps: a mapping ends at 0x${top.toString(16)}, above 47-bit user space: 5-level ` +
        "paging (TASK_SIZE 2^56 - 4096) is not modelled (its addresses exceed 2^53)",
    );
  }
  out.taskSize = TASK_SIZE_64;
  const stack = user.find((m) => m.name === "[stack]");
  const heap = user.find((m) => m.name === "[heap]");
  const limit = stack !== undefined ? stack.end - MIN_GAP : out.taskSize;
  let base = 0;
  for (const m of user) {
    if (m === stack || m.end > limit) continue;
    if (heap !== undefined && m.end <= heap.end) continue;
    if (m.end > base) base = m.end;
  }
  if (base > 0) out.mmapBase = base;
  return out;
}

/**
 * Which pages of a VMA to mark present for smaps `Anonymous` / `AnonHugePages` (kB): the huge
 * pages fill the first whole aligned 2 MiB ranges, the rest of the count the first other pages
 * (smaps gives counts, not positions). Returns the page frame numbers and the huge PMD indexes.
 */
export function placeAnonPages(
  start: number,
  end: number,
  anonKb: number,
  anonHugeKb: number,
): { pfns: number[]; pmds: number[] } {
  const pmds: number[] = [];
  const pfns: number[] = [];
  let huge = Math.floor(anonHugeKb / 2048);
  for (let k = Math.ceil(start / PMD_SIZE); huge > 0 && (k + 1) * PMD_SIZE <= end; k++, huge--) {
    pmds.push(k);
  }
  const inHuge = new Set<number>();
  for (const k of pmds) {
    const base = (k * PMD_SIZE) / PAGE_SIZE;
    for (let p = base; p < base + PMD_SIZE / PAGE_SIZE; p++) {
      pfns.push(p);
      inHuge.add(p);
    }
  }
  let left = Math.floor(anonKb / 4) - pfns.length;
  for (let p = start / PAGE_SIZE; left > 0 && p < end / PAGE_SIZE; p++) {
    if (inHuge.has(p)) continue;
    pfns.push(p);
    left--;
  }
  return { pfns, pmds };
}
