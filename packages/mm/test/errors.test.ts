// linux-mm.md §7: every error row of the table, with the return value Linux gives, and the rule
// that a failed call leaves the address space unchanged (except the partial failures of §6.4).
// Also: bad JavaScript input (not an integer) is an MmError naming the function and argument.

import { EBADF, EEXIST, EFAULT, EINVAL, ENOMEM, MmError, MmStruct } from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, P, PRIV, PRIV_FIXED, pg, RW } from "./helpers.js";

const HUGE = 0xfffffffffffff000n;
type Call = (mm: MmStruct) => number;

const table: [string, Call, number][] = [
  [
    "mmap MAP_FIXED at an unaligned address (errors #1)",
    (m) => m.mmap(pg(10) + 1, P, RW, PRIV_FIXED),
    -EINVAL,
  ],
  ["mmap of length 0 (errors #2)", (m) => m.mmap(pg(10), 0, RW, PRIV_FIXED), -EINVAL],
  ["mmap neither shared nor private (errors #3)", (m) => m.mmap(pg(10), P, RW, 0x30), -EINVAL],
  [
    "mmap MAP_SHARED_VALIDATE of anonymous memory (errors #6)",
    (m) => m.mmap(pg(10), P, RW, 0x33),
    -EINVAL,
  ],
  ["mmap MAP_SHARED|MAP_GROWSDOWN (errors #8)", (m) => m.mmap(pg(10), P, RW, 0x131), -EINVAL],
  [
    "mmap with an unaligned offset (errors #11)",
    (m) => m.mmap(pg(10), P, RW, PRIV_FIXED, -1, 0x10),
    -EINVAL,
  ],
  ["mmap NOREPLACE over a mapping (errors #13)", (m) => m.mmap(pg(0), P, RW, 0x100022), -EEXIST],
  ["mmap NOREPLACE unaligned (errors #14)", (m) => m.mmap(pg(30) + 8, P, RW, 0x100022), -EINVAL],
  ["mmap with no room (errors #15)", (m) => m.mmap(0, 0x7f0000000000, 1, 0x4022), -ENOMEM],
  ["mmap longer than TASK_SIZE (errors #16)", (m) => m.mmap(0, HUGE, 1, PRIV), -ENOMEM],
  [
    "mmap MAP_FIXED past TASK_SIZE (errors #17)",
    (m) => m.mmap(0x7ffffffff000, 2 * P, 1, PRIV_FIXED),
    -ENOMEM,
  ],
  ["mmap of a file with fd -1 (errors #18)", (m) => m.mmap(pg(40), P, 1, 0x12), -EBADF],
  ["munmap unaligned (errors #19)", (m) => m.munmap(pg(0) + 1, P), -EINVAL],
  ["munmap of length 0 (errors #20)", (m) => m.munmap(pg(0), 0), -EINVAL],
  ["munmap past TASK_SIZE (errors #21)", (m) => m.munmap(pg(0), HUGE), -EINVAL],
  ["munmap of a hole (errors #22)", (m) => m.munmap(pg(50), P), 0],
  ["mprotect unaligned (errors #23)", (m) => m.mprotect(pg(0) + 1, P, 1), -EINVAL],
  ["mprotect of a hole (errors #24)", (m) => m.mprotect(pg(50), P, 1), -ENOMEM],
  ["mprotect whose end overflows (errors #25)", (m) => m.mprotect(pg(0), HUGE, 1), -ENOMEM],
  ["mprotect with unknown prot bits (errors #26)", (m) => m.mprotect(pg(0), P, 0x101), -EINVAL],
  ["mprotect of length 0 (mprotect_split3 #16)", (m) => m.mprotect(pg(50), 0, 1), 0],
  ["madvise unaligned (errors #27)", (m) => m.madvise(pg(0) + 1, P, 10), -EINVAL],
  ["madvise of a hole (errors #28)", (m) => m.madvise(pg(50), P, 10), -ENOMEM],
  ["madvise with unknown advice (errors #29)", (m) => m.madvise(pg(0), P, 999), -EINVAL],
  ["madvise of length 0 (errors #30)", (m) => m.madvise(pg(0), 0, 10), 0],
  ["mremap unaligned (errors #32)", (m) => m.mremap(pg(0) + 1, P, 2 * P, 1), -EINVAL],
  ["mremap of a hole (errors #33)", (m) => m.mremap(pg(50), P, 2 * P, 1), -EFAULT],
  ["mremap with an unknown flag (errors #34)", (m) => m.mremap(pg(0), P, 2 * P, 0x40), -EINVAL],
  ["mremap to a huge size (errors #35)", (m) => m.mremap(pg(0), P, 0x7f0000000000, 1), -ENOMEM],
  ["mremap DONTUNMAP without MAYMOVE (errors #36)", (m) => m.mremap(pg(0), P, P, 4), -EINVAL],
  ["mremap FIXED without MAYMOVE (mremap #33)", (m) => m.mremap(pg(0), P, P, 2, pg(100)), -EINVAL],
  ["mremap onto itself (mremap #30)", (m) => m.mremap(pg(0), 2 * P, 2 * P, 3, pg(1)), -EINVAL],
  ["mremap to length 0 (mremap #34)", (m) => m.mremap(pg(0), P, 0, 1), -EINVAL],
  ["mremap growing across two VMAs (mremap #24)", (m) => m.mremap(pg(0), 6 * P, 8 * P, 1), -EFAULT],
];

