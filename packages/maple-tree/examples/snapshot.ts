// A tree as plain data: snapshot() gives { version, alloc, ranges } that structuredClone,
// postMessage and JSON carry; fromSnapshot restores it. console.log and JSON.stringify show the
// ranges, not the tree's internals.

import { MapleError, MapleTree } from "@maplemm/maple-tree";
import { mt_validate } from "@maplemm/maple-tree/kernel";

const tree = new MapleTree<string>({ alloc: true });
tree.setRange(10, 19, "a").setRange(30, 39, "b").set(50, "c");

console.log(tree); // in Node: MapleTree(3) { [10, 19] => 'a', [30, 39] => 'b', [50, 50] => 'c' }

const json = JSON.stringify(tree);
console.log(json);
const want =
  '{"version":1,"alloc":true,"ranges":[{"first":10,"last":19,"value":"a"},{"first":30,"last":39,"value":"b"},{"first":50,"last":50,"value":"c"}]}';
if (json !== want) throw new Error(`JSON.stringify(tree) gave ${json}`);

// structuredClone is what postMessage does to the snapshot on its way to a worker.
const copy = MapleTree.fromSnapshot<string>(structuredClone(tree.snapshot()));
mt_validate(copy.mt); // kernel mt_validate: throws naming a broken invariant
if (copy.get(35) !== "b" || copy.size !== 3) throw new Error("the copy differs");
const fromJson = MapleTree.fromSnapshot<string>(JSON.parse(json));
if (fromJson.findGap(10) !== 0 || fromJson.findGap(11) !== 51) {
  throw new Error("alloc did not come through the JSON");
}
console.log("restored:", [...copy].map((r) => `[${r.first}, ${r.last}] ${r.value}`).join(", "));

// Bad input is rejected before anything is built, naming the field.
try {
  MapleTree.fromSnapshot({
    version: 1,
    alloc: false,
    ranges: [
      { first: 5, last: 9, value: "x" },
      { first: 8, last: 12, value: "y" },
    ],
  });
  throw new Error("overlapping ranges were accepted");
} catch (e) {
  if (
    !(e instanceof MapleError) ||
    e.code !== "EINVAL" ||
    !e.message.includes("snapshot.ranges[1]")
  )
    throw e;
  console.log(e.message);
}
