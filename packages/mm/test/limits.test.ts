// The limits, locking, sealing and placement calls: every bad argument gets the
// errno Linux 6.18 gave on the oracle machine (scenarios mlock, mseal, madvise_all, limits,
// map_count, placement_flags) and leaves the address space unchanged — maps, pages, rlimits and
// def_flags compared before and after. Then the rules no trace can show here (strict overcommit,
// the legacy layout, sysctl and option validation).

import {
  ADDR_COMPAT_LAYOUT,
  EAGAIN,
  EINVAL,
  ENOMEM,
  EPERM,
  MADV_COLLAPSE,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
  MADV_HWPOISON,
  MADV_MERGEABLE,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_REMOVE,
  MADV_SOFT_OFFLINE,
  MAP_32BIT,
  MAP_DROPPABLE,
  MAP_HUGETLB,
  MAP_LOCKED,
  MCL_CURRENT,
  MCL_FUTURE,
  MCL_ONFAULT,
  MmError,
  MmStruct,
  RLIM_INFINITY,
  RLIMIT_AS,
  RLIMIT_DATA,
  RLIMIT_MEMLOCK,
  RLIMIT_STACK,
  TASK_UNMAPPED_BASE,
} from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { arenaMm, layout, P, PRIV, PRIV_FIXED, pg, RW, SHARED_FIXED } from "./helpers.js";

/** Everything a failed call must leave as it was. */
function snapshot(mm: MmStruct): string {
  const rl = [RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_MEMLOCK].map((r) => {
    const o = { cur: 0n, max: 0n };
    mm.getrlimit(r, o);
    return `${o.cur}/${o.max}`;
  });
  return [
    mm.procMaps(),
    [...mm.pages].join(";"),
    [...mm.guards].join(";"),
    rl.join(" "),
    `def=${mm.defFlags} persona=${mm.persona}`,
  ].join("\n");
}

/** An mm with rw [0,8), sealed r-- [10,14), locked rw [20,24), PROT_NONE [30,32), shared [40,42). */
function setup(options = {}): MmStruct {
  const mm = arenaMm({
    privileged: ["CAP_IPC_LOCK", "CAP_SYS_RAWIO", "CAP_SYS_ADMIN"],
    ...options,
  });
  mm.mmap(pg(0), 8 * P, RW, PRIV_FIXED);
  mm.touch(pg(1), true, 7);
  mm.mmap(pg(10), 4 * P, 1, PRIV_FIXED);
  expect(mm.mseal(pg(10), 4 * P, 0)).toBe(0);
  mm.mmap(pg(20), 4 * P, RW, PRIV_FIXED | MAP_LOCKED);
  mm.mmap(pg(30), 2 * P, 0, PRIV_FIXED);
  mm.mmap(pg(40), 2 * P, RW, SHARED_FIXED);
  return mm;
}

type Call = (mm: MmStruct) => number;
const HUGE = 0xfffffffffffff000n;

