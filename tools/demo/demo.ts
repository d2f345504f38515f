// `pnpm demo` (tools): loads the address space of a live process of this machine (this process's
// own /proc/self/smaps by default, or `--pid N`) into an MmStruct, runs a short script on it (map,
// protect, unmap, a DONTFORK and a WIPEONFORK region, a few writes), forks it with both dup_mmap
// strategies, and shows the child's maps, what changed, and how long each fork took. Last, a
// worker thread reads the /proc maps of a copy of that address space (shared maps) while
// the main thread keeps mapping, protecting and unmapping in it, with reads and writes per second
// and a check that every text the worker rendered was a state the main thread passed through.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import {
  MADV_DONTFORK,
  MADV_WIPEONFORK,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MmStruct as Mm,
  type MmStruct,
  PROT_READ,
  PROT_WRITE,
  renderMapsLine,
  type Vma,
} from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";
import { orUsageExit, parseCommandLine, UsageError } from "../replay/cli.js";

const HELP = `Usage: pnpm demo [--pid N] [--seconds S]

Loads the address space of a live process (this one by default) from /proc/<pid>/smaps into an
MmStruct, runs a short script on it (mmap, mprotect, munmap, a MADV_DONTFORK and a
MADV_WIPEONFORK region, a write), forks it with both dup_mmap strategies and shows what the child
got; then a worker thread reads /proc/<pid>/maps of a copy while the main thread keeps changing it.

Options:
  --pid N       load /proc/N/smaps instead of this process's own
  --seconds S   how long the worker part runs (default 2, or DEMO_SHARE_SECONDS)
  -h, --help    show this help
  --version     show the version

Words in the output:
  [rd wr mr mw me ac wf]  the VmFlags column of /proc/<pid>/smaps: rd readable, wr writable,
                ex executable, sh shared, mr/mw/me may read/write/execute (what mprotect may
                grant), ac accounted (counts toward the commit limit), dc do not copy on fork
                (MADV_DONTFORK), wf wipe on fork (MADV_WIPEONFORK), gd grows down (stack)
  seed          the fork of kernels 6.1-6.7: reserve nodes (mas_expected_entries), walk the
                parent's tree and store every VMA that is copied into the child's empty tree
  modern        the fork of kernels >= 6.8: duplicate the tree node for node (__mt_dup), then
                replace each entry in place and erase the DONTFORK ranges one by one
  DONTFORK      VMAs marked MADV_DONTFORK are not copied. "seed" skips them for free; "modern"
                copied them with the tree and must erase each afterwards, so the more VMAs are
                DONTFORK (a Node process marks most of its own: 171 of 268 on the machine this
                was written on) the less "modern" gains, and it can come out slower. The demo
                prints the count for the process it loaded.

Exit status: 0 done, 1 a check failed, 2 usage error (bad flag, unreadable process).`;

