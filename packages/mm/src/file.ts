// The in-memory file model behind file-backed mappings: an inode with its page cache (kernel
// `struct inode` + `struct address_space` of a tmpfs/memfd file), the open file description that
// an fd names (`struct file`, with its f_mode), the per-process fd table (`struct files_struct`,
// copied by fork, so both processes name the same open files), and the tmpfs namespace that
// `open`/`unlink` resolve paths in (shared by an mm and everything forked from it).

import { PAGE_SIZE } from "./constants.js";

/**
 * A regular tmpfs file (kernel inode + page cache). The page cache holds the first u64 of each
 * page that exists in it (absent = no page yet); every MAP_SHARED mapping of the file, in every
 * process, reads and writes these pages; MAP_PRIVATE mappings read them until a write copies.
 */
export class MemFile {
  /** Device column of /proc maps (`"00:01"` for memfd, the tmpfs mount's device otherwise). */
  readonly dev: string;
  /** Inode number (shown in /proc maps). */
  readonly ino: number;
  /** Path shown in /proc maps (`/memfd:NAME` for memfd). */
  readonly path: string;
  /** `i_size` in bytes. */
  size = 0;
  /** Links to the file (0 = unlinked: maps shows " (deleted)"); memfds are born unlinked. */
  nlink: number;
  /** The page cache: page index → first u64 of the page. */
  readonly pages = new Map<number, number>();
  /** The mms that map or mapped the file (kernel `i_mmap`, coarsened): truncation visits them. */
  readonly mappers = new Set<FileMapper>();

  constructor(dev: string, ino: number, path: string, nlink: number) {
    this.dev = dev;
    this.ino = ino;
    this.path = path;
    this.nlink = nlink;
  }

  /** Pages that lie (at least partly) below EOF: a fault at a page index >= this is SIGBUS. */
  get sizePages(): number {
    return Math.ceil(this.size / PAGE_SIZE);
  }

  /** The name column of /proc maps (kernel `d_path()`, " (deleted)" once unlinked). */
  get mapsName(): string {
    return this.nlink === 0 ? `${this.path} (deleted)` : this.path;
  }
}

/** What truncation needs of an mm that maps a file: drop its private copies past EOF. */
export interface FileMapper {
  /** Kernel `unmap_mapping_range(..., even_cows = 1)` for this mm: zap pages of `file` >= `fromIdx`. */
  zapFilePages(file: MemFile, fromIdx: number): void;
}

/** `O_ACCMODE` values and the open flags the model understands. */
export const O_RDONLY = 0;
/** `O_WRONLY`. */
export const O_WRONLY = 1;
/** `O_RDWR`. */
export const O_RDWR = 2;
/** `O_ACCMODE`. */
export const O_ACCMODE = 3;
/** `O_CREAT`. */
export const O_CREAT = 0o100;
/** `O_EXCL`. */
export const O_EXCL = 0o200;
/** `O_TRUNC`. */
export const O_TRUNC = 0o1000;
/** `O_CLOEXEC` (accepted, no effect: the model has no exec). */
export const O_CLOEXEC = 0o2000000;

/** `MFD_CLOEXEC`. */
export const MFD_CLOEXEC = 0x1;
/** `MFD_ALLOW_SEALING` (accepted; seals are not modelled). */
export const MFD_ALLOW_SEALING = 0x2;
/** `MFD_HUGETLB`. */
export const MFD_HUGETLB = 0x4;
/** `MFD_NOEXEC_SEAL`. */
export const MFD_NOEXEC_SEAL = 0x8;
/** `MFD_EXEC`. */
export const MFD_EXEC = 0x10;

/** An open file description (kernel `struct file`): the file and the f_mode it was opened with. */
export class OpenFile {
  constructor(
    readonly file: MemFile,
    /** `FMODE_READ`. */
    readonly readable: boolean,
    /** `FMODE_WRITE`. */
    readonly writable: boolean,
  ) {}
}

/**
 * An fd that exists but cannot be mapped (the inherited stdin/stdout/stderr: a tty or a pipe,
 * whose `f_op->mmap` is missing, so mmap gives ENODEV).
 */
export const UNMAPPABLE = Object.freeze({ unmappable: true as const });

/** What an fd slot holds. */
export type FdEntry = OpenFile | typeof UNMAPPABLE;

/** Kernel `struct files_struct`: fd → open file; new fds take the lowest free number. */
export class FileTable {
  private readonly slots: (FdEntry | null)[];

  /** A table whose fds `0 .. reserved-1` are open but unmappable (stdio). */
  constructor(reserved = 3) {
    this.slots = Array.from({ length: reserved }, () => UNMAPPABLE);
  }

  /** The entry of `fd`, or null (kernel `fget()` failing: EBADF). */
  get(fd: number): FdEntry | null {
    if (!Number.isInteger(fd) || fd < 0) return null;
    return this.slots[fd] ?? null;
  }

  /** Installs `f` at the lowest free fd (kernel `get_unused_fd_flags()` + `fd_install()`). */
  install(f: OpenFile): number {
    let fd = this.slots.indexOf(null);
    if (fd < 0) fd = this.slots.length;
    this.slots[fd] = f;
    return fd;
  }

  /** Kernel `close_fd()`: false when `fd` was not open. */
  close(fd: number): boolean {
    if (this.get(fd) === null) return false;
    this.slots[fd] = null;
    while (this.slots.length > 0 && this.slots[this.slots.length - 1] === null) this.slots.pop();
    return true;
  }

  /** Kernel `dup_fd()` (fork without CLONE_FILES): a new table naming the same open files. */
  dup(): FileTable {
    const t = new FileTable(0);
    for (const s of this.slots) t.slots.push(s);
    return t;
  }

  /** The open fds in ascending order. */
  fds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] !== null) out.push(i);
    return out;
  }
}

/**
 * The tmpfs namespace `open`/`unlink` resolve absolute paths in, and the inode numbers of every
 * shmem-backed file (memfds and tmpfs files draw from one counter with shared anonymous memory,
 * as the kernel's `get_next_ino()` does). Shared by an mm and its forks.
 */
export class Namespace {
  /** Device column for files opened by path (the tmpfs mount's `st_dev`). */
  readonly dev: string;
  /** path → file. */
  readonly files = new Map<string, MemFile>();
  constructor(dev: string) {
    this.dev = dev;
  }
}
