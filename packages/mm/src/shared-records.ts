// The shared-memory side tables of a shared maps mirror (shared-maps.ts): the VMA record table and
// the string table its names point into. The shared maple tree stores record ids (integers); a
// record holds everything one /proc/<pid>/maps line needs (kernel `show_map_vma()` reads
// vm_start, vm_end, vm_flags, vm_pgoff, the file's dev/ino/path or the anon name).
//
// Lifetime: a record is written completely before the tree store that publishes its id (the store
// is an Atomics write, so a reader that loads the id sees the words), and never changes while any
// tree state can reach it: a sync that replaces or drops a record retires its id through the RCU
// domain, and the id is reused only after a grace period (shared-maps-sync.ts). So a reader inside
// a read section reads immutable words, whether or not its section is seqcount-validated.
//
// Strings are interned once and never freed (names only come from parsed maps text, so the set is
// small and fixed when the mirror is made); a reader caches each decoded string by id.

import { MmError } from "./errors.js";
import { MemFile } from "./file.js";
import { FileRef, ShmemObject, type Vma } from "./vma.js";

/** Float64 words per record: the content words, then the generation. */
export const RECORD_WORDS = 9;
/** Words {@link encodeVma} fills: what a maps line depends on (compared to keep a record). */
export const CONTENT_WORDS = 8;
/** `vm_start`. */
export const R_START = 0;
/** `vm_end`. */
export const R_END = 1;
/** `vm_flags` (bits 0..30). */
export const R_FLAGS = 2;
/** `vm_pgoff`. */
export const R_PGOFF = 3;
/** Inode number of the backing object (0 for anonymous memory). */
export const R_INO = 4;
/** What backs the VMA: {@link KIND_ANON}, {@link KIND_SHMEM} or {@link KIND_FILE}. */
export const R_KIND = 5;
/** String id of the device column of a file VMA (-1 otherwise). */
export const R_DEV = 6;
/** String id of the path of a file VMA, or of the name of an anonymous one (-1: none). */
export const R_NAME = 7;
/**
 * Generation of the record's content: a new number each time the owner writes a record (ids are
 * reused after a grace period, generations never), so a reader may cache what it derived from a
 * record under (id, generation).
 */
export const R_GEN = 8;

/** Anonymous memory: offset 0, dev 00:00, inode 0, named by `vma->name` or `[heap]`. */
export const KIND_ANON = 0;
/** Shared anonymous memory (`/dev/zero (deleted)` on dev 00:01). */
export const KIND_SHMEM = 1;
/** A file mapping loaded from maps text. */
export const KIND_FILE = 2;

/** Name the kernel prints for shmem behind MAP_SHARED|MAP_ANONYMOUS. */
export const SHMEM_NAME = "/dev/zero (deleted)";

/** Bytes of the string table's header words: [0] strings published, [1] code units used. */
const STR_HEAD = 8;

/**
 * Fills `out` with the record words of `vma` (string ids through `intern`). Returns false when a
 * string could not be interned (the table is full).
 */
export function encodeVma(vma: Vma, strings: StringTable, out: Float64Array): boolean {
  out[R_START] = vma.start;
  out[R_END] = vma.end;
  out[R_FLAGS] = vma.flags;
  out[R_PGOFF] = vma.pgoff;
  const f = vma.file;
  let name = -1;
  if (f instanceof ShmemObject) {
    out[R_INO] = f.ino;
    out[R_KIND] = KIND_SHMEM;
    out[R_DEV] = -1;
  } else if (f instanceof FileRef || f instanceof MemFile) {
    out[R_INO] = f.ino;
    out[R_KIND] = KIND_FILE;
    const dev = strings.intern(f.dev);
    name = strings.intern(f instanceof MemFile ? f.mapsName : f.path);
    if (dev < 0 || name < 0) return false;
    out[R_DEV] = dev;
  } else {
    out[R_INO] = 0;
    out[R_KIND] = KIND_ANON;
    out[R_DEV] = -1;
    if (vma.name !== null) {
      name = strings.intern(vma.name);
      if (name < 0) return false;
    }
  }
  out[R_NAME] = name;
  return true;
}

