// Builds the playground into dist/: the page, its stylesheet, app.js and worker.js bundled by
// esbuild from the workspace packages' sources (platform browser, no network resources), and
// bench.json gathered from docs/bench/*.json.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(here, "dist");
const benchDir = join(here, "..", "..", "docs", "bench");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: join(here, "src/main.ts"), worker: join(here, "src/shared-worker.ts") },
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  conditions: ["@maplemm/source"],
  sourcemap: true,
  minify: process.argv.includes("--minify"),
  logLevel: "warning",
  metafile: true,
}).then((r) => {
  const nodeImports = Object.keys(r.metafile.inputs).filter((p) => p.startsWith("node:"));
  if (nodeImports.length > 0)
    throw new Error(
      `playground: node: imports reached the browser bundle: ${nodeImports.join(", ")}`,
    );
});
for (const f of ["index.html", "style.css"]) copyFileSync(join(here, f), join(out, f));

const bench = {};
if (existsSync(benchDir)) {
  for (const f of readdirSync(benchDir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    bench[f.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(benchDir, f), "utf8"));
  }
}
writeFileSync(join(out, "bench.json"), JSON.stringify(bench));
console.log(`playground built in ${out} (${Object.keys(bench).length} bench files)`);
