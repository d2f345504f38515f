// Property tests against a simple model: a page-by-page map of the arena (perms and backing
// object per page). Random mmap/munmap/mprotect/madvise/mremap sequences must leave the VMA list
// covering exactly the model's pages with the model's perms, sorted, page aligned and
// non-overlapping, with the maple tree valid; and fork must give the same child with both
// dup_mmap strategies. fast-check seed from SEED.
import { mt_validate } from "@maplemm/maple-tree/kernel";
import { MADV_DOFORK, MADV_DONTFORK, MADV_WIPEONFORK, type MmStruct } from "@maplemm/mm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arenaMm, P, PRIV_FIXED, pg, SHARED_FIXED } from "./helpers.js";

const SEED = Number(process.env.SEED ?? Date.now() % 100000);
const PAGES = 48;

type Op =
  | { k: "mmap"; at: number; n: number; prot: number; shared: boolean }
  | { k: "munmap"; at: number; n: number }
  | { k: "mprotect"; at: number; n: number; prot: number }
  | { k: "madvise"; at: number; n: number; adv: number }
  | { k: "touch"; at: number }
  | { k: "move"; at: number; n: number; to: number };

const at = fc.integer({ min: 0, max: PAGES - 1 });
const n = fc.integer({ min: 1, max: 8 });
const prot = fc.constantFrom(0, 1, 3, 5, 7);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("mmap" as const), at, n, prot, shared: fc.boolean() }),
  fc.record({ k: fc.constant("munmap" as const), at, n }),
  fc.record({ k: fc.constant("mprotect" as const), at, n, prot }),
  fc.record({
    k: fc.constant("madvise" as const),
    at,
    n,
    adv: fc.constantFrom(MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK),
  }),
  fc.record({ k: fc.constant("touch" as const), at }),
  fc.record({ k: fc.constant("move" as const), at, n, to: at }),
);

interface Page {
  perms: string;
}

/** Applies `op` to both the mm and the page model. */
function apply(mm: MmStruct, model: (Page | null)[], op: Op): void {
  const span = (a: number, len: number): number[] => {
    const out: number[] = [];
    for (let i = a; i < Math.min(a + len, PAGES); i++) out.push(i);
    return out;
  };
  const len = "n" in op ? Math.min(op.n, PAGES - op.at) : 1;
  switch (op.k) {
    case "mmap": {
      const r = mm.mmap(pg(op.at), len * P, op.prot, op.shared ? SHARED_FIXED : PRIV_FIXED);
      expect(r).toBe(pg(op.at));
      const perms = `${op.prot & 1 ? "r" : "-"}${op.prot & 2 ? "w" : "-"}${op.prot & 4 ? "x" : "-"}${op.shared ? "s" : "p"}`;
      for (const i of span(op.at, len)) model[i] = { perms };
      break;
    }
    case "munmap":
      expect(mm.munmap(pg(op.at), len * P)).toBe(0);
      for (const i of span(op.at, len)) model[i] = null;
      break;
    case "mprotect": {
      const pages = span(op.at, len);
      const r = mm.mprotect(pg(op.at), len * P, op.prot);
      // Linux changes pages up to the first hole, then reports ENOMEM (§6.4).
      let i = 0;
      for (; i < pages.length; i++) {
        const p = model[pages[i] as number];
        if (p === null || p === undefined) break;
        const perms = `${op.prot & 1 ? "r" : "-"}${op.prot & 2 ? "w" : "-"}${op.prot & 4 ? "x" : "-"}${p.perms[3]}`;
        model[pages[i] as number] = { perms };
      }
      expect(r).toBe(i === pages.length ? 0 : -12);
      break;
    }
    case "madvise":
      mm.madvise(pg(op.at), len * P, op.adv);
      break;
    case "touch":
      mm.touch(pg(op.at), true, op.at + 1);
      break;
    case "move": {
      // A pure FIXED move: fine when source and destination do not overlap and the start is mapped.
      const src = span(op.at, len);
      const dstAt = op.to;
      if (dstAt + len > PAGES || (dstAt < op.at + len && op.at < dstAt + len)) return;
      const r = mm.mremap(pg(op.at), len * P, len * P, 3, pg(dstAt));
      if (model[op.at] === null || model[op.at] === undefined) {
        expect(r).toBe(-14);
        return;
      }
      expect(r).toBe(pg(dstAt));
      const moved = src.map((i) => model[i] ?? null);
      for (const i of src) model[i] = null;
      moved.forEach((p, k) => {
        if (p !== null) model[dstAt + k] = p;
      });
      break;
    }
  }
}

function check(mm: MmStruct, model: (Page | null)[]): void {
  const seen: (string | null)[] = new Array(PAGES).fill(null);
  let prevEnd = 0;
  for (const v of mm.vmas()) {
    expect(v.start % P).toBe(0);
    expect(v.end % P).toBe(0);
    expect(v.start).toBeLessThan(v.end);
    expect(v.start).toBeGreaterThanOrEqual(prevEnd);
    prevEnd = v.end;
    for (let a = v.start; a < v.end; a += P) {
      const i = (a - pg(0)) / P;
      if (i >= 0 && i < PAGES) seen[i] = v.perms;
    }
  }
  expect(seen).toEqual(model.map((p) => (p === null ? null : p.perms)));
  expect(() => mt_validate(mm.tree.mt)).not.toThrow();
}

/** What a fork child looks like: maps, flags, pgoffs, anon_vma sharing pattern, page values. */
function snapshot(mm: MmStruct): string {
  const ids = new Map<unknown, number>();
  const rows = mm.vmas().map((v) => {
    const anon =
      v.anonVma === null ? "-" : (ids.get(v.anonVma) ?? ids.set(v.anonVma, ids.size).size - 1);
    return `${v.start}-${v.end} ${v.vmFlags} ${v.pgoff} ${anon} ${v.anonVmaForked} ${v.shmem?.ino ?? 0}`;
  });
  const pages = [...mm.pages.entries()].sort((a, b) => a[0] - b[0]);
  return `${mm.procMaps()}\n${rows.join("\n")}\n${JSON.stringify(pages)}`;
}

describe("against a page-by-page model", () => {
  it(`keeps the VMA list equal to the model's pages, sorted and non-overlapping, the tree valid (SEED=${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const mm = arenaMm();
        const model: (Page | null)[] = new Array(PAGES).fill(null);
        for (const op of ops) {
          apply(mm, model, op);
          check(mm, model);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it(`forks identically with the seed and the modern dup_mmap (SEED=${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const mm = arenaMm();
        const model: (Page | null)[] = new Array(PAGES).fill(null);
        for (const op of ops) apply(mm, model, op);
        const before = snapshot(mm);
        const a = mm.fork("seed");
        const b = mm.fork("modern");
        // Anon_vma identities differ between two forks; compare the sharing pattern instead.
        expect(snapshot(a)).toBe(snapshot(b));
        expect(snapshot(mm)).toBe(before);
        expect(() => mt_validate(a.tree.mt)).not.toThrow();
        expect(() => mt_validate(b.tree.mt)).not.toThrow();
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
