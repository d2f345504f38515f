// The tools CLIs behave as conventional commands: `--help` on stdout with exit 0, `--version`,
// usage errors (unknown flag, missing file, no argument) on stderr with exit 2 and no stack trace,
// a divergence exits 1, and the progress line shows only on a terminal.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const scenarios = join(root, "tools", "oracle", "traces", "scenarios");
const TRACE = join(scenarios, "clone_vm.jsonl");

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--conditions=@maplemm/source", join(root, "tools", script), ...args],
    { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string): void => {
  expect(s).not.toMatch(/^\s+at /m);
  expect(s).not.toMatch(/Error:/);
};

describe.each([
  ["replay/replay-cli.ts", "replay"],
  ["demo/demo.ts", "demo"],
])("%s", (script, name) => {
  it("--help and -h print the usage on stdout and exit 0", () => {
    for (const flag of ["--help", "-h"]) {
      const r = run(script, [flag]);
      expect(r.code, flag).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: pnpm ${name} `));
      expect(r.stdout).toContain("Exit status:");
      expect(r.stderr).toBe("");
    }
  });

  it("--version prints one line and exits 0", () => {
    const r = run(script, ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${name} \\(maplemm tools \\S+, @maplemm/mm \\S+\\)\\n$`));
  });

  it("an unknown flag is a usage error: stderr, exit 2, no stack trace", () => {
    const r = run(script, ["--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^${name}: Unknown option '--frobnicate'`));
    expect(r.stderr).toContain(`Try 'pnpm ${name} --help'.`);
    noStack(r.stderr);
  });
});

describe("demo", () => {
  it("a process that cannot be read, a bad --pid or --seconds is a usage error (exit 2)", () => {
    for (const [args, msg] of [
      [["--pid", "999999999"], "demo: cannot read /proc/999999999/smaps"],
      [["--pid", "me"], 'demo: --pid must be a process id, got "me"'],
      [["--seconds", "0"], "demo: --seconds must be a number in (0, 600]"],
      [["extra"], "demo: unexpected argument: extra"],
    ] as const) {
      const r = run("demo/demo.ts", [...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(msg);
      expect(r.stdout).toBe("");
      noStack(r.stderr);
    }
  });
});

describe("replay", () => {
  it("a missing file, a non-trace file and no argument are usage errors (exit 2)", () => {
    for (const [args, msg] of [
      [["no/such/trace.jsonl"], "replay: no such file or directory: no/such/trace.jsonl"],
      [[join(root, "package.json")], "replay: not a trace (*.jsonl or *.jsonl.gz)"],
      [[], "replay: no trace file or directory given"],
    ] as const) {
      const r = run("replay/replay-cli.ts", [...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(msg);
      expect(r.stdout).toBe("");
      noStack(r.stderr);
    }
  });

  it("agreeing traces exit 0, a divergence exits 1 and shows both sides", () => {
    const ok = run("replay/replay-cli.ts", [TRACE]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {3}.*clone_vm\.jsonl \(\d+ ops\)$/m);
    expect(ok.stdout).toMatch(/^1 passed, 0 failed$/m);

    const dir = mkdtempSync(join(tmpdir(), "replay-cli-"));
    const bad = join(dir, "diverges.jsonl");
    const text = readFileSync(TRACE, "utf8");
    const mutated = text.replace('"ret":"0x7e0000064000"', '"ret":"0x7e0000065000"');
    expect(mutated).not.toBe(text);
    writeFileSync(bad, mutated);
    const r = run("replay/replay-cli.ts", [TRACE, bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL .*diverges\.jsonl/m);
    expect(r.stdout).toMatch(/^1 passed, 1 failed$/m);
    noStack(r.stderr);
  });

  it("shows a progress line on stderr only when stderr is a terminal", () => {
    const piped = run("replay/replay-cli.ts", [TRACE], { MAPLEMM_PROGRESS_AFTER_MS: "0" });
    expect(piped.stderr).toBe("");
    // script(1) runs the command on a pseudo-terminal; its output is the terminal's.
    const cmd = [
      process.execPath,
      "--import tsx --conditions=@maplemm/source tools/replay/replay-cli.ts",
      TRACE,
    ].join(" ");
    const tty = spawnSync("script", ["-qec", cmd, "/dev/null"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, MAPLEMM_PROGRESS_AFTER_MS: "0" },
    });
    if (tty.error !== undefined) return; // no script(1) here: nothing to check
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain("\r\x1b[2Kreplay: 1/1 ");
    expect(tty.stdout).toMatch(/1 passed, 0 failed/);
  });

  it("works as `pnpm replay --help` (exit 0, no ELIFECYCLE)", () => {
    const r = spawnSync("pnpm", ["replay", "--help"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: pnpm replay ");
    expect(`${r.stdout}${r.stderr}`).not.toContain("ELIFECYCLE");
  });
});
