// The range map: store, trim, delete and walk ranges with MapleTree.
import { MapleError, MapleTree, type RangeEntry } from "@maplemm/maple-tree";

function check(what: string, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

const vmas = new MapleTree<string>();
vmas.setRange(0x1000, 0x1fff, "text").setRange(0x3000, 0x3fff, "data");
check("get inside a range", vmas.get(0x1800), "text");
check("get in a hole", vmas.get(0x2000), undefined);
check("getRange", vmas.getRange(0x3abc), { first: 0x3000, last: 0x3fff, value: "data" });

vmas.setRange(0x1800, 0x37ff, "heap"); // trims "text" and "data", replaces what it covers
vmas.deleteRange(0x2000, 0x20ff); // empties a sub-range
vmas.delete(0x1000); // empties the whole range holding 0x1000

const ascending: RangeEntry<string>[] = [...vmas];
check("ranges, ascending", ascending, [
  { first: 0x1800, last: 0x1fff, value: "heap" },
  { first: 0x2100, last: 0x37ff, value: "heap" },
  { first: 0x3800, last: 0x3fff, value: "data" },
]);
const descending = [...vmas.entriesReverse(0x3fff, 0x2000)].map((r) => r.first);
check("ranges, descending and bounded", descending, [0x3800, 0x2100]);
let covered = 0;
vmas.forEach((_value, first, last) => {
  covered += last - first + 1; // allocation-free visit
});
check("indices covered", covered, 0x800 + 0x1700 + 0x800);

try {
  vmas.insertRange(0x1900, 0x1a00, "x"); // only into empty space
  throw new Error("insertRange over a stored range did not throw");
} catch (e) {
  if (!(e instanceof MapleError && e.code === "EEXIST")) throw e;
}
check("a failed insert changed nothing", vmas.get(0x1900), "heap");
console.log("range-map: ok");
