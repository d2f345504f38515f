import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// Worker-thread tests load dist/ (Node 20 cannot run .ts in a Worker); the global setup rebuilds
// it incrementally with `tsc -b` so a fresh clone passes `pnpm vitest run` without a prior build.
// Benchmarks import dist/ too, loaded natively (external): run through Vite's SSR transform,
// every imported constant on the hot path would become a property load and double the cost.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@maplemm/rcu",
      globalSetup: ["./test/global-setup.ts"],
      server: { deps: { external: [/packages\/rcu\/dist\//] } },
    },
  }),
);
