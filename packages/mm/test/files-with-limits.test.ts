// File mappings together with limits, locking, sealing and the madvise advices of 6.18 (the
// features of two branches that met in one merge), and the execute-only pkey that both branches
// modelled: each expectation is what Linux 6.18 answered in tools/oracle/traces/scenarios/
// file_limits.jsonl (op numbers in the test names), here through the public calls.

import {
  EINVAL,
  ENOMEM,
  EPERM,
  MADV_DONTNEED_LOCKED,
  MADV_GUARD_INSTALL,
  MADV_POPULATE_READ,
  MADV_REMOVE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_LOCKED,
  MAP_PRIVATE,
  MAP_SHARED,
  MCL_FUTURE,
  type MmOptions,
  PROT_EXEC,
  PROT_READ,
} from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, P, pg, RW } from "./helpers.js";

const SH = MAP_SHARED | MAP_FIXED;
const PV = MAP_PRIVATE | MAP_FIXED;

/** An mm with a 16-page memfd open as fd 3 (privileged, as the tracer ran). */
function withFile(options: MmOptions = {}) {
  const mm = arenaMm({ privileged: true, ...options });
  const fd = mm.memfd_create("fl");
  expect(fd).toBe(3);
  expect(mm.ftruncate(fd, 16 * P)).toBe(0);
  return { mm, fd };
}

function vmFlagsOf(mm: ReturnType<typeof arenaMm>, addr: number): string {
  const v = mm.vma_lookup(addr);
  if (v === null) throw new Error(`no VMA at ${addr.toString(16)}`);
  return v.vmFlags;
}

describe("file mappings under limits, locking and sealing", () => {
  it("mlock of a shared memfd mapping splits, populates the page cache and merges back (#3-#6)", () => {
    const { mm, fd } = withFile();
    expect(mm.mmap(pg(100), 8 * P, RW, SH, fd, 0)).toBe(pg(100));
    expect(mm.mlock(pg(102), 2 * P)).toBe(0);
    expect(mm.vmas(pg(100), pg(108)).length).toBe(3);
    const vec = new Uint8Array(8);
    expect(mm.mincore(pg(100), 8 * P, vec)).toBe(0);
    expect([...vec]).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(mm.munlock(pg(102), 2 * P)).toBe(0);
    expect(mm.vmas(pg(100), pg(108)).length).toBe(1);
  });

  it("MAP_LOCKED private file mapping gets private copies; DONTNEED_LOCKED drops one (#7, #25-#27)", () => {
    const { mm, fd } = withFile();
    expect(mm.mmap(pg(120), 4 * P, RW, PV | MAP_LOCKED, fd, 0)).toBe(pg(120));
    const v = mm.vma_lookup(pg(120));
    expect(v !== null && mm.anonKb(v)).toBe(16);
    expect(mm.touch(pg(123), true, 0x1a)).toBe(0);
    expect(mm.peek(pg(123))).toBe(0x1a);
    expect(mm.madvise(pg(123), P, MADV_DONTNEED_LOCKED)).toBe(0);
    expect(v !== null && mm.anonKb(v)).toBe(12);
    expect(mm.peek(pg(123))).toBe(0);
    expect(mm.madvise(pg(120), P, MADV_REMOVE)).toBe(-EINVAL);
    expect(mm.madvise(pg(121), P, MADV_GUARD_INSTALL)).toBe(-EINVAL);
  });

  it("MADV_REMOVE punches the memfd page; guards on a shared file mapping fault reads (#15-#23)", () => {
    const { mm, fd } = withFile();
    mm.mmap(pg(100), 8 * P, RW, SH, fd, 0);
    expect(mm.touch(pg(104), true, 0x10)).toBe(0);
    expect(mm.madvise(pg(104), P, MADV_REMOVE)).toBe(0);
    expect(mm.peek(pg(104))).toBe(0);
    expect(mm.touch(pg(106), true, 0x14)).toBe(0);
    expect(mm.madvise(pg(106), P, MADV_GUARD_INSTALL)).toBe(0);
    expect(mm.touch(pg(106), false)).toBe("SIGSEGV");
    expect(vmFlagsOf(mm, pg(106))).toContain("gu");
  });

  it("a shared mapping past EOF: mlock ENOMEM, POPULATE_READ of the part inside is 0 (#10-#14)", () => {
    const { mm, fd } = withFile();
    mm.mmap(pg(130), 4 * P, RW, SH, fd, 14 * P);
    expect(mm.mlock(pg(130), 4 * P)).toBe(-ENOMEM);
    expect(vmFlagsOf(mm, pg(130))).toContain("lo");
    expect(mm.munlock(pg(130), 4 * P)).toBe(0);
    expect(mm.madvise(pg(130), 2 * P, MADV_POPULATE_READ)).toBe(0);
  });

  it("a sealed file mapping refuses munmap, mprotect and MAP_FIXED; ftruncate still works (#28-#35)", () => {
    const { mm, fd } = withFile();
    mm.mmap(pg(140), 2 * P, RW, SH, fd, 0);
    expect(mm.mseal(pg(140), 2 * P)).toBe(0);
    const before = mm.procSmaps();
    expect(mm.munmap(pg(140), P)).toBe(-EPERM);
    expect(mm.mprotect(pg(140), P, PROT_READ)).toBe(-EPERM);
    expect(mm.mmap(pg(140), P, RW, SH, fd, 0)).toBe(-EPERM);
    expect(mm.procSmaps()).toBe(before);
    expect(mm.ftruncate(fd, P)).toBe(0);
    expect(mm.touch(pg(141), false)).toBe("SIGBUS");
  });

  it("mlockall(MCL_FUTURE) locks and populates a new file mapping (#36-#38)", () => {
    const { mm, fd } = withFile();
    expect(mm.mlockall(MCL_FUTURE)).toBe(0);
    expect(mm.mmap(pg(150), 2 * P, RW, SH, fd, 0)).toBe(pg(150));
    expect(vmFlagsOf(mm, pg(150))).toContain("lo");
    const vec = new Uint8Array(2);
    expect(mm.mincore(pg(150), 2 * P, vec)).toBe(0);
    expect([...vec]).toEqual([1, 1]);
  });
});