/** The interned strings of a shared maps mirror: append-only UTF-16 in one SharedArrayBuffer. */
export class StringTable {
  /** The shared buffer (part of the mirror's handle). */
  readonly buffer: SharedArrayBuffer;
  private readonly head: Int32Array;
  /** Per id: [offset, length] in code units. */
  private readonly index: Int32Array;
  private readonly units: Uint16Array;
  /** Owner side: string -> id. */
  private readonly ids = new Map<string, number>();
  /** Reader side: decoded strings by id (immutable once published, so caching is safe). */
  private readonly cache: string[] = [];
  /** Most strings the table can hold. */
  readonly maxStrings: number;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.head = new Int32Array(buffer, 0, 2);
    const maxStrings = new Int32Array(buffer, 0, 4)[2] as number;
    this.maxStrings = maxStrings;
    this.index = new Int32Array(buffer, STR_HEAD + 8, maxStrings * 2);
    const unitsAt = STR_HEAD + 8 + maxStrings * 8;
    this.units = new Uint16Array(buffer, unitsAt, (buffer.byteLength - unitsAt) >> 1);
  }

  /** A table for up to `maxStrings` strings of `maxUnits` UTF-16 code units in all (owner). */
  static create(maxStrings: number, maxUnits: number): StringTable {
    const buffer = new SharedArrayBuffer(STR_HEAD + 8 + maxStrings * 8 + maxUnits * 2);
    new Int32Array(buffer, 0, 4)[2] = maxStrings;
    return new StringTable(buffer);
  }

  /** A view of a table created elsewhere (worker side); throws EINVAL for a foreign buffer. */
  static attach(buffer: SharedArrayBuffer): StringTable {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < STR_HEAD + 8) {
      throw new MmError("EINVAL", "SharedMaps.attach: handle.strings is not a string table");
    }
    const n = new Int32Array(buffer, 0, 4)[2] as number;
    if (!(n >= 0) || STR_HEAD + 8 + n * 8 > buffer.byteLength) {
      throw new MmError("EINVAL", "SharedMaps.attach: handle.strings is not a string table");
    }
    return new StringTable(buffer);
  }

  /** The id of `s`, interning it if new (owner only); -1 when the table is full. */
  intern(s: string): number {
    const had = this.ids.get(s);
    if (had !== undefined) return had;
    const id = Atomics.load(this.head, 0);
    const at = this.head[1] as number;
    if (id >= this.maxStrings || at + s.length > this.units.length) return -1;
    for (let i = 0; i < s.length; i++) this.units[at + i] = s.charCodeAt(i);
    this.index[2 * id] = at;
    this.index[2 * id + 1] = s.length;
    this.head[1] = at + s.length;
    // Publish after the bytes: a reader that sees the count (or a record naming the id, which is
    // published later still) sees the string.
    Atomics.store(this.head, 0, id + 1);
    this.ids.set(s, id);
    return id;
  }

  /** The string with id `id` (any thread). */
  get(id: number): string {
    const hit = this.cache[id];
    if (hit !== undefined) return hit;
    if (!(id >= 0 && id < Atomics.load(this.head, 0))) {
      throw new MmError("ESTATE", `SharedMaps: string id ${id} is not published`);
    }
    const at = this.index[2 * id] as number;
    const len = this.index[2 * id + 1] as number;
    let s = "";
    // Chunks keep String.fromCharCode's argument count far below engine limits.
    for (let i = 0; i < len; i += 4096) {
      s += String.fromCharCode.apply(
        null,
        Array.from(this.units.subarray(at + i, at + Math.min(len, i + 4096))),
      );
    }
    this.cache[id] = s;
    return s;
  }

  /** Strings published so far. */
  get count(): number {
    return Atomics.load(this.head, 0);
  }
}
