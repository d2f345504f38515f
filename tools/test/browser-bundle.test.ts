// Every package's browser entry bundles with esbuild for platform=browser without reaching a node:
// module, @maplemm/rcu's single-thread Rcu runs in a realm with no Node globals, and a bundle of
// `new MapleTree()` alone stays within its size budget. The bundles are built from dist/ (what a
// user's bundler sees), which the global setup brings up to date.
import { runInNewContext } from "node:vm";
import { MessageChannel } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const toolsDir = new URL("..", import.meta.url).pathname;
const SIZE_BUDGET = 20 * 1024;

async function bundle(contents: string, minify = false) {
  const r = await build({
    stdin: { contents, resolveDir: toolsDir, loader: "js" },
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "lib",
    minify,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: r.outputFiles[0]?.text ?? "", inputs: Object.keys(r.metafile.inputs) };
}

const ENTRIES = [
  "@maplemm/maple-tree",
  "@maplemm/maple-tree/kernel",
  "@maplemm/mm",
  "@maplemm/rcu",
];

describe("browser bundles (esbuild platform=browser)", () => {
  it.each(ENTRIES)("%s reaches no node: module", async (entry) => {
    const { inputs } = await bundle(`export * from ${JSON.stringify(entry)};`);
    expect(
      inputs.filter((p) => p.startsWith("node:") || /(^|\/)node_modules\/@types\/node/.test(p)),
    ).toEqual([]);
    expect(inputs.some((p) => p.includes("/dist/") || p.includes("platform-web"))).toBe(true);
  });

  it("@maplemm/rcu takes the web platform module, not the node one", async () => {
    const { inputs } = await bundle(`export { Rcu } from "@maplemm/rcu";`);
    expect(inputs.some((p) => p.endsWith("platform-web.js"))).toBe(true);
    expect(inputs.some((p) => p.endsWith("platform-node.js"))).toBe(false);
  });

  it("Rcu runs its grace periods in a realm without Node globals (MessageChannel, then setTimeout)", async () => {
    const { code } = await bundle(`export { Rcu } from "@maplemm/rcu";`);
    const script = `${code}
      (async () => {
        const freed = [];
        const rcu = new lib.Rcu({ reclaim: (id) => freed.push(id) });
        rcu.readLock();
        rcu.retire(7);
        rcu.readUnlock();
        let ran = false;
        rcu.callRcu(() => { ran = true; });
        await rcu.synchronize();
        await rcu.barrier();
        const g = rcu.acquire();
        const sync = rcu.synchronize();
        let done = false;
        sync.then(() => { done = true; });
        await new Promise((r) => setTimeout(r, 20));
        const waitedForGuard = !done;
        g.release();
        await sync;
        return { freed, ran, waitedForGuard, noProcess: typeof process, noImmediate: typeof setImmediate };
      })()`;
    for (const withChannel of [true, false]) {
      const globals: Record<string, unknown> = { setTimeout, clearTimeout, console, performance };
      let channel: MessageChannel | undefined;
      if (withChannel) {
        // A constructor function that returns the real channel, so the test can close it.
        globals.MessageChannel = function WebChannel() {
          channel = new MessageChannel();
          return channel;
        };
      }
      const out = await (runInNewContext(script, globals) as Promise<Record<string, unknown>>);
      channel?.port1.close();
      expect(channel !== undefined, "the MessageChannel path was taken").toBe(withChannel);
      expect(out, `withChannel=${withChannel}`).toEqual({
        freed: [7],
        ran: true,
        waitedForGuard: true,
        noProcess: "undefined",
        noImmediate: "undefined",
      });
    }
  });

  it(`new MapleTree() alone stays within ${SIZE_BUDGET / 1024} KB min+gzip`, async () => {
    const { code } = await bundle(
      `import { MapleTree } from "@maplemm/maple-tree"; globalThis.tree = new MapleTree();`,
      true,
    );
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(
      `size budget: new MapleTree() = ${(code.length / 1024).toFixed(1)} KB min, ${(gz / 1024).toFixed(1)} KB min+gzip (budget ${SIZE_BUDGET / 1024} KB)`,
    );
    expect(gz).toBeLessThanOrEqual(SIZE_BUDGET);
  });
});
