import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// One Vitest process for the whole repo; each package has its own project config.
// maxWorkers: Vitest's default is one worker less than the cores, which on the 2-core CI machine
// runs every test file one after the other (docs/reports/2026-12-08-ci-time.md).
export default defineConfig({
  test: {
    projects: ["packages/*", "tools", "tools/playground", "tools/integration"],
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
