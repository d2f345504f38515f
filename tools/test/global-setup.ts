// Vitest global setup for @maplemm/tools: brings every package's dist/ up to date (incremental
// `tsc -b`) so the plain-.mjs worker fixtures under test/fixtures can import
// ../../../packages/*/dist/index.js (Node 20 cannot run .ts in a Worker).
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
