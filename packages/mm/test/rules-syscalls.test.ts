// linux-mm.md §6.4–6.9: partial failures, mremap, top-down placement, growsdown stacks and the
// guard gap, fork, brk and [heap]. Each test names the rule and the trace that shows it.

import {
  EFAULT,
  EINVAL,
  ENOMEM,
  MADV_DONTFORK,
  MADV_WIPEONFORK,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MREMAP_DONTUNMAP,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  PROT_GROWSDOWN,
} from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import {
  A,
  arenaMm,
  layout,
  P,
  PRIV,
  PRIV_FIXED,
  pg,
  RW,
  SHARED,
  SHARED_FIXED,
} from "./helpers.js";

const MB2 = 0x200000;

describe("§6.4 partial failure", () => {
  it("mprotect stops at a hole with ENOMEM and the VMAs before it keep the new prot (mprotect_split3 #12)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
    mm.mmap(pg(3), 2 * P, RW, PRIV_FIXED);
    expect(mm.mprotect(pg(0), 5 * P, 1)).toBe(-ENOMEM);
    expect(layout(mm)).toEqual(["0-2 r--p rd mr mw me", "3-5 rw-p rd wr mr mw me ac"]);
  });

  it("mprotect whose start is unmapped fails with ENOMEM and changes nothing (mprotect_split3 #13)", () => {
    const mm = arenaMm();
    mm.mmap(pg(1), 2 * P, RW, PRIV_FIXED);
    expect(mm.mprotect(pg(0), 3 * P, 1)).toBe(-ENOMEM);
    expect(layout(mm)).toEqual(["1-3 rw-p rd wr mr mw me ac"]);
  });

  it("madvise applies to every mapped part and then reports the hole (fork_dontfork #17, errors #31)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), P, RW, PRIV_FIXED);
    mm.mmap(pg(2), P, RW, PRIV_FIXED);
    expect(mm.madvise(pg(0), 3 * P, MADV_DONTFORK)).toBe(-ENOMEM);
    expect(layout(mm)).toEqual(["0-1 rw-p rd wr mr mw me dc ac", "2-3 rw-p rd wr mr mw me dc ac"]);
  });

  it("a VMA rejecting the advice stops the walk and earlier VMAs keep it (random/basic-s004-n200 #22)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), P, RW, PRIV_FIXED);
    mm.mmap(pg(1), P, RW, SHARED_FIXED);
    mm.mmap(pg(2), P, RW, PRIV_FIXED);
    expect(mm.madvise(pg(0), 3 * P, MADV_WIPEONFORK)).toBe(-EINVAL);
    expect(layout(mm).map((l) => l.includes(" wf"))).toEqual([true, false, false]);
  });
});

