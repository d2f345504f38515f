// Shared maps, single thread: the mirror an mm keeps in shared memory renders the same
// bytes as the mm itself after every syscall (random storms and a fast-check model run), only the
// VMAs a syscall touched get new records, a full record table makes the mirror lag at an older
// state instead of tearing, mm_users lives in shared memory, and bad input changes nothing.
// Cross-thread reads are in tools/integration/test/shared-maps-worker.test.ts. SEED replays a storm.

import { MmError, MmStruct, SharedMaps, type SharedVma } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { P, rng } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);
const STRESS = process.env.STRESS === "1";

/** A small real-looking process: an ELF, its heap, libc, the vdso, a stack and the gate area. */
const MAPS = `555555554000-555555556000 r--p 00000000 fe:00 1201                       /usr/bin/demo
555555556000-555555564000 r-xp 00002000 fe:00 1201                       /usr/bin/demo
555555564000-55555556a000 rw-p 00010000 fe:00 1201                       /usr/bin/demo
55555556a000-55555558b000 rw-p 00000000 00:00 0                          [heap]
7ffff7dd5000-7ffff7dfb000 r--p 00000000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7dfb000-7ffff7f51000 r-xp 00026000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7fa8000-7ffff7faa000 rw-p 001d3000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]
7ffffffcd000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;
const HEAP = 0x55555556a000;
const LIBC = 0x7ffff7dd5000;
/** Where the storms map: a window around libc and below it. */
const ARENA = LIBC - 512 * P;

const domains: SharedRcu[] = [];
function domain(): SharedRcu {
  const d = SharedRcu.create({ maxThreads: 4 });
  d.register();
  domains.push(d);
  return d;
}
afterEach(async () => {
  for (const d of domains.splice(0)) {
    await d.barrier();
    d.unregister();
  }
});

/** One random syscall on `mm` (every kind that changes VMAs, brk and stack growth included). */
function randomOp(mm: MmStruct, r: () => number): string {
  const int = (n: number): number => Math.floor(r() * n);
  const at = ARENA + (int(700) - 40) * P;
  const len = (1 + int(24)) * P;
  const prot = [0, 1, 3, 5, 7][int(5)] as number;
  switch (int(9)) {
    case 0:
      mm.mmap(r() < 0.3 ? 0 : at, len, prot, [0x22, 0x32, 0x21, 0x31, 0x122][int(5)] as number);
      return `mmap ${at.toString(16)}+${len / P}`;
    case 1:
      mm.munmap(at, len);
      return `munmap ${at.toString(16)}+${len / P}`;
    case 2:
      mm.mprotect(at, len, prot);
      return `mprotect ${at.toString(16)}+${len / P} ${prot}`;
    case 3:
      mm.mremap(at, len, (1 + int(24)) * P, [0, 1, 3][int(3)] as number, ARENA + int(700) * P);
      return `mremap ${at.toString(16)}+${len / P}`;
    case 4:
      mm.madvise(at, len, [10, 11, 16, 17, 18, 19][int(6)] as number);
      return `madvise ${at.toString(16)}+${len / P}`;
    case 5:
      mm.brk(HEAP + int(300) * P + int(4096));
      return "brk";
    case 6:
      // Below the stack: grows it (a VMA change without a syscall's range).
      mm.touch(0x7ffffffcd000 - (1 + int(8)) * P, true, 1);
      return "stack fault";
    default:
      mm.mmap(at, len, 3, 0x32);
      return `mmap fixed ${at.toString(16)}+${len / P}`;
  }
}

/** The owner's VMAs as a reader would decode them. */
function ownerVmas(mm: MmStruct): Omit<SharedVma, "flags" | "pgoff">[] {
  const lines = mm.procMaps().trimEnd().split("\n");
  return lines.map((l) => {
    const m = /^(\w+)-(\w+) (\S+) (\w+) (\S+) (\d+) ?\s*(.*)$/.exec(l) as RegExpExecArray;
    return {
      start: Number.parseInt(m[1] as string, 16),
      end: Number.parseInt(m[2] as string, 16),
      perms: m[3] as string,
      offset: Number.parseInt(m[4] as string, 16),
      dev: m[5] as string,
      ino: Number(m[6]),
      name: m[7] as string,
    };
  });
}

function sameAsOwner(mm: MmStruct, maps: SharedMaps, where: string): void {
  expect(maps.procMaps(), where).toBe(mm.procMaps());
}

describe("shared maps of an mm", () => {
  it("render the mm's own /proc maps byte for byte, gate area and [heap] included", () => {
    const mm = MmStruct.fromProcMaps(MAPS);
    const maps = mm.shareMaps({ domain: domain() });
    expect(mm.procMaps()).toBe(MAPS);
    expect(maps.procMaps()).toBe(MAPS);
    expect(mm.sharedMaps).toBe(maps);
  });

  it("render an mm of 3000 VMAs byte for byte (record ids far above the first thousand)", () => {
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    for (let i = 0; i < 3000; i++) mm.mmap(ARENA - 2 * (i + 1) * P, P, i % 2 === 0 ? 1 : 3, 0x32);
    const maps = mm.shareMaps({ domain: domain() });
    expect(maps.procMaps()).toBe(mm.procMaps());
    mm.munmap(ARENA - 2 * 3000 * P, 2 * 1500 * P);
    mm.mprotect(ARENA - 2 * 1000 * P, 2 * 500 * P, 3);
    expect(maps.procMaps()).toBe(mm.procMaps());
  });

  it("decode every VMA's columns in vmas() and find them with vma_lookup()", () => {
    const mm = MmStruct.fromProcMaps(MAPS);
    const maps = mm.shareMaps({ domain: domain() });
    const got = maps.vmas();
    const want = ownerVmas(mm).slice(0, -1); // vmas() is the tree: no gate area
    expect(got.map(({ flags: _f, pgoff: _p, ...rest }) => rest)).toEqual(want);
    for (const v of mm.vmas()) {
      const s = maps.vma_lookup(v.start + P - 1) as SharedVma;
      expect(s.start).toBe(v.start);
      expect(s.flags).toBe(v.flags);
      expect(s.pgoff).toBe(v.pgoff);
    }
    expect(maps.vma_lookup(0x1000)).toBeNull();
  });

  const runs = STRESS ? 20 : 3;
  const ops = STRESS ? 3000 : 400;
  for (let k = 0; k < runs; k++) {
    const seed = SEED + k;
    it(`equal the mm after every syscall of a random storm (SEED=${seed}, ${ops} ops)`, async () => {
      const r = rng(seed);
      const d = domain();
      const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
      const maps = mm.shareMaps({ domain: d });
      for (let i = 0; i < ops; i++) {
        const what = randomOp(mm, r);
        sameAsOwner(mm, maps, `SEED=${seed} op ${i}: ${what}`);
        if (i % 10 === 0) {
          const want = mm.vmas().map((v) => [v.start, v.end, v.flags, v.pgoff]);
          const got = maps.vmas().map((v) => [v.start, v.end, v.flags, v.pgoff]);
          expect(got, `SEED=${seed} op ${i}: vmas()`).toEqual(want);
        }
        // Let grace periods end now and then so retired records and nodes come back.
        if (i % 50 === 49) await d.barrier();
      }
    });
  }

  it("equal a model run of fast-check syscall sequences after each step", async () => {
    const d = domain();
    const op = fc.record({
      kind: fc.constantFrom("mmap", "munmap", "mprotect", "mremap", "madvise", "brk"),
      page: fc.integer({ min: 0, max: 200 }),
      pages: fc.integer({ min: 1, max: 20 }),
      prot: fc.constantFrom(0, 1, 3, 5),
      to: fc.integer({ min: 0, max: 200 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (cmds) => {
        const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
        const maps = mm.shareMaps({ domain: d });
        for (const c of cmds) {
          const at = ARENA + c.page * P;
          const len = c.pages * P;
          if (c.kind === "mmap") mm.mmap(at, len, c.prot, 0x32);
          else if (c.kind === "munmap") mm.munmap(at, len);
          else if (c.kind === "mprotect") mm.mprotect(at, len, c.prot);
          else if (c.kind === "mremap") mm.mremap(at, len, len * 2, 3, ARENA + c.to * P);
          else if (c.kind === "madvise") mm.madvise(at, len, 16);
          else mm.brk(HEAP + c.page * P);
          if (maps.procMaps() !== mm.procMaps()) return false;
        }
        mm.mmput();
        await d.barrier();
        return maps.procMaps() === "" && maps.vmas().length === 0;
      }),
      { numRuns: STRESS ? 300 : 40, seed: SEED },
    );
  });

  it("give new records only to the VMAs a syscall changed (incremental sync)", () => {
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    for (let i = 0; i < 200; i++) mm.mmap(ARENA + 2 * i * P, P, i % 2 === 0 ? 1 : 3, 0x32);
    const big = ARENA + 400 * P + P;
    mm.mmap(big, 3 * P, 3, 0x32);
    const maps = mm.shareMaps({ domain: domain() });
    const before = new Map([...maps.tree.entries()].map((e) => [e.first, e.value]));
    const syncs = maps.syncs;
    // Split the 3-page VMA in three: its three pieces get records, nothing else does.
    mm.mprotect(big + P, P, 1);
    expect(maps.syncs).toBe(syncs + 1);
    const after = [...maps.tree.entries()];
    const changed = after.filter((e) => before.get(e.first) !== e.value);
    expect(changed.map((e) => (e.first - big) / P)).toEqual([0, 1, 2]);
    expect(after.length).toBe(before.size + 2);
    // A syscall that changes nothing syncs nothing.
    mm.mprotect(big + P, P, 1);
    mm.madvise(big, P, 4); // MADV_DONTNEED: no VMA change
    expect(maps.syncs).toBe(syncs + 1);
    // A flag change in place (no split, no merge) replaces only that record.
    mm.mprotect(ARENA + 20 * P, P, 0);
    const third = [...maps.tree.entries()];
    const changed2 = third.filter((e, i) => (after[i] as { value: number }).value !== e.value);
    expect(changed2.map((e) => (e.first - ARENA) / P)).toEqual([20]);
    sameAsOwner(mm, maps, "after the splits");
  });

  it("show [heap] by the brk bounds of the same state", () => {
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    const maps = mm.shareMaps({ domain: domain() });
    const top = mm.currentBrk;
    // A fixed mapping right above the break is no heap until brk grows over it.
    mm.mmap(top + 64 * P, P, 3, 0x32);
    expect(maps.vma_lookup(top + 64 * P)?.name).toBe("");
    mm.brk(top + 64 * P + 1);
    expect(mm.currentBrk).toBe(top); // brk refuses to grow into the mapping...
    mm.munmap(top + 64 * P, P);
    mm.brk(top + 32 * P);
    expect(maps.vma_lookup(top + 31 * P)?.name).toBe("[heap]");
    sameAsOwner(mm, maps, "after brk");
  });
});

describe("shared maps when a table is full", () => {
  it("stay at the last synced state without records, then catch up after a grace period", async () => {
    const d = domain();
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    // 9 VMAs + the gate: 5 spare records.
    const maps = mm.shareMaps({ domain: d, capacity: 15 });
    const states = [mm.procMaps()];
    let lagged = 0;
    for (let i = 0; i < 12; i++) {
      mm.mprotect(LIBC, P * (1 + (i % 3)), i % 2 === 0 ? 1 : 3);
      states.push(mm.procMaps());
      const seen = maps.procMaps();
      expect(states).toContain(seen);
      if (seen !== mm.procMaps()) lagged++;
    }
    expect(lagged).toBeGreaterThan(0);
    expect(mm.syncSharedMaps()).toBe(false);
    await d.barrier();
    await d.barrier();
    sameAsOwner(mm, maps, "after the grace periods");
    expect(mm.syncSharedMaps()).toBe(true);
  });

  it("refuse to render a sync the tree stopped half way, then catch up", async () => {
    const d = domain();
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    const maps = mm.shareMaps({ domain: d, nodeCapacity: 24 });
    // A reader of another thread (its own slot) in one long section: no retired node can come
    // back, however the writer polls for grace periods, so the small arena runs out.
    const reader = SharedRcu.attach(d.memory ?? d.buffer);
    reader.register();
    reader.readLock();
    const states = [mm.procMaps()];
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      mm.mmap(ARENA + 4 * i * P, P, 1 + (i % 2), 0x32);
      states.push(mm.procMaps());
      try {
        expect(states).toContain(maps.procMaps());
      } catch (e) {
        expect((e as MmError).code).toBe("EAGAIN");
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    reader.readUnlock();
    reader.unregister();
    for (let i = 0; i < 10 && !mm.syncSharedMaps(); i++) await d.barrier();
    sameAsOwner(mm, maps, "after the grace periods");
  });
});

describe("mm_users in shared memory", () => {
  it("mmget_not_zero takes references until the last mmput, then fails for good", () => {
    const mm = MmStruct.fromProcMaps(MAPS);
    const maps = mm.shareMaps({ domain: domain() });
    expect(maps.users).toBe(1);
    expect(maps.mmget_not_zero()).toBe(true);
    expect(mm.users).toBe(2);
    mm.mmput(); // the owner's reference: the reader keeps the mm alive
    expect(maps.procMaps()).toBe(MAPS);
    maps.mmput(); // the last one
    expect(maps.users).toBe(0);
    expect(maps.mmget_not_zero()).toBe(false);
    expect(maps.users).toBe(0);
    expect(maps.procMaps()).toBe("");
    expect(maps.vmas()).toEqual([]);
    expect(() => maps.mmput()).toThrow(/already zero/);
    // The owner runs exit_mmap on its next use.
    expect(() => mm.mmap(0, P, 3, 0x22)).toThrow(MmError);
    expect(mm.procMaps()).toBe("");
    expect(mm.count).toBe(0);
  });

  it("the owner's last mmput empties the shared maps", async () => {
    const d = domain();
    const mm = MmStruct.fromProcMaps(MAPS);
    const maps = mm.shareMaps({ domain: d });
    mm.mmput();
    expect(maps.mmget_not_zero()).toBe(false);
    expect(maps.procMaps()).toBe("");
    expect([...maps.tree.entries()]).toEqual([]);
  });
});

describe("bad input to shared maps", () => {
  it("shareMaps names the bad option and leaves the mm unshared", () => {
    const mm = MmStruct.fromProcMaps(MAPS);
    const d = domain();
    const before = mm.procMaps();
    const bad: [unknown, RegExp][] = [
      [undefined, /options must be an object/],
      [{}, /option domain must be/],
      [{ domain: { readLock: 1 } }, /option domain must be/],
      [{ domain: d, capacity: 0 }, /option capacity must be an integer/],
      [{ domain: d, capacity: 1.5 }, /option capacity must be an integer/],
      [{ domain: d, nodeCapacity: -1 }, /option nodeCapacity must be an integer/],
      [{ domain: d, capacity: 3 }, /do not fit option capacity 3/],
    ];
    for (const [opts, msg] of bad) {
      expect(() => mm.shareMaps(opts as never), String(msg)).toThrow(msg);
      expect(mm.sharedMaps).toBeNull();
      expect(mm.users).toBe(1);
    }
    mm.mmap(0, P, 3, 0x22);
    expect(mm.procMaps()).not.toBe(before);
    const maps = mm.shareMaps({ domain: d });
    expect(() => mm.shareMaps({ domain: d })).toThrow(/already shared/);
    expect(mm.sharedMaps).toBe(maps);
  });

  it("attach refuses what is not a shared maps handle", async () => {
    const mm = MmStruct.fromProcMaps(MAPS);
    const d = domain();
    const maps = mm.shareMaps({ domain: d });
    const h = maps.handle;
    const bad: [unknown, unknown, RegExp][] = [
      [null, { domain: d }, /handle must be the handle of shared maps/],
      [{ ...h, records: new ArrayBuffer(8) }, { domain: d }, /handle must be/],
      [{ ...h, header: new SharedArrayBuffer(256) }, { domain: d }, /magic 0x0/],
      [{ ...h, header: new SharedArrayBuffer(8) }, { domain: d }, /not a shared maps header/],
      [{ ...h, records: new SharedArrayBuffer(64) }, { domain: d }, /records does not match/],
      [h, {}, /options.domain must be/],
      [h, null, /options.domain must be/],
    ];
    for (const [handle, opts, msg] of bad) {
      expect(() => SharedMaps.attach(handle as never, opts as never)).toThrow(msg);
    }
    // Nothing above touched the mm's shared state.
    expect(maps.users).toBe(1);
    expect(maps.procMaps()).toBe(mm.procMaps());
  });

  it("vma_lookup rejects an address that is not a non-negative integer", () => {
    const mm = MmStruct.fromProcMaps(MAPS);
    const maps = mm.shareMaps({ domain: domain() });
    for (const a of [-1, 1.5, Number.NaN, "1"]) {
      expect(() => maps.vma_lookup(a as number)).toThrow(/addr must be a non-negative integer/);
    }
    expect(maps.users).toBe(1);
  });
});
