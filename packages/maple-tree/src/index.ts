// Public API of @maplemm/maple-tree: the idiomatic MapleTree class and what its users need beside
// it. The kernel-named layer is the "./kernel" entry point (kernel.ts). Named re-exports only.

export { MapleError, type MapleErrorCode } from "./core/errors.js";
export { MAX_INDEX, XA_ZERO_ENTRY } from "./core/index-space.js";
export { immediateReclaimer, type Reclaimer } from "./core/reclaim.js";
export {
  MapleTree,
  type MapleTreeOptions,
  type MapleTreeSnapshot,
  type RangeEntry,
} from "./face/maple-tree.js";
export type { GapOptions } from "./read/gap-search.js";
export { SHARED_ENTRY_MAX, type SharedTreeHandle } from "./shared/layout.js";
export {
  type SharedGapOptions,
  SharedMapleTree,
  type SharedRange,
  type SharedTreeCreateOptions,
  type SharedTreeDomain,
  type SharedTreeOptions,
  type WatchedWorker,
} from "./shared/shared-tree.js";
