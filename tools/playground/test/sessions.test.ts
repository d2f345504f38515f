// The playground's models, run in Node: the tree session against the library itself, the script
// parser, pictures and their drawing, the mm session, the bench charts. The browser test
// (playground.browser.ts) checks the page shows what these compute.

import { MapleTree } from "@maplemm/maple-tree";
import { MAX_INDEX } from "@maplemm/maple-tree/kernel";
import { MAP_ANONYMOUS, MAP_PRIVATE, MmStruct, PROT_READ, PROT_WRITE } from "@maplemm/mm";
import { describe, expect, it } from "vitest";
import { barChartSvg, barsOf } from "../src/bench-chart.js";
import { MmSession } from "../src/mm-session.js";
import { stripSvg } from "../src/mm-strip.js";
import { diffPictures, type PicNode, type Picture, walkPath } from "../src/picture.js";
import { parseLine, parseNum, parseScript } from "../src/tree-script.js";
import { TreeSession } from "../src/tree-session.js";
import { treeSvg } from "../src/tree-svg.js";

const nodesOf = (p: Picture): PicNode[] => (p.root === "node" ? p.nodes : []);
const count = (svg: string, cls: string): number => svg.split(`class="${cls}`).length - 1;

function grown(alloc: boolean, n: number): TreeSession {
  const s = new TreeSession(alloc);
  for (let i = 0; i < n; i++) s.run({ op: "store", first: i * 10, last: i * 10 + 4, value: i + 1 });
  return s;
}

describe("tree session", () => {
  it("draws every node of the picture, with its pivots, after splits", () => {
    const s = grown(true, 200);
    const step = s.steps[s.steps.length - 1];
    const nodes = nodesOf(step.picture);
    expect(step.picture.height).toBeGreaterThanOrEqual(2);
    const svg = treeSvg(step.picture, { path: step.path });
    expect(svg).toContain(`data-nodes="${nodes.length}"`);
    expect(count(svg, "node ")).toBe(nodes.length);
    const pivots = nodes.reduce((k, n) => k + n[3].length, 0);
    expect(count(svg, "pivot")).toBe(pivots);
    expect(count(svg, "gap")).toBe(
      nodes.filter((n) => n[0] === "arange_64").reduce((k, n) => k + n[4].length, 0),
    );
  });

  it("walks to the leaf holding the index and leaves the state on its slot", () => {
    const s = grown(false, 100);
    const step = s.run({ op: "walk", index: 452 });
    expect(step.result).toBe("entry 46");
    expect(step.state).toMatchObject({ index: 450, last: 454, status: "active" });
    const leaf = nodesOf(step.picture)[step.stateNode] as PicNode;
    expect(leaf[0]).toBe("leaf_64");
    expect(leaf[4][step.stateSlot]).toBe(46);
    expect(step.path[0]).toBe(0);
    expect(step.path[step.path.length - 1]).toBe(step.stateNode);
  });

  it("next and prev move the state as mas_next / mas_prev", () => {
    const s = grown(false, 3);
    s.run({ op: "walk", index: 12 });
    expect(s.run({ op: "next" }).state).toMatchObject({ index: 20, last: 24 });
    expect(s.run({ op: "prev" }).state).toMatchObject({ index: 10, last: 14 });
  });

  it("a rejected operation shows the library's message and changes nothing", () => {
    const s = grown(true, 40);
    const before = JSON.stringify(s.steps[s.steps.length - 1].picture);
    const lib = new MapleTree<number>();
    for (const bad of [
      { op: "store" as const, first: 50, last: 40, value: 1 },
      { op: "store" as const, first: Number.NaN, last: 40, value: 1 },
      { op: "insert" as const, first: 10, last: 12, value: 1 },
    ]) {
      const step = s.run(bad);
      expect(step.ok).toBe(false);
      expect(JSON.stringify(step.picture)).toBe(before);
      if (bad.op === "store")
        expect(() => lib.setRange(bad.first, bad.last, 1)).toThrow(step.result);
    }
  });

  it("dup keeps the picture, RCU mode is shown", () => {
    const s = grown(true, 50);
    const before = JSON.stringify(s.steps[s.steps.length - 1].picture);
    expect(JSON.stringify(s.run({ op: "dup" }).picture)).toBe(before);
    expect(s.run({ op: "rcu", on: true }).rcu).toBe(true);
    expect(s.run({ op: "rcu", on: false }).rcu).toBe(false);
  });

  it("gap search answers as mas_empty_area", () => {
    const s = new TreeSession(true);
    s.run({ op: "store", first: 0, last: 99, value: 1 });
    s.run({ op: "store", first: 120, last: 199, value: 2 });
    expect(s.run({ op: "gap", size: 10, min: 0, max: 1000 }).result).toBe("gap at [100, 109]");
    expect(s.run({ op: "gaprev", size: 10, min: 0, max: 1000 }).result).toBe("gap at [991, 1000]");
    expect(s.run({ op: "allocate", size: 30, min: 0, max: 1000, value: 3 }).result).toBe(
      "allocated at 200",
    );
  });
});

