// File-backed mappings, msync, smaps, THP and x86 pkeys: every bad argument of the new calls gets
// the kernel's errno and leaves the mm unchanged (maps, smaps, fds, file sizes and contents before
// and after), and the page-cache rules hold: MAP_SHARED pages are one page cache across mappings
// and forks, MAP_PRIVATE copies on write, truncation makes pages past EOF SIGBUS everywhere.

import {
  EACCES,
  EBADF,
  EBUSY,
  EEXIST,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOENT,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  MADV_COLLAPSE,
  MADV_HUGEPAGE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_SYNC,
  MFD_EXEC,
  MFD_HUGETLB,
  MFD_NOEXEC_SEAL,
  MmError,
  type MmStruct,
  MS_ASYNC,
  MS_INVALIDATE,
  MS_SYNC,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  OpenFile,
  PROT_EXEC,
  PROT_READ,
} from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, P, pg, RW } from "./helpers.js";

const SH = MAP_SHARED | MAP_FIXED;
const PV = MAP_PRIVATE | MAP_FIXED;

/** Everything a call could change: maps, smaps, the fd table and every open file's state. */
function snapshot(mm: MmStruct): string {
  const files = mm.files.fds().map((fd) => {
    const e = mm.files.get(fd);
    if (!(e instanceof OpenFile)) return `${fd}:stdio`;
    const f = e.file;
    return `${fd}:${f.path}:${f.size}:${f.nlink}:${[...f.pages].join(";")}`;
  });
  const ns = [...mm.namespace.files.keys()].join(",");
  return `${mm.procSmaps()}\n${files.join("\n")}\n${ns}\n${[...mm.pages].join(";")}`;
}

/**
 * An mm with a 16-page memfd (fd 3, shared at pg(0), private at pg(32)), a read-only file (fd 4),
 * a write-only one (fd 5), a locked page at pg(60) and 2 MiB of untouched anonymous memory.
 */
