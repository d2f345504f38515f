// Property test against a simple model, over both domains: random sequences of acquire/release,
// callRcu (inside and outside read sections), synchronize() and macrotask ticks. The model is the
// set of live guards: a callback or a synchronize() may complete only once every guard live at
// its call has been released (I1); callbacks never run synchronously or inside a section (I2) and
// run in FIFO order (I3).

import type { ReadGuard } from "@maplemm/rcu";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { domainKinds, STRESS, seedFromEnv, tick } from "./helpers.js";

type Op =
  | { k: "acq" }
  | { k: "rel"; i: number }
  | { k: "cb" }
  | { k: "readcb" }
  | { k: "sync" }
  | { k: "tick" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ k: "acq" }),
  fc.nat(7).map<Op>((i) => ({ k: "rel", i })),
  fc.constant<Op>({ k: "cb" }),
  fc.constant<Op>({ k: "readcb" }),
  fc.constant<Op>({ k: "sync" }),
  fc.constant<Op>({ k: "tick" }),
);

describe.each(domainKinds)("$name against the live-guard model", ({ make }) => {
  it("never completes a callback or synchronize() before the guards live at its call", async () => {
    const seed = seedFromEnv();
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), async (ops) => {
        const m = make();
        const d = m.d;
        const live: Array<{ g: ReadGuard; id: number }> = [];
        const liveIds = new Set<number>();
        const violations: string[] = [];
        const ran: number[] = [];
        const syncs: Promise<void>[] = [];
        let nextId = 0;
        let queued = 0;
        const queue = () => {
          const k = queued++;
          const snapshot = [...liveIds];
          let inCall = true;
          d.callRcu(() => {
            if (inCall) violations.push(`callback ${k} ran inside callRcu`);
            if (d.inReadSection) violations.push(`callback ${k} ran inside a read section`);
            for (const id of snapshot)
              if (liveIds.has(id)) violations.push(`callback ${k} ran while guard ${id} lives`);
            ran.push(k);
          });
          inCall = false;
        };
        for (const op of ops) {
          switch (op.k) {
            case "acq": {
              const id = nextId++;
              live.push({ g: d.acquire(), id });
              liveIds.add(id);
              break;
            }
            case "rel": {
              if (live.length === 0) break;
              const [x] = live.splice(op.i % live.length, 1);
              if (x === undefined) break;
              x.g.release();
              liveIds.delete(x.id);
              break;
            }
            case "cb":
              queue();
              break;
            case "readcb":
              d.readLock();
              queue();
              d.readUnlock();
              break;
            case "sync": {
              const snapshot = [...liveIds];
              syncs.push(
                d.synchronize().then(() => {
                  for (const id of snapshot)
                    if (liveIds.has(id))
                      violations.push(`synchronize resolved while guard ${id} lives`);
                }),
              );
              break;
            }
            case "tick":
              await tick();
              break;
          }
        }
        for (const x of live.splice(0)) {
          x.g.release();
          liveIds.delete(x.id);
        }
        await d.barrier();
        await Promise.all(syncs);
        m.done();
        expect(violations).toEqual([]);
        expect(ran).toEqual(Array.from({ length: queued }, (_, i) => i));
      }),
      { seed, numRuns: STRESS ? 2000 : 150 },
    );
  });
});
