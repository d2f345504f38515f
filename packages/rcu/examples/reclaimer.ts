// Any domain is the maple tree's reclaimer: `defer` is `callRcu`, so the tree reuses its
// copy-on-write nodes only after a grace period.

import { MapleTree } from "@maplemm/maple-tree";
import { mt_validate } from "@maplemm/maple-tree/kernel";
import { Rcu } from "@maplemm/rcu";

const rcu = new Rcu();
const tree = new MapleTree<string>({ rcu: true, reclaimer: rcu }); // or a SharedRcu
for (let i = 0; i < 100; i++) tree.setRange(i * 10, i * 10 + 4, `r${i}`);
tree.deleteRange(0, 499);
await rcu.barrier(); // the replaced nodes went back to the tree's arena
mt_validate(tree.mt); // kernel mt_validate: throws naming a broken invariant
if (tree.size !== 50 || tree.get(500) !== "r50") throw new Error("the tree lost ranges");
console.log("reclaimer: ok");