function fixture(): MmStruct {
  const mm = arenaMm();
  mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED);
  mm.mmap(pg(4), 4 * P, 1, PRIV_FIXED);
  return mm;
}

describe("§7 the error table", () => {
  for (const [what, call, want] of table) {
    it(`${what} returns ${want} and changes nothing`, () => {
      const mm = fixture();
      const before = mm.procMaps();
      expect(call(mm)).toBe(want);
      expect(mm.procMaps()).toBe(before);
    });
  }

  it("mmap accepts unknown MAP_PRIVATE flag bits and prot bits beyond rwx (errors #7, #9, #10)", () => {
    const mm = fixture();
    expect(mm.mmap(pg(20), P, RW, PRIV_FIXED | 0x400000)).toBe(pg(20));
    expect(mm.mmap(pg(22), P, 0x10b, PRIV_FIXED)).toBe(pg(22));
    expect(mm.vma_lookup(pg(22))?.perms).toBe("rw-p");
  });

  it("brk never fails with an errno: a refused request returns the old break (brk #5, #8)", () => {
    const mm = arenaMm({ startBrk: 0x555558ff6000 });
    expect(mm.brk(0x1000)).toBe(0x555558ff6000);
  });

  it("touch of nothing or without permission is SIGSEGV (guard_gap #4)", () => {
    const mm = fixture();
    expect(mm.touch(pg(50), false)).toBe("SIGSEGV");
    expect(mm.touch(pg(4), true)).toBe("SIGSEGV");
    mm.mprotect(pg(0), P, 0);
    expect(mm.touch(pg(0), false)).toBe("SIGSEGV");
  });
});

describe("bad JavaScript arguments", () => {
  const bad: [string, (mm: MmStruct) => unknown, RegExp][] = [
    ["a fractional address", (m) => m.mmap(1.5, P, RW, PRIV), /mmap: addr/],
    ["NaN as length", (m) => m.munmap(pg(0), Number.NaN), /munmap: len/],
    ["a string as prot", (m) => m.mprotect(pg(0), P, "1" as unknown as number), /mprotect: prot/],
    ["Infinity as length", (m) => m.madvise(pg(0), Number.POSITIVE_INFINITY, 10), /madvise: len/],
    ["a fractional flag", (m) => m.mremap(pg(0), P, P, 0.5), /mremap: flags/],
  ];
  for (const [what, call, msg] of bad) {
    it(`${what} throws an MmError naming the argument and leaves the mm unchanged`, () => {
      const mm = fixture();
      const before = mm.procMaps();
      expect(() => call(mm)).toThrow(MmError);
      expect(() => call(mm)).toThrow(msg);
      expect(mm.procMaps()).toBe(before);
    });
  }

  it("bad options are rejected by name", () => {
    expect(() => new MmStruct({ mmapBase: -1 })).toThrow(/mmapBase/);
    expect(() => new MmStruct({ dupStrategy: "fast" as "seed" })).toThrow(/dupStrategy/);
  });
});
