// The mm naming rule (README "Names"): a method is spelled as the kernel function it models
// (`mmget_not_zero`, `vma_lookup`, `mmap`) when the kernel has one, in camelCase when it is ours
// (`procMaps`, `shareMaps`), the same way on MmStruct and SharedMaps. The old camelCase spellings
// of kernel functions stay as deprecated aliases that do exactly what the new names do.

import { MmStruct, SharedMaps } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";
import { afterEach, describe, expect, it } from "vitest";

/** The kernel functions the two classes model (mm/, kernel/fork.c, fs/, the syscalls). */
const KERNEL = new Set([
  "mmap",
  "munmap",
  "mprotect",
  "mremap",
  "madvise",
  "brk",
  "fork",
  "find_vma",
  "find_vma_intersection",
  "vma_lookup",
  "mmget",
  "mmget_not_zero",
  "mmput",
  "mmgrab",
  "mmdrop",
  // The file, limit, locking and sealing syscalls.
  "memfd_create",
  "open",
  "close",
  "unlink",
  "ftruncate",
  "msync",
  "mincore",
  "mlock",
  "mlock2",
  "munlock",
  "mlockall",
  "munlockall",
  "mseal",
  "setrlimit",
  "getrlimit",
  "personality",
  "sysctl",
]);

/** Old spellings kept as deprecated aliases: old -> the kernel name. */
const DEPRECATED: Record<string, string> = {
  mmgetNotZero: "mmget_not_zero",
  vmaLookup: "vma_lookup",
};

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function methods(cls: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(cls.prototype).filter((n) => {
    const d = Object.getOwnPropertyDescriptor(cls.prototype, n);
    return n !== "constructor" && typeof d?.value === "function";
  });
}

describe.each([
  ["MmStruct", MmStruct],
  ["SharedMaps", SharedMaps],
] as const)("%s follows the naming rule", (_name, cls) => {
  it.each(methods(cls))("%s", (name) => {
    if (KERNEL.has(name)) return; // the kernel's own spelling
    if (name.includes("_")) {
      expect.fail(`${name} has an underscore but models no kernel function`);
    } else if (KERNEL.has(snake(name))) {
      // A camelCase spelling of a kernel function is only allowed as a deprecated alias.
      expect(DEPRECATED[name], `${name} should be spelled ${snake(name)}`).toBe(snake(name));
    } else {
      expect(name, `${name} should be camelCase`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    }
  });

  it("every kernel name either class has, the other spells the same way if it has it", () => {
    const own = new Set(methods(cls));
    const other = new Set(methods(cls === MmStruct ? SharedMaps : MmStruct));
    for (const name of own) {
      if (!KERNEL.has(name)) continue;
      for (const o of other) {
        if (o in DEPRECATED) expect(other.has(DEPRECATED[o] as string)).toBe(true);
        else expect(snake(o) === name && o !== name, `${o} vs ${name}`).toBe(false);
      }
    }
  });
});

const domains: SharedRcu[] = [];
afterEach(async () => {
  for (const d of domains.splice(0)) {
    await d.barrier();
    d.unregister();
  }
});

describe("deprecated SharedMaps spellings", () => {
  it("mmgetNotZero and vmaLookup do what mmget_not_zero and vma_lookup do", () => {
    const d = SharedRcu.create({ maxThreads: 2 });
    d.register();
    domains.push(d);
    const mm = new MmStruct();
    const addr = mm.mmap(0, 0x3000, 3, 0x22);
    const maps = mm.shareMaps({ domain: d });
    expect(maps.users).toBe(1);
    expect(maps.mmgetNotZero()).toBe(true);
    expect(maps.users).toBe(2);
    expect(maps.vmaLookup(addr + 0x1000)).toEqual(maps.vma_lookup(addr + 0x1000));
    expect(maps.vma_lookup(addr + 0x1000)?.start).toBe(addr);
    expect(() => maps.vmaLookup(-1)).toThrow(/SharedMaps.vma_lookup: addr must be/);
    maps.mmput();
    maps.mmput();
    expect(maps.mmgetNotZero()).toBe(false);
    expect(maps.mmget_not_zero()).toBe(false);
  });
});
