// Vitest global setup for @maplemm/tools and @maplemm/integration: brings every package's dist/ up
// to date (incremental `tsc -b`), which the browser-bundle check bundles and the plain-.mjs worker
// fixtures of tools/integration/test/fixtures import (Node 20 cannot run .ts in a Worker).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const tsc = createRequire(resolve(root, "tools/package.json")).resolve("typescript/bin/tsc");
  const projects = ["maple-tree", "rcu", "mm"].map((p) =>
    resolve(root, "packages", p, "tsconfig.json"),
  );
  execFileSync(process.execPath, [tsc, "-b", ...projects], { stdio: "inherit" });
}