describe("script", () => {
  it("parses every operation, numbers in decimal, hex and max", () => {
    expect(parseScript("store 0x10 20 3\n# c\n\nerase 5\nrcu on\ngap 4 0 max")).toEqual([
      { op: "store", first: 16, last: 20, value: 3 },
      { op: "erase", index: 5 },
      { op: "rcu", on: true },
      { op: "gap", size: 4, min: 0, max: MAX_INDEX },
    ]);
    expect(parseNum("1.5")).toBeNaN();
  });

  it("names the line of a bad command", () => {
    expect(() => parseScript("store 1 2 3\nfrob 1")).toThrow('line 2: unknown operation "frob"');
    expect(() => parseLine("erase", 4)).toThrow("line 4: erase takes 1 argument(s), got 0");
    expect(() => parseLine("rcu maybe")).toThrow("rcu takes on or off");
  });
});

describe("pictures", () => {
  it("diff marks the nodes that differ and names the first", () => {
    const a = grown(false, 60).steps.at(-1)?.picture as Picture;
    const b = structuredClone(a);
    if (b.root !== "node") throw new Error("expected a node tree");
    (b.nodes[2] as PicNode)[3][0] = 1;
    const d = diffPictures(a, b);
    expect(d.same).toBe(false);
    expect([...d.differing]).toEqual([2]);
    expect(d.first).toMatch(/^node 2: /);
    expect(diffPictures(a, a).same).toBe(true);
  });

  it("walkPath of an empty tree is empty", () => {
    expect(walkPath({ height: 0, root: "empty" }, 5)).toEqual({ nodes: [], slot: -1 });
  });
});

describe("mm session", () => {
  const PRIV = MAP_PRIVATE | MAP_ANONYMOUS;
  it("shows what the MmStruct shows after the same syscalls, child included", () => {
    const s = new MmSession();
    const mm = new MmStruct();
    const a = s.run({ op: "mmap", addr: 0, len: 0x4000, prot: 3, flags: PRIV });
    const addr = mm.mmap(0, 0x4000, PROT_READ | PROT_WRITE, PRIV);
    expect(a.result).toBe(`0x${addr.toString(16)}`);
    s.run({ op: "mprotect", addr: addr + 0x1000, len: 0x1000, prot: 1 });
    mm.mprotect(addr + 0x1000, 0x1000, PROT_READ);
    const f = s.run({ op: "fork", strategy: "modern" });
    expect(f.maps).toBe(mm.procMaps());
    expect(f.child?.maps).toBe(mm.fork("modern").procMaps());
    expect(stripSvg(f.vmas)).toContain(`data-vmas="${mm.vmas().length}"`);
  });

  it("a failed call shows the errno or the library's message and changes nothing", () => {
    const s = new MmSession();
    const before = s.run({ op: "mmap", addr: 0, len: 0x3000, prot: 3, flags: PRIV }).maps;
    const unaligned = s.run({ op: "munmap", addr: 0x1001, len: 0x1000 });
    expect(unaligned).toMatchObject({ ok: false, result: "-EINVAL", maps: before });
    const nan = s.run({ op: "mmap", addr: Number.NaN, len: 0x1000, prot: 3, flags: PRIV });
    expect(nan.ok).toBe(false);
    expect(nan.result).toMatch(/addr/);
    expect(nan.maps).toBe(before);
  });
});

describe("bench charts", () => {
  it("reads the peers bench rows (speed ratios, floors) and the mm bench cases (time ratios, ceilings)", () => {
    const peers = {
      rows: [
        { id: "pl", name: "point load", ratio: 2.4, ratios: [2.4], target: "≥ 2×", met: true },
        { name: "no ratio" },
      ],
    };
    expect(barsOf(peers)).toEqual([
      { label: "point load", ratio: 2.4, target: 2, better: "higher", met: true },
    ]);
    const mm = {
      cases: {
        mmap: { label: "mmap + munmap", ratioMedian: 0.7, target: { ratio: 0.5 } },
        fork: { label: "fork", target: { us: 150 }, cpu: { ratioMedian: 0.2 }, metOnCpu: false },
      },
    };
    expect(barsOf(mm)).toEqual([
      { label: "mmap + munmap", ratio: 0.7, target: 0.5, better: "lower", met: false },
      { label: "fork", ratio: 0.2, target: null, better: "higher", met: false },
    ]);
    const svg = barChartSvg("t", barsOf(peers));
    expect(svg).toContain("2.40×");
    expect(svg).toContain("#66bb6a");
  });
});
