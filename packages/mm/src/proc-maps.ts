// /proc/<pid>/maps: rendering a VMA exactly as fs/proc/task_mmu.c show_map_vma() prints it
// (linux-mm.md §6.10), and parsing real maps or smaps text back into records.

import { MmError } from "./errors.js";
import { MemFile } from "./file.js";
import { HugetlbFile } from "./hugetlb.js";
import { mapsPerms, VM_MAYSHARE } from "./vm-flags.js";
import { FileRef, ShmemObject, type Vma } from "./vma.js";
import type { VmaTree } from "./vma-tree.js";

/** The break state the `[heap]` name depends on (kernel `mm->start_brk`, `mm->brk`). */
export interface HeapBounds {
  readonly startBrk: number;
  readonly currentBrk: number;
}

/** Column the name is padded to (`seq_setwidth(m, 25 + sizeof(void *) * 6 - 1)`). */
const NAME_COLUMN = 72;

/** Two hex digits per byte value: `%08lx` by table (Number#toString(16) of a non-Smi is slow). */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);
/** `" ".repeat(n)` for every pad the name column needs. */
const SPACES: readonly string[] = Array.from({ length: NAME_COLUMN + 1 }, (_, i) => " ".repeat(i));

/** `%x` of 0..255 (the top digits of a user address above 2^32). */
const HEX1: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));

/** `%08lx` of a non-negative integer below 2^64 (doubles above 2^53 print as stored). */
function hex8(n: number): string {
  const hi = n < 4294967296 ? 0 : Math.floor(n / 4294967296);
  const lo = n - hi * 4294967296;
  const low =
    (HEX2[lo >>> 24] as string) +
    (HEX2[(lo >>> 16) & 255] as string) +
    (HEX2[(lo >>> 8) & 255] as string) +
    (HEX2[lo & 255] as string);
  if (hi === 0) return low;
  // User addresses are below 2^47: their top word has at most four digits, read from the tables.
  if (hi < 256) return (HEX1[hi] as string) + low;
  if (hi < 65536) return (HEX1[hi >>> 8] as string) + (HEX2[hi & 255] as string) + low;
  return hi.toString(16) + low;
}

/**
 * Kernel `vma_is_initial_heap()`: any VMA overlapping `[start_brk, brk)` is the heap, whatever
 * else it is (linux-mm.md §6.9).
 */
export function isInitialHeap(vma: Vma, heap: HeapBounds): boolean {
  return vma.start < heap.currentBrk && vma.end > heap.startBrk;
}

/** The name column of a VMA (kernel `show_map_vma()` name selection). */
export function vmaName(vma: Vma, heap: HeapBounds): string {
  const f = vma.file;
  if (f instanceof ShmemObject) return "/dev/zero (deleted)";
  if (f instanceof FileRef) return f.path;
  if (f instanceof MemFile || f instanceof HugetlbFile) return f.mapsName;
  if (vma.name !== null) return vma.name;
  return isInitialHeap(vma, heap) ? "[heap]" : "";
}

/**
 * One /proc maps line from its columns, without the trailing newline (kernel `show_map_vma()` /
 * `show_vma_header_prefix()`): the one formatter behind {@link renderMapsLine} and the worker-side
 * renderer of shared maps, so both print the same bytes.
 */
export function formatMapsLine(
  start: number,
  end: number,
  flags: number,
  offset: number,
  dev: string,
  ino: number,
  name: string,
): string {
  const head = `${hex8(start)}-${hex8(end)} ${mapsPerms(flags)} ${hex8(offset)} ${dev} ${ino} `;
  if (name === "") return head;
  const pad = NAME_COLUMN - head.length;
  return `${pad > 0 ? head + (SPACES[pad] as string) : head} ${name}`;
}

/** One line of /proc/<pid>/maps for `vma`, without the trailing newline (kernel `show_map_vma`). */
export function renderMapsLine(vma: Vma, heap: HeapBounds): string {
  const f = vma.file;
  let offset = 0;
  let dev = "00:00";
  let ino = 0;
  if (f instanceof ShmemObject) {
    offset = vma.pgoff * 4096;
    dev = "00:01";
    ino = f.ino;
  } else if (f instanceof FileRef || f instanceof MemFile || f instanceof HugetlbFile) {
    offset = vma.pgoff * 4096;
    dev = f.dev;
    ino = f.ino;
  }
  return formatMapsLine(vma.start, vma.end, vma.flags, offset, dev, ino, vmaName(vma, heap));
}

/**
 * `/proc/<pid>/maps` of the VMAs in `tree`, then the gate VMAs (kernel `show_map()` over
 * `m_start`/`m_next`): the bytes of one {@link renderMapsLine} plus a newline per VMA, appended
 * (the reader's first access flattens the text once: 0.84–0.88 of a join of the same flat lines).
 * Plain anonymous VMAs (no file, no name, not the heap: most of them) keep their line on the VMA
 * (`Vma.mapsLine`) and reuse it while their start, end and perms are unchanged.
 */
