// /proc/<pid>/smaps (kernel fs/proc/task_mmu.c `show_smap()` / `__show_smap()`): the maps line of
// each VMA followed by its counters, formatted as 6.18 prints them. The model knows which private
// anonymous pages are present, which 2 MiB ranges are huge pages, and the VMA flags; it does not
// track per-page map counts across processes, dirty bits, swap or KSM. So: Size, page sizes,
// Anonymous, AnonHugePages, THPeligible and VmFlags are exact; Rss/Pss and the Shared/Private
// split count the private anonymous pages as private dirty pages mapped once (exact for an mm
// whose pages are not shared with a fork child and that maps no file pages); Locked follows
// VM_LOCKED over that Pss.

import { PMD_SIZE } from "./constants.js";
import { hugetlbSmaps } from "./hugetlb.js";
import type { MmStruct } from "./mm.js";
import { isExecOnly } from "./pkey.js";
import { renderMapsLine } from "./proc-maps.js";
import { anonHugeKb } from "./thp.js";
import { VM_HUGEPAGE, VM_LOCKED, VM_MAYSHARE, VM_NOHUGEPAGE } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** The counters of one VMA's smaps entry, in kB. */
export interface SmapsCounters {
  size: number;
  rss: number;
  pss: number;
  anonymous: number;
  anonHugePages: number;
  locked: number;
  thpEligible: 0 | 1;
}

/** Kernel `thp_vma_allowable_order(..., TVA_SMAPS, PMD_ORDER)` in THP madvise mode. */
function thpEligible(vma: Vma): 0 | 1 {
  if (vma.file !== null || (vma.flags & VM_MAYSHARE) !== 0) return 0;
  if ((vma.flags & (VM_HUGEPAGE | VM_NOHUGEPAGE)) !== VM_HUGEPAGE) return 0;
  return Math.ceil(vma.start / PMD_SIZE) * PMD_SIZE + PMD_SIZE <= vma.end ? 1 : 0;
}

/** The smaps counters the model knows for `vma`. */
export function smapsCounters(mm: MmStruct, vma: Vma): SmapsCounters {
  const anonymous = mm.anonKb(vma);
  const rss = anonymous;
  return {
    size: (vma.end - vma.start) / 1024,
    rss,
    pss: rss,
    anonymous,
    anonHugePages: anonHugeKb(mm, vma),
    locked: (vma.flags & VM_LOCKED) !== 0 ? rss : 0,
    thpEligible: thpEligible(vma),
  };
}

function kb(label: string, v: number): string {
  return `${label.padEnd(16)}${String(v).padStart(8)} kB\n`;
}

/** The smaps entry of `vma` (its maps line, the counters, `VmFlags`), newline-terminated. */
export function renderSmapsEntry(mm: MmStruct, vma: Vma): string {
  const c = smapsCounters(mm, vma);
  const h = hugetlbSmaps(vma);
  let out = `${renderMapsLine(vma, mm)}\n`;
  out += kb("Size:", c.size);
  out += kb("KernelPageSize:", h.pageKb);
  out += kb("MMUPageSize:", h.pageKb);
  out += kb("Rss:", c.rss);
  out += kb("Pss:", c.pss);
  out += kb("Pss_Dirty:", c.pss);
  out += kb("Shared_Clean:", 0);
  out += kb("Shared_Dirty:", 0);
  out += kb("Private_Clean:", 0);
  out += kb("Private_Dirty:", c.rss);
  out += kb("Referenced:", c.rss);
  out += kb("Anonymous:", c.anonymous);
  out += kb("KSM:", 0);
  out += kb("LazyFree:", 0);
  out += kb("AnonHugePages:", c.anonHugePages);
  out += kb("ShmemPmdMapped:", 0);
  out += kb("FilePmdMapped:", 0);
  out += kb("Shared_Hugetlb:", h.sharedKb);
  out += kb("Private_Hugetlb:", h.privateKb);
  out += kb("Swap:", 0);
  out += kb("SwapPss:", 0);
  out += kb("Locked:", c.locked);
  out += `THPeligible:    ${String(c.thpEligible).padStart(8)}\n`;
  const pkey = isExecOnly(mm, vma.flags) ? 1 : 0;
  out += `ProtectionKey:  ${String(pkey).padStart(8)}\n`;
  const f = vma.vmFlags;
  out += `VmFlags: ${f === "" ? "" : `${f} `}\n`;
  return out;
}

/**
 * smaps labels whose values the model knows exactly (see the header); the replayer compares
 * these lines byte for byte and skips the page-sharing ones (Rss, Pss, Shared_*, Private_*...).
 */
export const SMAPS_EXACT_FIELDS: ReadonlySet<string> = new Set([
  "Size",
  "KernelPageSize",
  "MMUPageSize",
  "Anonymous",
  "KSM",
  "AnonHugePages",
  "ShmemPmdMapped",
  "FilePmdMapped",
  "Shared_Hugetlb",
  "Private_Hugetlb",
  "Swap",
  "SwapPss",
  "THPeligible",
  "ProtectionKey",
  "VmFlags",
]);
