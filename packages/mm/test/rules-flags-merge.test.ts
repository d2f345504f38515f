// linux-mm.md §6.1–6.3: the VmFlags each call creates, the VM_ACCOUNT rules, when adjacent VMAs
// merge (flags, backing object, pgoff, anon_vma compatibility) and how splits keep attributes.
// Each test names the rule and the trace that shows it on the real kernel.

import {
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_WILLNEED,
  MAP_GROWSDOWN,
  MAP_NORESERVE,
  MAP_POPULATE,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
} from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, layout, PRIV_FIXED, pg, RW, SHARED_FIXED } from "./helpers.js";

describe("§6.1 the VmFlags each mapping gets", () => {
  const table: [string, number, number, string][] = [
    ["private rw- (no_merge_flags #0)", RW, PRIV_FIXED, "rw-p rd wr mr mw me ac"],
    ["private r-- (no_merge_flags #1)", 1, PRIV_FIXED, "r--p rd mr mw me"],
    ["private --- (no_merge_flags #2)", 0, PRIV_FIXED, "---p mr mw me"],
    ["private r-x (render #3)", 5, PRIV_FIXED, "r-xp rd ex mr mw me"],
    ["private -w- (render #4)", 2, PRIV_FIXED, "-w-p wr mr mw me ac"],
    ["private rwx (render #6)", 7, PRIV_FIXED, "rwxp rd wr ex mr mw me ac"],
    [
      "private NORESERVE rw- (no_merge_flags #6)",
      RW,
      PRIV_FIXED | MAP_NORESERVE,
      "rw-p rd wr mr mw me nr",
    ],
    [
      "private GROWSDOWN rw- (no_merge_flags #21)",
      RW,
      PRIV_FIXED | MAP_GROWSDOWN,
      "rw-p rd wr mr mw me gd ac",
    ],
    ["shared rw- (render #7)", RW, SHARED_FIXED, "rw-s rd wr sh mr mw me ms /dev/zero (deleted)"],
    ["shared r-- (render #8)", 1, SHARED_FIXED, "r--s rd sh mr mw me ms /dev/zero (deleted)"],
    ["shared --- (render #8)", 0, SHARED_FIXED, "---s sh mr mw me ms /dev/zero (deleted)"],
  ];
  for (const [what, prot, flags, want] of table) {
    it(`${what} → ${want}`, () => {
      const mm = arenaMm();
      expect(mm.mmap(pg(100), 4 * 4096, prot, flags)).toBe(pg(100));
      expect(layout(mm)).toEqual([`100-104 ${want}`]);
    });
  }

  it("MADV_DONTFORK / WIPEONFORK / RANDOM / SEQUENTIAL add dc / wf / rr / sr and their opposites clear them", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * 4096, RW, PRIV_FIXED);
    for (const [adv, name] of [
      [10, "dc"],
      [18, "wf"],
      [1, "rr"],
      [2, "sr"],
    ] as const) {
      mm.madvise(pg(0), 4 * 4096, adv);
      expect(layout(mm)[0]).toContain(name);
    }
    expect(layout(mm)).toEqual(["0-4 rw-p rd wr mr mw me sr dc ac wf"]);
    mm.madvise(pg(0), 4 * 4096, 11);
    mm.madvise(pg(0), 4 * 4096, 19);
    mm.madvise(pg(0), 4 * 4096, 0);
    expect(layout(mm)).toEqual(["0-4 rw-p rd wr mr mw me ac"]);
  });

  it("MADV_DONTDUMP / HUGEPAGE / NOHUGEPAGE set dd / hg / nh, DODUMP clears dd, WILLNEED changes nothing", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * 4096, RW, PRIV_FIXED);
    expect(mm.madvise(pg(0), 4 * 4096, MADV_DONTDUMP)).toBe(0);
    expect(mm.madvise(pg(0), 4096, MADV_HUGEPAGE)).toBe(0);
    expect(mm.madvise(pg(1), 4096, MADV_NOHUGEPAGE)).toBe(0);
    expect(mm.madvise(pg(2), 2 * 4096, MADV_WILLNEED)).toBe(0);
    expect(layout(mm)).toEqual([
      "0-1 rw-p rd wr mr mw me ac dd hg",
      "1-2 rw-p rd wr mr mw me ac dd nh",
      "2-4 rw-p rd wr mr mw me ac dd",
    ]);
    mm.madvise(pg(0), 4 * 4096, MADV_DODUMP);
    expect(layout(mm)[2]).toBe("2-4 rw-p rd wr mr mw me ac");
  });

  it("mprotect to writable adds ac (no_merge_flags #27)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, 1, PRIV_FIXED);
    mm.mprotect(pg(0), 4096, RW);
    expect(layout(mm)).toEqual(["0-1 rw-p rd wr mr mw me ac"]);
  });

  it("mprotect to read-only drops ac only for a never write-faulted VMA, so it merges with a r-- neighbour (no_merge_flags #8–#13)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, 1, PRIV_FIXED);
    mm.mmap(pg(1), 4096, RW, PRIV_FIXED);
    mm.mprotect(pg(1), 4096, 1);
    expect(layout(mm)).toEqual(["0-2 r--p rd mr mw me"]);
    mm.mmap(pg(10), 4096, 1, PRIV_FIXED);
    mm.mmap(pg(11), 4096, RW, PRIV_FIXED);
    mm.touch(pg(11), true, 7);
    mm.mprotect(pg(11), 4096, 1);
    expect(layout(mm).slice(1)).toEqual(["10-11 r--p rd mr mw me", "11-12 r--p rd mr mw me ac"]);
  });
});

