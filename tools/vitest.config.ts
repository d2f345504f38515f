import { defineProject, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

// Worker-thread tests load the packages' dist/ (Node 20 cannot run .ts in a Worker); the global
// setup rebuilds it incrementally so a fresh clone passes without a prior build.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@maplemm/tools",
      globalSetup: ["./test/global-setup.ts"],
      server: { deps: { external: [/packages\/[a-z-]+\/dist\//] } },
    },
  }),
);
