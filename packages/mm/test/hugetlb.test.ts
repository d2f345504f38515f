// MAP_HUGETLB over a hugetlb pool (hugetlb.ts). The return values, flags and smaps fields expected
// are what this machine's 6.18 kernel answered with vm.nr_hugepages = 4 (a small C probe run as
// root, the sysctl set back to 0 after; docs/reports/2026-12-07-mm-vs-kernel.md, session 4):
// without a pool, or past it, a reserved mapping is ENOMEM; alignment and type errors are EINVAL;
// splits off 2 MiB are EINVAL. The pool counters after munmap, exit and fork pin the model's rules.
// Every refused call leaves the maps, smaps and the pool counters as they were.

import {
  EINVAL,
  ENOMEM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MmStruct,
  PROT_READ,
  PROT_WRITE,
} from "@maplemm/mm";
import { describe, expect, it } from "vitest";

const P = 4096;
const L = 2 * 1024 * 1024;
const RW = PROT_READ | PROT_WRITE;
const PRIV = MAP_PRIVATE | MAP_ANONYMOUS;
const SHRD = MAP_SHARED | MAP_ANONYMOUS;
const HT = MAP_HUGETLB;
const NR = MAP_NORESERVE;
const HUGE_1GB = 30 << 26;
const FIXED_AT = 0x7f0000000000;

/** Everything a refused call must leave as it was. */
function state(mm: MmStruct): string {
  return JSON.stringify([
    mm.procMaps(),
    mm.procSmaps(),
    mm.system.hugePages,
    mm.system.hugeReserved,
  ]);
}

/** The smaps entry of the VMA starting at `addr`, field by field. */
function smapsOf(mm: MmStruct, addr: number): Record<string, string> {
  const lines = mm.procSmaps().split("\n");
  const at = lines.findIndex((l) => l.startsWith(`${addr.toString(16)}-`));
  const out: Record<string, string> = { line: lines[at] as string };
  for (let i = at + 1; i < lines.length && /^[A-Z][A-Za-z_]*:/.test(lines[i] as string); i++) {
    const [k, v] = (lines[i] as string).split(/:\s*/, 2) as [string, string];
    out[k] = v.trim();
  }
  return out;
}

describe("MAP_HUGETLB without a pool (the default, as on this machine)", () => {
  it.each([
    ["private", PRIV | HT, L],
    ["shared", SHRD | HT, L],
    ["one base page (rounded up to 2 MiB)", PRIV | HT, P],
    ["1 GiB pages", PRIV | HT | HUGE_1GB, L],
  ])("a reserved %s mapping is ENOMEM and changes nothing", (_name, flags, len) => {
    const mm = new MmStruct();
    const before = state(mm);
    expect(mm.mmap(0, len, RW, flags)).toBe(-ENOMEM);
    expect(state(mm)).toBe(before);
  });

  it("MAP_NORESERVE maps, and the first touch is SIGBUS (no page to fault in)", () => {
    const mm = new MmStruct();
    const a = mm.mmap(0, L, RW, PRIV | HT | NR);
    expect(a % L).toBe(0);
    expect(smapsOf(mm, a).VmFlags).toBe("rd wr mr mw me de nr ht");
    expect(mm.touch(a, false)).toBe("SIGBUS");
    expect(mm.touch(a + P, true, 5)).toBe("SIGBUS");
  });
});

