// The single-thread Rcu: read sections, guards across await, retire/callRcu, synchronize,
// barrier and polled grace periods. Runs in any runtime.
import { Rcu } from "@maplemm/rcu";

const freed: number[] = [];
const rcu = new Rcu({ reclaim: (id) => freed.push(id) }); // reclaim: the target of retire(id)
const table = new Map([[1, "one"]]);

// rcu_read_lock / rcu_read_unlock: a depth counter, must not span await
rcu.readLock();
const v = table.get(1);
rcu.readUnlock();
const w = rcu.read(() => table.get(1)); // throws ERR_RCU_PROMISE_IN_SYNC_READ for async fns
if (v !== "one" || w !== "one") throw new Error("reads inside sections failed");

// a guard may span await: grace periods wait for it
{
  using g = rcu.acquire();
  const gp = rcu.synchronize();
  let over = false;
  void gp.then(() => {
    over = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (over) throw new Error("a grace period ended while a guard was live");
  if (!g.live) throw new Error("the guard is not live inside its block");
}
await rcu.readAsync(async () => {
  await Promise.resolve(); // same, as a callback
});

// update side
table.set(1, "uno");
rcu.retire(1); // kfree_rcu: id handed to reclaim() after a grace period
let cleaned = false;
rcu.callRcu(() => {
  cleaned = true; // call_rcu: runs after a grace period, in a later macrotask
});
const c = rcu.getState(); // get_state_synchronize_rcu (startPoll() also starts a GP)
await rcu.synchronize(); // synchronize_rcu
await rcu.barrier(); // rcu_barrier: everything queued before now has run
if (freed.join() !== "1" || !cleaned) throw new Error("retire/callRcu did not run");
if (!rcu.pollState(c)) throw new Error("a full grace period has elapsed since c");
console.log("rcu: ok");
