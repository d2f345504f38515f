// Shared Vitest settings, merged by every package's vitest.config.ts (projects do not inherit the
// root config). Tests run against src/ through the repo-scoped "@maplemm/source" export condition;
// Node tests run in Vite's SSR environment, so the condition must go in ssr.resolve.conditions and
// Vite's defaults have to be listed again.
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@maplemm/source", "module", "node", "development|production"] },
  ssr: { resolve: { conditions: ["@maplemm/source", "module", "node", "development|production"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
