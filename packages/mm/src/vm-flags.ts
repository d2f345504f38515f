// vm_flags: the kernel's per-VMA flag bits (include/linux/mm.h) and their smaps `VmFlags`
// mnemonics (fs/proc/task_mmu.c show_smap_vma_flags). Bits 0..30 are kept in a plain number so
// the hot paths use 32-bit integer ops; mnemonics of higher bits (mg, ui, ss, sl, pkeys...) only
// arrive from parsed smaps text and are kept as names beside the number (Vma.foreignFlags).

/** `VM_READ`. */
export const VM_READ = 0x1;
/** `VM_WRITE`. */
export const VM_WRITE = 0x2;
/** `VM_EXEC`. */
export const VM_EXEC = 0x4;
/** `VM_SHARED`. */
export const VM_SHARED = 0x8;
/** `VM_MAYREAD`. */
export const VM_MAYREAD = 0x10;
/** `VM_MAYWRITE`. */
export const VM_MAYWRITE = 0x20;
/** `VM_MAYEXEC`. */
export const VM_MAYEXEC = 0x40;
/** `VM_MAYSHARE`. */
export const VM_MAYSHARE = 0x80;
/** `VM_GROWSDOWN`. */
export const VM_GROWSDOWN = 0x100;
/** `VM_UFFD_MISSING`. */
export const VM_UFFD_MISSING = 0x200;
/** `VM_PFNMAP`. */
export const VM_PFNMAP = 0x400;
/** `VM_MAYBE_GUARD` (smaps `gu`): MADV_GUARD_INSTALL ran on the VMA; never cleared. */
export const VM_MAYBE_GUARD = 0x800;
/** `VM_UFFD_WP`. */
export const VM_UFFD_WP = 0x1000;
/** `VM_LOCKED`. */
export const VM_LOCKED = 0x2000;
/** `VM_IO`. */
export const VM_IO = 0x4000;
/** `VM_SEQ_READ` (MADV_SEQUENTIAL). */
export const VM_SEQ_READ = 0x8000;
/** `VM_RAND_READ` (MADV_RANDOM). */
export const VM_RAND_READ = 0x10000;
/** `VM_DONTCOPY` (MADV_DONTFORK). */
export const VM_DONTCOPY = 0x20000;
/** `VM_DONTEXPAND`. */
export const VM_DONTEXPAND = 0x40000;
/** `VM_LOCKONFAULT`. */
export const VM_LOCKONFAULT = 0x80000;
/** `VM_ACCOUNT`: the mapping is charged to overcommit accounting; part of the merge test. */
export const VM_ACCOUNT = 0x100000;
/** `VM_NORESERVE`. */
export const VM_NORESERVE = 0x200000;
/** `VM_HUGETLB`. */
export const VM_HUGETLB = 0x400000;
/** `VM_SYNC`. */
export const VM_SYNC = 0x800000;
/** `VM_ARCH_1`. */
export const VM_ARCH_1 = 0x1000000;
/** `VM_WIPEONFORK` (MADV_WIPEONFORK). */
export const VM_WIPEONFORK = 0x2000000;
/** `VM_DONTDUMP`. */
export const VM_DONTDUMP = 0x4000000;
/** `VM_SOFTDIRTY` (CONFIG_MEM_SOFT_DIRTY is off on the oracle machine: never set by the model). */
export const VM_SOFTDIRTY = 0x8000000;
/** `VM_MIXEDMAP`. */
export const VM_MIXEDMAP = 0x10000000;
/** `VM_HUGEPAGE`. */
export const VM_HUGEPAGE = 0x20000000;
/** `VM_NOHUGEPAGE`. */
export const VM_NOHUGEPAGE = 0x40000000;

/** `VM_LOCKED_MASK`: the flags mlock and mlockall set. */
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;

/** smaps name of `VM_MERGEABLE` (bit 31: kept among the foreign names). */
export const VM_MERGEABLE_NAME = "mg";
/** smaps name of `VM_DROPPABLE` (a high bit: kept among the foreign names). */
export const VM_DROPPABLE_NAME = "dp";
/** smaps name of `VM_SEALED` (a high bit: kept among the foreign names). */
export const VM_SEALED_NAME = "sl";

/** `VM_ACCESS_FLAGS`. */
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** `VM_SPECIAL`: VMAs that never merge or expand. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
/** `VM_STACK_DEFAULT_FLAGS`-style growth flag set (`VM_STARTGAP_FLAGS` on x86). */
export const VM_STARTGAP_FLAGS = VM_GROWSDOWN;

/** smaps mnemonic of every bit 0..30 the kernel names, in bit order ("" = bit never printed). */
// biome-ignore format: sixteen bits per row keeps the table readable
const NAMES: readonly string[] = [
  "rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "um", "pf", "gu", "uw", "lo", "io", "sr",
  "rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh",
];

const BY_NAME: ReadonlyMap<string, number> = new Map(
  NAMES.map((n, bit) => [n, 2 ** bit] as const).filter(([n]) => n !== ""),
);

/** Kernel `calc_vm_prot_bits()`: PROT_* → VM_READ/WRITE/EXEC (other prot bits ignored). */
export function calcVmProtBits(prot: number): number {
  return prot & VM_ACCESS_FLAGS;
}

/**
 * Renders flags like smaps' `VmFlags:` line (fs/proc/task_mmu.c `show_smap_vma_flags`): the
 * mnemonics in bit order, separated by one space, followed by any foreign (high-bit) names.
 */
export function vmFlagsToString(flags: number, foreign: readonly string[] = []): string {
  if (foreign.length === 0) {
    const hit = STRING_CACHE.get(flags);
    if (hit !== undefined) return hit;
  }
  let out = "";
  for (let bit = 0; bit < NAMES.length; bit++) {
    if ((flags & (1 << bit)) !== 0 && NAMES[bit] !== "")
      out += out === "" ? NAMES[bit] : ` ${NAMES[bit]}`;
  }
  for (const f of foreign) out += out === "" ? f : ` ${f}`;
  if (foreign.length === 0 && STRING_CACHE.size < 4096) STRING_CACHE.set(flags, out);
  return out;
}

/** Rendered flag sets: an mm uses a handful of distinct values, rendered after every op. */
const STRING_CACHE = new Map<number, string>();

/** Parses a smaps `VmFlags` value into the numeric bits and the names of bits above 30. */
export function parseVmFlags(text: string): { flags: number; foreign: string[] } {
  let flags = 0;
  const foreign: string[] = [];
  for (const name of text.trim().split(/\s+/)) {
    if (name === "") continue;
    const bit = BY_NAME.get(name);
    if (bit === undefined) foreign.push(name);
    else flags |= bit;
  }
  return { flags, foreign };
}

/** Kernel `vma_is_accessible()` on flags: any of read, write, exec. */
export function isAccessible(flags: number): boolean {
  return (flags & VM_ACCESS_FLAGS) !== 0;
}

/** The 16 perms columns, indexed by read | write << 1 | exec << 2 | mayshare << 3. */
const PERMS: readonly string[] = Array.from(
  { length: 16 },
  (_, i) =>
    ((i & 1) !== 0 ? "r" : "-") +
    ((i & 2) !== 0 ? "w" : "-") +
    ((i & 4) !== 0 ? "x" : "-") +
    ((i & 8) !== 0 ? "s" : "p"),
);

/** The perms column of /proc maps for `flags`: `rwx` then `s` (VM_MAYSHARE) or `p`. */
export function mapsPerms(flags: number): string {
  return PERMS[(flags & 7) | ((flags & VM_MAYSHARE) !== 0 ? 8 : 0)] as string;
}