const table: [string, Call, number][] = [
  ["mlock2 with an unknown flag (mlock #8)", (m) => m.mlock2(pg(0), P, 2), -EINVAL],
  ["mlock over a hole (mlock #13)", (m) => m.mlock(pg(8), 2 * P), -ENOMEM],
  ["mlock of an overflowing length (mlock #17)", (m) => m.mlock(pg(0), HUGE), -EINVAL],
  ["munlock of a hole", (m) => m.munlock(pg(50), P), -ENOMEM],
  ["mlockall(0) (mlock #22)", (m) => m.mlockall(0), -EINVAL],
  ["mlockall(MCL_ONFAULT) alone (mlock #23)", (m) => m.mlockall(MCL_ONFAULT), -EINVAL],
  ["mlockall with an unknown bit (mlock #24)", (m) => m.mlockall(8), -EINVAL],
  ["mseal with flags (mseal #2)", (m) => m.mseal(pg(0), P, 1), -EINVAL],
  ["mseal unaligned (mseal #3)", (m) => m.mseal(pg(0) + 1, P, 0), -EINVAL],
  ["mseal over a hole (mseal #4)", (m) => m.mseal(pg(6), 6 * P, 0), -ENOMEM],
  ["mseal of an overflowing range", (m) => m.mseal(pg(0), HUGE, 0), -EINVAL],
  ["munmap of sealed memory (mseal #7)", (m) => m.munmap(pg(10), P), -EPERM],
  ["mprotect of sealed memory (mseal #9)", (m) => m.mprotect(pg(11), P, RW), -EPERM],
  ["mremap of sealed memory (mseal #11)", (m) => m.mremap(pg(10), 2 * P, 4 * P, 1), -EPERM],
  ["MAP_FIXED over sealed memory (mseal #14)", (m) => m.mmap(pg(10), P, RW, PRIV_FIXED), -EPERM],
  [
    "DONTNEED on sealed read-only memory (mseal #21)",
    (m) => m.madvise(pg(10), P, MADV_DONTNEED),
    -EPERM,
  ],
  [
    "GUARD_INSTALL on sealed read-only memory (mseal #28)",
    (m) => m.madvise(pg(10), P, MADV_GUARD_INSTALL),
    -EPERM,
  ],
  ["DONTNEED on locked memory (mlock #20)", (m) => m.madvise(pg(20), P, MADV_DONTNEED), -EINVAL],
  ["GUARD_INSTALL on locked memory", (m) => m.madvise(pg(20), P, MADV_GUARD_INSTALL), -EINVAL],
  ["REMOVE on private memory (madvise_all #19)", (m) => m.madvise(pg(0), P, MADV_REMOVE), -EINVAL],
  ["FREE on shared memory (madvise_all #57)", (m) => m.madvise(pg(40), P, MADV_FREE), -EINVAL],
  [
    "POPULATE_WRITE on read-only memory (madvise_all #27)",
    (m) => m.madvise(pg(10), P, MADV_POPULATE_WRITE),
    -EINVAL,
  ],
  [
    "POPULATE_READ on PROT_NONE (madvise_all #30)",
    (m) => m.madvise(pg(30), P, MADV_POPULATE_READ),
    -EINVAL,
  ],
  ["POPULATE_READ of a hole", (m) => m.madvise(pg(50), P, MADV_POPULATE_READ), -ENOMEM],
  ["COLLAPSE of a small VMA (madvise_all #48)", (m) => m.madvise(pg(0), P, MADV_COLLAPSE), -EINVAL],
  ["HWPOISON (no CONFIG_MEMORY_FAILURE)", (m) => m.madvise(pg(0), P, MADV_HWPOISON), -EINVAL],
  ["SOFT_OFFLINE", (m) => m.madvise(pg(0), P, MADV_SOFT_OFFLINE), -EINVAL],
  ["unknown advice 26", (m) => m.madvise(pg(0), P, 26), -EINVAL],
  [
    "MAP_HUGETLB with no pool (placement_flags #8)",
    (m) => m.mmap(0, 0x200000, RW, PRIV | MAP_HUGETLB),
    -ENOMEM,
  ],
  [
    "MAP_HUGETLB of 8 KiB pages (placement_flags #12)",
    (m) => m.mmap(0, 0x200000, RW, PRIV | MAP_HUGETLB | (13 << 26)),
    -EINVAL,
  ],
  [
    "MAP_HUGETLB fixed off 2 MiB (placement_flags #10)",
    (m) => m.mmap(pg(200), 0x200000, RW, SHARED_FIXED | MAP_HUGETLB),
    -EINVAL,
  ],
  [
    "MAP_DROPPABLE|MAP_LOCKED",
    (m) => m.mmap(pg(60), P, RW, MAP_DROPPABLE | 0x30 | MAP_LOCKED),
    -EINVAL,
  ],
  [
    "MAP_DROPPABLE|MAP_GROWSDOWN (placement_flags #20)",
    (m) => m.mmap(pg(60), P, RW, MAP_DROPPABLE | 0x130),
    -EINVAL,
  ],
  ["getrlimit of resource 99 (limits #13)", (m) => m.getrlimit(99, { cur: 0n, max: 0n }), -EINVAL],
  [
    "setrlimit of resource 99 (mlock child #22)",
    (m) => m.setrlimit(99, { cur: 0, max: 0 }),
    -EINVAL,
  ],
  [
    "setrlimit with cur > max (mlock child #21)",
    (m) => m.setrlimit(RLIMIT_MEMLOCK, { cur: 2 * P, max: P }),
    -EINVAL,
  ],
  [
    "setrlimit raising a hard limit without CAP_SYS_RESOURCE (mlock child #20)",
    (m) => m.setrlimit(RLIMIT_MEMLOCK, { cur: P, max: RLIM_INFINITY }),
    -EPERM,
  ],
];

