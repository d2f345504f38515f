// /proc/<pid>/maps rendering and parsing (linux-mm.md §6.10), checked byte for byte against the
// maps text the kernel printed in the oracle traces.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  MmError,
  MmStruct,
  parseProcMaps,
  parseVmFlags,
  renderMapsLine,
  vmFlagsToString,
} from "@maplemm/mm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const traces = join(import.meta.dirname, "..", "..", "..", "tools", "oracle", "traces");

interface Header {
  initial_maps: [string, string, string, string, string, number, string, string, number][];
  initial_maps_raw: string[];
}

function header(name: string): Header {
  const first = readFileSync(join(traces, "scenarios", name), "utf8").split("\n")[0] as string;
  return JSON.parse(first) as Header;
}

/** smaps-style text (maps line + VmFlags) from a header's VMA rows. */
function smapsOf(h: Header): string {
  return h.initial_maps
    .map(
      ([s, e, perms, off, dev, ino, name, flags]) =>
        `${BigInt(s).toString(16)}-${BigInt(e).toString(16)} ${perms} ${BigInt(off).toString(16)} ${dev} ${ino} ${name}\nVmFlags: ${flags}\n`,
    )
    .join("");
}

describe("the /proc maps renderer", () => {
  for (const scenario of ["render.jsonl", "brk.jsonl", "topdown.jsonl"]) {
    it(`renders the kernel's own initial maps of ${scenario} byte for byte`, () => {
      const h = header(scenario);
      const mm = MmStruct.fromProcMaps(smapsOf(h));
      expect(mm.procMaps()).toBe(`${h.initial_maps_raw.join("\n")}\n`);
    });
  }

  it("keeps a trailing space on lines without a name and pads named lines to column 73", () => {
    const mm = new MmStruct({ mmapBase: 0x7e0001000000 });
    mm.mmap(0x7e0000000000, 0x1000, 3, 0x32);
    mm.mmap(0x7e0000002000, 0x1000, 1, 0x31);
    const [anon, shm] = mm.procMaps().split("\n");
    expect(anon).toBe("7e0000000000-7e0000001000 rw-p 00000000 00:00 0 ");
    expect(shm?.indexOf("/dev/zero (deleted)")).toBe(73);
    expect(shm?.slice(0, 48)).toBe("7e0000002000-7e0000003000 r--s 00000000 00:01 1 ");
  });

  it.skipIf(process.platform !== "linux")(
    "renders this very process's /proc/self/smaps byte for byte",
    () => {
      const smaps = readFileSync("/proc/self/smaps", "utf8");
      const headers = smaps.split("\n").filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l));
      const mm = MmStruct.fromProcMaps(smaps);
      expect(mm.procMaps()).toBe(`${headers.join("\n")}\n`);
      expect(mm.vmas().length + mm.gateVmas.length).toBe(headers.length);
    },
  );

  it("prints every VMA as renderMapsLine does, whatever mix of anonymous, shared, heap and named VMAs", () => {
    // procMaps takes a short path for plain anonymous VMAs: it must print the general bytes.
    const base = 0x7e0000000000;
    const loaded = [
      "555555554000-555555556000 r--p 00000000 fe:00 1234 /usr/bin/true",
      "555555556000-555555559000 rw-p 00000000 00:00 0 [heap]",
      "7e0000000000-7e0000001000 rw-p 00000000 00:00 0 [anon:x]",
      "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]",
      "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]",
    ].join("\n");
    const op = fc.record({
      k: fc.constantFrom("mmap", "mmap", "munmap", "mprotect", "brk"),
      page: fc.integer({ min: 1, max: 63 }),
      pages: fc.integer({ min: 1, max: 4 }),
      prot: fc.constantFrom(0, 1, 3, 5, 7),
      shared: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const mm = MmStruct.fromProcMaps(loaded, { mmapBase: base + 64 * 4096 });
        for (const o of ops) {
          const at = base + o.page * 4096;
          const len = o.pages * 4096;
          if (o.k === "mmap") mm.mmap(at, len, o.prot, o.shared ? 0x31 : 0x32);
          else if (o.k === "munmap") mm.munmap(at, len);
          else if (o.k === "mprotect") mm.mprotect(at, len, o.prot);
          else mm.brk(0x555555559000 + o.pages * 4096);
        }
        const lines = [...mm.vmas(), ...mm.gateVmas].map((v) => `${renderMapsLine(v, mm)}\n`);
        expect(mm.procMaps()).toBe(lines.join(""));
      }),
      { seed: 0x6d6d, numRuns: 200 },
    );
  });

  it("parses what it renders back to the same records", () => {
    const h = header("render.jsonl");
    const mm = MmStruct.fromProcMaps(smapsOf(h));
    const again = MmStruct.fromProcMaps(mm.procMaps());
    expect(again.procMaps()).toBe(mm.procMaps());
  });

  it("reads smaps VmFlags and Anonymous fields", () => {
    const [m] = parseProcMaps(
      "7e0000000000-7e0000004000 rw-p 00000000 00:00 0 \nSize: 16 kB\nAnonymous: 8 kB\nVmFlags: rd wr mr mw me ac mg\n",
    );
    expect(m).toMatchObject({
      start: 0x7e0000000000,
      end: 0x7e0000004000,
      anonKb: 8,
      vmFlags: "rd wr mr mw me ac mg",
    });
  });

  it("rejects text that is not maps, naming the line", () => {
    expect(() => parseProcMaps("hello world\n")).toThrow(MmError);
    expect(() => parseProcMaps("hello world\n")).toThrow(/line 1/);
    expect(() => parseProcMaps("2000-1000 rw-p 00000000 00:00 0 \n")).toThrow(/bad range/);
  });
});

