// The file syscalls of the in-memory file model (kernel mm/memfd.c `memfd_create`, fs/open.c
// `do_sys_open` / `do_sys_ftruncate` / `close_fd`, fs/namei.c `do_unlinkat`, mm/shmem.c
// `shmem_setattr`): argument checks in the kernel's order, -errno on failure with nothing
// changed. Shrinking a file drops its page cache past EOF and, in every mm that maps it, the
// private copies of those pages too (`truncate_pagecache` → `unmap_mapping_range(even_cows)`),
// so later faults there raise SIGBUS.

import { EBADF, EEXIST, EINVAL, ENOENT, MAX_LFS_FILESIZE, PAGE_SIZE } from "./constants.js";
import { describe, MmError } from "./errors.js";
import {
  MemFile,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
  MFD_HUGETLB,
  MFD_NOEXEC_SEAL,
  O_ACCMODE,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  OpenFile,
} from "./file.js";
import type { MmStruct } from "./mm.js";

/** Kernel `MFD_NAME_MAX_LEN`: NAME_MAX minus the "memfd:" prefix. */
const MFD_NAME_MAX_LEN = 255 - "memfd:".length;
const MFD_ALL = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;

function stringArg(fn: string, name: string, v: unknown): string {
  if (typeof v !== "string") {
    throw new MmError("EINVAL", `${fn}: ${name} must be a string, got ${describe(v)}`);
  }
  return v;
}

/** A C `loff_t` argument: a signed 64-bit integer (number or bigint). */
function loff(fn: string, name: string, v: number | bigint): bigint {
  if (typeof v === "bigint") return BigInt.asIntN(64, v);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new MmError("EINVAL", `${fn}: ${name} must be an integer or bigint, got ${describe(v)}`);
  }
  return BigInt(v);
}

/** `memfd_create(2)`: the new fd, or -errno. MFD_HUGETLB is refused (no hugetlbfs model). */
export function doMemfdCreate(mm: MmStruct, nameIn: string, flags: number): number {
  const name = stringArg("memfd_create", "name", nameIn);
  if (!Number.isInteger(flags)) {
    throw new MmError("EINVAL", `memfd_create: flags must be an integer, got ${describe(flags)}`);
  }
  const f = flags >>> 0;
  if ((f & ~MFD_ALL) !== 0) return -EINVAL;
  if ((f & MFD_HUGETLB) !== 0) return -EINVAL;
  if ((f & MFD_EXEC) !== 0 && (f & MFD_NOEXEC_SEAL) !== 0) return -EINVAL;
  if (new TextEncoder().encode(name).length > MFD_NAME_MAX_LEN || name.includes("\0")) {
    return -EINVAL;
  }
  const file = new MemFile("00:01", ++mm.ids.shmem, `/memfd:${name}`, 0);
  return mm.files.install(new OpenFile(file, true, true));
}

/**
 * `open(2)` on the model's tmpfs (every absolute path names a regular file; O_CREAT, O_EXCL and
 * O_TRUNC act, other flags are accepted and ignored): the new fd, or -errno.
 */
export function doOpen(mm: MmStruct, pathIn: string, flags: number, _mode: number): number {
  const path = stringArg("open", "path", pathIn);
  if (!Number.isInteger(flags)) {
    throw new MmError("EINVAL", `open: flags must be an integer, got ${describe(flags)}`);
  }
  const acc = flags & O_ACCMODE;
  if (acc === O_ACCMODE) return -EINVAL;
  if (!path.startsWith("/") || path.includes("\0")) return -ENOENT;
  const ns = mm.namespace;
  let file = ns.files.get(path);
  if (file === undefined) {
    if ((flags & O_CREAT) === 0) return -ENOENT;
    file = new MemFile(ns.dev, ++mm.ids.shmem, path, 1);
    ns.files.set(path, file);
  } else if ((flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL)) {
    return -EEXIST;
  }
  const writable = acc === O_WRONLY || acc === O_RDWR;
  if ((flags & O_TRUNC) !== 0 && writable) truncateFile(file, 0);
  return mm.files.install(new OpenFile(file, acc === O_RDONLY || acc === O_RDWR, writable));
}

/** `unlink(2)` on the model's tmpfs: 0 or -errno. Mappings keep the file, now " (deleted)". */
export function doUnlink(mm: MmStruct, pathIn: string): number {
  const path = stringArg("unlink", "path", pathIn);
  const ns = mm.namespace;
  const file = ns.files.get(path);
  if (file === undefined) return -ENOENT;
  ns.files.delete(path);
  file.nlink = 0;
  return 0;
}

/** `close(2)`: 0 or -EBADF. Mappings of the file stay. */
export function doClose(mm: MmStruct, fd: number): number {
  if (!Number.isInteger(fd)) {
    throw new MmError("EINVAL", `close: fd must be an integer, got ${describe(fd)}`);
  }
  return mm.files.close(fd) ? 0 : -EBADF;
}

/** `ftruncate(2)`: 0 or -errno. */
export function doFtruncate(mm: MmStruct, fd: number, lengthIn: number | bigint): number {
  if (!Number.isInteger(fd)) {
    throw new MmError("EINVAL", `ftruncate: fd must be an integer, got ${describe(fd)}`);
  }
  const length = loff("ftruncate", "length", lengthIn);
  if (length < 0n) return -EINVAL;
  const f = mm.files.get(fd);
  if (f === null) return -EBADF;
  if (!(f instanceof OpenFile) || !f.writable) return -EINVAL;
  if (length > MAX_LFS_FILESIZE) return -EINVAL;
  truncateFile(f.file, Number(length));
  return 0;
}

/**
 * Kernel `shmem_setattr()` size change: sets i_size; when shrinking, drops whole pages past the
 * new EOF from the page cache and every private copy of them, and zeroes the tail of a partial
 * last page (only its first u64 is modelled: bytes at or past EOF read as zero).
 */
export function truncateFile(file: MemFile, size: number): void {
  const old = file.size;
  file.size = size;
  if (size >= old) return;
  const keep = Math.ceil(size / PAGE_SIZE);
  for (const idx of [...file.pages.keys()]) if (idx >= keep) file.pages.delete(idx);
  const tail = size % PAGE_SIZE;
  if (tail > 0 && tail < 8) {
    const idx = keep - 1;
    const v = file.pages.get(idx);
    if (v !== undefined) file.pages.set(idx, Number(BigInt(v) % 2n ** BigInt(8 * tail)));
  }
  for (const m of file.mappers) m.zapFilePages(file, keep);
}
