import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// Worker-thread tests load dist/ (Node 20 cannot run .ts in a Worker); the global setup rebuilds
// it incrementally with `tsc -b` so a fresh clone passes `pnpm vitest run` without a prior build.
// Benchmarks import dist/ too, loaded natively (external): run through Vite's SSR transform,
// every imported constant on the hot path would become a property load and double the cost.
// isolate: false — the test files of this package share one module graph per worker instead of
// importing (and transforming) src/ afresh for each file. The package keeps no module-level state
// (house rule), so a file cannot see another's; the CPU time saved is in
// docs/reports/2026-12-08-ci-time.md.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@maplemm/rcu",
      isolate: false,
      globalSetup: ["./test/global-setup.ts"],
      server: { deps: { external: [/packages\/rcu\/dist\//] } },
    },
  }),
);