describe("§6.5 mremap", () => {
  it("needs old_addr inside a VMA (mremap #21)", () => {
    const mm = arenaMm();
    expect(mm.mremap(pg(0), P, 2 * P, MREMAP_MAYMOVE)).toBe(-EFAULT);
  });

  it("same size without FIXED is a no-op even across VMAs and holes (mremap #57–#60)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), P, RW, PRIV_FIXED);
    mm.mmap(pg(2), P, 1, PRIV_FIXED);
    expect(mm.mremap(pg(0), 3 * P, 3 * P, 0)).toBe(pg(0));
    expect(layout(mm)).toHaveLength(2);
  });

  it("a shrink munmaps the whole tail range, over holes and other VMAs (mremap #51, #54)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED);
    mm.mmap(pg(6), 2 * P, 1, PRIV_FIXED);
    expect(mm.mremap(pg(0), 10 * P, P, 0)).toBe(pg(0));
    expect(layout(mm)).toEqual(["0-1 rw-p rd wr mr mw me ac"]);
  });

  it("grows in place up to the next VMA without a gap and merges with a compatible one (mremap #2, #10, #13)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
    mm.mmap(pg(4), 2 * P, RW, PRIV_FIXED);
    mm.mprotect(pg(4), 2 * P, 1);
    expect(mm.mremap(pg(0), 2 * P, 4 * P, 0)).toBe(pg(0));
    expect(layout(mm)).toEqual(["0-4 rw-p rd wr mr mw me ac", "4-6 r--p rd mr mw me"]);
    mm.mprotect(pg(4), 2 * P, RW);
    expect(layout(mm)).toEqual(["0-6 rw-p rd wr mr mw me ac"]);
  });

  it("blocked growth is ENOMEM without MAYMOVE and a top-down move with it, data travelling along (mremap #5–#7)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
    mm.mmap(pg(2), P, 1, PRIV_FIXED);
    mm.touch(pg(0), true, 42);
    expect(mm.mremap(pg(0), 2 * P, 4 * P, 0)).toBe(-ENOMEM);
    expect(mm.mremap(pg(0), 2 * P, 4 * P, MREMAP_MAYMOVE)).toBe(pg(4092));
    expect(mm.peek(pg(4092))).toBe(42);
    expect(layout(mm)).toEqual(["2-3 r--p rd mr mw me", "4092-4096 rw-p rd wr mr mw me ac"]);
  });

  it("a FIXED pure move carries several VMAs and keeps the holes; the destination opposite a hole survives (mremap #25–#28, basic-s002 #97)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
    mm.mmap(pg(3), P, 1, PRIV_FIXED);
    mm.mmap(pg(100), 4 * P, 0, PRIV_FIXED);
    expect(mm.mremap(pg(0), 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, pg(100))).toBe(pg(100));
    expect(layout(mm)).toEqual([
      "100-102 rw-p rd wr mr mw me ac",
      "102-103 ---p mr mw me",
      "103-104 r--p rd mr mw me",
    ]);
  });

  it("DONTUNMAP moves the pages and leaves the old VMA empty with the same flags (mremap #37–#39)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED);
    mm.touch(pg(0), true, 9);
    const to = mm.mremap(
      pg(0),
      4 * P,
      4 * P,
      MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
      pg(100),
    );
    expect(to).toBe(pg(100));
    expect(mm.peek(pg(0))).toBe(0);
    expect(mm.peek(pg(100))).toBe(9);
    expect(layout(mm)).toEqual(["0-4 rw-p rd wr mr mw me ac", "100-104 rw-p rd wr mr mw me ac"]);
  });

  it("old_len 0 is EINVAL for private memory and duplicates a shared mapping (mremap #41–#45)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
    expect(mm.mremap(pg(0), 0, P, MREMAP_MAYMOVE)).toBe(-EINVAL);
    mm.mmap(pg(10), 2 * P, RW, SHARED_FIXED);
    mm.touch(pg(10), true, 5);
    const dup = mm.mremap(pg(10), 0, 2 * P, MREMAP_MAYMOVE);
    expect(dup).toBeGreaterThan(0);
    expect(mm.vma_lookup(dup)?.shmem).toBe(mm.vma_lookup(pg(10))?.shmem);
    expect(mm.peek(dup)).toBe(5);
  });

  it("growing a shared mapping keeps the object size: pages past it raise SIGBUS (mremap #47–#49)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), P, RW, SHARED_FIXED);
    expect(mm.mremap(pg(0), P, 3 * P, 0)).toBe(pg(0));
    expect(mm.touch(pg(0), true, 1)).toBe(0);
    expect(mm.touch(pg(1), false)).toBe("SIGBUS");
  });
});