describe("bad arguments of the limits, locking and sealing calls", () => {
  for (const [what, call, want] of table) {
    it(`${what}: ${want}, nothing changes`, () => {
      const mm = setup();
      const before = snapshot(mm);
      expect(call(mm)).toBe(want);
      expect(snapshot(mm)).toBe(before);
      mm.mmput();
    });
  }

  it("rejects non-integer arguments with an MmError naming the argument, changing nothing", () => {
    const mm = setup();
    const before = snapshot(mm);
    const bad: [() => unknown, RegExp][] = [
      [() => mm.mlock(1.5, P), /mlock: addr/],
      [() => mm.mlock2(pg(0), P, Number.NaN), /mlock2: flags/],
      [() => mm.munlock(pg(0), "x" as unknown as number), /munlock: len/],
      [() => mm.mlockall(0.5), /mlockall: flags/],
      [() => mm.mseal(pg(0), P, 0.5), /mseal: flags/],
      [() => mm.setrlimit(RLIMIT_AS, { cur: 1.5, max: 2 }), /setrlimit: rlim.cur/],
      [() => mm.setrlimit(RLIMIT_AS, null as unknown as { cur: 1; max: 1 }), /setrlimit: rlim/],
      [() => mm.getrlimit(RLIMIT_AS, null as unknown as { cur: 0n; max: 0n }), /getrlimit: rlim/],
      [() => mm.personality(1.5), /personality: persona/],
      [() => mm.sysctl("overcommit_memory", 3), /overcommit_memory/],
      [() => mm.sysctl("no_such" as "max_map_count"), /unknown sysctl/],
      [() => mm.setCapabilities(["CAP_NET_ADMIN" as "CAP_IPC_LOCK"]), /unknown capability/],
    ];
    for (const [f, msg] of bad) {
      expect(f).toThrow(MmError);
      expect(f).toThrow(msg);
    }
    expect(snapshot(mm)).toBe(before);
    mm.mmput();
  });

  it("rejects bad options of new MmStruct", () => {
    expect(() => arenaMm({ rlimits: { as: { cur: 2, max: 1 } } })).toThrow(/cur exceeds max/);
    expect(() => arenaMm({ rlimits: { data: { cur: -1 } } })).toThrow(/rlimits.data.cur/);
    expect(() => arenaMm({ system: { overcommit_memory: 7 } })).toThrow(/overcommit_memory/);
    expect(() => arenaMm({ system: { memTotal: -1 } })).toThrow(/memTotal/);
    expect(() => arenaMm({ privileged: "yes" as unknown as boolean })).toThrow(/privileged/);
    expect(() => arenaMm({ personality: -1 })).toThrow(/personality/);
  });
});

