// mt_dump prints one header line, one line per node and one per leaf range, in decimal or hex.

import { MAX_INDEX, XA_ZERO_ENTRY } from "@maplemm/maple-tree";
import {
  DEFINE_MTREE,
  MT_FLAGS_ALLOC_RANGE,
  mt_dump,
  mtree_store,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { leaves, sequentialTree } from "./support/write-tree.js";

describe("mt_dump", () => {
  it("an empty tree is the header only", () => {
    expect(mt_dump(DEFINE_MTREE())).toBe("maple_tree flags 0x0, height 0 root (null)\n");
  });

  it("a direct root entry prints as [0-0]", () => {
    const mt = DEFINE_MTREE();
    mtree_store(mt, 0, 7);
    expect(mt_dump(mt).split("\n")).toEqual([
      "maple_tree flags 0x0, height 0 root value 7 (0x7)",
      "0-0: value 7 (0x7)",
      "",
    ]);
  });

  it("a leaf: node line, then each range with its entry (value, zero, object, NULL)", () => {
    const mt = DEFINE_MTREE();
    mtree_store_range(mt, 5, 10, 42);
    mtree_store_range(mt, 20, 20, XA_ZERO_ENTRY);
    mtree_store_range(mt, 30, 31, new Map());
    const lines = mt_dump(mt).split("\n");
    expect(lines[0]).toBe(`maple_tree flags 0x4, height 1 root node ${mt.rootNode}`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^0-${MAX_INDEX}: node ${mt.rootNode} depth 0 type leaf_64 parent 0 contents: 0 4 v42 10 0 19 h\\d+ 20 0 29 h\\d+ 31 0$`,
      ),
    );
    expect(lines.slice(2, 10)).toEqual([
      "  0-4: (null)",
      "  5-10: value 42 (0x2a)",
      "  11-19: (null)",
      "  20-20: zero (257)",
      "  21-29: (null)",
      "  30-31: <Map>",
      `  32-${MAX_INDEX}: (null)`,
      "",
    ]);
  });

  it("hex format prints indices in hex", () => {
    const mt = DEFINE_MTREE();
    mtree_store_range(mt, 255, 4096, "s");
    const text = mt_dump(mt, "hex");
    expect(text).toContain('  0xff-0x1000: "s"');
    expect(text).toContain(`0x0-0x${MAX_INDEX.toString(16)}: node`);
  });

  it("one line per node and per leaf range, indented by depth; arange nodes show gaps", () => {
    const mt = sequentialTree(100, 10, 5, MT_FLAGS_ALLOC_RANGE);
    const lines = mt_dump(mt).trimEnd().split("\n");
    const ls = leaves(mt);
    const ranges = ls.reduce((n, l) => n + l.end + 1, 0);
    expect(lines.length).toBe(1 + mt.arena.live + ranges);
    expect(lines[1]).toMatch(/type arange_64 parent 0 contents: .* gaps: .* max gap at \d+$/);
    const depth = mt.height - 1;
    const leafLine = new RegExp(`^ {${2 * depth}}\\d+-\\d+: node \\d+ depth ${depth} type leaf_64`);
    expect(lines.filter((l) => leafLine.test(l)).length).toBe(ls.length);
  });
});