const cli = orUsageExit("demo", () => {
  const { values, positionals } = parseCommandLine(
    "demo",
    process.argv.slice(2),
    { pid: { type: "string" }, seconds: { type: "string" } },
    HELP,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const pid = values.pid ?? "self";
  if (pid !== "self" && !/^[1-9]\d*$/.test(pid)) {
    throw new UsageError(`--pid must be a process id, got ${JSON.stringify(pid)}`);
  }
  const seconds = Number(values.seconds ?? process.env.DEMO_SHARE_SECONDS ?? 2);
  if (!(seconds > 0 && seconds <= 600)) {
    throw new UsageError(`--seconds must be a number in (0, 600], got ${values.seconds}`);
  }
  return { pid, seconds };
});

const tty = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint("1");
const dim = paint("2");
const green = paint("32");
const red = paint("31");
const yellow = paint("33");
const cyan = paint("36");

const P = 4096;
const hex = (n: number): string => `0x${n.toString(16)}`;
const size = (bytes: number): string =>
  bytes >= 1 << 30
    ? `${(bytes / (1 << 30)).toFixed(1)} GiB`
    : bytes >= 1 << 20
      ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
      : `${(bytes / 1024).toFixed(0)} KiB`;

const pid = cli.pid;
const source = `/proc/${pid}/smaps`;
function read(): string {
  for (const f of [source, `/proc/${pid}/maps`]) {
    try {
      return readFileSync(f, "utf8");
    } catch {
      // try the next file
    }
  }
  return orUsageExit("demo", () => {
    throw new UsageError(
      `cannot read /proc/${pid}/smaps or /proc/${pid}/maps (no such process, or no permission)`,
    );
  });
}
const text = read();

// A live process has ASLR: put the top of the mmap area 128 MiB below its stack, as the kernel
// does with an 8 MiB stack rlimit.
const stackLine = text.split("\n").find((l) => l.endsWith("[stack]"));
const stackStart =
  stackLine === undefined ? 0x7ffffffde000 : Number.parseInt(stackLine.split("-")[0] as string, 16);
const mm: MmStruct = Mm.fromProcMaps(text, {
  mmapBase: stackStart - 128 * 1024 * 1024 - (stackStart % P),
});

const vmasBefore = mm.vmas();
const mapped = vmasBefore.reduce((s, v) => s + (v.end - v.start), 0);
console.log(bold("maplemm — a Linux address space whose VMAs live in a maple tree"));
console.log(
  `${dim("loaded")} ${source}: ${bold(String(vmasBefore.length))} VMAs, ${size(mapped)} mapped, tree of height ${mm.tree.mt.height}`,
);
console.log();

const RW = PROT_READ | PROT_WRITE;
const PRIV = MAP_PRIVATE | MAP_ANONYMOUS;
const steps: [string, () => number | string][] = [];
let a = 0;
let dontfork = 0;
let wipe = 0;
steps.push([
  `mmap 16 pages rw- private`,
  () => {
    a = mm.mmap(0, 16 * P, RW, PRIV);
    return a;
  },
]);
steps.push([`write a marker into page 0`, () => mm.touch(a, true, 0xfeed)]);
steps.push([`mprotect pages 4–7 read-only`, () => mm.mprotect(a + 4 * P, 4 * P, PROT_READ)]);
steps.push([`munmap pages 12–15`, () => mm.munmap(a + 12 * P, 4 * P)]);
steps.push([
  `mmap 8 pages, then MADV_DONTFORK`,
  () => {
    dontfork = mm.mmap(0, 8 * P, RW, PRIV);
    return mm.madvise(dontfork, 8 * P, MADV_DONTFORK);
  },
]);
steps.push([
  `mmap 8 pages, write, then MADV_WIPEONFORK`,
  () => {
    wipe = mm.mmap(0, 8 * P, RW, PRIV);
    mm.touch(wipe, true, 0xbeef);
    return mm.madvise(wipe, 8 * P, MADV_WIPEONFORK);
  },
]);
console.log(bold("script"));
steps.forEach(([what, run], i) => {
  const r = run();
  const shown = typeof r === "number" && r > 0xffff ? hex(r) : String(r);
  const ok = typeof r === "number" ? r >= 0 : false;
  console.log(
    `  ${dim(`${i + 1}.`)} ${what.padEnd(44)} ${dim("→")} ${ok || r === 0 ? green(shown) : red(shown)}`,
  );
});
console.log();

function timeFork(strategy: "seed" | "modern"): { ms: number; child: MmStruct } {
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const c = mm.fork(strategy);
    times.push(performance.now() - t0);
    c.mmput();
  }
  times.sort((x, y) => x - y);
  return { ms: times[times.length >> 1] as number, child: mm.fork(strategy) };
}

