// Public API of @maplemm/maple-tree: the idiomatic MapleTree class and what its users need beside
// it. The kernel-named layer is the "./kernel" entry point (kernel.ts). Named re-exports only.

export { MAX_INDEX, XA_ZERO_ENTRY } from "./entry.js";
export { MapleError, type MapleErrorCode } from "./errors.js";
export type { GapOptions } from "./gap.js";
export {
  MapleTree,
  type MapleTreeOptions,
  type MapleTreeSnapshot,
  type RangeEntry,
} from "./map.js";
export { immediateReclaimer, type Reclaimer } from "./reclaim.js";
export {
  type SharedGapOptions,
  SharedMapleTree,
  type SharedRange,
  type SharedTreeCreateOptions,
  type SharedTreeDomain,
  type SharedTreeOptions,
  type WatchedWorker,
} from "./shared.js";
export { SHARED_ENTRY_MAX, type SharedTreeHandle } from "./shared-layout.js";