describe("§6.6 top-down placement", () => {
  it("takes the highest gap that fits and maps at its top (topdown #0–#8)", () => {
    const mm = arenaMm();
    expect(mm.mmap(0, 4 * P, RW, PRIV)).toBe(pg(4092));
    mm.mmap(pg(100), 2 * P, 1, PRIV_FIXED);
    mm.mmap(pg(108), 2 * P, 1, PRIV_FIXED);
    mm.mmap(pg(110), 3982 * P, 0, PRIV_FIXED | 0);
    // Holes left: [102,108) (6 pages) and everything below 100.
    expect(mm.mmap(0, 6 * P, 1, PRIV)).toBe(pg(102));
    expect(mm.mmap(0, P, 5, PRIV)).toBe(pg(99));
  });

  it("places below a growsdown VMA only past its 256-page guard gap (guard_gap #13)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4088 * P, 0, PRIV_FIXED);
    mm.munmap(pg(3000), 1088 * P);
    mm.mmap(pg(4088), 8 * P, RW, PRIV_FIXED | MAP_GROWSDOWN);
    expect(mm.mmap(0, 4 * P, RW, PRIV)).toBe(pg(4088 - 256 - 4));
  });

  it("uses a free hint as is (rounded down) and otherwise searches from the top, not near the hint (topdown #12–#15)", () => {
    const mm = arenaMm();
    expect(mm.mmap(pg(50) + 123, P, RW, PRIV)).toBe(pg(50));
    expect(mm.mmap(pg(50), P, 1, PRIV)).toBe(pg(4095));
  });

  it("aligns private anonymous 2 MiB multiples without hint to 2 MiB via a len + 2 MiB search (topdown #19–#24)", () => {
    const mm = arenaMm();
    mm.mmap(pg(4095), P, 1, PRIV_FIXED);
    const a = mm.mmap(0, MB2, RW, PRIV);
    expect(a % MB2).toBe(0);
    // The highest gap is [A, A+4095 pages): the aligned start below its top minus 2 MiB.
    expect(a).toBe(A + 6 * MB2);
    // Shared memory and non-multiples are not aligned.
    expect(mm.mmap(0, MB2, RW, SHARED)).toBe(a - MB2);
    expect(mm.mmap(0, 3 * P, RW, PRIV) % MB2).not.toBe(0);
  });

  it("falls back to the lowest gap above TASK_SIZE / 3 when nothing fits below mmap_base (x86 bottom-up)", () => {
    const mm = arenaMm({ mmapBase: 0x10000 });
    const base = 0x2aaaaaaab000;
    expect(mm.mmap(0, 16 * P, RW, PRIV)).toBe(base);
    expect(mm.mmap(0, 16 * P, RW, PRIV)).toBe(base + 16 * P);
    expect(mm.mmap(0, 2 * P, RW, PRIV)).toBe(0x10000 - 2 * P);
  });

  it("MAP_FIXED_NOREPLACE fails with EEXIST on overlap and otherwise behaves as MAP_FIXED (topdown #53–#54)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
    expect(mm.mmap(pg(1), 2 * P, RW, PRIV | MAP_FIXED_NOREPLACE)).toBe(-17);
    expect(mm.mmap(pg(2), 2 * P, RW, PRIV | MAP_FIXED_NOREPLACE)).toBe(pg(2));
    expect(layout(mm)).toEqual(["0-4 rw-p rd wr mr mw me ac"]);
  });
});

describe("§6.7 growsdown VMAs and the guard gap", () => {
  it("a touch below a gd VMA extends it to the touched page, at any distance (guard_gap #1, #2)", () => {
    const mm = arenaMm();
    mm.mmap(pg(4000), 4 * P, RW, PRIV_FIXED | MAP_GROWSDOWN);
    expect(mm.touch(pg(3000), true, 1)).toBe(0);
    expect(layout(mm)).toEqual(["3000-4004 rw-p rd wr mr mw me gd ac"]);
  });

  it("expansion stops 256 pages above an accessible non-gd VMA, but not above a PROT_NONE one (guard_gap #4, #5, #8)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), P, 1, PRIV_FIXED);
    mm.mmap(pg(1000), P, RW, PRIV_FIXED | MAP_GROWSDOWN);
    expect(mm.touch(pg(1 + 246), false)).toBe("SIGSEGV");
    expect(mm.touch(pg(1 + 256), false)).toBe(0);
    mm.mprotect(pg(0), P, 0);
    expect(mm.touch(pg(1), false)).toBe(0);
  });

  it("RLIMIT_STACK caps the size: 2048 pages work, one more faults (guard_gap #17–#19)", () => {
    const mm = arenaMm();
    mm.mmap(pg(4000), P, RW, PRIV_FIXED | MAP_GROWSDOWN);
    expect(mm.touch(pg(4001 - 2048), false)).toBe(0);
    expect(mm.touch(pg(4001 - 2049), false)).toBe("SIGSEGV");
  });

  it("mprotect with PROT_GROWSDOWN reaches down to the VMA start, and is EINVAL without gd (guard_gap #22, mprotect_split3 #17)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED | MAP_GROWSDOWN);
    expect(mm.mprotect(pg(2), P, 1 | PROT_GROWSDOWN)).toBe(0);
    expect(layout(mm)).toEqual(["0-3 r--p rd mr mw me gd", "3-4 rw-p rd wr mr mw me gd ac"]);
    mm.mmap(pg(10), P, RW, PRIV_FIXED);
    expect(mm.mprotect(pg(10), P, 1 | PROT_GROWSDOWN)).toBe(-EINVAL);
  });
});