export function renderMaps(tree: VmaTree, gate: readonly Vma[], heap: HeapBounds): string {
  let text = "";
  tree.each((v) => {
    text += mapsLineOf(v, heap);
  });
  for (const g of gate) text += mapsLineOf(g, heap);
  return text;
}

/** The columns after perms of a plain anonymous VMA, with the newline. */
const TAIL_ANON = " 00000000 00:00 0 \n";

/** The perms-column bits of `flags` (rwx and VM_MAYSHARE). */
const PERM_BITS = 7 | VM_MAYSHARE;

/** `vma`'s maps line with its newline: the cached one when still valid, else formatted. */
function mapsLineOf(vma: Vma, heap: HeapBounds): string {
  const bits = vma.flags & PERM_BITS;
  const c = vma.mapsLine;
  if (c !== null && c.start === vma.start && c.end === vma.end && c.permBits === bits) {
    // Only plain anonymous VMAs are cached; one may have become the heap since (brk moved).
    if (vma.start >= heap.currentBrk || vma.end <= heap.startBrk) return c.line;
  }
  if (vma.file !== null || vma.name !== null || isInitialHeap(vma, heap)) {
    return `${renderMapsLine(vma, heap)}\n`;
  }
  // formatMapsLine(start, end, flags, 0, "00:00", 0, "") written out. Built by join, which makes
  // one flat string: a template literal makes a rope of ~10 pieces that every later render's join
  // would walk again (twice the render's time, docs/reports/2026-12-08-mm-speed.md).
  const line = [hex8(vma.start), "-", hex8(vma.end), " ", mapsPerms(bits), TAIL_ANON].join("");
  vma.mapsLine = { line, start: vma.start, end: vma.end, permBits: bits };
  return line;
}

/** One mapping as read from /proc maps or smaps text. */
export interface ParsedMapping {
  /** First address (inclusive). */
  readonly start: number;
  /** End address (exclusive). */
  readonly end: number;
  /** `rwxp` / `rwxs` column. */
  readonly perms: string;
  /** Offset column in bytes. */
  readonly offset: number;
  /** Device column (`"fe:00"`). */
  readonly dev: string;
  /** Inode column. */
  readonly ino: number;
  /** Name column (`""` when none). */
  readonly name: string;
  /** smaps `VmFlags` value, when the text was smaps. */
  readonly vmFlags?: string;
  /** smaps `Anonymous` in kB, when the text was smaps. */
  readonly anonKb?: number;
  /** smaps `AnonHugePages` in kB, when the text was smaps. */
  readonly anonHugeKb?: number;
}

const LINE =
  /^([0-9a-f]+)-([0-9a-f]+) ([-r][-w][-x][ps]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+) ?(.*)$/;
const FIELD = /^([A-Za-z_]+):\s*(.*)$/;

/**
 * Parses the text of `/proc/<pid>/maps` or `/proc/<pid>/smaps`. Throws an {@link MmError}
 * (`EPARSE`) naming the first bad line; blank lines are ignored.
 */
export function parseProcMaps(text: string): ParsedMapping[] {
  if (typeof text !== "string") {
    throw new MmError("EINVAL", `parseProcMaps: text must be a string, got ${typeof text}`);
  }
  const out: ParsedMapping[] = [];
  let cur: {
    start: number;
    end: number;
    perms: string;
    offset: number;
    dev: string;
    ino: number;
    name: string;
    vmFlags?: string;
    anonKb?: number;
    anonHugeKb?: number;
  } | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const m = LINE.exec(line);
    if (m !== null) {
      if (cur !== null) out.push(cur);
      const start = Number.parseInt(m[1] as string, 16);
      const end = Number.parseInt(m[2] as string, 16);
      if (!(start < end) || start % 4096 !== 0 || end % 4096 !== 0) {
        throw new MmError(
          "EPARSE",
          `parseProcMaps: line ${i + 1}: bad range ${JSON.stringify(line)}`,
        );
      }
      if (out.length > 0 && start < (out[out.length - 1] as ParsedMapping).end) {
        throw new MmError("EPARSE", `parseProcMaps: line ${i + 1}: overlaps or is out of order`);
      }
      cur = {
        start,
        end,
        perms: m[3] as string,
        offset: Number.parseInt(m[4] as string, 16),
        dev: m[5] as string,
        ino: Number.parseInt(m[6] as string, 10),
        name: (m[7] as string).trimStart(),
      };
      continue;
    }
    const fm = FIELD.exec(line);
    if (fm !== null && cur !== null) {
      if (fm[1] === "VmFlags") cur.vmFlags = (fm[2] as string).trim();
      else if (fm[1] === "Anonymous") cur.anonKb = Number.parseInt(fm[2] as string, 10);
      else if (fm[1] === "AnonHugePages") cur.anonHugeKb = Number.parseInt(fm[2] as string, 10);
      continue;
    }
    throw new MmError(
      "EPARSE",
      `parseProcMaps: line ${i + 1} is not a maps line: ${JSON.stringify(line)}`,
    );
  }
  if (cur !== null) out.push(cur);
  return out;
}
