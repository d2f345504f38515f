// SharedMapleTree has MapleTree's reads, with the same names, argument order and iterator kinds;
// each answer comes from one published version. A snapshot of either face restores into either.
import { MapleTree, SharedMapleTree, type SharedTreeDomain } from "@maplemm/maple-tree";

// One thread only here, so a domain with no-op read sections that frees at once is enough; with
// workers, pass a registered SharedRcu from @maplemm/rcu instead.
const domain: SharedTreeDomain = { readLock() {}, readUnlock() {}, defer: (free) => free() };

const shared = SharedMapleTree.create({ capacity: 1024, domain });
shared.setRange(10, 19, 1).setRange(30, 39, 2).set(50, 3);
const local = MapleTree.fromSnapshot<number>(shared.snapshot());

for (const [name, tree] of [
  ["MapleTree", local],
  ["SharedMapleTree", shared],
] as const) {
  const got = {
    keys: [...tree.keys()],
    values: [...tree.values(15, 35)],
    first: tree.first()?.first,
    last: tree.last()?.first,
    floor: tree.floor(25)?.first,
    ceiling: tree.ceiling(25)?.first,
    count: tree.count(15, 35),
    entries: [...tree.entries()].length, // an iterator on both faces
  };
  console.log(name, got);
  const want = {
    keys: [10, 30, 50],
    values: [1, 2],
    first: 10,
    last: 50,
    floor: 10,
    ceiling: 30,
    count: 2,
    entries: 3,
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${name} differs`);
}

// forEach(value, first, last) on both.
let sum = 0;
shared.forEach((value, first, last) => {
  sum += value * (last - first + 1);
});
if (sum !== 1 * 10 + 2 * 10 + 3) throw new Error(`forEach sum ${sum}`);
console.log(shared); // in Node: SharedMapleTree(3) { [10, 19] => 1, [30, 39] => 2, [50, 50] => 3 }
