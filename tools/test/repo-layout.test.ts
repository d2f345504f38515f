// Repo hygiene: what every published package must carry so that users can install it from npm
// and the monorepo's tooling (source condition, turbo, changesets) keeps working.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const packagesDir = join(root, "packages");
const names = readdirSync(packagesDir).filter((d) =>
  existsSync(join(packagesDir, d, "package.json")),
);

type Exports = Record<string, string | Record<string, string>>;
interface PackageJson {
  name: string;
  version: string;
  type?: string;
  sideEffects?: boolean;
  exports?: Exports;
  files?: string[];
  engines?: { node?: string };
  private?: boolean;
  dependencies?: Record<string, string>;
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;

describe("published packages", () => {
  it("are the three of the design: maple-tree, rcu, mm", () => {
    expect(names.sort()).toEqual(["maple-tree", "mm", "rcu"]);
  });

  for (const dir of names) {
    const pkgDir = join(packagesDir, dir);
    const pkg = readJson<PackageJson>(join(pkgDir, "package.json"));

    describe(pkg.name, () => {
      it("is a public ESM package scoped @maplemm with side-effect-free modules", () => {
        expect(pkg.name).toBe(`@maplemm/${dir}`);
        expect(pkg.type).toBe("module");
        expect(pkg.sideEffects).toBe(false);
        expect(pkg.private).not.toBe(true);
        expect(pkg.engines?.node).toBe(">=20.19");
        expect(pkg.files).toContain("dist");
      });

      it("lists the source condition first in every export, pointing at a file that exists", () => {
        const exportsMap = pkg.exports ?? {};
        expect(Object.keys(exportsMap)).toContain(".");
        for (const [subpath, target] of Object.entries(exportsMap)) {
          if (subpath === "./package.json") continue;
          expect(typeof target, subpath).toBe("object");
          const conditions = target as Record<string, string>;
          expect(Object.keys(conditions)[0], subpath).toBe("@maplemm/source");
          expect(existsSync(join(pkgDir, conditions["@maplemm/source"] as string)), subpath).toBe(
            true,
          );
          expect(conditions.types, subpath).toMatch(/^\.\/dist\/.*\.d\.ts$/);
          expect(conditions.default, subpath).toMatch(/^\.\/dist\/.*\.js$/);
        }
      });

      it("depends on sibling packages through workspace:^ ranges only", () => {
        for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
          expect(
            dep.startsWith("@maplemm/"),
            `${dep} is a runtime dependency outside the workspace`,
          ).toBe(true);
          expect(range).toBe("workspace:^");
        }
      });

      it("has a README that links its spec, and test/ and bench/ folders", () => {
        const readme = readFileSync(join(pkgDir, "README.md"), "utf8");
        expect(readme).toMatch(/docs\/spec\/[a-z-]+\.md/);
        expect(existsSync(join(pkgDir, "test"))).toBe(true);
        expect(existsSync(join(pkgDir, "bench"))).toBe(true);
      });
    });
  }

  it("imports only downward: mm -> maple-tree, rcu; maple-tree and rcu depend on nothing", () => {
    const deps = (dir: string) =>
      Object.keys(readJson<PackageJson>(join(packagesDir, dir, "package.json")).dependencies ?? {});
    expect(deps("maple-tree")).toEqual([]);
    expect(deps("rcu")).toEqual([]);
    expect(deps("mm").sort()).toEqual(["@maplemm/maple-tree", "@maplemm/rcu"]);
  });
});

describe("tests by reach", () => {
  // A test reaches a package's src/ only on purpose: from test/unit/ or test/support/ with a
  // "// Pins an internal:" line naming what it pins, or with a "// Peeks at" line right above the
  // import saying why. Everything else goes through the public entry points.
  const files = names.flatMap((pkg) => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? walk(join(dir, e.name))
          : e.name.endsWith(".ts")
            ? [join(dir, e.name)]
            : [],
      );
    return walk(join(packagesDir, pkg, "test"));
  });

  it("reach src/ only from test/unit/ or test/support/ saying what they pin, or peek saying why", () => {
    const bad: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, "utf8").split("\n");
      const rel = f.slice(root.length + 1);
      const pins =
        /\/test\/(unit|support)\//.test(f) &&
        lines.some((l) => l.startsWith("// Pins an internal:"));
      lines.forEach((line, i) => {
        if (!/(from |import\()"(\.\.\/)+src\//.test(line)) return;
        if (!pins && !(lines[i - 1] ?? "").startsWith("// Peeks at")) bad.push(`${rel}:${i + 1}`);
      });
    }
    expect(bad).toEqual([]);
  });
});

