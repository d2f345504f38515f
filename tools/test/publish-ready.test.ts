// What a package needs on the registry page and in a user's install: repository (with its
// directory), homepage, bugs, keywords, sideEffects, a prepack that builds dist/ (so `pnpm pack`
// never ships a tarball without it), and README links that work outside the monorepo (absolute).
// tools/examples/run-examples.sh installs the packed tarballs and compiles their declarations with
// skipLibCheck: false.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const REPO = "https://github.com/maplemm/maplemm";
const names = readdirSync(join(root, "packages")).filter((d) =>
  existsSync(join(root, "packages", d, "package.json")),
);

interface Manifest {
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  sideEffects?: boolean;
  scripts?: Record<string, string>;
}

describe.each(names)("@maplemm/%s", (name) => {
  const dir = join(root, "packages", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

  it("carries repository (with directory), homepage, bugs, keywords and sideEffects", () => {
    expect(pkg.repository).toEqual({
      type: "git",
      url: `git+${REPO}.git`,
      directory: `packages/${name}`,
    });
    expect(pkg.homepage).toBe(`${REPO}/tree/main/packages/${name}#readme`);
    expect(pkg.bugs?.url).toBe(`${REPO}/issues`);
    expect(pkg.keywords?.length).toBeGreaterThan(3);
    expect(pkg.sideEffects).toBe(false);
  });

  it("builds dist/ before it is packed", () => {
    expect(pkg.scripts?.prepack).toBe(pkg.scripts?.build);
  });

  it("links from its README only to absolute URLs or anchors", () => {
    const md = readFileSync(join(dir, "README.md"), "utf8");
    const links = [...md.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
    expect(links.filter((l) => !/^(https:\/\/|#)/.test(l))).toEqual([]);
  });
});
