// An address space: mmap, mprotect, a write fault and fork, rendered as /proc/<pid>/maps.
import { MAP_ANONYMOUS, MAP_PRIVATE, MmStruct, PROT_READ, PROT_WRITE } from "@maplemm/mm";

const mm = new MmStruct(); // x86-64 defaults: mmap_base 0x7ffff7fff000, 1 MiB stack guard gap…
const a = mm.mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
if (a < 0) throw new Error(`mmap failed: ${a}`);
mm.mprotect(a + 4096, 4096, PROT_READ); // splits in three
if (mm.touch(a, true, 42) !== 0) throw new Error("a write fault in a rw mapping failed");
const child = mm.fork(); // dup_mmap: COW pages, DONTCOPY left out
const maps = child.procMaps();
console.log(maps);
if (maps !== mm.procMaps()) throw new Error("the child's maps differ from the parent's");
if (maps.trim().split("\n").length !== 3) throw new Error("mprotect did not split in three");
child.mmput();
console.log("use: ok");