const seed = timeFork("seed");
const modern = timeFork("modern");
const same = seed.child.procMaps() === modern.child.procMaps();
console.log(bold("fork (dup_mmap), median of 30"));
console.log(
  `  seed   ${dim("kernels 6.1-6.7: walk the parent, one mas_store per copied VMA")}      ${cyan(`${seed.ms.toFixed(3)} ms`)}`,
);
console.log(
  `  modern ${dim("kernels >= 6.8: __mt_dup the tree, fix entries, erase DONTFORK")}  ${cyan(`${modern.ms.toFixed(3)} ms`)}`,
);
console.log(`  children identical: ${same ? green("yes") : red("NO")}`);
const parentVmas = mm.vmas();
const dontForkCount = parentVmas.filter((v) => /\bdc\b/.test(v.vmFlags)).length;
console.log(
  `  ${bold(`${dontForkCount} of ${parentVmas.length}`)} VMAs are DONTFORK ${dim("(VmFlags dc; this process marked most of them itself)")}`,
);
console.log(
  dim(
    `  seed skips a DONTFORK VMA for free; modern duplicates the whole tree, then erases each of the ${dontForkCount}`,
  ),
);
console.log(
  dim(
    `  one store at a time: ${modern.ms > seed.ms ? "here that makes modern the slower one; with few DONTFORK VMAs (most processes) it is the faster" : "modern is faster even so; the more DONTFORK VMAs, the less it gains"}`,
  ),
);
console.log();

const child = seed.child;
const key = (v: Vma): string => `${v.start}-${v.end}`;
const inChild = new Map(child.vmas().map((v) => [key(v), v] as const));
const scriptLo = Math.min(a, dontfork, wipe);
const scriptHi = Math.max(a + 16 * P, dontfork + 8 * P, wipe + 8 * P);
const ours = (v: Vma): boolean => v.start < scriptHi && v.end > scriptLo;
let identical = 0;
let theirsDropped = 0;
let theirsWiped = 0;
const lines: string[] = [];
for (const v of mm.vmas()) {
  const c = inChild.get(key(v));
  const line = renderMapsLine(v, mm).trimEnd();
  if (c === undefined) {
    if (ours(v))
      lines.push(
        `  ${red("−")} ${line}  ${yellow(`[${v.vmFlags}]`)} ${dim("not copied: MADV_DONTFORK")}`,
      );
    else theirsDropped++;
  } else if (mm.anonKb(v) !== child.anonKb(c)) {
    if (ours(v)) {
      lines.push(
        `  ${yellow("~")} ${line}  ${yellow(`[${v.vmFlags}]`)} ${dim(`wiped: ${mm.anonKb(v)} kB → ${child.anonKb(c)} kB`)}`,
      );
    } else theirsWiped++;
  } else identical++;
}
console.log(bold("what the child got"));
console.log(
  dim(
    "  [VmFlags]: rd/wr/ex readable/writable/executable, mr/mw/me may read/write/execute, ac accounted, dc DONTFORK, wf WIPEONFORK",
  ),
);
for (const l of lines) console.log(l);
console.log(
  `  ${green("=")} ${identical} VMAs copied 1:1 (same boundaries, perms, offset, VmFlags, COW pages)`,
);
if (theirsDropped + theirsWiped > 0) {
  console.log(
    `  ${dim("·")} ${theirsDropped} VMAs the process itself had marked DONTFORK stay behind${theirsWiped > 0 ? `, ${theirsWiped} WIPEONFORK ones arrive empty` : ""}`,
  );
}
console.log(
  `  ${dim("·")} at the WIPEONFORK page the parent reads ${hex(mm.peek(wipe) as number)}, the child ${hex(child.peek(wipe) as number)}; at the first page both read ${hex(child.peek(a) as number)}`,
);
console.log();
console.log(bold("child /proc/<pid>/maps around the script"));
for (const v of child.vmas(scriptLo - 64 * P, scriptHi + 64 * P))
  console.log(`  ${renderMapsLine(v, child)}`);
child.mmput();
modern.child.mmput();
console.log();

// ---------------------------------------------------------------- shared maps read from a worker