describe("changesets", () => {
  it("version packages independently (no fixed or linked groups)", () => {
    const config = readJson<{ fixed: unknown[]; linked: unknown[]; baseBranch: string }>(
      join(root, ".changeset", "config.json"),
    );
    expect(config.fixed).toEqual([]);
    expect(config.linked).toEqual([]);
    expect(config.baseBranch).toBe("main");
  });
});

describe("docs/ by kind", () => {
  const docs = join(root, "docs");
  const FIRST: Record<string, RegExp> = {
    spec: /^> \*\*Spec\*\* \(normative\)/,
    design: /^> \*\*Design\*\*/,
    reports: /^> \*\*Report\*\*, measured (\d{4}-\d{2}-\d{2})/,
  };
  const files = Object.keys(FIRST).flatMap((kind) =>
    readdirSync(join(docs, kind))
      .filter((f) => f.endsWith(".md"))
      .map((f) => ({ kind, f, text: readFileSync(join(docs, kind, f), "utf8") })),
  );

  it("holds only spec/, design/, reports/, bench/, images/ (and the generated api/)", () => {
    const dirs = readdirSync(docs).filter((d) => d !== "api");
    expect(dirs.sort()).toEqual(["bench", "design", "images", "reports", "spec"]);
  });

  it.each(files.map((d) => [`${d.kind}/${d.f}`, d] as const))(
    "%s says its kind in its first line",
    (_, d) => {
      const first = d.text.split("\n")[0] ?? "";
      const m = (FIRST[d.kind] as RegExp).exec(first);
      expect(m, first).not.toBeNull();
      if (d.kind === "reports") expect(d.f.slice(0, 10)).toBe(m?.[1]); // dated like its name
    },
  );

  it("names no file or heading after an issue", () => {
    const issueName = /\bissue[\s-]*#?\d+|\bissue\d+/i;
    const bad: string[] = [];
    for (const d of files) {
      if (issueName.test(d.f)) bad.push(`${d.kind}/${d.f}`);
      for (const line of d.text.split("\n")) {
        if (/^#+ /.test(line) && issueName.test(line)) bad.push(`${d.kind}/${d.f}: ${line}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe("tools/ by job", () => {
  const tools = join(root, "tools");
  it("has a folder per job and no grab-bag src/", () => {
    const dirs = readdirSync(tools, { withFileTypes: true })
      .filter(
        (d) =>
          d.isDirectory() && !d.name.startsWith(".") && !["node_modules", "dist"].includes(d.name),
      )
      .map((d) => d.name)
      .sort();
    expect(dirs).toEqual([
      "bench",
      "bench-kit",
      "demo",
      "examples",
      "integration",
      "oracle",
      "playground",
      "replay",
      "test",
    ]);
  });

  it("keeps the cross-package tests in their own private workspace package", () => {
    const pkg = readJson<PackageJson>(join(tools, "integration", "package.json"));
    expect(pkg.name).toBe("@maplemm/integration");
    expect(pkg.private).toBe(true);
    const own = readdirSync(join(tools, "test"));
    expect(own.filter((f) => /^(shared-tree|tree-over-rcu|shared-maps-worker)/.test(f))).toEqual(
      [],
    );
  });

  it("gives every bench one harness and one workload module, in a package that imports no maplemm package", () => {
    const kit = readJson<PackageJson>(join(tools, "bench-kit", "package.json"));
    expect(kit.name).toBe("@maplemm/bench-kit");
    expect(kit.private).toBe(true);
    expect(Object.keys(kit.dependencies ?? {}).filter((d) => d.startsWith("@maplemm/"))).toEqual(
      [],
    );
    // No bench folder keeps its own copy of the timing loop or the generator, or reaches into
    // another folder's bench files.
    const benchDirs = [
      join(tools, "bench"),
      ...names.map((d) => join(packagesDir, d, "bench")).filter((d) => existsSync(d)),
    ];
    const bad: string[] = [];
    for (const dir of benchDirs) {
      for (const f of readdirSync(dir).filter((f) => /\.(ts|mjs)$/.test(f))) {
        const text = readFileSync(join(dir, f), "utf8");
        if (/from "tinybench"|0x6d2b79f5|\/bench\/(harness|workloads)/i.test(text)) {
          bad.push(`${dir.slice(root.length + 1)}/${f}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("CONTRIBUTING.md says how to test, add a changeset, record a trace and run a bench", () => {
    const text = readFileSync(join(root, "CONTRIBUTING.md"), "utf8");
    for (const heading of [
      "## Run one package's tests",
      "## Where each kind of file goes",
      "## Add a changeset",
      "## Record a trace",
      "## Run a benchmark",
    ]) {
      expect(text).toContain(heading);
    }
  });
});
