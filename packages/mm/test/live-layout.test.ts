// fromProcMaps on a live process: the maps of a real ASLR process on 6.18 (fixtures/
// live-aslr.maps, read by the process itself) give the mmap base and task size, so the next
// mmaps land where the kernel put them (0x7ff57836b000, then 3 MiB at 0x7ff577e7d000), not above
// [stack]. smaps Anonymous/AnonHugePages become present pages; inherited anon_vmas stop merges.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MmStruct, TASK_SIZE_64 } from "@maplemm/mm";
import { describe, expect, it } from "vitest";

const LIVE = readFileSync(join(import.meta.dirname, "fixtures", "live-aslr.maps"), "utf8");
const PRIV = MAP_PRIVATE | MAP_ANONYMOUS;

describe("fromProcMaps on a live process", () => {
  it("infers mmap_base (the loader's end) and TASK_SIZE; mmaps land as on Linux", () => {
    const mm = MmStruct.fromProcMaps(LIVE);
    expect(mm.mmapBase).toBe(0x7ff5783ab000);
    expect(mm.taskSize).toBe(TASK_SIZE_64);
    expect(mm.mmap(0, 4096, 3, PRIV)).toBe(0x7ff57836b000);
    expect(mm.mmap(0, 0x300000, 3, PRIV)).toBe(0x7ff577e7d000);
    // Without the inference (the old default base) the mapping went above [stack].
    const old = MmStruct.fromProcMaps(LIVE, { mmapBase: 0x7ffff7fff000 });
    expect(old.mmap(0, 4096, 3, PRIV)).toBeGreaterThan(0x7ffc00000000);
  });

  it("a mapping above 2^47 (other than [vsyscall]) means 5-level paging: refused, clearly", () => {
    const text =
      "7ffff7fff000-7ffff8000000 rw-p 00000000 00:00 0\n" +
      "ff7ffffde000-ff7ffffff000 rw-p 00000000 00:00 0                          [stack]\n";
    expect(() => MmStruct.fromProcMaps(text)).toThrow(/5-level paging .* is not modelled/);
    expect(MmStruct.fromProcMaps(text, { taskSize: TASK_SIZE_64 }).taskSize).toBe(TASK_SIZE_64);
  });

  it("smaps Anonymous and AnonHugePages become present pages and huge PMDs", () => {
    const text = [
      "7e0000000000-7e0000400000 rw-p 00000000 00:00 0 ",
      "Anonymous:          2060 kB",
      "AnonHugePages:      2048 kB",
      "VmFlags: rd wr mr mw me ac hg ",
    ].join("\n");
    const mm = MmStruct.fromProcMaps(text);
    expect(mm.procSmaps()).toMatch(/Anonymous: +2060 kB\n[\s\S]*AnonHugePages: +2048 kB\n/);
  });

  it("inheritedAnonVma: loaded VMAs with pages keep neighbours from merging, as after fork", () => {
    const text =
      "7e0000000000-7e0000004000 rw-p 00000000 00:00 0 \nAnonymous: 8 kB\nVmFlags: rd wr mr mw me ac \n";
    for (const [inherited, count] of [
      [false, 1],
      [true, 2],
    ] as const) {
      const mm = MmStruct.fromProcMaps(text, { inheritedAnonVma: inherited });
      expect(mm.mmap(0x7e0000004000, 4096, 3, PRIV | MAP_FIXED)).toBe(0x7e0000004000);
      expect(mm.vmas(0x7e0000000000, 0x7e0000010000).length).toBe(count);
    }
  });
});
