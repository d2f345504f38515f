// RCU mode: copy-on-write writers, with an @maplemm/rcu domain reusing nodes after a grace period.

import { MapleTree } from "@maplemm/maple-tree";
import { mt_validate } from "@maplemm/maple-tree/kernel";
import { Rcu } from "@maplemm/rcu";

const rcu = new Rcu();
const tree = new MapleTree<number>({ rcu: true, reclaimer: rcu });
for (let i = 0; i < 1000; i++) tree.setRange(i * 16, i * 16 + 7, i);

// A reader's section: writers may replace nodes meanwhile, but none it can reach is reused.
const seen = rcu.read(() => {
  tree.deleteRange(0, 8000); // rebuilds nodes; the old ones wait for a grace period
  return tree.get(8000 + 16 * 10);
});
if (seen !== 510) throw new Error(`read inside the section: got ${seen}, want 510`);
await rcu.synchronize(); // the old nodes are free for reuse from here on
mt_validate(tree.mt); // kernel mt_validate: throws naming a broken invariant
if (tree.size !== 500) throw new Error(`size after the delete: ${tree.size}, want 500`);
console.log("rcu-mode: ok");
