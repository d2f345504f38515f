// The demo runs end to end on this very process: it loads its own smaps, runs the script, forks
// with both strategies and reports identical children, the DONTFORK region left behind and the
// WIPEONFORK region emptied; then a worker reads the maps of a copy while the main thread changes
// it, and every text it rendered was a state the main thread passed through.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe.skipIf(process.platform !== "linux")("pnpm demo", () => {
  it("loads a live address space, forks it both ways, explains the child, reads it from a worker", () => {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@maplemm/source", join(root, "tools", "demo", "demo.ts")],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1", DEMO_SHARE_SECONDS: "1" },
        encoding: "utf8",
      },
    );
    expect(out).toMatch(/loaded \/proc\/self\/smaps: \d+ VMAs/);
    expect(out).toContain("children identical: yes");
    expect(out).toMatch(/\d+ of \d+ VMAs are DONTFORK/);
    expect(out).toMatch(
      /− [0-9a-f]+-[0-9a-f]+ rw-p .*\[rd wr mr mw me dc ac\] not copied: MADV_DONTFORK/,
    );
    expect(out).toMatch(/~ [0-9a-f]+-[0-9a-f]+ rw-p .*\[rd wr mr mw me ac wf\] wiped: 4 kB → 0 kB/);
    expect(out).toContain("the parent reads 0xbeef, the child 0x0");
    expect(out).toMatch(/a worker reads \/proc\/<pid>\/maps of a \d+-VMA copy/);
    expect(out).toMatch(/1 s {2}main thread \d+ syscalls\/s {2}worker \d+ reads\/s/);
    expect(out).toMatch(
      /worker rendered [1-9]\d* times .* different states; every one a state the main thread passed through: yes/,
    );
  });
});
