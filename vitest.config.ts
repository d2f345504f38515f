import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// The files that take longest (docs/reports/2026-12-08-ci-time.md, "Second pass"), slowest first.
// Vitest's own order runs the projects one after another and, on a fresh clone (no duration cache),
// each project's larger files first, which left three of these at the tail on one worker while the
// other worker idled. Starting them first lets the short files fill in behind them. A file missing
// from this list runs in Vitest's order after these; a renamed one only loses its head start.
const SLOW_FIRST = [
  "tools/test/cli.test.ts",
  "packages/maple-tree/test/write-large.test.ts",
  "tools/test/replay-corpus.test.ts",
  "tools/test/replay-maple.test.ts",
  "packages/maple-tree/test/property.test.ts",
  "packages/maple-tree/test/write-random.test.ts",
  "tools/integration/test/shared-tree-torture.test.ts",
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i, r: rank(f) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((x) => x.f);
  }
}

// One Vitest process for the whole repo; each package has its own project config.
// maxWorkers: Vitest's default is one worker less than the cores, which on the 2-core CI machine
// runs every test file one after the other (docs/reports/2026-12-08-ci-time.md).
export default defineConfig({
  test: {
    projects: ["packages/*", "tools", "tools/playground", "tools/integration"],
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
  },
});
