// x86 protection keys as the mm sees them without pkey_mprotect (arch/x86/mm/pkeys.c
// `execute_only_pkey()`, `__arch_override_mprotect_pkey()`): on a CPU with PKU, a PROT_EXEC-only
// mmap or mprotect puts the VMA under the execute-only pkey, whose PKRU bits deny data access;
// mprotect to anything else takes an execute-only VMA back to pkey 0. So with PKU a VMA carries
// the execute-only key exactly when its access rights are exec alone: the model derives the key
// from the flags instead of keeping a pkey bit (bit 11, the one x86-64 left free, is
// VM_MAYBE_GUARD `gu` on 6.18). VMAs with different keys differ in rwx, so they never merge.

import type { MmStruct } from "./mm.js";
import { VM_ACCESS_FLAGS, VM_EXEC } from "./vm-flags.js";

/** Whether a VMA with `flags` is under the execute-only pkey (every data access faults). */
export function isExecOnly(mm: MmStruct, flags: number): boolean {
  return mm.pku && (flags & VM_ACCESS_FLAGS) === VM_EXEC;
}
