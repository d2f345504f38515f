// The mm naming rule: a method that models a kernel function has the kernel's name, on MmStruct
// and on SharedMaps alike (mmget_not_zero, vma_lookup, mmput); our own are camelCase (procMaps,
// shareMaps, vmas). Here one thread plays owner and reader of the shared maps.
import { MAP_ANONYMOUS, MAP_PRIVATE, MmStruct, PROT_READ, PROT_WRITE } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";

const rcu = SharedRcu.create({ maxThreads: 2 });
rcu.register();

const mm = new MmStruct();
const addr = mm.mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
const maps = mm.shareMaps({ domain: rcu }); // in a worker: SharedMaps.attach(maps.handle, ...)

// The same kernel calls on both objects.
const onOwner = mm.vma_lookup(addr + 4096);
if (!maps.mmget_not_zero()) throw new Error("the mm is gone");
try {
  const onReader = maps.vma_lookup(addr + 4096);
  console.log(`owner:  ${onOwner?.start.toString(16)}-${onOwner?.end.toString(16)}`);
  console.log(
    `reader: ${onReader?.start.toString(16)}-${onReader?.end.toString(16)} ${onReader?.perms}`,
  );
  if (onReader?.start !== onOwner?.start || onReader?.end !== onOwner?.end) {
    throw new Error("the reader sees another VMA than the owner");
  }
  if (maps.procMaps() !== mm.procMaps()) throw new Error("procMaps differs");
} finally {
  maps.mmput();
}
if (mm.users !== 1) throw new Error(`mm_users is ${mm.users}, want 1`);

mm.mmput(); // the last user: the address space ends
if (maps.mmget_not_zero()) throw new Error("mmget_not_zero succeeded on a dead mm");
await rcu.barrier();
rcu.unregister();
console.log("mmget_not_zero fails once the last user is gone");
