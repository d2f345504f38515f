// Vitest global setup for @maplemm/rcu: brings dist/ up to date (incremental `tsc -b`, ~1-2 s) so
// the plain-.mjs worker fixtures under test/fixtures can import ../../dist/index.js.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const pkg = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const tsc = createRequire(resolve(pkg, "package.json")).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", resolve(pkg, "tsconfig.json")], { stdio: "inherit" });
}