function setup(): { mm: MmStruct; fd: number; ro: number } {
  const mm = arenaMm();
  const fd = mm.memfd_create("mf", 0);
  expect(fd).toBe(3);
  expect(mm.ftruncate(fd, 16 * P)).toBe(0);
  expect(mm.mmap(pg(0), 8 * P, RW, SH, fd, 0)).toBe(pg(0));
  expect(mm.mmap(pg(32), 4 * P, RW, PV, fd, 4 * P)).toBe(pg(32));
  expect(mm.touch(pg(1), true, 0x11)).toBe(0);
  expect(mm.touch(pg(33), true, 0x22)).toBe(0);
  const ro = mm.open("/ro", O_CREAT | O_RDONLY, 0o600);
  expect(ro).toBe(4);
  expect(mm.open("/wo", O_CREAT | O_WRONLY)).toBe(5);
  mm.mmap(pg(60), P, RW, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_LOCKED);
  mm.mmap(pg(512), 512 * P, RW, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
  return { mm, fd, ro };
}

type Call = (mm: MmStruct, fd: number, ro: number) => number;
const NAME_250 = "x".repeat(250);

const errnoTable: [string, Call, number][] = [
  ["memfd_create with an unknown flag", (m) => m.memfd_create("a", 0x100), -EINVAL],
  [
    "memfd_create with MFD_HUGETLB (no hugetlbfs)",
    (m) => m.memfd_create("a", MFD_HUGETLB),
    -EINVAL,
  ],
  [
    "memfd_create with MFD_EXEC|MFD_NOEXEC_SEAL",
    (m) => m.memfd_create("a", MFD_EXEC | MFD_NOEXEC_SEAL),
    -EINVAL,
  ],
  ["memfd_create with a 250-byte name", (m) => m.memfd_create(NAME_250, 0), -EINVAL],
  ["ftruncate of a closed fd", (m) => m.ftruncate(99, P), -EBADF],
  ["ftruncate to a negative length (checked before the fd)", (m) => m.ftruncate(99, -1), -EINVAL],
  ["ftruncate of stdin (not a regular file)", (m) => m.ftruncate(0, P), -EINVAL],
  ["ftruncate of a read-only fd", (m, _fd, ro) => m.ftruncate(ro, P), -EINVAL],
  ["ftruncate past 2^63 - 1 (a negative loff_t)", (m, fd) => m.ftruncate(fd, 2n ** 63n), -EINVAL],
  ["close of a closed fd", (m) => m.close(99), -EBADF],
  ["open of a missing file without O_CREAT", (m) => m.open("/none", O_RDWR), -ENOENT],
  ["open O_CREAT|O_EXCL of an existing file", (m) => m.open("/ro", O_CREAT | O_EXCL), -EEXIST],
  ["open of a relative path", (m) => m.open("rel", O_CREAT | O_RDWR), -ENOENT],
  ["open with O_ACCMODE 3", (m) => m.open("/ro", 3), -EINVAL],
  ["unlink of a missing file", (m) => m.unlink("/none"), -ENOENT],
  ["mmap of a closed fd", (m) => m.mmap(pg(50), P, RW, SH, 99, 0), -EBADF],
  ["mmap of stdin (no mmap op)", (m) => m.mmap(pg(50), P, PROT_READ, SH, 0, 0), -ENODEV],
  [
    "mmap MAP_SHARED writable of a read-only fd",
    (m, _fd, ro) => m.mmap(pg(50), P, RW, SH, ro, 0),
    -EACCES,
  ],
  ["mmap of a write-only fd", (m) => m.mmap(pg(50), P, PROT_READ, PV, 5, 0), -EACCES],
  [
    "mmap MAP_SHARED_VALIDATE|MAP_SYNC of tmpfs",
    (m, fd) => m.mmap(pg(50), P, RW, MAP_SHARED_VALIDATE | MAP_FIXED | MAP_SYNC, fd, 0),
    -EOPNOTSUPP,
  ],
  [
    "mmap of a file with MAP_GROWSDOWN",
    (m, fd) => m.mmap(pg(50), P, RW, PV | MAP_GROWSDOWN, fd, 0),
    -EINVAL,
  ],
  [
    "mmap of a file with MAP_HUGETLB",
    (m, fd) => m.mmap(pg(50), P, RW, SH | MAP_HUGETLB, fd, 0),
    -EINVAL,
  ],
  ["mmap of a file at an unaligned offset", (m, fd) => m.mmap(pg(50), P, RW, SH, fd, 5), -EINVAL],
  ["mmap of a file without a type", (m, fd) => m.mmap(pg(50), P, RW, MAP_FIXED, fd, 0), -EINVAL],
  [
    "mmap of a file past MAX_LFS_FILESIZE",
    (m, fd) => m.mmap(pg(50), P, RW, SH, fd, 0x7ffffffffffff000n),
    -EOVERFLOW,
  ],
  ["msync with an unknown flag", (m) => m.msync(pg(0), P, 8), -EINVAL],
  ["msync at an unaligned address", (m) => m.msync(pg(0) + 1, P, MS_SYNC), -EINVAL],
  ["msync with MS_ASYNC|MS_SYNC", (m) => m.msync(pg(0), P, MS_ASYNC | MS_SYNC), -EINVAL],
  ["msync over a hole (MS_SYNC: after the walk)", (m) => m.msync(pg(0), 40 * P, MS_SYNC), -ENOMEM],
  ["msync MS_ASYNC starting in a hole", (m) => m.msync(pg(10), 30 * P, MS_ASYNC), -ENOMEM],
  ["msync of an unmapped range", (m) => m.msync(pg(100), P, MS_SYNC), -ENOMEM],
  ["msync MS_INVALIDATE of a VM_LOCKED mapping", (m) => m.msync(pg(60), P, MS_INVALIDATE), -EBUSY],
  ["mincore at an unaligned address", (m) => m.mincore(pg(0) + 8, P, new Uint8Array(1)), -EINVAL],
  [
    "mincore past user space",
    (m) => m.mincore(pg(0), 0xfffffffffffff000n, new Uint8Array(1)),
    -ENOMEM,
  ],
  ["mincore over a hole", (m) => m.mincore(pg(0), 12 * P, new Uint8Array(12)), -ENOMEM],
  [
    "mincore with a short vector (EFAULT)",
    (m) => m.mincore(pg(0), 8 * P, new Uint8Array(7)),
    -EFAULT,
  ],
  [
    "MADV_COLLAPSE of a VMA without anon_vma",
    (m) => m.madvise(pg(512), 512 * P, MADV_COLLAPSE),
    -EINVAL,
  ],
];

describe("bad arguments: the kernel's errno and nothing changes", () => {
  for (const [name, call, want] of errnoTable) {
    it(name, () => {
      const { mm, fd, ro } = setup();
      const before = snapshot(mm);
      expect(call(mm, fd, ro)).toBe(want);
      expect(snapshot(mm)).toBe(before);
    });
  }

  it("msync succeeds without changing anything, zero length included", () => {
    const { mm } = setup();
    const before = snapshot(mm);
    expect(mm.msync(pg(0), 8 * P, MS_SYNC)).toBe(0);
    expect(mm.msync(pg(0), 8 * P, MS_ASYNC | MS_INVALIDATE)).toBe(0);
    expect(mm.msync(pg(5), 0, MS_SYNC)).toBe(0);
    expect(mm.msync(pg(0), 0xfffffffffffff001n, MS_SYNC)).toBe(0); // PAGE_ALIGN wraps to 0
    expect(snapshot(mm)).toBe(before);
  });

  it("non-integer and non-string arguments are MmErrors naming the argument; nothing changes", () => {
    const { mm, fd } = setup();
    const before = snapshot(mm);
    const bad: [() => unknown, RegExp][] = [
      [() => mm.memfd_create(7 as unknown as string, 0), /memfd_create: name must be a string/],
      [() => mm.memfd_create("a", 1.5), /memfd_create: flags must be an integer/],
      [() => mm.ftruncate(fd, 1.5), /ftruncate: length must be an integer/],
      [() => mm.ftruncate(Number.NaN, 0), /ftruncate: fd must be an integer/],
      [() => mm.close(0.5), /close: fd must be an integer/],
      [() => mm.open(null as unknown as string, 0), /open: path must be a string/],
      [() => mm.unlink(1 as unknown as string), /unlink: path must be a string/],
      [() => mm.msync(pg(0), P, 0.5), /msync: flags must be an integer/],
    ];
    for (const [call, msg] of bad) {
      expect(call).toThrow(MmError);
      expect(call).toThrow(msg);
    }
    expect(snapshot(mm)).toBe(before);
  });
});

describe("the page cache", () => {
  it("MAP_SHARED mappings and fork children share pages; MAP_PRIVATE copies on write", () => {
    const { mm, fd } = setup();
    expect(mm.mmap(pg(16), 8 * P, RW, SH, fd, 0)).toBe(pg(16));
    expect(mm.peek(pg(17))).toBe(0x11); // the same page through a second mapping
    const child = mm.fork();
    expect(child.touch(pg(2), true, 0x33)).toBe(0);
    expect(mm.peek(pg(2))).toBe(0x33); // the child's shared write is the parent's
    expect(mm.peek(pg(33))).toBe(0x22); // the parent's private copy
    expect(mm.peek(pg(5))).toBe(0); // file page 5 is untouched by the private copy of page 5
    expect(child.peek(pg(33))).toBe(0x22); // the child inherited the private copy
    expect(child.touch(pg(34), true, 0x44)).toBe(0);
    expect(mm.peek(pg(34))).toBe(0); // a private write stays private
    expect(mm.anonKb(mm.vma_lookup(pg(32)) as never)).toBe(4);
    child.mmput();
  });

  it("ftruncate shrinking under mappings makes pages past EOF SIGBUS in every process", () => {
    const { mm, fd } = setup();
    expect(mm.touch(pg(34), true, 0x66)).toBe(0); // a private copy of file page 6
    const child = mm.fork();
    expect(mm.ftruncate(fd, 5 * P + 3)).toBe(0);
    expect(mm.touch(pg(6), false)).toBe("SIGBUS");
    expect(child.touch(pg(6), false)).toBe("SIGBUS");
    expect(mm.touch(pg(5), false)).toBe(0); // the partial last page stays
    // Private copies past EOF go too (even_cows): pg(33) maps file page 5, pg(34) page 6.
    expect(mm.touch(pg(34), false)).toBe("SIGBUS");
    expect(child.peek(pg(33))).toBe(0x22);
    expect(mm.ftruncate(fd, 16 * P)).toBe(0);
    expect(mm.peek(pg(6))).toBe(0); // growing again reads zeros
    expect(mm.peek(pg(34))).toBe(0); // the private copy went with the truncation
    expect(child.peek(pg(34))).toBe(0); // in the child too
    child.mmput();
  });

  it("a partial last page keeps only the bytes below EOF", () => {
    const { mm, fd } = setup();
    expect(mm.touch(pg(3), true, 0x1122334455)).toBe(0);
    expect(mm.ftruncate(fd, 3 * P + 2)).toBe(0);
    expect(mm.peek(pg(3))).toBe(0x55 + 0x44 * 256);
  });

  it("maps shows dev, inode, offset and ' (deleted)' once unlinked", () => {
    const mm = arenaMm();
    const fd = mm.open("/data", O_CREAT | O_RDWR, 0o600);
    mm.ftruncate(fd, 4 * P);
    mm.mmap(pg(0), 2 * P, PROT_READ, SH, fd, 2 * P);
    const line = (): string => mm.procMaps().split("\n")[0] as string;
    expect(line()).toMatch(/^7e0000000000-7e0000002000 r--s 00002000 00:1b \d+ +\/data$/);
    expect(mm.unlink("/data")).toBe(0);
    expect(line()).toMatch(/ \/data \(deleted\)$/);
    const m2 = mm.memfd_create("x", 0);
    mm.ftruncate(m2, P);
    mm.mmap(pg(8), P, PROT_READ, PV, m2, 0);
    expect(mm.procMaps().split("\n")[1]).toMatch(
      / r--p 00000000 00:01 \d+ +\/memfd:x \(deleted\)$/,
    );
  });

  it("merges need the same file and contiguous pgoff; mremap keeps the pgoff", () => {
    const { mm, fd } = setup();
    mm.mmap(pg(100), 2 * P, PROT_READ, SH, fd, 0);
    mm.mmap(pg(102), 2 * P, PROT_READ, SH, fd, 2 * P); // contiguous: one VMA
    mm.mmap(pg(104), 2 * P, PROT_READ, SH, fd, 8 * P); // a gap in pgoff: no merge
    const around = mm.vmas(pg(100), pg(106)).map((v) => [v.start, v.end, v.pgoff]);
    expect(around).toEqual([
      [pg(100), pg(104), 0],
      [pg(104), pg(106), 8],
    ]);
    expect(mm.mremap(pg(104), 2 * P, 2 * P, 3, pg(200))).toBe(pg(200));
    expect(mm.vma_lookup(pg(200))?.pgoff).toBe(8);
  });
});

describe("THP, smaps and pkeys", () => {
  it("MADV_HUGEPAGE then one write maps a huge page; smaps matches Linux byte for byte", () => {
    const mm = arenaMm();
    mm.mmap(pg(512), 1024 * P, RW, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
    expect(mm.madvise(pg(512), 1024 * P, MADV_HUGEPAGE)).toBe(0);
    expect(mm.touch(pg(512), true, 1)).toBe(0);
    // Recorded on 6.18 (THP madvise mode) after the same calls.
    expect(mm.procSmaps()).toBe(
      [
        "7e0000200000-7e0000600000 rw-p 00000000 00:00 0 ",
        "Size:               4096 kB",
        "KernelPageSize:        4 kB",
        "MMUPageSize:           4 kB",
        "Rss:                2048 kB",
        "Pss:                2048 kB",
        "Pss_Dirty:          2048 kB",
        "Shared_Clean:          0 kB",
        "Shared_Dirty:          0 kB",
        "Private_Clean:         0 kB",
        "Private_Dirty:      2048 kB",
        "Referenced:         2048 kB",
        "Anonymous:          2048 kB",
        "KSM:                   0 kB",
        "LazyFree:              0 kB",
        "AnonHugePages:      2048 kB",
        "ShmemPmdMapped:        0 kB",
        "FilePmdMapped:         0 kB",
        "Shared_Hugetlb:        0 kB",
        "Private_Hugetlb:       0 kB",
        "Swap:                  0 kB",
        "SwapPss:               0 kB",
        "Locked:                0 kB",
        "THPeligible:           1",
        "ProtectionKey:         0",
        "VmFlags: rd wr mr mw me ac hg ",
        "",
      ].join("\n"),
    );
    // A partial munmap splits the PMD: the pages stay, AnonHugePages goes.
    expect(mm.munmap(pg(1023), P)).toBe(0);
    expect(mm.procSmaps()).toMatch(
      /Anonymous: +2044 kB\nKSM: +0 kB\nLazyFree: +0 kB\nAnonHugePages: +0 kB/,
    );
    // The VMA no longer holds a whole aligned 2 MiB: MADV_COLLAPSE refuses it (6.18: EINVAL).
    expect(mm.madvise(pg(512), 511 * P, MADV_COLLAPSE)).toBe(-EINVAL);
  });

  it("mincore: written and read-faulted anonymous pages, the page cache, huge pages", () => {
    const { mm, fd } = setup();
    const vec = new Uint8Array(8);
    expect(mm.mincore(pg(0), 8 * P, vec)).toBe(0);
    expect([...vec]).toEqual([0, 1, 0, 0, 0, 1, 0, 0]); // file pages 1 (written) and 5 (pg(33))
    mm.mmap(pg(40), 4 * P, RW, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
    mm.touch(pg(40), true, 7);
    mm.touch(pg(42), false);
    expect(mm.mincore(pg(40), 4 * P - 1, vec)).toBe(0);
    expect([...vec.subarray(0, 4)]).toEqual([1, 0, 1, 0]); // the zero page counts
    expect(mm.ftruncate(fd, 0)).toBe(0);
    expect(mm.mincore(pg(0), 8 * P, vec)).toBe(0);
    expect([...vec]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(mm.madvise(pg(512), 512 * P, MADV_HUGEPAGE)).toBe(0);
    expect(mm.touch(pg(700), true, 1)).toBe(0);
    const big = new Uint8Array(512);
    expect(mm.mincore(pg(512), 512 * P, big)).toBe(0);
    expect(big.every((b) => b === 1)).toBe(true);
  });

  it("with pku, PROT_EXEC-only memory gets the execute-only key and data access faults", () => {
    const mm = arenaMm({ pku: true });
    mm.mmap(pg(0), P, PROT_EXEC, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
    expect(mm.touch(pg(0), false)).toBe("SIGSEGV");
    expect(mm.procSmaps()).toMatch(/ProtectionKey: +1\n/);
    expect(mm.mprotect(pg(0), P, PROT_READ | PROT_EXEC)).toBe(0);
    expect(mm.touch(pg(0), false)).toBe(0);
    expect(mm.procSmaps()).toMatch(/ProtectionKey: +0\n/);
    const plain = arenaMm();
    plain.mmap(pg(0), P, PROT_EXEC, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
    expect(plain.touch(pg(0), false)).toBe(0);
  });
});
