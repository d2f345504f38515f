// `pnpm test:browser`: the built playground in a real Chromium (Debian's `chromium`, driven by
// playwright-core through its executablePath: no browser download). Operations go through the
// page's forms and buttons; what the page draws is checked against the same operations run here
// in Node, and screenshots of each view go to .ci/out/.

import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without declarations
import { serve } from "../scripts/serve.mjs";
import { MmSession } from "../src/mm-session.js";
import { replayForSteps } from "../src/mm-trace.js";
import type { PicNode, Picture } from "../src/picture.js";
import { SAMPLE_MAPS } from "../src/sample-maps.js";
import { parseScript } from "../src/tree-script.js";
import { TreeSession } from "../src/tree-session.js";

const repo = join(import.meta.dirname, "..", "..", "..");
const shots = join(repo, ".ci", "out");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

let browser: Browser;
let page: Page;
let server: { close(): void };
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const s = (await serve(0)) as { server: { close(): void }; url: string };
  server = s.server;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(s.url);
  await page.waitForSelector("#tree-svg svg");
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

const SCRIPT = Array.from({ length: 120 }, (_, i) => `store ${i * 10} ${i * 10 + 4} ${i + 1}`).join(
  "\n",
);

async function runForm(op: string, a: string, b = "", c = "", d = ""): Promise<void> {
  await page.selectOption("#tree-op", op);
  for (const [id, v] of [
    ["#tree-a", a],
    ["#tree-b", b],
    ["#tree-c", c],
    ["#tree-d", d],
  ] as const) {
    if (await page.isVisible(id)) await page.fill(id, v);
  }
  await page.click("#tree-run");
}

describe("maple tree view", () => {
  it("draws the tree the library builds for the same operations", async () => {
    await page.click("#tree-new-alloc");
    await page.click("details:has(#tree-script) summary");
    await page.fill("#tree-script", SCRIPT);
    await page.click("#tree-script-run");
    await runForm("store", "55", "58", "999");
    await runForm("walk", "452");
    const node = new TreeSession(true);
    for (const op of parseScript(`${SCRIPT}\nstore 55 58 999\nwalk 452`)) node.run(op);
    const want = node.steps.at(-1) as (typeof node.steps)[number];
    const nodes = (want.picture as Extract<Picture, { root: "node" }>).nodes;
    expect(await page.locator("#tree-svg g.node").count()).toBe(nodes.length);
    const rootPivots = await page
      .locator('#tree-svg g.node[data-pos="0"] text.pivot')
      .allTextContents();
    expect(rootPivots.filter((t) => t !== "")).toEqual((nodes[0] as PicNode)[3].map(String));
    expect(await page.locator("#tree-svg g.node.on-path").count()).toBe(want.path.length);
    expect(await page.textContent("#tree-state")).toBe(
      `mas: index ${want.state.index}, last ${want.state.last}, status active, node ${want.state.node}, offset ${want.state.offset}`,
    );
    expect(await page.textContent("#tree-result")).toBe("walk 452: entry 46");
    await page.screenshot({ path: join(shots, "playground-tree.png"), fullPage: false });
  });

  it("bad input shows the library's message and changes nothing", async () => {
    const before = await page.innerHTML("#tree-svg");
    for (const [a, b] of [
      ["abc", "5"],
      ["50", "40"],
    ] as const) {
      await runForm("store", a, b, "1");
      expect(await page.getAttribute("#tree-result", "class")).toContain("error");
      expect(await page.innerHTML("#tree-svg")).toBe(before);
    }
    const msg = await page.textContent("#tree-result");
    const node = new TreeSession(true);
    expect(msg).toBe(
      `store 50 40 1: ${node.run({ op: "store", first: 50, last: 40, value: 1 }).result}`,
    );
  });

  it("steps back through the history", async () => {
    const last = await page.innerHTML("#tree-svg");
    await page.click("#tree-back");
    await page.click("#tree-back");
    expect(await page.textContent("#tree-step-text")).toMatch(/^step \d+ of \d+$/);
    await page.click("#tree-fwd");
    await page.click("#tree-fwd");
    expect(await page.innerHTML("#tree-svg")).toBe(last);
  });

  const traceDir = join(repo, "tools", "oracle", "maple-struct");
  it.runIf(existsSync(traceDir))("replays a kernel structural trace beside ours", async () => {
    const file = readdirSync(traceDir).find((f) => f.startsWith("random-s0002"));
    await page.click("details:has(#trace-file) summary");
    await page.setInputFiles("#trace-file", join(traceDir, file as string));
    await page.waitForSelector("#kernel-svg svg");
    expect(await page.textContent("#trace-text")).toMatch(/^op 0 of \d+: init/);
    await page.click("#trace-fwd");
    expect(await page.textContent("#trace-text")).toMatch(/^op 1 of /);
    // The next operation after which our tree is not the kernel's, if there is one: its nodes
    // are marked; when every tree agrees the button stays put and nothing is marked.
    await page.click("#trace-next-diff");
    const text = (await page.textContent("#trace-text")) as string;
    const marked = await page.locator("#tree-svg g.node.differs").count();
    if (text.endsWith("same tree")) expect(marked).toBe(0);
    else expect(marked).toBeGreaterThan(0);
    await page.fill("#trace-goto", "400");
    await page.dispatchEvent("#trace-goto", "change");
    expect(await page.textContent("#trace-text")).toMatch(/^op 400 of /);
    expect(await page.locator("#kernel-svg g.node").count()).toBeGreaterThan(1);
    expect(await page.locator("#tree-svg g.node").count()).toBe(
      await page.locator("#kernel-svg g.node").count(),
    );
    await page.screenshot({ path: join(shots, "playground-trace.png") });
  });
});

