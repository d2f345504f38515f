// rcutorture-style stress (docs/spec/rcu.md §3.4): a correct run must show no errors and a Reader
// Pipe histogram with entries only in buckets 0 and 1; the self-check run that frees one grace
// period early MUST be caught. Bounded to ~1.5 s per run; STRESS=1 runs 10 s.
import { describe, expect, it } from "vitest";
import { STRESS, seedFromEnv } from "./helpers.js";
import { runTorture } from "./torture.js";

const MS = STRESS ? 10_000 : 1500;

describe("rcutorture over a SharedArrayBuffer node pool", () => {
  const seed = seedFromEnv();

  it("never lets a reader see a poisoned or recycled node (mb, QSBR and overlapping-guard readers)", async () => {
    const r = await runTorture({
      ms: MS,
      readers: 3,
      modes: ["mb", "qsbr", "guards"],
      mode: "correct",
      seed,
    });
    console.log(
      `torture correct (SEED=${seed}): ${r.updates} updates, ${r.gps} GPs, ${r.reads} reads, ` +
        `writer modes ${JSON.stringify(r.byWriterMode)}, readers ${JSON.stringify(r.byReader)}` +
        `\n  Reader Pipe: ${r.pipe.join(" ")}` +
        `${r.pipe[2] || r.pipe[3] ? " !!!" : ""}  errors: ${r.errors}`,
    );
    expect(r.reads, `SEED=${seed}`).toBeGreaterThan(1000);
    expect(r.updates).toBeGreaterThan(100);
    expect(r.errors, `SEED=${seed}`).toBe(0);
    expect(r.pipe[2]).toBe(0);
    expect(r.pipe[3]).toBe(0);
    for (const m of ["sync", "callrcu", "retire", "poll"])
      expect(r.byWriterMode[m]).toBeGreaterThan(0);
    for (const x of r.byReader) expect(x.reads, x.reader).toBeGreaterThan(100);
  });

  it("catches the self-check mode that frees one grace period early", async () => {
    // Detection is probabilistic; under heavy CI load retry (longer) before calling it toothless.
    let r = await runTorture({ ms: MS, readers: 2, modes: ["mb"], mode: "early", seed });
    for (let attempt = 2; attempt <= 3 && r.errors === 0; attempt++) {
      r = await runTorture({
        ms: MS * attempt,
        readers: 2,
        modes: ["mb"],
        mode: "early",
        seed: seed + attempt,
      });
    }
    console.log(
      `torture early-free self-check (SEED=${seed}): ${r.updates} updates, ${r.reads} reads` +
        `\n  Reader Pipe: ${r.pipe.join(" ")} !!!  errors: ${r.errors} (poisoned ${r.poisoned})`,
    );
    expect(
      r.errors,
      "the torture test lost its teeth: an early free went unnoticed",
    ).toBeGreaterThan(0);
  });
});