describe("limits and accounting", () => {
  it("max_map_count: a second split is refused after the first happened (map_count #3)", () => {
    const mm = arenaMm({ maxMapCount: 0 });
    mm.mmap(pg(0), 16 * P, RW, PRIV_FIXED);
    mm.sysctl("max_map_count", mm.vmas().length + 1);
    expect(mm.mprotect(pg(4), 2 * P, 1)).toBe(-ENOMEM);
    expect(layout(mm)).toEqual(["0-4 rw-p rd wr mr mw me ac", "4-16 rw-p rd wr mr mw me ac"]);
    const before = snapshot(mm);
    expect(mm.mprotect(pg(8), P, 1)).toBe(-ENOMEM);
    expect(mm.madvise(pg(8), P, 10)).toBe(-EAGAIN);
    expect(mm.munmap(pg(8), P)).toBe(-ENOMEM);
    expect(mm.mlock(pg(8), P)).toBe(-ENOMEM);
    expect(mm.mseal(pg(8), P)).toBe(-ENOMEM);
    expect(snapshot(mm)).toBe(before);
    expect(mm.munmap(pg(4), 2 * P)).toBe(0);
  });

  it("overcommit 2 charges private writable memory against ratio% of RAM + swap", () => {
    const mm = arenaMm({
      system: { overcommit_memory: 2, memTotal: 64 * 1024 * P, overcommit_ratio: 50 },
      privileged: ["CAP_SYS_ADMIN"],
    });
    // allowed = 32768 pages less min(total_vm / 32, user reserve)
    expect(mm.mmap(0, 40000 * P, RW, PRIV)).toBe(-ENOMEM);
    const ro = mm.mmap(0, 40000 * P, 1, PRIV);
    expect(ro).toBeGreaterThan(0);
    expect(mm.mprotect(ro, 40000 * P, RW)).toBe(-ENOMEM);
    expect(mm.mmap(0, 1000 * P, RW, PRIV | 0x4000)).toBeGreaterThan(0); // NORESERVE ignored...
    expect(mm.vmas().some((v) => v.vmFlags.includes("nr"))).toBe(false); // ...in mode 2
    mm.sysctl("overcommit_memory", 1);
    expect(mm.mmap(0, 40000 * P, RW, PRIV)).toBeGreaterThan(0);
  });

  it("RLIMIT_AS and RLIMIT_DATA bound mmap, brk, mprotect and mremap (limits children)", () => {
    const mm = arenaMm({ rlimits: { data: { cur: 16 * P } } });
    expect(mm.mmap(pg(0), 8 * P, RW, PRIV_FIXED)).toBe(pg(0));
    expect(mm.mmap(pg(10), 8 * P, RW, PRIV_FIXED)).toBe(pg(10));
    expect(mm.mmap(pg(20), P, RW, PRIV_FIXED)).toBe(-ENOMEM);
    expect(mm.mmap(pg(20), 64 * P, 1, PRIV_FIXED)).toBe(pg(20));
    expect(mm.mprotect(pg(20), P, RW)).toBe(-ENOMEM);
    expect(mm.brk(mm.startBrk + P)).toBe(mm.startBrk);
    expect(mm.mremap(pg(0), 8 * P, 9 * P, 1)).toBe(-ENOMEM);
    expect(mm.setrlimit(RLIMIT_AS, { cur: 0, max: RLIM_INFINITY })).toBe(0);
    expect(mm.mmap(pg(100), P, 0, PRIV_FIXED | 0x4000)).toBe(-ENOMEM);
  });

  it("RLIMIT_MEMLOCK without CAP_IPC_LOCK: ENOMEM for mlock, EAGAIN for MAP_LOCKED and growth", () => {
    const mm = arenaMm({ rlimits: { memlock: { cur: 4 * P, max: 4 * P } } });
    mm.mmap(pg(0), 16 * P, RW, PRIV_FIXED);
    expect(mm.mlock(pg(0), 4 * P)).toBe(0);
    expect(mm.mlock(pg(0), 4 * P)).toBe(0); // already locked pages are not counted twice
    expect(mm.mlock(pg(4), P)).toBe(-ENOMEM);
    expect(mm.mmap(pg(20), P, RW, PRIV_FIXED | MAP_LOCKED)).toBe(-EAGAIN);
    expect(mm.mlockall(MCL_CURRENT)).toBe(-ENOMEM);
    expect(mm.mlockall(MCL_FUTURE)).toBe(0);
    expect(mm.mmap(pg(30), P, RW, PRIV_FIXED)).toBe(-EAGAIN);
    expect(mm.setrlimit(RLIMIT_MEMLOCK, { cur: 0, max: 4 * P })).toBe(0);
    expect(mm.mlock(pg(8), P)).toBe(-EPERM);
    mm.setCapabilities(["CAP_IPC_LOCK"]);
    expect(mm.mlock(pg(8), 8 * P)).toBe(0);
  });

  it("MAP_FIXED below mmap_min_addr needs CAP_SYS_RAWIO (limits child #1)", () => {
    const mm = arenaMm();
    expect(mm.mmap(0, P, RW, PRIV_FIXED)).toBe(-EPERM);
    mm.setCapabilities(["CAP_SYS_RAWIO"]);
    expect(mm.mmap(0, P, 0, PRIV_FIXED)).toBe(0);
  });

  it("RLIMIT_STACK lowered after start bounds stack growth at once (limits child #2-#6)", () => {
    const mm = arenaMm();
    mm.mmap(pg(700), P, RW, PRIV_FIXED | 0x100);
    expect(mm.setrlimit(RLIMIT_STACK, { cur: 3 * P, max: RLIM_INFINITY })).toBe(0);
    expect(mm.touch(pg(699), true)).toBe(0);
    expect(mm.touch(pg(698), true)).toBe(0);
    expect(mm.touch(pg(697), true)).toBe("SIGSEGV");
  });
});

