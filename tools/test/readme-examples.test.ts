// README examples are files: every ```ts block of a package README is preceded by the line
// `<!-- example: examples/<name>.ts -->` and is that file, byte for byte; every example file is
// shown; examples import only the public package names (and node: modules only where they are
// about workers: node:worker_threads, or any node: module in a *-worker.ts file). tools/examples/
// run-examples.sh runs them from packed tarballs under Node, Bun and Deno.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const packages = readdirSync(join(root, "packages")).filter((d) =>
  existsSync(join(root, "packages", d, "README.md")),
);
const PUBLIC = new Set([
  "@maplemm/maple-tree",
  "@maplemm/maple-tree/kernel",
  "@maplemm/mm",
  "@maplemm/rcu",
]);
const MARKER = /^<!-- example: (examples\/[\w.-]+\.ts) -->$/;

/** The ```ts blocks of a markdown text, each with the line just above its fence. */
function tsBlocks(md: string): { line: number; above: string; body: string }[] {
  const lines = md.split("\n");
  const out: { line: number; above: string; body: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```ts") continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`unclosed \`\`\`ts block at line ${i + 1}`);
    out.push({
      line: i + 1,
      above: lines[i - 1] ?? "",
      body: `${lines.slice(i + 1, end).join("\n")}\n`,
    });
    i = end;
  }
  return out;
}

describe.each(packages)("packages/%s README examples", (pkg) => {
  const dir = join(root, "packages", pkg);
  const md = readFileSync(join(dir, "README.md"), "utf8");
  const blocks = tsBlocks(md);
  const files = existsSync(join(dir, "examples"))
    ? readdirSync(join(dir, "examples")).filter((f) => f.endsWith(".ts"))
    : [];

  it("every ```ts block carries an example marker and is that file", () => {
    const problems: string[] = [];
    for (const b of blocks) {
      const m = MARKER.exec(b.above);
      if (m === null) {
        problems.push(
          `line ${b.line}: a ts block without "<!-- example: examples/<name>.ts -->" above it`,
        );
        continue;
      }
      const path = join(dir, m[1] as string);
      if (!existsSync(path)) problems.push(`line ${b.line}: ${m[1]} does not exist`);
      else if (readFileSync(path, "utf8") !== b.body) {
        problems.push(
          `line ${b.line}: the block differs from ${m[1]} (copy the file into the README)`,
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it("every example file is shown in the README", () => {
    const shown = new Set(blocks.map((b) => MARKER.exec(b.above)?.[1]));
    expect(files.filter((f) => !shown.has(`examples/${f}`))).toEqual([]);
  });

  it.each(files)("examples/%s imports only public package names", (f) => {
    const src = readFileSync(join(dir, "examples", f), "utf8");
    const specs = [...src.matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gms)].map(
      (m) => m[1] as string,
    );
    expect(specs.length).toBeGreaterThan(0);
    const worker = f.endsWith("-worker.ts");
    const bad = specs.filter(
      (s) => !PUBLIC.has(s) && s !== "node:worker_threads" && !(s.startsWith("node:") && worker),
    );
    expect(bad).toEqual([]);
  });
});

describe("tsBlocks", () => {
  it("finds a block and the line above it", () => {
    const md =
      "a\n<!-- example: examples/x.ts -->\n```ts\nconst x = 1;\n```\n```sh\nls\n```\n```ts\ny\n```\n";
    expect(tsBlocks(md)).toEqual([
      { line: 3, above: "<!-- example: examples/x.ts -->", body: "const x = 1;\n" },
      { line: 9, above: "```", body: "y\n" },
    ]);
  });
});
