import { defineConfig } from "vitest/config";

// One Vitest process for the whole repo; each package has its own project config.
export default defineConfig({
  test: { projects: ["packages/*", "tools", "tools/playground", "tools/integration"] },
});