describe("placement and personality", () => {
  it("MAP_32BIT goes bottom-up from 1 GiB, THP-aligned for 2 MiB (placement_flags #0-#3)", () => {
    const mm = arenaMm();
    expect(mm.mmap(0, 4 * P, RW, PRIV | MAP_32BIT)).toBe(0x40000000);
    expect(mm.mmap(0, 0x200000, RW, PRIV | MAP_32BIT)).toBe(0x40200000);
    expect(mm.mmap(pg(500), P, RW, PRIV | MAP_32BIT)).toBe(0x40004000);
    // 1 GiB no longer fits in [1 GiB, 2 GiB) (placement_flags #4): ENOMEM, nothing changes.
    const before = mm.procMaps();
    expect(mm.mmap(0, 0x40000000, 1, PRIV | MAP_32BIT | 0x4000)).toBe(-ENOMEM);
    expect(mm.procMaps()).toBe(before);
  });

  it("ADDR_COMPAT_LAYOUT gives the legacy bottom-up layout", () => {
    const mm = new MmStruct({ personality: ADDR_COMPAT_LAYOUT });
    expect(mm.legacyLayout).toBe(true);
    expect(mm.mmapBase).toBe(TASK_UNMAPPED_BASE);
    expect(mm.mmap(0, P, RW, PRIV)).toBe(TASK_UNMAPPED_BASE);
    expect(mm.mmap(0, P, 1, PRIV)).toBe(TASK_UNMAPPED_BASE + P);
    expect(mm.mmap(0, 0x200000, RW, PRIV)).toBe(
      TASK_UNMAPPED_BASE - (TASK_UNMAPPED_BASE % 0x200000) + 0x200000,
    );
  });

  it("an unlimited stack keeps the top-down layout below TASK_SIZE / 6 (x86, as recorded)", () => {
    const mm = new MmStruct({ rlimits: { stack: { cur: Number.POSITIVE_INFINITY } } });
    const base = Math.ceil((0x7ffffffff000 - Math.floor(0x7ffffffff000 / 6) * 5) / P) * P;
    expect(mm.legacyLayout).toBe(false);
    expect(mm.mmapBase).toBe(base);
    expect(mm.mmap(0, P, RW, PRIV)).toBe(base - P);
    expect(mm.mmap(0, P, 1, PRIV)).toBe(base - 2 * P);
  });

  it("personality returns the old persona and changes only the next mm's layout", () => {
    const mm = arenaMm();
    expect(mm.personality(0xffffffff)).toBe(0x40000);
    expect(mm.personality(0x40000 | ADDR_COMPAT_LAYOUT)).toBe(0x40000);
    expect(mm.personality(-1)).toBe(0x40000 | ADDR_COMPAT_LAYOUT);
    expect(mm.legacyLayout).toBe(false);
  });
});

