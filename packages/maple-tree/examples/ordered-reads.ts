// Map and sorted-btree style reads on a range map: keys, values, first / last, the range at or
// before / at or after an index (floor / ceiling), and how many ranges meet a window (count).
import { MapleTree } from "@maplemm/maple-tree";

function check(what: string, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  console.log(`${what} -> ${JSON.stringify(got)}`);
}

const vmas = new MapleTree<string>();
vmas
  .setRange(0x1000, 0x1fff, "text")
  .setRange(0x3000, 0x3fff, "data")
  .setRange(0x8000, 0x8fff, "stack");

check("keys()", [...vmas.keys()], [0x1000, 0x3000, 0x8000]); // each range's first index
check("values()", [...vmas.values()], ["text", "data", "stack"]);
check("first()", vmas.first(), { first: 0x1000, last: 0x1fff, value: "text" });
check("last()?.value", vmas.last()?.value, "stack");

// floor: the range holding the index, else the nearest one below; ceiling: ... above.
check("floor(0x3abc)?.value", vmas.floor(0x3abc)?.value, "data");
check("floor(0x5000)?.value", vmas.floor(0x5000)?.value, "data");
check("ceiling(0x5000)?.value", vmas.ceiling(0x5000)?.value, "stack");
check("floor(0x0fff)", vmas.floor(0x0fff), undefined);

// The neighbours of a range r: floor(r.first - 1) and ceiling(r.last + 1).
const data = vmas.getRange(0x3000);
if (data === undefined) throw new Error("getRange(0x3000) found nothing");
check("before data", vmas.floor(data.first - 1)?.value, "text");
check("after data", vmas.ceiling(data.last + 1)?.value, "stack");

// count(from, to): the ranges entries(from, to) would yield, i.e. those meeting the window.
check("count()", vmas.count(), 3);
check("count(0x1800, 0x3000)", vmas.count(0x1800, 0x3000), 2);
check("count(0x4000, 0x7fff)", vmas.count(0x4000, 0x7fff), 0);

// forEach calls fn(value, first, last), in the order of Map.prototype.forEach.
const seen: string[] = [];
vmas.forEach((value, first) => {
  seen.push(`${value}@${first.toString(16)}`);
});
check("forEach", seen, ["text@1000", "data@3000", "stack@8000"]);
