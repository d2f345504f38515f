// mm reference counting (kernel mmget / mmget_not_zero / mmput / mmgrab / mmdrop) and the reader
// race it exists for: a reader holding an mmget_not_zero reference keeps reading a consistent VMA
// list while the owner maps and unmaps; VMAs freed meanwhile stay intact until the reader's RCU
// section ends; after the last mmput, mmget_not_zero fails. Interleavings are random (SEED).
import { mt_clear_in_rcu, mt_in_rcu } from "@maplemm/maple-tree/kernel";
import { for_each_vma, MmError, MmStruct, VMA_ITERATOR, type Vma } from "@maplemm/mm";
import { Rcu } from "@maplemm/rcu";
import { describe, expect, it } from "vitest";
import { arenaMm, P, PRIV_FIXED, pg, RW, rng } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("mm reference counts", () => {
  it("mmget_not_zero succeeds while users remain and fails for good after the last mmput", () => {
    const mm = arenaMm();
    expect(mm.mmget_not_zero()).toBe(true);
    expect(mm.users).toBe(2);
    mm.mmput();
    mm.mmput();
    expect(mm.users).toBe(0);
    expect(mm.mmget_not_zero()).toBe(false);
    expect(mm.vmas()).toEqual([]);
    expect(() => mm.mmap(pg(0), P, RW, PRIV_FIXED)).toThrow(MmError);
    expect(() => mm.mmput()).toThrow(/already zero/);
  });

  it("mmget_not_zero switches the VMA tree into RCU mode for good (sticky across later ops)", () => {
    const mm = arenaMm();
    expect(mt_in_rcu(mm.tree.mt)).toBe(true); // born in RCU mode (MM_MT_FLAGS)
    mt_clear_in_rcu(mm.tree.mt); // as dup_mmap / exit_mmap do while nobody else can see it
    expect(mt_in_rcu(mm.tree.mt)).toBe(false);
    expect(mm.mmget_not_zero()).toBe(true);
    expect(mt_in_rcu(mm.tree.mt)).toBe(true);
    mm.mmap(pg(0), P, RW, PRIV_FIXED);
    mm.munmap(pg(0), P);
    mm.mmput();
    expect(mm.users).toBe(1);
    expect(mt_in_rcu(mm.tree.mt)).toBe(true);
  });

  it("mmgrab keeps the struct (mm_count) past the last mmput; mmdrop releases it", () => {
    const mm = arenaMm();
    mm.mmgrab();
    mm.mmput();
    expect(mm.count).toBe(1);
    mm.mmdrop();
    expect(mm.count).toBe(0);
    expect(() => mm.mmdrop()).toThrow(/already zero/);
  });

  it("exit_mmap frees the VMAs through the RCU domain: not before a grace period", async () => {
    const rcu = new Rcu();
    const mm = new MmStruct({ mmapBase: pg(4096), rcu });
    mm.mmap(pg(0), P, RW, PRIV_FIXED);
    const [v] = mm.vmas();
    const g = rcu.acquire();
    mm.mmput();
    await tick();
    expect(v?.freed).toBe(false);
    g.release();
    await rcu.synchronize();
    await rcu.barrier();
    expect(v?.freed).toBe(true);
  });

  it(`a reader with mmget_not_zero sees a consistent VMA list while the owner maps and unmaps (SEED=${SEED})`, async () => {
    const rcu = new Rcu();
    const mm = new MmStruct({ mmapBase: pg(4096), rcu });
    const rand = rng(SEED);
    for (let i = 0; i < 64; i++) mm.mmap(pg(i * 8), 4 * P, RW, PRIV_FIXED);
    let stop = false;
    const owner = (async () => {
      while (!stop) {
        const at = Math.floor(rand() * 512);
        const len = 1 + Math.floor(rand() * 8);
        if (rand() < 0.5) mm.mmap(pg(at), len * P, rand() < 0.5 ? RW : 1, PRIV_FIXED);
        else mm.munmap(pg(at), len * P);
        await tick();
      }
    })();
    const reader = async (): Promise<number> => {
      let walks = 0;
      for (let round = 0; round < 20; round++) {
        if (!mm.mmget_not_zero()) break;
        const guard = rcu.acquire();
        const seen: Vma[] = [];
        const vmi = VMA_ITERATOR(mm, 0);
        for (const v of for_each_vma(vmi)) {
          expect(v.freed, `SEED=${SEED}: VMA freed inside the reader's section`).toBe(false);
          const prev = seen[seen.length - 1];
          if (prev !== undefined) {
            expect(
              v.start,
              `SEED=${SEED}: VMAs out of order or overlapping`,
            ).toBeGreaterThanOrEqual(prev.end);
          }
          expect(v.start).toBeLessThan(v.end);
          seen.push(v);
          if (seen.length % 4 === 0) await tick();
        }
        for (const v of seen) expect(v.freed, `SEED=${SEED}`).toBe(false);
        guard.release();
        mm.mmput();
        walks++;
      }
      return walks;
    };
    const walks = await Promise.all([reader(), reader()]);
    stop = true;
    await owner;
    expect(walks).toEqual([20, 20]);
    mm.mmput();
    expect(mm.mmget_not_zero()).toBe(false);
    await rcu.synchronize();
    await rcu.barrier();
  });
});
