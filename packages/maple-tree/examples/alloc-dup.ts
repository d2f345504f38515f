// Allocation trees (gap search, allocate) and node-for-node duplication.
import { MapleTree } from "@maplemm/maple-tree";

const space = new MapleTree<string>({ alloc: true }); // MT_FLAGS_ALLOC_RANGE: gaps tracked per child
space.setRange(0x1000, 0x4fff, "a");
// lowest window of 0x2000 free indices at or after 0x1000
const low = space.findGap(0x2000, { min: 0x1000 });
if (low !== 0x5000) throw new Error(`findGap: got ${low}, want 0x5000`);
// highest window, stored; returns its start
const top = space.allocate(0x1000, "stack", { highest: true });
if (space.get(top) !== "stack" || space.getRange(top)?.last !== top + 0xfff) {
  throw new Error("allocate did not store [top, top + 0xfff]");
}

const child = space.dup(); // node-for-node copy (same shape, gaps, height); independent afterwards
child.setRange(0x1000, 0x1fff, "child only");
if (space.get(0x1000) !== "a") throw new Error("writing the dup changed the original");
const copy = space.dup((v) => `${v} (copy)`); // the fork pattern: every value mapped
if (copy.get(0x2000) !== "a (copy)" || copy.size !== space.size) {
  throw new Error("dup(map) did not map every value");
}
console.log(`alloc-dup: ok (stack at 0x${top.toString(16)})`);
