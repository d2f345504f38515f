// The maple-struct corpus (tools/oracle/maple-struct: the kernel's own tree recorded node by node,
// Linux 6.12.117, 120 traces, 201 481 ops): every op's result and the whole tree's structure
// agree with the kernel's after every op of every trace (about 12 s). The replayer's comparison
// itself is pinned on a tree we perturb.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  DEFINE_MTREE,
  type MtStruct,
  mt_struct,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import { describe, expect, it } from "vitest";
import { compareStruct, formatMapleDivergence, replayMaple } from "../replay/replay-maple.js";
import { readMapleTrace } from "../replay/replay-maple-file.js";

const dir = join(import.meta.dirname, "..", "oracle", "maple-struct");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl.gz"))
  .sort();
describe("the maple-struct corpus", () => {
  it("holds the 120 public traces", () => {
    expect(files.length).toBe(120);
  });

  for (const f of files) {
    it(`${f}: result and structure agree with the kernel's after every op`, () => {
      const r = replayMaple(readMapleTrace(join(dir, f)));
      expect(r.divergence === null ? "agreed" : formatMapleDivergence(r)).toBe("agreed");
      expect(r.agreed).toBe(r.total);
      expect(r.total).toBeGreaterThan(0);
    });
  }
});

describe("the structural comparison", () => {
  function tree(): MtStruct {
    const mt = DEFINE_MTREE(0);
    for (let i = 0; i < 40; i++) mtree_store_range(mt, i * 10, i * 10 + 5, i);
    return mt_struct(mt);
  }

  it("finds no difference between a tree and itself", () => {
    expect(compareStruct(tree(), tree())).toBeNull();
  });

  it("names the node's path and the field that differs", () => {
    const want = tree();
    const have = tree();
    if (have.root !== "node") throw new Error("expected a node tree");
    const leaf = have.nodes.findLastIndex((n) => n[0] === "leaf_64");
    (have.nodes[leaf]?.[4] as unknown[])[0] = 999;
    const diff = compareStruct(want, have) ?? "";
    expect(diff).toMatch(new RegExp(`^node ${leaf} at root > slot \\d+`));
    expect(diff).toContain("slots: kernel [");
    expect(diff).toContain("ours [999");
  });

  it("writes numbers near the top as the traces do", () => {
    const mt = DEFINE_MTREE(1);
    mtree_store_range(mt, 0, 9, 1);
    mtree_store_range(mt, 20, 29, 2);
    expect(mt_struct(mt)).toEqual({
      height: 1,
      root: "node",
      nodes: [["leaf_64", 0, "max", [9, 19, 29], [1, null, 2, null]]],
    });
  });
});
