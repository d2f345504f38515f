// A writer that never yields to the event loop still gets its retired nodes back: the
// tree polls its RCU domain's grace periods at the start of writes and before -ENOMEM
// (maple-tree reclaim-poll.ts, rcu `poll`). Shown on a shared tree written from a plain
// synchronous loop while reader workers make short read sections (freed nodes poisoned; every
// read checked), on the same tree while one reader holds its section (then nothing it could see
// is reused: the writer gets -ENOMEM after a bounded wait, and goes on once the reader leaves),
// and on a local tree in RCU mode under `Rcu`.
// ~1-2 s in CI; STRESS=1 runs 10x the stores. SEED replays the writers' choices.
import { Worker } from "node:worker_threads";
import { MapleError, MapleTree, SharedMapleTree } from "@maplemm/maple-tree";
import { MA_STATE, mas_walk, mt_set_in_rcu, mt_validate } from "@maplemm/maple-tree/kernel";
import { type GpCookie, Rcu, SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";
import { rng } from "./support/shared-ledger.mjs";
import {
  C_ERRORS,
  C_HELD,
  C_READY,
  C_RELEASE,
  C_SECTIONS,
  C_STOP,
} from "./support/shared-poll-ctl.mjs";

const READER_URL = new URL("./fixtures/shared-tree-poll-reader.mjs", import.meta.url);
const STRESS = process.env.STRESS === "1";
const STORES = STRESS ? 300_000 : 20_000;
const KEYS = 2000;
const seed =
  process.env.SEED !== undefined && process.env.SEED !== ""
    ? Number(process.env.SEED) >>> 0
    : (Math.random() * 2 ** 32) >>> 0;

const live: Worker[] = [];
afterEach(async () => {
  for (const w of live.splice(0)) await w.terminate();
});

/** The value key `k` holds after round `r`: its low 14 bits name the key (readers check them). */
const keyValue = (k: number, r: number): number => ((r % 100_000) << 14) | k;

interface Setup {
  rcu: SharedRcu;
  tree: SharedMapleTree;
  ctl: Int32Array;
  model: Int32Array;
  readers: Promise<{ notes: string[] }>[];
}

/** A shared tree of KEYS ranges in an arena of `capacity` nodes, and `n` reader workers. */
async function setup(capacity: number, n: number, mode: "short" | "hold"): Promise<Setup> {
  const rcu = SharedRcu.create({ maxThreads: n + 2, stallMs: 10_000 });
  rcu.register();
  const tree = SharedMapleTree.create({ domain: rcu, capacity, poison: true });
  const model = new Int32Array(KEYS);
  tree.write(() => {
    for (let k = 0; k < KEYS; k++) {
      model[k] = keyValue(k, 0);
      tree.setRange(k * 16, k * 16 + 7, keyValue(k, 0));
    }
  });
  const ctl = new Int32Array(new SharedArrayBuffer(64));
  const readers: Promise<{ notes: string[] }>[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(READER_URL, {
      workerData: {
        rcu: rcu.memory ?? rcu.buffer,
        handle: tree.handle,
        ctl,
        keys: KEYS,
        seed: seed + i + 1,
        mode,
      },
    });
    rcu.watchWorker(w);
    live.push(w);
    readers.push(
      new Promise((resolve, reject) => {
        w.once("message", resolve);
        w.once("error", reject);
      }),
    );
  }
  while (Atomics.load(ctl, C_READY) < n) await new Promise((r) => setTimeout(r, 5));
  return { rcu, tree, ctl, model, readers };
}

/** The tree equals the model, validates, and the arena holds no more nodes than it needs. */
function checkTree(s: Setup): void {
  s.tree.write(mt_validate);
  const got = [...s.tree.entries()];
  expect(got.length).toBe(KEYS);
  for (let k = 0; k < KEYS; k++) {
    expect(got[k], `SEED=${seed} key ${k}`).toEqual({
      first: k * 16,
      last: k * 16 + 7,
      value: s.model[k],
    });
  }
}

describe("a shared tree written by a loop that never yields", () => {
  it(`stays within its arena while 2 reader workers read (${STORES} stores, SEED=${seed})`, async () => {
    // 2000 ranges with the gaps between them: ~340 nodes. 3000 leave room for ~800 writes' path
    // copies (3 nodes each) before the arena would run out without reclamation: STORES is 25x
    // that (and ~1 ms of reader stall under load).
    const s = await setup(3000, 2, "short");
    const rand = rng(seed);
    const sectionsBefore = Atomics.load(s.ctl, C_SECTIONS);
    let enomem = 0;
    const t0 = performance.now();
    for (let i = 1; i <= STORES; i++) {
      const k = Math.floor(rand() * KEYS);
      const v = keyValue(k, i);
      try {
        s.tree.setRange(k * 16, k * 16 + 7, v);
        s.model[k] = v;
      } catch (e) {
        if (!(e instanceof MapleError) || e.code !== "ENOMEM") throw e;
        enomem++;
      }
    }
    const ms = performance.now() - t0;
    const sections = Atomics.load(s.ctl, C_SECTIONS) - sectionsBefore;
    Atomics.store(s.ctl, C_STOP, 1);
    const notes = (await Promise.all(s.readers)).flatMap((r) => r.notes);
    const text = `SEED=${seed}: ${STORES} stores in ${ms.toFixed(0)} ms, ${enomem} ENOMEM, ${sections} reader sections meanwhile, ${s.rcu.stats.gps} GPs; ${notes.join("; ")}`;
    console.log(text);
    expect(Atomics.load(s.ctl, C_ERRORS), text).toBe(0);
    // Without reclamation every store after the first ~900 fails. A reader preempted inside a
    // section (2 cores shared with other work) may make a few wait out the bounded spin.
    expect(enomem, text).toBeLessThanOrEqual(STORES / 1000);
    // The readers really read while the loop ran (else the test shows nothing).
    expect(sections, text).toBeGreaterThan(100);
    checkTree(s);
    s.rcu.unregister();
  });

  it("reuses nothing a reader's open section can see: -ENOMEM after a bounded wait, then goes on", async () => {
    const s = await setup(600, 1, "hold");
    while (Atomics.load(s.ctl, C_HELD) === 0) await new Promise((r) => setTimeout(r, 5));
    const rand = rng(seed);
    let stores = 0;
    let failedAfterMs = -1;
    for (let i = 1; i <= 10_000 && failedAfterMs < 0; i++) {
      const k = i < 4 ? 0 : Math.floor(rand() * KEYS); // key 0 first: its leaf is one the reader holds
      const t = performance.now();
      try {
        s.tree.setRange(k * 16, k * 16 + 7, keyValue(k, i));
        s.model[k] = keyValue(k, i);
        stores++;
      } catch (e) {
        if (!(e instanceof MapleError) || e.code !== "ENOMEM") throw e;
        failedAfterMs = performance.now() - t;
      }
    }
    const text = `SEED=${seed}: ${stores} stores before ENOMEM, which came after ${failedAfterMs.toFixed(1)} ms`;
    console.log(text);
    // ~250 free nodes, 3 per store's path copy: the arena ran out instead of reusing a node.
    expect(failedAfterMs, text).toBeGreaterThanOrEqual(0);
    expect(stores, text).toBeGreaterThan(50);
    expect(stores, text).toBeLessThan(400);
    // It waited for the reader, but a bounded time (the main thread spins 10 ms).
    expect(failedAfterMs, text).toBeGreaterThanOrEqual(5);
    expect(failedAfterMs, text).toBeLessThan(1000);
    // The reader leaves; the very next stores succeed without the event loop turning.
    Atomics.store(s.ctl, C_RELEASE, 1);
    Atomics.notify(s.ctl, C_RELEASE);
    const notes = (await Promise.all(s.readers)).flatMap((r) => r.notes);
    expect(Atomics.load(s.ctl, C_ERRORS), `${text}; ${notes.join("; ")}`).toBe(0);
    for (let i = 0; i < 2000; i++) {
      const k = Math.floor(rand() * KEYS);
      s.tree.setRange(k * 16, k * 16 + 7, keyValue(k, i));
      s.model[k] = keyValue(k, i);
    }
    checkTree(s);
    s.rcu.unregister();
  });
});

describe("a local tree in RCU mode under Rcu, written by a loop that never yields", () => {
  /**
   * Rewrites key `k` to `v` in two stores that each replace its leaf (in RCU mode a store that
   * changes the layout copies the node; an exact fit would store one slot in place).
   */
  function rewrite(tree: MapleTree<number>, k: number, v: number): void {
    tree.setRange(k * 16, k * 16 + 3, v);
    tree.setRange(k * 16, k * 16 + 7, v);
  }

  /** KEYS ranges in a poisoned RCU-mode tree of `capacity` nodes over `rcu`. */
  function local(rcu: Rcu, capacity: number): { tree: MapleTree<number>; model: number[] } {
    const tree = new MapleTree<number>({ rcu: true, reclaimer: rcu, poison: true, capacity });
    const model: number[] = [];
    for (let k = 0; k < KEYS; k++) {
      model[k] = k;
      tree.setRange(k * 16, k * 16 + 7, k);
    }
    return { tree, model };
  }

  it(`stays within its arena (${STORES} stores, SEED=${seed})`, () => {
    const rcu = new Rcu();
    const { tree, model } = local(rcu, 1200);
    const rand = rng(seed);
    for (let i = 1; i <= STORES; i++) {
      const k = Math.floor(rand() * KEYS);
      rewrite(tree, k, i); // throws ENOMEM if nothing came back
      model[k] = i;
      if (i % 5000 === 0) mt_validate(tree.mt);
    }
    mt_validate(tree.mt);
    expect([...tree].map((r) => r.value)).toEqual(model);
  });

  it("reuses nothing while a section or a guard is open in the thread, then goes on", () => {
    for (const hold of ["section", "guard"] as const) {
      const rcu = new Rcu();
      const { tree, model } = local(rcu, 600);
      const guard = hold === "guard" ? rcu.acquire() : null;
      if (hold === "section") rcu.readLock();
      const mas = MA_STATE(tree.mt, 3, 3);
      expect(mas_walk(mas)).toBe(0);
      const leaf = mas.node;
      const words = Array.from(tree.mt.arena.slots.subarray(leaf * 16, leaf * 16 + 16));
      const rand = rng(seed);
      let stores = 0;
      let failed = false;
      let failedKey = -1;
      for (let i = 1; i <= 10_000 && !failed; i++) {
        const k = i < 4 ? 0 : Math.floor(rand() * KEYS);
        try {
          rewrite(tree, k, i);
          model[k] = i;
          stores++;
        } catch (e) {
          expect((e as MapleError).code).toBe("ENOMEM");
          // A failed store changes nothing; the first of the pair may have gone in, leaving the
          // key as two ranges until it is written whole again (below).
          model[k] = tree.get(k * 16) as number;
          failedKey = k;
          failed = true;
        }
      }
      const intact =
        !tree.mt.arena.isFreed(leaf) &&
        tree.mt.arena.slots.subarray(leaf * 16, leaf * 16 + 16).every((w, i) => w === words[i]);
      if (hold === "section") rcu.readUnlock();
      guard?.release();
      if (failedKey >= 0)
        tree.setRange(failedKey * 16, failedKey * 16 + 7, model[failedKey] as number);
      // ~250 free nodes, 2 leaves per rewrite: it ran out instead of reusing a node.
      expect(failed, `${hold}: ${stores} rewrites`).toBe(true);
      expect(stores, `${hold}: ${stores} rewrites`).toBeLessThan(300);
      expect(intact, `${hold}: the reader's leaf ${leaf}`).toBe(true);
      for (let i = 0; i < 2000; i++) {
        const k = Math.floor(rand() * KEYS);
        rewrite(tree, k, i);
        model[k] = i;
      }
      mt_validate(tree.mt);
      expect([...tree].map((r) => r.value)).toEqual(model);
    }
  });

  it("still catches a reclaimer that calls back before the grace period (poison mode)", () => {
    const rcu = new Rcu();
    // Broken on purpose: runs every free at once, while offering the domain's cookies and poll.
    const broken = {
      defer: (free: () => void) => free(),
      getState: () => rcu.getState(),
      pollState: (c: number) => rcu.pollState(c as GpCookie),
      poll: () => rcu.poll(),
    };
    const tree = new MapleTree<number>({ reclaimer: broken, poison: true });
    for (let k = 0; k < 200; k++) tree.setRange(k * 16, k * 16 + 7, k);
    mt_set_in_rcu(tree.mt); // nothing retired yet
    rcu.readLock();
    try {
      expect(() => tree.setRange(100, 2000, -1)).toThrow(/premature reclamation: node \d+/);
    } finally {
      rcu.readUnlock();
    }
  });
});
