// The address-space view's model: an MmStruct (empty, or loaded from pasted /proc/<pid>/maps
// text), the syscalls run on it with what each returned, and the child of the last fork. Each step
// keeps the maps text and the VMA rows after it, so the page can step back through the history
// without re-running anything. No DOM here: Node tests drive the same session the page does.

import { type DupStrategy, ERRNO_NAMES, MmStruct, vmaName } from "@maplemm/mm";

/** One VMA as the strip draws it. */
export interface VmaRow {
  start: number;
  end: number;
  perms: string;
  flags: string;
  name: string;
}

/** One syscall of the address-space view. */
export type MmOp =
  | { op: "mmap"; addr: number; len: number; prot: number; flags: number }
  | { op: "munmap"; addr: number; len: number }
  | { op: "mprotect"; addr: number; len: number; prot: number }
  | { op: "mremap"; addr: number; oldLen: number; newLen: number; flags: number; newAddr: number }
  | { op: "madvise"; addr: number; len: number; advice: number }
  | { op: "brk"; addr: number }
  | { op: "fork"; strategy: DupStrategy };

/** One step: the call, its return, and the address space after it (and the child's, after fork). */
export interface MmStep {
  text: string;
  result: string;
  ok: boolean;
  maps: string;
  vmas: VmaRow[];
  child: { maps: string; vmas: VmaRow[] } | null;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The model address space and its history. */
export class MmSession {
  readonly mm: MmStruct;
  readonly steps: MmStep[] = [];
  private child: MmStep["child"] = null;

  /** An empty mm, or one laid out as the pasted maps text says. */
  constructor(mapsText = "") {
    this.mm = mapsText.trim() === "" ? new MmStruct() : MmStruct.fromProcMaps(mapsText);
    this.record(mapsText.trim() === "" ? "new mm" : "loaded from maps text", "");
  }

  /**
   * Run one syscall and record the step. A `-errno` answer or a thrown argument error changes
   * nothing and is not recorded: the step returned is the current one with the answer.
   */
  run(op: MmOp): MmStep {
    const text = mmOpText(op);
    let ret: number;
    try {
      ret = this.call(op);
    } catch (e) {
      return this.failed(text, (e as Error).message);
    }
    if (ret < 0) return this.failed(text, `-${ERRNO_NAMES[-ret] ?? -ret}`);
    return this.record(
      text,
      op.op === "mmap" || op.op === "mremap" || op.op === "brk" ? hex(ret) : String(ret),
    );
  }

  private call(op: MmOp): number {
    const mm = this.mm;
    switch (op.op) {
      case "mmap":
        return mm.mmap(op.addr, op.len, op.prot, op.flags);
      case "munmap":
        return mm.munmap(op.addr, op.len);
      case "mprotect":
        return mm.mprotect(op.addr, op.len, op.prot);
      case "mremap":
        return mm.mremap(op.addr, op.oldLen, op.newLen, op.flags, op.newAddr);
      case "madvise":
        return mm.madvise(op.addr, op.len, op.advice);
      case "brk":
        return mm.brk(op.addr);
      case "fork": {
        const child = mm.fork(op.strategy);
        this.child = { maps: child.procMaps(), vmas: rowsOf(child) };
        child.mmput();
        return 0;
      }
    }
  }

  private failed(text: string, result: string): MmStep {
    return { ...(this.steps[this.steps.length - 1] as MmStep), text, result, ok: false };
  }

  private record(text: string, result: string): MmStep {
    const step = {
      text,
      result,
      ok: true,
      maps: this.mm.procMaps(),
      vmas: rowsOf(this.mm),
      child: this.child,
    };
    this.steps.push(step);
    return step;
  }
}

/** The VMAs of an mm as the strip draws them. */
export function rowsOf(mm: MmStruct): VmaRow[] {
  return mm.vmas().map((v) => ({
    start: v.start,
    end: v.end,
    perms: v.perms,
    flags: v.vmFlags,
    name: vmaName(v, mm),
  }));
}

/** The call as C would write it. */
export function mmOpText(op: MmOp): string {
  switch (op.op) {
    case "mmap":
      return `mmap(${hex(op.addr)}, ${hex(op.len)}, ${op.prot}, ${hex(op.flags)})`;
    case "munmap":
      return `munmap(${hex(op.addr)}, ${hex(op.len)})`;
    case "mprotect":
      return `mprotect(${hex(op.addr)}, ${hex(op.len)}, ${op.prot})`;
    case "mremap":
      return `mremap(${hex(op.addr)}, ${hex(op.oldLen)}, ${hex(op.newLen)}, ${op.flags}, ${hex(op.newAddr)})`;
    case "madvise":
      return `madvise(${hex(op.addr)}, ${hex(op.len)}, ${op.advice})`;
    case "brk":
      return `brk(${hex(op.addr)})`;
    case "fork":
      return `fork() [dup_mmap: ${op.strategy}]`;
  }
}
