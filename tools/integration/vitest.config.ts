import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The worker fixtures are plain .mjs on the packages' dist/ (Node 20 cannot run .ts in a Worker);
// the tools package's global setup brings dist/ up to date (incremental), so a fresh clone passes
// without a prior build. One setup for both projects: a second run of it is a no-op.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@maplemm/integration",
      globalSetup: ["../test/global-setup.ts"],
      server: { deps: { external: [/packages\/[a-z-]+\/dist\//] } },
    },
  }),
);