describe("address space view", () => {
  const PRIV = "0x22";
  async function mm(
    op: string,
    addr: string,
    len: string,
    extra?: () => Promise<unknown>,
  ): Promise<void> {
    await page.selectOption("#mm-op", op);
    await page.fill("#mm-addr", addr);
    await page.fill("#mm-len", len);
    if (extra !== undefined) await extra();
    await page.click("#mm-run");
  }

  it("shows the maps the model gives for the same syscalls, and the child after fork", async () => {
    await page.click('nav .tab[data-tab="mm"]');
    await page.click("#mm-sample");
    const node = new MmSession(SAMPLE_MAPS);
    expect(await page.textContent("#mm-maps")).toBe(node.steps[0]?.maps);
    for (let i = 0; i < 6; i++) {
      await mm("mmap", "0", "0x4000", () => page.selectOption("#mm-flags", PRIV));
      node.run({ op: "mmap", addr: 0, len: 0x4000, prot: 3, flags: 0x22 });
    }
    const top = node.steps.at(-1)?.vmas.at(-1)?.start as number;
    await mm("mprotect", `0x${(top + 0x1000).toString(16)}`, "0x1000", async () => {
      await page.uncheck("#mm-prot-w");
    });
    node.run({ op: "mprotect", addr: top + 0x1000, len: 0x1000, prot: 1 });
    await page.check("#mm-prot-w");
    await mm("fork", "0", "0", () => page.selectOption("#mm-strategy", "modern"));
    const want = node.run({ op: "fork", strategy: "modern" });
    expect(await page.textContent("#mm-maps")).toBe(want.maps);
    expect(await page.textContent("#mm-child-maps")).toBe(want.child?.maps);
    expect(await page.locator("#mm-strip g.vma").count()).toBe(want.vmas.length);
    await page.screenshot({ path: join(shots, "playground-mm.png") });
  });

  it("steps through a Linux trace, the model's maps beside the kernel's recorded VMAs", async () => {
    const file = join(repo, "tools", "oracle", "traces", "scenarios", "fork_anon.jsonl");
    const want = replayForSteps(readFileSync(file, "utf8"), "fork_anon.jsonl", "seed");
    await page.click("details:has(#mmtrace-file) summary");
    await page.setInputFiles("#mmtrace-file", file);
    await page.waitForFunction(() =>
      document.getElementById("mmtrace-text")?.textContent?.startsWith("op "),
    );
    expect(await page.textContent("#mmtrace-text")).toContain(
      `${want.agreed}/${want.ops} ops agree, every op agrees`,
    );
    for (let i = 0; i < 3; i++) await page.click("#mmtrace-fwd");
    const step = want.steps[3];
    expect(await page.textContent("#mm-maps")).toBe(step?.maps);
    expect(await page.textContent("#mm-kernel-maps")).toBe(step?.kernel);
    expect(await page.locator("#mm-strip g.vma").count()).toBe(step?.vmas.length);
    await page.screenshot({ path: join(shots, "playground-mm-trace.png") });
    await page.click("#mm-new");
    expect(await page.isVisible("#mm-kernel-pane")).toBe(false);
  });

  it("bad input shows the error and changes nothing", async () => {
    const before = await page.textContent("#mm-maps");
    await mm("munmap", "0x1001", "0x1000");
    expect(await page.textContent("#mm-result")).toMatch(/= -EINVAL$/);
    await mm("mmap", "zz", "0x1000");
    expect(await page.getAttribute("#mm-result", "class")).toContain("error");
    expect(await page.textContent("#mm-maps")).toBe(before);
  });
});

describe("shared maps view", () => {
  it("a worker reads the maps lock-free, every render a state of the page", async () => {
    await page.click('nav .tab[data-tab="shared"]');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.click("#shared-start");
    await page.waitForFunction(
      () => Number(document.getElementById("shared-checked")?.textContent) > 500,
      null,
      {
        timeout: 30_000,
      },
    );
    await page.screenshot({ path: join(shots, "playground-shared.png") });
    await page.click("#shared-stop");
    await page.waitForFunction(() =>
      document.getElementById("shared-status")?.textContent?.startsWith("stopped"),
    );
    const n = async (id: string): Promise<number> => Number(await page.textContent(id));
    expect(await n("#shared-writes")).toBeGreaterThan(0);
    expect(await n("#shared-reads")).toBeGreaterThan(0);
    expect(await n("#shared-mixed")).toBe(0);
    expect(await page.textContent("#shared-status")).toBe(
      "stopped: every render was a state of the page",
    );
  });
});

describe("benchmarks view", () => {
  it("draws a chart per recorded bench file", async () => {
    await page.click('nav .tab[data-tab="bench"]');
    const dir = join(repo, "docs", "bench");
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    if (files.length === 0) {
      expect(await page.textContent("#bench-body")).toMatch(/No benchmark has been recorded/);
    } else {
      await page.waitForSelector("#bench-body svg, #bench-body pre");
      const shown = await page.locator("#bench-body svg, #bench-body pre").count();
      expect(shown).toBe(files.length);
      JSON.parse(readFileSync(join(dir, files[0] as string), "utf8"));
    }
    await page.screenshot({ path: join(shots, "playground-bench.png") });
    expect(pageErrors).toEqual([]);
  });
});