describe("§6.2 when adjacent VMAs merge", () => {
  it("identical untouched mappings merge above, below and across a filled hole (merge_adjacent #1, #2, #4)", () => {
    const mm = arenaMm();
    mm.mmap(pg(10), 4 * 4096, RW, PRIV_FIXED);
    mm.mmap(pg(14), 4 * 4096, RW, PRIV_FIXED);
    mm.mmap(pg(6), 4 * 4096, RW, PRIV_FIXED);
    mm.mmap(pg(20), 4 * 4096, RW, PRIV_FIXED);
    mm.mmap(pg(18), 2 * 4096, RW, PRIV_FIXED);
    expect(layout(mm)).toEqual(["6-24 rw-p rd wr mr mw me ac"]);
  });

  it("different prot, private vs shared, nr, gd or dc never merge (no_merge_flags #4, #6, #13, #16, #21)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, RW, PRIV_FIXED);
    mm.mmap(pg(1), 4096, 1, PRIV_FIXED);
    mm.mmap(pg(2), 4096, RW, SHARED_FIXED);
    mm.mmap(pg(3), 4096, RW, PRIV_FIXED | MAP_NORESERVE);
    mm.mmap(pg(4), 4096, RW, PRIV_FIXED | MAP_GROWSDOWN);
    mm.mmap(pg(5), 4096, RW, PRIV_FIXED);
    mm.madvise(pg(5), 4096, MADV_DONTFORK);
    mm.mmap(pg(6), 4096, RW, PRIV_FIXED);
    expect(layout(mm)).toHaveLength(7);
    mm.madvise(pg(5), 4096, MADV_DOFORK);
    expect(layout(mm)).toHaveLength(6);
  });

  it("every MAP_SHARED|MAP_ANONYMOUS mmap is a new shmem object, so two never merge (merge_adjacent #15)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, RW, SHARED_FIXED);
    mm.mmap(pg(1), 4096, RW, SHARED_FIXED);
    expect(layout(mm)).toHaveLength(2);
    const [a, b] = mm.vmas();
    expect(a?.shmem).not.toBe(b?.shmem);
  });

  it("a touched VMA keeps its pgoff when mremap moves it and only re-merges where pgoffs line up (mremap_pgoff #6–#11)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 8 * 4096, RW, PRIV_FIXED);
    mm.touch(pg(4), true, 1);
    expect(mm.mremap(pg(4), 4 * 4096, 4 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, pg(100))).toBe(
      pg(100),
    );
    mm.mmap(pg(104), 4096, RW, PRIV_FIXED);
    expect(layout(mm)).toEqual([
      "0-4 rw-p rd wr mr mw me ac",
      "100-104 rw-p rd wr mr mw me ac",
      "104-105 rw-p rd wr mr mw me ac",
    ]);
    mm.mremap(pg(100), 4 * 4096, 4 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, pg(4));
    expect(layout(mm)[0]).toBe("0-8 rw-p rd wr mr mw me ac");
    expect(mm.peek(pg(4))).toBe(1);
  });

  it("an untouched VMA moved by mremap is re-based and merges at the destination (mremap_pgoff #1–#3)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * 4096, RW, PRIV_FIXED);
    mm.mmap(pg(100), 4 * 4096, RW, PRIV_FIXED);
    mm.mremap(pg(0), 4 * 4096, 4 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, pg(104));
    expect(layout(mm)).toEqual(["100-108 rw-p rd wr mr mw me ac"]);
  });

  it("two separately touched VMAs never merge, even after an mprotect round trip (anon_vma_merge #7–#9)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, RW, PRIV_FIXED);
    mm.touch(pg(0), true, 1);
    mm.mmap(pg(2), 4096, RW, PRIV_FIXED);
    mm.touch(pg(2), true, 2);
    mm.mmap(pg(1), 4096, RW, PRIV_FIXED);
    // Filling the hole merges to the left only: the neighbours' anon_vmas differ.
    expect(layout(mm)).toEqual(["0-2 rw-p rd wr mr mw me ac", "2-3 rw-p rd wr mr mw me ac"]);
    mm.mprotect(pg(0), 3 * 4096, 1);
    mm.mprotect(pg(0), 3 * 4096, RW);
    expect(layout(mm)).toHaveLength(2);
  });

  it("a touched VMA plus a fresh adjacent mmap merge, and split pieces re-merge (anon_vma_merge #2, #10–#14)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * 4096, RW, PRIV_FIXED);
    mm.touch(pg(0), true, 1);
    mm.mmap(pg(4), 4096, RW, PRIV_FIXED);
    expect(layout(mm)).toEqual(["0-5 rw-p rd wr mr mw me ac"]);
    mm.mprotect(pg(2), 4096, 1);
    expect(layout(mm)).toHaveLength(3);
    mm.mprotect(pg(2), 4096, RW);
    expect(layout(mm)).toEqual(["0-5 rw-p rd wr mr mw me ac"]);
  });

  it("a read fault allocates no anon_vma; MAP_POPULATE of a writable mapping write-faults every page (anon_vma_merge #27–#33)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, RW, PRIV_FIXED);
    mm.touch(pg(0), false);
    expect(mm.vma_lookup(pg(0))?.anonVma).toBeNull();
    mm.mmap(pg(10), 3 * 4096, RW, PRIV_FIXED | MAP_POPULATE);
    const v = mm.vma_lookup(pg(10));
    expect(v?.anonVma).not.toBeNull();
    expect(mm.anonKb(v as NonNullable<typeof v>)).toBe(12);
  });

  it("MADV_DONTNEED frees the pages but keeps the anon_vma (anon_vma_merge #42–#44)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 2 * 4096, RW, PRIV_FIXED);
    mm.touch(pg(0), true, 5);
    const anon = mm.vma_lookup(pg(0))?.anonVma;
    expect(mm.madvise(pg(0), 2 * 4096, MADV_DONTNEED)).toBe(0);
    expect(mm.peek(pg(0))).toBe(0);
    expect(mm.vma_lookup(pg(0))?.anonVma).toBe(anon);
  });

  it("the first write fault borrows the anon_vma of an rwx-only-different neighbour, so equalising prot merges (anon_vma_merge #45–#59)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, RW, PRIV_FIXED);
    mm.mmap(pg(1), 4096, 7, PRIV_FIXED);
    mm.touch(pg(0), true, 1);
    mm.touch(pg(1), true, 2);
    expect(mm.vma_lookup(pg(1))?.anonVma).toBe(mm.vma_lookup(pg(0))?.anonVma);
    mm.mprotect(pg(1), 4096, RW);
    expect(layout(mm)).toEqual(["0-2 rw-p rd wr mr mw me ac"]);
  });

  it("VMAs touched while a hole separated them do not borrow and stay apart (anon_vma_merge #60–#65)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4096, RW, PRIV_FIXED);
    mm.mmap(pg(2), 4096, 7, PRIV_FIXED);
    mm.touch(pg(0), true, 1);
    mm.touch(pg(2), true, 2);
    mm.mmap(pg(1), 4096, RW, PRIV_FIXED);
    mm.mprotect(pg(2), 4096, RW);
    expect(layout(mm)).toEqual(["0-2 rw-p rd wr mr mw me ac", "2-3 rw-p rd wr mr mw me ac"]);
  });

  it("in a fork child an inherited anon_vma blocks merging with fresh neighbours; the parent still merges (fork_anon #4–#10)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4 * 4096, RW, PRIV_FIXED);
    mm.touch(pg(0), true, 1);
    mm.mmap(pg(100), 4 * 4096, RW, PRIV_FIXED);
    const child = mm.fork();
    child.mmap(pg(4), 4 * 4096, RW, PRIV_FIXED);
    child.mmap(pg(104), 4 * 4096, RW, PRIV_FIXED);
    expect(layout(child)).toEqual([
      "0-4 rw-p rd wr mr mw me ac",
      "4-8 rw-p rd wr mr mw me ac",
      "100-108 rw-p rd wr mr mw me ac",
    ]);
    mm.mmap(pg(4), 4 * 4096, RW, PRIV_FIXED);
    expect(layout(mm)).toEqual(["0-8 rw-p rd wr mr mw me ac", "100-104 rw-p rd wr mr mw me ac"]);
  });
});

describe("§6.3 splitting", () => {
  it("mprotect of a middle range splits in three and the tail keeps its advanced pgoff (mprotect_split3 #1, munmap_hole #12)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 6 * 4096, RW, SHARED_FIXED);
    mm.mprotect(pg(2), 2 * 4096, 1);
    const vmas = mm.vmas();
    expect(vmas.map((v) => [(v.start - pg(0)) / 4096, v.perms, v.pgoff])).toEqual([
      [0, "rw-s", 0],
      [2, "r--s", 2],
      [4, "rw-s", 4],
    ]);
    expect(new Set(vmas.map((v) => v.shmem)).size).toBe(1);
  });

  it("unaligned lengths round up to pages for mmap, munmap and mprotect (topdown #16, munmap_hole #10, mprotect_split3 #15)", () => {
    const mm = arenaMm();
    mm.mmap(pg(0), 4097, RW, PRIV_FIXED);
    expect(layout(mm)).toEqual(["0-2 rw-p rd wr mr mw me ac"]);
    mm.mprotect(pg(0), 1, 1);
    expect(layout(mm)[0]).toBe("0-1 r--p rd mr mw me");
    mm.munmap(pg(1), 1);
    expect(layout(mm)).toHaveLength(1);
  });
});
