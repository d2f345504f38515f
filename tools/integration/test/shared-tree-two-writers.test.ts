// Two writers on one shared maple tree at once: the main thread through writeAsync() and a worker
// through blocking write(), storing, inserting and erasing on disjoint key sets (alternate blocks
// of 8 keys, support/shared-block-writer.mjs). The lock in shared memory must serialise them: no
// two write sections overlap, the generation each leaves never goes back in the order they ran,
// the two writers take turns, a reader worker sees in every version only ranges the two writers'
// ops can make, and at the end the tree holds exactly the union of both models and validates.
// SEED replays both writers' choices; STRESS=1 runs 10x more sections.
import { Worker } from "node:worker_threads";
import { SharedMapleTree } from "@maplemm/maple-tree";
import {
  EEXIST,
  ENOMEM,
  MA_STATE,
  MAX_INDEX,
  mas_find,
  mt_validate,
  mtree_erase,
  mtree_insert_range,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";
import {
  blockOp,
  guarded,
  W_GO,
  W_INSIDE,
  W_OVERLAP,
  W_READERS,
  W_READY,
  W_STOP,
  W_WORDS,
} from "./support/shared-block-writer.mjs";
import { rng } from "./support/shared-ledger.mjs";

const WRITER_URL = new URL("./fixtures/shared-tree-writer.mjs", import.meta.url);
const READER_URL = new URL("./fixtures/shared-tree-block-reader.mjs", import.meta.url);
const STRESS = process.env.STRESS === "1";
const SECTIONS = STRESS ? 40_000 : 4000;
const KEYS = 1 << 15;
const seed =
  process.env.SEED !== undefined && process.env.SEED !== ""
    ? Number(process.env.SEED) >>> 0
    : (Math.random() * 2 ** 32) >>> 0;

const live: Worker[] = [];
afterEach(async () => {
  for (const w of live.splice(0)) await w.terminate();
});

describe("two writers in two threads on one shared maple tree", () => {
  /**
   * The two-writer run. `workerPoison`: whether the worker attaches with `poison: true` like the
   * creator (false: it relies on the tree being in poison mode).
   */
  async function twoWriters(workerPoison: boolean): Promise<void> {
    const rcu = SharedRcu.create({ maxThreads: 4, stallMs: 10_000 });
    rcu.register();
    const tree = SharedMapleTree.create({ domain: rcu, capacity: 1 << 15, poison: true });
    const model = new Int32Array(new SharedArrayBuffer(KEYS * 4));
    const ctl = new Int32Array(new SharedArrayBuffer(W_WORDS * 4));
    const w = new Worker(WRITER_URL, {
      workerData: {
        rcu: rcu.memory ?? rcu.buffer,
        handle: tree.handle,
        model,
        ctl,
        seed: seed ^ 0x5bd1e995,
        sections: SECTIONS,
        poison: workerPoison,
      },
    });
    live.push(w);
    rcu.watchWorker(w);
    const done = new Promise<{ sections: number[]; notes: string[]; ops: number; enomem: number }>(
      (resolve, reject) => {
        w.once("message", resolve);
        w.once("error", reject);
        w.once("exit", (c) => reject(new Error(`writer worker exited early with code ${c}`)));
      },
    );
    done.catch(() => {});
    // A reader worker checks every version it meets while both write.
    const r = new Worker(READER_URL, {
      workerData: { rcu: rcu.memory ?? rcu.buffer, handle: tree.handle, ctl, keys: KEYS },
    });
    live.push(r);
    rcu.watchWorker(r);
    const read = new Promise<{
      errors: number;
      notes: string[];
      scans: number;
      ranges: number;
      lookups: number;
    }>((resolve, reject) => {
      r.once("message", resolve);
      r.once("error", reject);
      r.once("exit", (c) => reject(new Error(`reader worker exited early with code ${c}`)));
    });
    read.catch(() => {});
    for (const word of [W_READY, W_READERS]) {
      const ready = Atomics.waitAsync(ctl, word, 0, 10_000);
      if (ready.async) await ready.value;
    }

    const k = { EEXIST, ENOMEM, mtree_erase, mtree_insert_range, mtree_load, mtree_store_range };
    const rand = rng(seed);
    const sections: number[] = [];
    const notes: string[] = [];
    let ops = 0;
    Atomics.store(ctl, W_GO, 1);
    Atomics.notify(ctl, W_GO);
    let enomem = 0;
    for (let s = 0; s < SECTIONS; s++) {
      const n = 1 + ((rand() * 8) | 0);
      let full = false;
      await tree.writeAsync((mt) => {
        const ticket = guarded(ctl, () => {
          for (let i = 0; i < n && !full; i++) {
            const why = blockOp(k, mt, rand, model, 0, 2 * ++ops + 1);
            if (why === "ENOMEM") full = true;
            else if (why !== null && notes.length < 8) notes.push(why);
          }
        });
        sections.push(ticket, tree.generation);
      });
      if (full) {
        // The arena is full of nodes waiting for grace periods: let them pass, then go on.
        enomem++;
        await rcu.barrier();
      } else if ((s & 7) === 7) await new Promise((r) => setImmediate(r));
    }
    const other = await done;
    Atomics.store(ctl, W_STOP, 1);
    const reader = await read;
    await rcu.barrier();

    const seedText = `SEED=${seed}`;
    expect(notes, seedText).toEqual([]);
    expect(other.notes, seedText).toEqual([]);
    expect(Atomics.load(ctl, W_OVERLAP), "write sections overlapped").toBe(0);
    expect(Atomics.load(ctl, W_INSIDE)).toBe(0);
    expect(reader.notes, seedText).toEqual([]);
    expect(reader.errors).toBe(0);
    expect(reader.scans, "the reader never finished a scan").toBeGreaterThan(0);
    // In the order the sections ran (tickets), the generation never goes back and the writers
    // took turns many times.
    const order: [ticket: number, gen: number, writer: number][] = [];
    for (let i = 0; i < sections.length; i += 2)
      order.push([sections[i] as number, sections[i + 1] as number, 0]);
    for (let i = 0; i < other.sections.length; i += 2) {
      order.push([other.sections[i] as number, other.sections[i + 1] as number, 1]);
    }
    order.sort((a, b) => a[0] - b[0]);
    expect(order.map((x) => x[0])).toEqual(order.map((_, i) => i));
    let turns = 0;
    let back = 0;
    for (let i = 1; i < order.length; i++) {
      const [, g, wr] = order[i] as [number, number, number];
      const [, pg, pwr] = order[i - 1] as [number, number, number];
      if (wr !== pwr) turns++;
      if (g < pg) back++;
    }
    // How many of the worker's sections ran while the main thread still had sections to run.
    const lastMain = sections[sections.length - 2] as number;
    const early = order.filter((x) => x[2] === 1 && x[0] < lastMain).length;
    console.log(
      `two writers (${seedText}): ${sections.length / 2} + ${other.sections.length / 2} sections, ` +
        `${ops} + ${other.ops} ops, ${turns} turns, ${early} worker sections before the main ` +
        `thread's last, ${enomem} + ${other.enomem} ENOMEM waits, ${tree.size} ranges at the end; reader: ${reader.scans} whole-tree scans ` +
        `(${reader.ranges} ranges), ${reader.lookups} lookups`,
    );
    expect(back, "a section saw an older generation than the one before it").toBe(0);
    expect(turns, "the writers never ran concurrently").toBeGreaterThanOrEqual(3);

    // The tree is exactly the union of both models.
    tree.write(mt_validate);
    let covered = 0;
    const wrong: string[] = [];
    tree.read((mt) => {
      const mas = MA_STATE(mt, 0, 0);
      for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
        for (let i = mas.index; i <= mas.last; i++) {
          covered++;
          if (model[i] !== e && wrong.length < 8)
            wrong.push(`key ${i}: tree ${e}, model ${model[i]}`);
        }
      }
    });
    expect(wrong, seedText).toEqual([]);
    expect(covered, seedText).toBe(model.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0));
    expect(covered).toBeGreaterThan(KEYS / 4);
    rcu.unregister();
  }

  it("serialises writeAsync on the main thread with write() in a worker; the tree ends as the union", () =>
    twoWriters(true));

  // `poison` is a property of the tree (the header), so a worker that attaches without asking
  // for it still poisons what it frees; before, the creator's poison check failed on its nodes.
  it("works the same when only the creator asked for poison mode (the worker attaches without it)", () =>
    twoWriters(false));
});
