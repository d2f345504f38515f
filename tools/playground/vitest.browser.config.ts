import { defineConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// `pnpm test:browser`: the built playground in a real Chromium (Debian's, driven by playwright-core).
// Not merged with the shared config's test settings: mergeConfig would add its include globs.
export default defineConfig({
  resolve: shared.resolve,
  ssr: shared.ssr,
  test: {
    name: "@maplemm/playground (browser)",
    include: ["test/**/*.browser.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
