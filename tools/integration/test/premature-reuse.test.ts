// The debug check behind RCU mode: with the arena in poison mode and a reclaimer that offers
// grace-period cookies (every @maplemm/rcu domain), a node freed before a full grace period since
// it was retired fails loudly. A correct domain never trips it; a broken one is caught at once.

import { MapleTree, type Reclaimer } from "@maplemm/maple-tree";
import { mt_set_in_rcu, mt_validate } from "@maplemm/maple-tree/kernel";
import { type GpCookie, Rcu } from "@maplemm/rcu";
import { describe, expect, it } from "vitest";

/** 500 ranges stored outside RCU mode (nothing retired yet), then the tree switched into it. */
function filled(reclaimer: Reclaimer): MapleTree<number> {
  const tree = new MapleTree<number>({ reclaimer, poison: true });
  for (let i = 0; i < 500; i++) tree.setRange(i * 10, i * 10 + 5, i);
  mt_set_in_rcu(tree.mt);
  return tree;
}

describe("premature reclamation in RCU mode (poison mode)", () => {
  it("is caught when a reclaimer frees before the grace period ends", async () => {
    const rcu = new Rcu();
    // Broken on purpose: frees at once, while claiming the domain's grace periods.
    const broken: Reclaimer = {
      defer: (free) => free(),
      getState: () => rcu.getState(),
      pollState: (c) => rcu.pollState(c as GpCookie),
    };
    const tree = filled(broken);
    rcu.readLock();
    expect(() => tree.setRange(100, 2000, -1)).toThrow(/premature reclamation: node \d+/);
    rcu.readUnlock();
    await rcu.barrier();
  });

  it("never trips with a real domain, however the writes and readers interleave", async () => {
    const rcu = new Rcu();
    const tree = filled(rcu);
    for (let round = 0; round < 20; round++) {
      rcu.readLock();
      tree.setRange(round * 100, round * 100 + 250, round);
      tree.delete(round * 10 + 3000);
      rcu.readUnlock();
      if (round % 3 === 0) await rcu.synchronize();
    }
    await rcu.barrier();
    mt_validate(tree.mt); // kernel mt_validate: throws naming a broken invariant
    expect(tree.get(1950)).toBe(19);
  });
});