const SHARE_SECONDS = cli.seconds;
/** The worker runs plain Node on the packages' dist/: bring it up to date (incremental). */
function buildDist(): void {
  const root = new URL("../../", import.meta.url);
  const tsc = createRequire(new URL("tools/package.json", root)).resolve("typescript/bin/tsc");
  const projects = ["maple-tree", "rcu", "mm"].map(
    (p) => new URL(`packages/${p}/tsconfig.json`, root).pathname,
  );
  execFileSync(process.execPath, [tsc, "-b", ...projects], { stdio: "inherit" });
}

async function sharedMapsDemo(): Promise<void> {
  buildDist();
  const rcu = SharedRcu.create({ maxThreads: 4 });
  rcu.register();
  const live = Mm.fromProcMaps(text, { mmapBase: mm.mmapBase });
  const maps = live.shareMaps({ domain: rcu });
  const sha1 = (s: string): string => createHash("sha1").update(s).digest("hex");
  const states = new Set<string>([sha1(live.procMaps())]);
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(new URL("./maps-reader.mjs", import.meta.url), {
    workerData: { rcu: rcu.memory ?? rcu.buffer, handle: maps.handle, ctl },
    execArgv: [],
  });
  rcu.watchWorker(worker);
  const result = new Promise<{ renders: number; renderUs: number; hashes: [string, number][] }>(
    (resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    },
  );
  await Atomics.waitAsync(ctl, 2, 0, 20_000).value;

  // A 256-page window of the top-down area to churn in.
  const win = live.mmap(0, 256 * P, RW, PRIV);
  states.add(sha1(live.procMaps())); // the worker is already reading: every state counts
  live.munmap(win, 256 * P);
  states.add(sha1(live.procMaps()));
  let x = 0x9e3779b9;
  const rand = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  console.log(
    bold(
      `shared maps: a worker reads /proc/<pid>/maps of a ${live.vmas().length}-VMA copy while the main thread changes it`,
    ),
  );
  let writes = 0;
  let lastWrites = 0;
  let lastReads = Atomics.load(ctl, 1);
  const t0 = performance.now();
  let next = t0 + 1000;
  for (;;) {
    for (let k = 0; k < 16; k++) {
      const at = win + rand(240) * P;
      const len = (1 + rand(16)) * P;
      const op = rand(4);
      if (op === 0) live.mmap(at, len, rand(2) === 0 ? PROT_READ : RW, PRIV | MAP_FIXED);
      else if (op === 1) live.mprotect(at, len, rand(2) === 0 ? PROT_READ : RW);
      else if (op === 2) live.munmap(at, len);
      else live.madvise(at, len, rand(2) === 0 ? MADV_DONTFORK : MADV_WIPEONFORK);
      states.add(sha1(live.procMaps()));
      writes++;
    }
    // A macrotask between bursts: grace periods end, retired records and nodes come back.
    await new Promise((r) => setImmediate(r));
    const now = performance.now();
    if (now >= next) {
      const reads = Atomics.load(ctl, 1);
      const sec = (now - t0) / 1000;
      console.log(
        `  ${dim(`${sec.toFixed(0)} s`)}  main thread ${cyan(`${writes - lastWrites} syscalls/s`)}  worker ${cyan(`${reads - lastReads} reads/s`)}`,
      );
      lastWrites = writes;
      lastReads = reads;
      next += 1000;
      if (sec >= SHARE_SECONDS - 0.01) break;
    }
  }
  Atomics.store(ctl, 0, 1);
  const got = await result;
  const foreign = got.hashes.filter(([h]) => !states.has(h)).length;
  console.log(
    `  worker rendered ${got.renders} times (${got.renderUs.toFixed(0)} µs each, retries included), ${got.hashes.length} different states; every one a state the main thread passed through: ${foreign === 0 ? green("yes") : red(`NO (${foreign} mixed)`)}`,
  );
  live.mmput();
  await worker.terminate();
  await rcu.barrier();
  rcu.unregister();
}

await sharedMapsDemo();
