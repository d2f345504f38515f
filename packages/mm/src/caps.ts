// The capabilities of the process owning an mm that the mm code asks about (kernel
// `capable()`): CAP_IPC_LOCK (mlock beyond RLIMIT_MEMLOCK), CAP_SYS_RAWIO (MAP_FIXED below
// mmap_min_addr), CAP_SYS_ADMIN (the overcommit admin reserve) and CAP_SYS_RESOURCE (raising a
// hard rlimit). A fork child gets a copy.

import { describe, MmError } from "./errors.js";

/** A capability the mm asks about. */
export type MmCapability = "CAP_IPC_LOCK" | "CAP_SYS_RAWIO" | "CAP_SYS_ADMIN" | "CAP_SYS_RESOURCE";

/** Every capability the model knows. */
export const ALL_CAPABILITIES: readonly MmCapability[] = Object.freeze([
  "CAP_IPC_LOCK",
  "CAP_SYS_RAWIO",
  "CAP_SYS_ADMIN",
  "CAP_SYS_RESOURCE",
]);

/** Effective capabilities of one process. */
export class Caps {
  ipcLock = false;
  sysRawio = false;
  sysAdmin = false;
  sysResource = false;

  /** `true`: every capability; `false`: none; a list: those. */
  constructor(privileged: boolean | readonly MmCapability[] = false) {
    this.set(privileged, "new MmStruct: option privileged");
  }

  /** Replaces the set (throws MmError EINVAL naming `where` for a bad value). */
  set(privileged: boolean | readonly MmCapability[], where: string): void {
    let list: readonly MmCapability[];
    if (privileged === true) list = ALL_CAPABILITIES;
    else if (privileged === false) list = [];
    else if (Array.isArray(privileged)) list = privileged;
    else
      throw new MmError(
        "EINVAL",
        `${where} must be a boolean or a capability list, got ${describe(privileged)}`,
      );
    for (const c of list) {
      if (!ALL_CAPABILITIES.includes(c)) {
        throw new MmError("EINVAL", `${where}: unknown capability ${describe(c)}`);
      }
    }
    this.ipcLock = list.includes("CAP_IPC_LOCK");
    this.sysRawio = list.includes("CAP_SYS_RAWIO");
    this.sysAdmin = list.includes("CAP_SYS_ADMIN");
    this.sysResource = list.includes("CAP_SYS_RESOURCE");
  }

  /** The set as a list. */
  list(): MmCapability[] {
    const out: MmCapability[] = [];
    if (this.ipcLock) out.push("CAP_IPC_LOCK");
    if (this.sysRawio) out.push("CAP_SYS_RAWIO");
    if (this.sysAdmin) out.push("CAP_SYS_ADMIN");
    if (this.sysResource) out.push("CAP_SYS_RESOURCE");
    return out;
  }
}
