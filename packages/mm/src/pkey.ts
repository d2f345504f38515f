// x86 protection keys as the mm sees them without pkey_mprotect (arch/x86/mm/pkeys.c
// `execute_only_pkey()`, `__arch_override_mprotect_pkey()`): on a CPU with PKU, a PROT_EXEC-only
// mmap or mprotect puts the VMA under the execute-only pkey, whose PKRU bits deny data access;
// mprotect to anything else takes an execute-only VMA back to pkey 0. The pkey is part of
// vm_flags, so VMAs with different keys never merge.

import { PROT_EXEC } from "./constants.js";
import type { MmStruct } from "./mm.js";
import { VM_ACCESS_FLAGS, VM_EXEC, VM_PKEY_EXEC_ONLY } from "./vm-flags.js";
import type { Vma } from "./vma.js";

/** The pkey bits `do_mmap()` gives a new mapping of `prot`. */
export function mmapPkey(mm: MmStruct, prot: number): number {
  return mm.pku && prot === PROT_EXEC ? VM_PKEY_EXEC_ONLY : 0;
}

/** Kernel `arch_override_mprotect_pkey(vma, prot, -1)` as pkey bits of the new flags. */
export function mprotectPkey(mm: MmStruct, vma: Vma, prot: number): number {
  const old = vma.flags & VM_PKEY_EXEC_ONLY;
  if (!mm.pku) return old;
  if (prot === PROT_EXEC) return VM_PKEY_EXEC_ONLY;
  if ((vma.flags & VM_ACCESS_FLAGS) === VM_EXEC && old !== 0) return 0;
  return old;
}
