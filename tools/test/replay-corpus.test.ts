// The oracle corpus (tools/oracle/traces: 23 scenarios, 27 random traces recorded on Linux) replays
// on MmStruct with every op agreeing: return value, errno, fault, old value, window maps (with
// VmFlags, anon_kb and shmem identity), fork children's maps, probes and nested ops, and the end
// state. Both dup_mmap strategies are replayed.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDivergence, replayTrace } from "../replay/replay.js";
import type { Trace } from "../replay/trace.js";
import { readTrace } from "../replay/trace-file.js";

const dir = join(import.meta.dirname, "..", "oracle", "traces");
// file/ and thp/: the file-backed mapping, msync, smaps and THP profiles, recorded on 6.18 with pku.
// layout/: the legacy layout (ADDR_COMPAT_LAYOUT) and an unlimited stack; overcommit/: mode 2;
// hugetlb/: MAP_HUGETLB over a pool of four 2 MiB pages.
const files = ["scenarios", "random", "file", "thp", "layout", "overcommit", "hugetlb"].flatMap(
  (sub) =>
    readdirSync(join(dir, sub))
      .filter((f) => /\.jsonl(\.gz)?$/.test(f))
      .sort()
      .map((f) => join(sub, f)),
);

describe("the oracle corpus", () => {
  it("holds at least the 23 scenarios and 27 random traces the spec lists", () => {
    expect(files.filter((f) => f.startsWith("scenarios")).length).toBeGreaterThanOrEqual(23);
    expect(files.filter((f) => f.startsWith("random")).length).toBeGreaterThanOrEqual(27);
    expect(files.filter((f) => f.startsWith("file")).length).toBeGreaterThanOrEqual(15);
    expect(files.filter((f) => f.startsWith("thp")).length).toBeGreaterThanOrEqual(15);
    expect(files.filter((f) => f.startsWith("layout")).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.startsWith("overcommit")).length).toBeGreaterThanOrEqual(5);
    expect(files.filter((f) => f.startsWith("hugetlb")).length).toBeGreaterThanOrEqual(1);
  });

  // Both strategies replay one parsed trace (parsing is a sixth of the work); it is dropped after
  // the second, so one trace at a time is held (the corpus parses to hundreds of MB).
  for (const f of files) {
    describe(f, () => {
      let trace: Trace | null = null;
      for (const strategy of ["seed", "modern"] as const) {
        it(`agrees with Linux on every op, replayed with the ${strategy} dup_mmap`, () => {
          trace ??= readTrace(join(dir, f));
          const r = replayTrace(trace, { strategy });
          if (strategy === "modern") trace = null;
          expect(r.divergence === null ? "agreed" : formatDivergence(r)).toBe("agreed");
          expect(r.agreed).toBe(r.ops);
          expect(r.ops).toBeGreaterThan(0);
        });
      }
    });
  }
});
