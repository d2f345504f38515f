// Gap search (findGap / allocate) needs an allocation tree, { alloc: true }: only those keep the
// largest gap of every child, which makes a search O(log n). On a plain tree both throw EINVAL
// rather than scan every range.
import { MapleError, MapleTree } from "@maplemm/maple-tree";

const space = new MapleTree<string>({ alloc: true });
space.setRange(0x1000, 0x4fff, "a").setRange(0x6000, 0x6fff, "b");

const low = space.findGap(0x1000, { min: 0x1000 }); // lowest window of 0x1000 free indices
const top = space.allocate(0x1000, "stack", { highest: true }); // highest window, stored
console.log(`findGap: 0x${low?.toString(16)}, allocate(highest): 0x${top.toString(16)}`);
if (low !== 0x5000) throw new Error(`findGap gave ${low}`);
if (space.get(top) !== "stack" || space.last()?.value !== "stack") throw new Error("allocate");

const plain = new MapleTree<string>();
plain.setRange(0x1000, 0x4fff, "a");
for (const search of [() => plain.findGap(0x1000), () => plain.allocate(0x1000, "x")]) {
  try {
    search();
    throw new Error("a gap search on a plain tree did not throw");
  } catch (e) {
    if (!(e instanceof MapleError) || e.code !== "EINVAL") throw e;
    console.log(e.message);
  }
}
if (plain.size !== 1) throw new Error("the plain tree changed");
