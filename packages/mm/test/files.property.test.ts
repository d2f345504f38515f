// Property test of the file model against a simple reference: per arena page, which file page it
// maps (shared or private, with the private copy once written), and per file its size and page
// cache. Random mmap/munmap/touch/ftruncate sequences, with fork children writing, must give every
// page the value (or SIGBUS / SIGSEGV) the reference says, and keep the maple tree valid.
// fast-check seed from SEED.
import { mt_validate } from "@maplemm/maple-tree/kernel";
import { MAP_FIXED, MAP_PRIVATE, MAP_SHARED, type MmStruct } from "@maplemm/mm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arenaMm, P, pg } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);
const PAGES = 32;
const FILES = 3;

type Op =
  | { k: "mmap"; at: number; n: number; f: number; off: number; shared: boolean; rw: boolean }
  | { k: "munmap"; at: number; n: number }
  | { k: "touch"; at: number; write: boolean; val: number }
  | { k: "truncate"; f: number; pages: number }
  | { k: "child"; at: number; val: number };

const at = fc.integer({ min: 0, max: PAGES - 1 });
const n = fc.integer({ min: 1, max: 8 });
const f = fc.integer({ min: 0, max: FILES - 1 });
const val = fc.integer({ min: 1, max: 0xffff });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant("mmap" as const),
    at,
    n,
    f,
    off: fc.integer({ min: 0, max: 12 }),
    shared: fc.boolean(),
    rw: fc.boolean(),
  }),
  fc.record({ k: fc.constant("munmap" as const), at, n }),
  fc.record({ k: fc.constant("touch" as const), at, write: fc.boolean(), val }),
  fc.record({ k: fc.constant("touch" as const), at, write: fc.constant(true), val }),
  fc.record({ k: fc.constant("truncate" as const), f, pages: fc.integer({ min: 0, max: 16 }) }),
  fc.record({ k: fc.constant("truncate" as const), f, pages: fc.integer({ min: 0, max: 16 }) }),
  fc.record({ k: fc.constant("child" as const), at, val }),
);

interface RefPage {
  f: number;
  idx: number;
  shared: boolean;
  rw: boolean;
  copy: number | undefined;
}

class Ref {
  pages: (RefPage | null)[] = Array.from({ length: PAGES }, () => null);
  size: number[] = Array.from({ length: FILES }, () => 8);
  cache: Map<number, number>[] = Array.from({ length: FILES }, () => new Map());

  /** What a read of page `p` returns. */
  read(p: number): number | "SIGBUS" | "SIGSEGV" {
    const pg_ = this.pages[p];
    if (pg_ == null) return "SIGSEGV";
    if (pg_.idx >= (this.size[pg_.f] as number)) return "SIGBUS";
    if (!pg_.shared && pg_.copy !== undefined) return pg_.copy;
    return (this.cache[pg_.f] as Map<number, number>).get(pg_.idx) ?? 0;
  }

  /** A write of `v` to page `p` by this process (or a fork child: `child`). */
  write(p: number, v: number, child: boolean): 0 | "SIGBUS" | "SIGSEGV" {
    const r = this.read(p);
    if (typeof r === "string") return r;
    const pg_ = this.pages[p] as RefPage;
    if (!pg_.rw) return "SIGSEGV";
    if (pg_.shared) (this.cache[pg_.f] as Map<number, number>).set(pg_.idx, v);
    else if (!child) pg_.copy = v;
    return 0;
  }
}

function apply(mm: MmStruct, fds: number[], ref: Ref, op: Op): void {
  switch (op.k) {
    case "mmap": {
      const len = Math.min(op.n, PAGES - op.at);
      const flags = (op.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED;
      const prot = op.rw ? 3 : 1;
      const r = mm.mmap(pg(op.at), len * P, prot, flags, fds[op.f] as number, op.off * P);
      expect(r).toBe(pg(op.at));
      for (let i = 0; i < len; i++) {
        ref.pages[op.at + i] = {
          f: op.f,
          idx: op.off + i,
          shared: op.shared,
          rw: op.rw,
          copy: undefined,
        };
      }
      return;
    }
    case "munmap": {
      const len = Math.min(op.n, PAGES - op.at);
      expect(mm.munmap(pg(op.at), len * P)).toBe(0);
      for (let i = 0; i < len; i++) ref.pages[op.at + i] = null;
      return;
    }
    case "touch":
      if (op.write) expect(mm.touch(pg(op.at), true, op.val)).toBe(ref.write(op.at, op.val, false));
      else
        expect(mm.touch(pg(op.at), false)).toBe(
          ((r) => (typeof r === "string" ? r : 0))(ref.read(op.at)),
        );
      return;
    case "truncate": {
      expect(mm.ftruncate(fds[op.f] as number, op.pages * P)).toBe(0);
      ref.size[op.f] = op.pages;
      const cache = ref.cache[op.f] as Map<number, number>;
      for (const idx of [...cache.keys()]) if (idx >= op.pages) cache.delete(idx);
      for (const p of ref.pages)
        if (p !== null && p.f === op.f && p.idx >= op.pages) p.copy = undefined;
      return;
    }
    case "child": {
      const child = mm.fork();
      expect(child.touch(pg(op.at), true, op.val)).toBe(ref.write(op.at, op.val, true));
      child.mmput();
    }
  }
}

describe("the file model against a page-by-page reference", () => {
  it(`gives every page the reference's value, SIGBUS or SIGSEGV (SEED=${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 40 }), (ops) => {
        const mm = arenaMm();
        const fds: number[] = [];
        for (let i = 0; i < FILES; i++) {
          const fd = mm.memfd_create(`f${i}`, 0);
          expect(mm.ftruncate(fd, 8 * P)).toBe(0);
          fds.push(fd);
        }
        const ref = new Ref();
        for (const op of ops) {
          apply(mm, fds, ref, op);
          for (let p = 0; p < PAGES; p++) expect(mm.peek(pg(p))).toBe(ref.read(p));
          expect(() => mt_validate(mm.tree.mt)).not.toThrow();
        }
        mm.mmput();
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