describe("madvise effects", () => {
  it("GUARD_INSTALL faults reads and writes, marks gu, survives DONTNEED, fork and mremap", () => {
    const mm = setup();
    expect(mm.madvise(pg(2), 2 * P, MADV_GUARD_INSTALL)).toBe(0);
    expect(mm.vma_lookup(pg(0))?.vmFlags).toContain("gu");
    expect(mm.touch(pg(2), false)).toBe("SIGSEGV");
    expect(mm.madvise(pg(0), 8 * P, MADV_DONTNEED)).toBe(0);
    expect(mm.touch(pg(3), true)).toBe("SIGSEGV");
    const child = mm.fork();
    expect(child.touch(pg(2), false)).toBe("SIGSEGV");
    expect(mm.mremap(pg(0), 8 * P, 8 * P, 3, pg(100))).toBe(pg(100));
    expect(mm.touch(pg(102), false)).toBe("SIGSEGV");
    expect(mm.madvise(pg(100), 8 * P, MADV_GUARD_REMOVE)).toBe(0);
    expect(mm.touch(pg(102), false)).toBe(0);
    child.mmput();
  });

  it("MERGEABLE sets mg only where KSM may merge; DONTNEED_LOCKED drops locked pages", () => {
    const mm = setup();
    expect(mm.madvise(pg(0), 2 * P, MADV_MERGEABLE)).toBe(0);
    expect(mm.vma_lookup(pg(0))?.vmFlags).toContain("mg");
    expect(mm.madvise(pg(40), P, MADV_MERGEABLE)).toBe(0);
    expect(mm.vma_lookup(pg(40))?.vmFlags).not.toContain("mg");
    expect(mm.anonKb(mm.vma_lookup(pg(20)) as never)).toBe(16);
    expect(mm.madvise(pg(20), 2 * P, MADV_DONTNEED_LOCKED)).toBe(0);
    expect(mm.anonKb(mm.vma_lookup(pg(20)) as never)).toBe(8);
  });

  it("REMOVE punches the shmem pages of a shared mapping (madvise_all #58)", () => {
    const mm = setup();
    expect(mm.touch(pg(40), true, 9)).toBe(0);
    expect(mm.peek(pg(40))).toBe(9);
    expect(mm.madvise(pg(40), P, MADV_REMOVE)).toBe(0);
    expect(mm.peek(pg(40))).toBe(0);
  });
});

describe("fork", () => {
  it("copies rlimits and capabilities, shares the machine, drops MCL_FUTURE and lock flags", () => {
    const mm = arenaMm({ rlimits: { memlock: { cur: 64 * P, max: 64 * P } }, privileged: true });
    mm.mmap(pg(0), 4 * P, RW, PRIV_FIXED);
    expect(mm.mlockall(MCL_CURRENT | MCL_FUTURE)).toBe(0);
    expect(mm.mseal(pg(0), P)).toBe(0);
    const child = mm.fork();
    const o = { cur: 0n, max: 0n };
    child.getrlimit(RLIMIT_MEMLOCK, o);
    expect(o).toEqual({ cur: BigInt(64 * P), max: BigInt(64 * P) });
    expect(child.capabilities).toEqual(mm.capabilities);
    expect(child.defFlags).toBe(0);
    expect(child.vma_lookup(pg(2))?.vmFlags).not.toContain("lo");
    expect(child.munmap(pg(0), P)).toBe(-EPERM);
    child.sysctl("max_map_count", 1000);
    expect(mm.sysctl("max_map_count")).toBe(1000);
    expect(child.setrlimit(RLIMIT_MEMLOCK, { cur: P, max: P })).toBe(0);
    mm.getrlimit(RLIMIT_MEMLOCK, o);
    expect(o.cur).toBe(BigInt(64 * P));
    child.mmput();
  });
});