describe("the execute-only pkey, from either option", () => {
  const options: [string, MmOptions][] = [
    ["pku: true", { pku: true }],
    ["system.execOnlyPkey: true", { system: { execOnlyPkey: true } }],
  ];
  for (const [name, opts] of options) {
    it(`${name}: exec-only memory faults reads, takes key 1 and refuses mlock (#42-#45)`, () => {
      const { mm, fd } = withFile(opts);
      expect(mm.pku).toBe(true);
      expect(mm.mmap(pg(160), 2 * P, PROT_EXEC, PV, fd, 0)).toBe(pg(160));
      expect(mm.mlock(pg(160), 2 * P)).toBe(-ENOMEM);
      expect(mm.touch(pg(160), false)).toBe("SIGSEGV");
      expect(mm.procSmaps()).toMatch(/ProtectionKey: +1\n/);
      // A guard marker's `gu` (bit 11) is no pkey: a guarded RW VMA keeps key 0 and stays readable
      // outside the marker.
      mm.mmap(pg(200), 2 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      expect(mm.madvise(pg(200), P, MADV_GUARD_INSTALL)).toBe(0);
      expect(vmFlagsOf(mm, pg(200))).toContain("gu");
      expect(mm.touch(pg(201), false)).toBe(0);
      expect(mm.touch(pg(200), false)).toBe("SIGSEGV");
    });
  }

  it("without either option PROT_EXEC-only memory is readable and key 0", () => {
    const { mm, fd } = withFile();
    expect(mm.pku).toBe(false);
    mm.mmap(pg(160), 2 * P, PROT_EXEC, PV, fd, 0);
    expect(mm.touch(pg(160), false)).toBe(0);
    expect(mm.procSmaps()).not.toMatch(/ProtectionKey: +1\n/);
  });
});
