// What one read section of a shared maple tree returns while a writer replaces the nodes around
// it, made deterministic: the writer runs from inside the reader's section (another instance of
// the same tree in the same thread). SharedMapleTree.read() / forEach() document that a section
// reads the version published when it began; the torture test counts the sections that did not
// ("mixed"). Every range a section returns must have existed and come in order in any case.
import { SharedMapleTree } from "@maplemm/maple-tree";
import {
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  mas_find,
  mt_for_each,
} from "@maplemm/maple-tree/kernel";
import { SharedRcu } from "@maplemm/rcu";
import { describe, expect, it } from "vitest";

/** 100 ranges [10i, 10i + 5] = i; a writer and a reader instance of it. */
function setup(): { rcu: SharedRcu; writer: SharedMapleTree; reader: SharedMapleTree } {
  const rcu = SharedRcu.create({ maxThreads: 2 });
  rcu.register();
  const writer = SharedMapleTree.create({ domain: rcu, capacity: 256, poison: true });
  for (let i = 0; i < 100; i++) writer.setRange(i * 10, i * 10 + 5, i);
  const reader = SharedMapleTree.attach(writer.handle, { domain: rcu });
  return { rcu, writer, reader };
}

/** The write done after the reader's first range: replaces the first leaf and the last range. */
function rewrite(writer: SharedMapleTree): void {
  writer.setRange(1, 2, 500);
  writer.setRange(990, 995, 999);
}

/** Scans a whole section, calling `mid` after the first range; returns the values seen. */
const scans: Record<string, (reader: SharedMapleTree, mid: () => void) => number[]> = {
  mas_find: (reader, mid) =>
    reader.read((mt: MapleTreeCore) => {
      const out: number[] = [];
      const mas = MA_STATE(mt, 0, 0);
      for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
        out.push(e as number);
        if (out.length === 1) mid();
      }
      return out;
    }),
  mt_for_each: (reader, mid) =>
    reader.read((mt: MapleTreeCore) => {
      const out: number[] = [];
      for (const [e] of mt_for_each(mt, 0, MAX_INDEX)) {
        out.push(e as number);
        if (out.length === 1) mid();
      }
      return out;
    }),
  forEach: (reader, mid) => {
    const out: number[] = [];
    reader.forEach((_f, _l, v) => {
      out.push(v);
      if (out.length === 1) mid();
    });
    return out;
  },
};

describe("one read section of a shared tree while a writer replaces the leaves ahead of it", () => {
  for (const [name, scan] of Object.entries(scans)) {
    it(`returns existing ranges in order (${name})`, () => {
      const { rcu, writer, reader } = setup();
      const seen = scan(reader, () => rewrite(writer));
      // Either version is fine here: 0..98 then 99 (old) or 999 (new), each once, ascending keys.
      expect(seen.slice(0, 99)).toEqual(Array.from({ length: 99 }, (_, i) => i));
      expect([99, 999]).toContain(seen[99]);
      expect(seen).toHaveLength(100);
      rcu.unregister();
    });

    // forEach / entries (mt_scan) keep to the section's version. Bug 3 of
    // /work/briefs/S7-torture-bugs.md: the kernel-layer iterators restart from the newest root when
    // the (replaced, still intact) leaf they stand on is dead, so those sections end on the new
    // version (999). Skipped for them until the lead decides: keep the version or change the docs.
    const test = name === "forEach" ? it : it.skip;
    test(`reads only the version published when the section began (${name})`, () => {
      const { rcu, writer, reader } = setup();
      const seen = scan(reader, () => rewrite(writer));
      expect(seen.at(-1)).toBe(99);
      expect(seen).not.toContain(500);
      rcu.unregister();
    });
  }
});