describe("§6.8 fork", () => {
  for (const strategy of ["seed", "modern"] as const) {
    it(`copies VMAs 1:1 without DONTCOPY ones, WIPEONFORK ones empty, COW pages (fork_dontfork #5, fork_wipeonfork #5) — ${strategy}`, () => {
      const mm = arenaMm();
      mm.mmap(pg(0), 2 * P, RW, PRIV_FIXED);
      mm.mmap(pg(2), 2 * P, RW, PRIV_FIXED);
      mm.mprotect(pg(2), 2 * P, 1);
      mm.mmap(pg(10), P, RW, PRIV_FIXED);
      mm.madvise(pg(10), P, MADV_DONTFORK);
      mm.mmap(pg(20), P, RW, PRIV_FIXED);
      mm.touch(pg(20), true, 3);
      mm.madvise(pg(20), P, MADV_WIPEONFORK);
      mm.touch(pg(0), true, 7);
      const child = mm.fork(strategy);
      expect(layout(child)).toEqual([
        "0-2 rw-p rd wr mr mw me ac",
        "2-4 r--p rd mr mw me",
        "20-21 rw-p rd wr mr mw me ac wf",
      ]);
      expect(child.peek(pg(0))).toBe(7);
      expect(child.peek(pg(20))).toBe(0);
      expect(mm.peek(pg(20))).toBe(3);
      child.touch(pg(0), true, 8);
      expect(mm.peek(pg(0))).toBe(7);
      child.mmput();
    });
  }

  it("shares shared anonymous memory both ways (shared_anon #11–#12)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), P, RW, SHARED_FIXED);
    const child = mm.fork();
    child.touch(pg(0), true, 11);
    expect(mm.peek(pg(0))).toBe(11);
  });
});

describe("§6.9 brk and [heap]", () => {
  const SB = 0x555558ff6000;
  it("brk(0) returns the break; brk(x) returns and stores x unaligned, the heap ends at PAGE_ALIGN(x) (brk #0–#3)", () => {
    const mm = arenaMm({ startBrk: SB });
    expect(mm.brk(0)).toBe(SB);
    expect(mm.brk(SB + 5)).toBe(SB + 5);
    expect(mm.vmas(SB, SB + 0x100000).map((v) => [v.start, v.end])).toEqual([[SB, SB + P]]);
    expect(mm.procMaps()).toContain("[heap]");
  });

  it("growth needs one free page below the next VMA (brk #7, #8)", () => {
    const mm = arenaMm({ startBrk: SB });
    mm.mmap(SB + 10 * P, P, 1, PRIV_FIXED);
    expect(mm.brk(SB + 9 * P)).toBe(SB + 9 * P);
    expect(mm.brk(SB + 10 * P)).toBe(SB + 9 * P);
  });

  it("shrinking unmaps everything between the breaks, foreign VMAs included (brk #16, #17)", () => {
    const mm = arenaMm({ startBrk: SB });
    mm.brk(SB + 8 * P);
    mm.mmap(SB + 4 * P, P, 1, PRIV_FIXED);
    expect(mm.brk(SB + 2 * P)).toBe(SB + 2 * P);
    expect(mm.vmas(SB, SB + 0x100000).map((v) => (v.end - SB) / P)).toEqual([2]);
    expect(mm.brk(SB)).toBe(SB);
    expect(mm.vmas(SB, SB + 0x100000)).toEqual([]);
  });
});
