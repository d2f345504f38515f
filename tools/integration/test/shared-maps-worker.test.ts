// Shared maps across threads: a worker holding an mmget_not_zero reference renders the
// /proc maps of an mm while the main thread keeps mapping, protecting, remapping and unmapping.
// The owner hashes the text of every state it passes through (after each syscall); the worker
// hashes every text it renders. Every worker hash must be an owner state (never a mix of two),
// the worker must have rendered many times and seen many different states while the owner wrote.
// Bounded to a few seconds; STRESS=1 runs 30 s with two readers. SEED replays the owner's syscalls.
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { MmStruct } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);
const STRESS = process.env.STRESS === "1";
const P = 4096;

const MAPS = `555555554000-555555556000 r--p 00000000 fe:00 1201                       /usr/bin/demo
555555556000-555555564000 r-xp 00002000 fe:00 1201                       /usr/bin/demo
555555564000-55555556a000 rw-p 00010000 fe:00 1201                       /usr/bin/demo
55555556a000-55555558b000 rw-p 00000000 00:00 0                          [heap]
7ffff7dd5000-7ffff7dfb000 r--p 00000000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7dfb000-7ffff7f51000 r-xp 00026000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7fa8000-7ffff7faa000 rw-p 001d3000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffffffcd000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;
const HEAP = 0x55555556a000;
const LIBC = 0x7ffff7dd5000;
const ARENA = LIBC - 1024 * P;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function randomOp(mm: MmStruct, r: () => number): void {
  const int = (n: number): number => Math.floor(r() * n);
  const at = ARENA + int(1000) * P;
  const len = (1 + int(16)) * P;
  switch (int(7)) {
    case 0:
      mm.mmap(r() < 0.3 ? 0 : at, len, [0, 1, 3, 5][int(4)] as number, 0x32);
      break;
    case 1:
      mm.munmap(at, len);
      break;
    case 2:
      mm.mprotect(at, len, [0, 1, 3, 5][int(4)] as number);
      break;
    case 3:
      mm.mremap(at, len, (1 + int(16)) * P, 3, ARENA + int(1000) * P);
      break;
    case 4:
      mm.madvise(at, len, [16, 17, 18, 19][int(4)] as number);
      break;
    case 5:
      mm.brk(HEAP + int(200) * P);
      break;
    default:
      mm.mmap(at, len, 3, 0x21);
  }
}

const sha1 = (s: string): string => createHash("sha1").update(s).digest("hex");
// The demo's own reader worker (tools/demo), run here across threads against a live mm.
const fixture = new URL("../../demo/maps-reader.mjs", import.meta.url);

interface ReaderResult {
  renders: number;
  vmaChecks: number;
  renderUs: number;
  hashes: [string, number][];
  problems: string[];
}

const cleanup: (() => Promise<unknown> | undefined)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

describe("shared maps read from worker threads", () => {
  const seconds = STRESS ? 30 : 4;
  const readers = STRESS ? 2 : 1;
  it(`render only states the owner passed through while it writes (SEED=${SEED}, ${seconds} s, ${readers} reader(s))`, async () => {
    const rcu = SharedRcu.create({ maxThreads: 8 });
    rcu.register();
    cleanup.push(() => {
      rcu.unregister();
      return undefined;
    });
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    const maps = mm.shareMaps({ domain: rcu });
    const states = new Set<string>([sha1(mm.procMaps())]);
    const ctls: Int32Array[] = [];
    const results: Promise<ReaderResult>[] = [];
    for (let k = 0; k < readers; k++) {
      const ctl = new Int32Array(new SharedArrayBuffer(16));
      const w = new Worker(fixture, {
        workerData: { rcu: rcu.memory ?? rcu.buffer, handle: maps.handle, ctl },
        // Plain Node in the worker: the dist files, not vitest's source condition.
        execArgv: [],
      });
      rcu.watchWorker(w);
      cleanup.push(() => w.terminate());
      ctls.push(ctl);
      results.push(
        new Promise((resolve, reject) => {
          w.once("message", resolve);
          w.once("error", reject);
        }),
      );
    }
    // Start writing once the readers hold their references.
    const failed = Promise.race(results).then(() => "exited early" as const);
    for (const ctl of ctls) {
      const ready = Atomics.waitAsync(ctl, 2, 0, 20_000);
      const why = await Promise.race([ready.value, failed]);
      expect(why, "reader worker did not start").not.toBe("timed-out");
      expect(why).not.toBe("exited early");
    }
    const r = rng(SEED);
    const until = Date.now() + seconds * 1000;
    let ops = 0;
    let rendersAtStart = -1;
    while (Date.now() < until) {
      // Bursts of syscalls, then a macrotask for grace periods (records and nodes come back).
      for (let k = 0; k < 8; k++) {
        randomOp(mm, r);
        states.add(sha1(mm.procMaps()));
        ops++;
      }
      if (rendersAtStart < 0) rendersAtStart = Atomics.load(ctls[0] as Int32Array, 1);
      await new Promise((res) => setImmediate(res));
    }
    const rendersWhileWriting = Atomics.load(ctls[0] as Int32Array, 1) - rendersAtStart;
    for (const ctl of ctls) Atomics.store(ctl, 0, 1);
    const got = await Promise.all(results);
    mm.mmput();

    expect(states.size).toBeGreaterThan(200);
    expect(rendersWhileWriting).toBeGreaterThan(100);
    for (const res of got) {
      expect(res.problems).toEqual([]);
      const foreign = res.hashes.filter(([h]) => !states.has(h));
      expect(foreign, `SEED=${SEED}: texts that were never an owner state`).toEqual([]);
      // It saw the owner's writes, not one frozen state.
      expect(res.hashes.length).toBeGreaterThan(20);
      expect(res.vmaChecks).toBeGreaterThan(0);
    }
    console.log(
      `shared maps: ${ops} syscalls (${states.size} states) in ${seconds} s; readers rendered ${got
        .map(
          (g) => `${g.renders} times (${g.hashes.length} states, ${g.renderUs.toFixed(1)} µs each)`,
        )
        .join(", ")}`,
    );
  }, 120_000);

  it("a reader is not starved by an owner that maps in a loop without ever yielding", async () => {
    const rcu = SharedRcu.create({ maxThreads: 4 });
    rcu.register();
    cleanup.push(() => {
      rcu.unregister();
      return undefined;
    });
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    // 600 VMAs: a render takes longer than the gap between two back-to-back syscalls.
    for (let i = 0; i < 600; i++) mm.mmap(ARENA - 2 * (i + 1) * P, P, i % 2 === 0 ? 1 : 3, 0x32);
    const big = mm.mmap(0, 3 * P, 3, 0x22);
    // Room for the whole loop: nothing is reclaimed while the main thread never yields.
    const maps = mm.shareMaps({ domain: rcu, capacity: 1 << 17, nodeCapacity: 1 << 17 });
    const states = new Set<string>([sha1(mm.procMaps())]);
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    const w = new Worker(fixture, {
      workerData: { rcu: rcu.memory ?? rcu.buffer, handle: maps.handle, ctl },
      execArgv: [],
    });
    rcu.watchWorker(w);
    cleanup.push(() => w.terminate());
    const result = new Promise<ReaderResult>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
    expect(await Atomics.waitAsync(ctl, 2, 0, 20_000).value).not.toBe("timed-out");
    // Let the reader get going, then split and merge the middle page back to back.
    while (Atomics.load(ctl, 1) < 10) await new Promise((r) => setTimeout(r, 1));
    // The loop only ever passes through two states (split, merged): log them once, so the loop
    // itself is nothing but back-to-back syscalls.
    mm.mprotect(big + P, P, 1);
    states.add(sha1(mm.procMaps()));
    mm.mprotect(big + P, P, 3);
    states.add(sha1(mm.procMaps()));
    const before = Atomics.load(ctl, 1);
    const t0 = performance.now();
    let ops = 0;
    while (performance.now() - t0 < 300 && ops < 20_000) {
      mm.mprotect(big + P, P, ops % 2 === 0 ? 1 : 3);
      ops++;
    }
    const during = Atomics.load(ctl, 1) - before;
    Atomics.store(ctl, 0, 1);
    const res = await result;
    mm.mmput();
    expect(res.hashes.filter(([h]) => !states.has(h))).toEqual([]);
    // The reader finished renders while every syscall followed the last within microseconds.
    expect(during, `${ops} syscalls in the loop`).toBeGreaterThan(2);
    console.log(
      `shared maps, owner never yielding: ${ops} syscalls in ${(performance.now() - t0).toFixed(0)} ms, the reader rendered ${during} times meanwhile`,
    );
  });

  it("a worker's mmget_not_zero fails once the owner's last mmput ran", async () => {
    const rcu = SharedRcu.create({ maxThreads: 4 });
    rcu.register();
    cleanup.push(() => {
      rcu.unregister();
      return undefined;
    });
    const mm = MmStruct.fromProcMaps(MAPS, { mmapBase: LIBC });
    const maps = mm.shareMaps({ domain: rcu });
    mm.mmput();
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    const w = new Worker(fixture, {
      workerData: { rcu: rcu.memory ?? rcu.buffer, handle: maps.handle, ctl },
      execArgv: [],
    });
    cleanup.push(() => w.terminate());
    const res = await new Promise<ReaderResult>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
    expect(res.renders).toBe(0);
    expect(maps.users).toBe(0);
  });
});