describe("MAP_HUGETLB with a pool of four 2 MiB pages", () => {
  const pool = () => new MmStruct({ system: { hugePages: 4 } });

  it("maps 2 MiB aligned, reserves the pages, shows ht/de and the hugetlb smaps fields", () => {
    const mm = pool();
    const a = mm.mmap(0, 3 * L, RW, PRIV | HT);
    expect(a % L).toBe(0);
    expect(mm.system.hugeReserved).toBe(3);
    const s = smapsOf(mm, a);
    expect(s.line).toMatch(/ rw-p 00000000 00:11 \d+ +\/anon_hugepage \(deleted\)$/);
    expect(s.VmFlags).toBe("rd wr mr mw me de ht");
    expect(s.KernelPageSize).toBe("2048 kB");
    expect(s.MMUPageSize).toBe("2048 kB");
    expect(s.Private_Hugetlb).toBe("0 kB");
    expect(mm.touch(a + 5 * P, true, 9)).toBe(0);
    expect(mm.touch(a + L, false)).toBe(0);
    // Faults take reserved pages: free drops, so does the reservation; Rss stays 0.
    expect([mm.system.hugePages, mm.system.hugeReserved]).toEqual([2, 1]);
    expect(smapsOf(mm, a).Private_Hugetlb).toBe("4096 kB");
    expect(smapsOf(mm, a).Rss).toBe("0 kB");
    expect(smapsOf(mm, a).Anonymous).toBe("0 kB");
    expect(mm.peek(a + 5 * P)).toBe(9);
  });

  it("a reservation the pool cannot cover is ENOMEM and changes nothing", () => {
    const mm = pool();
    mm.mmap(0, 3 * L, RW, PRIV | HT);
    const before = state(mm);
    // L + 1 page rounds up to 2 huge pages; one is left.
    expect(mm.mmap(0, L + P, RW, SHRD | HT)).toBe(-ENOMEM);
    expect(mm.mmap(0, 10 * L, RW, PRIV | HT)).toBe(-ENOMEM);
    expect(state(mm)).toBe(before);
    expect(mm.mmap(0, L, RW, SHRD | HT)).toBeGreaterThan(0);
  });

  it.each([
    ["MAP_FIXED off 2 MiB", FIXED_AT + P, L, PRIV | HT | MAP_FIXED, 0, -EINVAL],
    ["length 0", 0, 0, PRIV | HT, 0, -EINVAL],
    ["offset off 2 MiB", 0, L, PRIV | HT, P, -EINVAL],
    ["MAP_GROWSDOWN", 0, L, PRIV | HT | MAP_GROWSDOWN, 0, -EINVAL],
    ["MAP_DROPPABLE", 0, L, 0x08 | MAP_ANONYMOUS | HT, 0, -EINVAL],
    ["a page size that is not 2 MiB or 1 GiB", 0, L, PRIV | HT | (13 << 26), 0, -EINVAL],
  ])("%s is refused and changes nothing", (_name, addr, len, flags, off, err) => {
    const mm = pool();
    const a = mm.mmap(0, L, RW, PRIV | HT);
    mm.touch(a, true, 1);
    const before = state(mm);
    expect(mm.mmap(addr, len, RW, flags, -1, off)).toBe(err);
    expect(state(mm)).toBe(before);
  });

  it("rounds a MAP_FIXED length up, rounds a hint up to 2 MiB, keeps a 2 MiB aligned offset", () => {
    const mm = pool();
    expect(mm.mmap(FIXED_AT, L + P, PROT_READ, PRIV | HT | NR | MAP_FIXED)).toBe(FIXED_AT);
    expect(mm.vma_lookup(FIXED_AT)?.end).toBe(FIXED_AT + 2 * L);
    expect(mm.mmap(FIXED_AT + 8 * L + P, L, PROT_READ, PRIV | HT | NR)).toBe(FIXED_AT + 9 * L);
    const o = mm.mmap(0, L, PROT_READ, PRIV | HT | NR, -1, L);
    expect(smapsOf(mm, o).line).toContain(" r--p 00200000 00:11 ");
  });

  it("1 GiB pages map with MAP_NORESERVE on the 1 GiB hugetlbfs, 1 GiB aligned", () => {
    const mm = pool();
    const g = mm.mmap(0, L, PROT_READ, PRIV | HT | NR | HUGE_1GB);
    expect(g % 2 ** 30).toBe(0);
    expect(mm.vma_lookup(g)?.end).toBe(g + 2 ** 30);
    expect(smapsOf(mm, g).KernelPageSize).toBe("1048576 kB");
    expect(smapsOf(mm, g).line).toContain(" 00:12 ");
  });

  it("splits off 2 MiB are EINVAL and change nothing; on 2 MiB they work", () => {
    const mm = pool();
    const a = mm.mmap(0, 4 * L, RW, PRIV | HT);
    const before = state(mm);
    expect(mm.munmap(a + P, P)).toBe(-EINVAL);
    expect(mm.mprotect(a, P, PROT_READ)).toBe(-EINVAL);
    expect(mm.mremap(a, L, L + P, 1)).toBe(-EINVAL);
    expect(mm.mremap(a, L, 2 * L, 1)).toBe(-EINVAL);
    expect(mm.mremap(a + P, P, P, 0)).toBe(-EINVAL);
    expect(state(mm)).toBe(before);
    expect(mm.mprotect(a + L, L, PROT_READ)).toBe(0);
    expect(mm.vmas().map((v) => [v.start - a, v.end - a, v.perms])).toEqual([
      [0, L, "rw-p"],
      [L, 2 * L, "r--p"],
      [2 * L, 4 * L, "rw-p"],
    ]);
  });

  it("munmap gives a private range's pages and reservations back; mremap moves keep the pages", () => {
    const mm = pool();
    const a = mm.mmap(0, 4 * L, RW, PRIV | HT);
    expect(mm.touch(a, true, 3)).toBe(0);
    expect(mm.touch(a + 3 * L, true, 4)).toBe(0);
    expect([mm.system.hugePages, mm.system.hugeReserved]).toEqual([2, 2]);
    expect(mm.munmap(a + 2 * L, 2 * L)).toBe(0);
    expect([mm.system.hugePages, mm.system.hugeReserved]).toEqual([3, 1]);
    const to = FIXED_AT;
    expect(mm.mremap(a, L, L, 3, to)).toBe(to);
    expect(mm.peek(to)).toBe(3);
    expect(smapsOf(mm, to).Private_Hugetlb).toBe("2048 kB");
    mm.mmput();
  });

  it("a shared file keeps its pages until the last mapper (fork child included) is gone", () => {
    const mm = pool();
    const s = mm.mmap(0, L, RW, SHRD | HT);
    expect(mm.touch(s, true, 8)).toBe(0);
    const child = mm.fork();
    expect(child.peek(s)).toBe(8);
    expect(smapsOf(child, s).Shared_Hugetlb).toBe("2048 kB");
    expect(mm.munmap(s, L)).toBe(0);
    expect(mm.system.hugePages).toBe(3);
    expect(child.touch(s, true, 9)).toBe(0);
    child.mmput();
    expect([mm.system.hugePages, mm.system.hugeReserved]).toEqual([4, 0]);
  });

  it("a fork child of a private mapping sees its pages; exit returns the parent's to the pool", () => {
    const mm = pool();
    const a = mm.mmap(0, L, RW, PRIV | HT | MAP_POPULATE);
    expect(smapsOf(mm, a).Private_Hugetlb).toBe("2048 kB");
    mm.touch(a, true, 6);
    const child = mm.fork();
    expect(child.peek(a)).toBe(6);
    child.touch(a, true, 7);
    expect(mm.peek(a)).toBe(6);
    child.mmput();
    expect(mm.system.hugePages).toBe(3);
    mm.mmput();
    expect([mm.system.hugePages, mm.system.hugeReserved]).toEqual([4, 0]);
  });
});
