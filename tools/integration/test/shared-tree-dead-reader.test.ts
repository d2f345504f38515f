// A reader worker of the shared maple tree that dies inside its read section (terminate() while it
// sits there, or process.exit() from inside it) must not stall the writer for good: while it is
// alive in the section no retired node may be reused (grace periods cannot end); once it is dead,
// the domain reaps its slot (watchWorker), grace periods complete, and the writer's retired nodes
// come back into use. Node reuse is observed through the leaves' node ids. A writer that dies
// inside write() must not keep the writers' lock either (the tree's watchWorker reaps it).
import { Worker } from "node:worker_threads";
import { SharedMapleTree } from "@maplemm/maple-tree";
import {
  MA_STATE,
  MAX_INDEX,
  mas_find,
  mt_validate,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";

const STUCK_URL = new URL("./fixtures/shared-tree-stuck-reader.mjs", import.meta.url);
const STUCK_WRITER_URL = new URL("./fixtures/shared-tree-stuck-writer.mjs", import.meta.url);
const RANGES = 1500;

const live: Worker[] = [];
afterEach(async () => {
  for (const w of live.splice(0)) await w.terminate();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The node ids of the leaves holding the tree's ranges (one read section). */
function leaves(tree: SharedMapleTree): Set<number> {
  return tree.read((mt) => {
    const out = new Set<number>();
    const mas = MA_STATE(mt, 0, 0);
    while (mas_find(mas, MAX_INDEX) !== null) out.add(mas.node);
    return out;
  });
}

/** Rewrites every range shifted by one (no exact fits: every leaf is replaced). */
function rewrite(tree: SharedMapleTree, round: number): void {
  const shift = round % 3;
  for (let i = 0; i < RANGES; i++)
    tree.setRange(i * 10 + shift, i * 10 + shift + 4, round * RANGES + i);
}

/** Ids of leaves that were replaced (seen before, not reachable now) and reappear: reuse. */
class LeafLedger {
  readonly seen = new Set<number>();
  readonly retired = new Set<number>();
  reused = 0;

  observe(now: Set<number>): void {
    for (const id of now) {
      if (this.retired.has(id)) {
        this.reused++;
        this.retired.delete(id);
      }
    }
    for (const id of this.seen) if (!now.has(id)) this.retired.add(id);
    this.seen.clear();
    for (const id of now) this.seen.add(id);
  }
}

describe("a shared-tree reader that dies inside its read section", () => {
  it.each([
    ["is terminate()d while it sits in the section", "terminate"],
    ["calls process.exit() from inside the section", "exit"],
  ])("%s: writers keep going, its slot is reaped and retired nodes are reused", async (_t, how) => {
    const rcu = SharedRcu.create({ maxThreads: 4, stallMs: 60_000 });
    rcu.register();
    const tree = SharedMapleTree.create({ domain: rcu, capacity: 1 << 17, poison: true });
    rewrite(tree, 0);
    await rcu.barrier();
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const w = new Worker(STUCK_URL, {
      workerData: { rcu: rcu.memory ?? rcu.buffer, handle: tree.handle, ctl, key: 15_000, how },
    });
    live.push(w);
    rcu.watchWorker(w);
    const exited = new Promise<number>((resolve) => w.once("exit", resolve));
    const ready = Atomics.waitAsync(ctl, 0, 0, 10_000);
    if (ready.async) await ready.value;
    expect(Atomics.load(ctl, 0), "the reader stands on a leaf").toBeGreaterThan(0);

    // While the reader is in its section: writes go on, nothing retired comes back.
    const L = new LeafLedger();
    L.observe(leaves(tree));
    const cookie = rcu.getState();
    const callbacksBefore = rcu.stats.callbacks;
    for (let round = 1; round <= 4; round++) {
      rewrite(tree, round);
      L.observe(leaves(tree));
      await sleep(20);
    }
    const stuck = { retired: L.retired.size, reused: L.reused, callbacks: rcu.stats.callbacks };
    expect(L.retired.size, "the writer replaced leaves").toBeGreaterThan(4 * 50);
    expect(L.reused, "a retired leaf was reused while a reader could hold it").toBe(0);
    expect(rcu.pollState(cookie), "a grace period ended under a live reader").toBe(false);
    expect(rcu.stats.callbacks).toBe(callbacksBefore);

    // Kill it inside the section; the domain reaps its slot and grace periods complete.
    if (how === "exit") {
      Atomics.store(ctl, 1, 1);
      Atomics.notify(ctl, 1);
    } else {
      await w.terminate();
    }
    expect(await exited).toBe(how === "exit" ? 7 : 1);
    await Promise.race([
      rcu.synchronize(),
      sleep(10_000).then(() => {
        throw new Error("no grace period after the reader died: its slot was not reaped");
      }),
    ]);
    await rcu.barrier();
    expect(rcu.pollState(cookie)).toBe(true);
    expect(rcu.stats.callbacks).toBeGreaterThan(callbacksBefore);

    // Retired nodes come back into use.
    for (let round = 5; round <= 7; round++) {
      rewrite(tree, round);
      L.observe(leaves(tree));
      await rcu.barrier();
    }
    console.log(
      `dead reader (${how}): while it sat in its section ${stuck.retired} leaves retired, ` +
        `${stuck.reused} reused, ${stuck.callbacks - callbacksBefore} callbacks run; after the reap ` +
        `${L.reused} reused, ${rcu.stats.callbacks - callbacksBefore} callbacks run`,
    );
    expect(L.reused, "no retired leaf was reused after the reader died").toBeGreaterThan(100);
    tree.write(mt_validate);
    for (let i = 0; i < RANGES; i += 97) {
      const f = i * 10 + (7 % 3);
      expect(tree.getRange(f + 2)).toEqual({ first: f, last: f + 4, value: 7 * RANGES + i });
    }
    await rcu.barrier();
    rcu.unregister();
  });

  // Found by this suite (bugs file #6); the tree's watchWorker/reapWriter recover the lock.
  it("a writer terminate()d inside write() does not keep the lock: its section is dropped, the next writer gets the lock and the tree keeps working", async () => {
    const rcu = SharedRcu.create({ maxThreads: 4, stallMs: 60_000 });
    rcu.register();
    const keys = 20_000;
    const tree = SharedMapleTree.create({ domain: rcu, capacity: 1 << 14, poison: true });
    // 1000 ranges, then churn so that freed nodes wait on the free list and the reclaimed stack.
    const model = new Int32Array(keys).fill(-1);
    const store = (a: number, b: number, v: number | null): void => {
      if (v === null) tree.deleteRange(a, b);
      else tree.setRange(a, b, v);
      model.fill(v ?? -1, a, b + 1);
    };
    for (let i = 0; i < 1000; i++) store(i * 20, i * 20 + 9, i);
    for (let i = 0; i < 300; i++) store(i * 60 + 5, i * 60 + 25, i % 3 === 0 ? null : 5000 + i);
    await rcu.barrier();
    for (let i = 0; i < 100; i++) store(i * 7, i * 7 + 3, 9000 + i); // frees now in flight
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const w = new Worker(STUCK_WRITER_URL, {
      workerData: { rcu: rcu.memory ?? rcu.buffer, handle: tree.handle, ctl, stores: 400, keys },
    });
    live.push(w);
    rcu.watchWorker(w);
    tree.watchWorker(w);
    const ready = Atomics.waitAsync(ctl, 0, 0, 10_000);
    if (ready.async) await ready.value;
    await w.terminate();
    const got = await Promise.race([
      tree.writeAsync((mt) => mtree_store_range(mt, 19_990, 19_995, 2)),
      sleep(2000).then(() => "still locked"),
    ]);
    expect(got).toBe(0);
    model.fill(2, 19_990, 19_996);
    // Nothing of the dead section is visible; the tree validates and equals the model.
    const contents = (): string[] => {
      const bad: string[] = [];
      let covered = 0;
      tree.forEach((v, f, l) => {
        for (let i = f; i <= l; i++) {
          covered++;
          if (model[i] !== v && bad.length < 5) bad.push(`key ${i}: tree ${v}, model ${model[i]}`);
        }
      });
      const want = model.reduce((n, v) => n + (v !== -1 ? 1 : 0), 0);
      if (covered !== want) bad.push(`${covered} keys covered, the model has ${want}`);
      return bad;
    };
    tree.write(mt_validate);
    expect(contents()).toEqual([]);
    // The writer goes on: stores reuse the nodes given back (poison-checked), grace periods end.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 400; i++) {
        const a = (i * 37 + round * 101) % (keys - 50);
        store(a, a + (i % 13), i % 5 === 0 ? null : 20_000 + round * 1000 + i);
      }
      await rcu.barrier();
    }
    tree.write(mt_validate);
    expect(contents()).toEqual([]);
    await rcu.barrier();
    rcu.unregister();
  });
});