describe("VmFlags names", () => {
  const table: [string, number][] = [
    ["rd wr mr mw me ac", 0x100073],
    ["rd mr pf io de dd", 0x4044411],
    ["mr mw me nr dd", 0x4200070],
    ["rd wr mr mw me dc ac wf", 0x2120073],
  ];
  for (const [text, bits] of table) {
    it(`"${text}" is 0x${bits.toString(16)} and renders back in bit order`, () => {
      expect(parseVmFlags(text)).toEqual({ flags: bits, foreign: [] });
      expect(vmFlagsToString(bits)).toBe(text);
    });
  }

  it("keeps names of bits above 30 as foreign names", () => {
    expect(parseVmFlags("rd mg sl")).toEqual({ flags: 1, foreign: ["mg", "sl"] });
    expect(vmFlagsToString(1, ["mg"])).toBe("rd mg");
  });
});

describe("loading /proc maps text", () => {
  it("gives the pieces of one shmem object or file one shared object, sized to cover them all", () => {
    const text = [
      "7e0000000000-7e0000002000 rw-s 00000000 00:01 77                         /dev/zero (deleted)",
      "7e0000002000-7e0000003000 r--s 00002000 00:01 77                         /dev/zero (deleted)",
      "7e0000010000-7e0000011000 rw-s 00000000 00:01 78                         /dev/zero (deleted)",
      "7f0000000000-7f0000001000 r--p 00000000 fe:00 5                          /usr/lib/libx.so",
      "7f0000001000-7f0000003000 r-xp 00001000 fe:00 5                          /usr/lib/libx.so",
      "",
    ].join("\n");
    const mm = MmStruct.fromProcMaps(text);
    const [a, b, c, d, e] = mm.vmas();
    expect(a?.shmem).toBe(b?.shmem);
    expect(a?.shmem).not.toBe(c?.shmem);
    expect(a?.shmem?.sizePages).toBe(3);
    expect(d?.file).toBe(e?.file);
    expect(mm.procMaps()).toBe(text);
    // A new shared mapping gets an inode number above the loaded ones.
    const at = mm.mmap(0x7e0000020000, 4096, 3, 0x31);
    expect(mm.vma_lookup(at)?.shmem?.ino).toBe(79);
  });
});
