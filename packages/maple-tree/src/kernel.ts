// The kernel-named layer, `@maplemm/maple-tree/kernel`: the names, argument order and return
// conventions of include/linux/maple_tree.h (docs/spec/api.md "Kernel layer"), so kernel code and
// kernel tests port line by line. Named re-exports only; each function documents its kernel twin.

// Errors.
export { EBUSY, EEXIST, EINVAL, ENOMEM } from "./core/errors.js";
// Indices and entries.
export {
  MAX_INDEX,
  mt_is_reserved,
  ULONG_MAX,
  XA_ZERO_ENTRY,
  xa_is_value,
  xa_is_zero,
  xa_mk_value,
  xa_to_value,
} from "./core/index-space.js";
export { mt_clear_in_rcu, mt_in_rcu, mt_set_in_rcu } from "./core/rcu-mode.js";
export { immediateReclaimer, type Reclaimer } from "./core/reclaim.js";
// The maple state.
export {
  __mas_set_range,
  MA_STATE,
  MA_STATE_PREALLOC,
  type MaState,
  type MaStatus,
  mas_init,
  mas_is_active,
  mas_is_err,
  mas_is_none,
  mas_is_overflow,
  mas_is_paused,
  mas_is_ptr,
  mas_is_start,
  mas_is_underflow,
  mas_pause,
  mas_reset,
  mas_set,
  mas_set_err,
  mas_set_range,
} from "./core/state.js";
// Trees and flags.
export {
  type MapleTreeCore as maple_tree,
  type MapleTreeCore,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_ALLOC_WRAPPED,
  MT_FLAGS_HEIGHT_MASK,
  MT_FLAGS_HEIGHT_OFFSET,
  MT_FLAGS_LOCK_BH,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_LOCK_IRQ,
  MT_FLAGS_LOCK_MASK,
  MT_FLAGS_USE_RCU,
  type TreeOptions,
} from "./core/tree.js";
export { type MtDumpFormat, mt_dump } from "./debug/dump.js";
export {
  type MtStruct,
  mt_struct,
  type StructEntry,
  type StructNode,
  type StructNum,
  structEntry,
  structNum,
} from "./debug/struct.js";
export { mt_validate } from "./debug/validate.js";
// Advanced API: reads.
export { mas_find, mas_find_range, mas_find_range_rev, mas_find_rev } from "./read/find.js";
export {
  mas_alloc_cyclic,
  mas_empty_area,
  mas_empty_area_rev,
  mtree_alloc_cyclic,
  mtree_alloc_range,
  mtree_alloc_rrange,
} from "./read/gap-search.js";
// Normal API: reads.
export {
  mas_for_each,
  mas_for_each_rev,
  mt_find,
  mt_find_after,
  mt_for_each,
  mt_for_each_range,
  mt_next,
  mt_prev,
  type Ref,
} from "./read/iterate.js";
export { mas_next, mas_next_range } from "./read/next.js";
export { mas_prev, mas_prev_range } from "./read/prev.js";
export type { RangeVisitor } from "./read/step.js";
export { mas_walk, mtree_load } from "./read/walk.js";
// Advanced API: writes.
export {
  mas_destroy,
  mas_erase,
  mas_insert,
  mas_nomem,
  mas_preallocate,
  mas_store,
  mas_store_gfp,
  mas_store_prealloc,
} from "./write/advanced.js";
// Allocation flags and the userspace harness's failure injection.
export { GFP_ATOMIC, GFP_KERNEL, GFP_NOWAIT, type Gfp, mt_set_non_kernel } from "./write/alloc.js";
// Bulk loading.
export { mas_expected_entries } from "./write/bulk.js";
// Duplication and gap search / allocation.
export { __mt_dup, __mt_dup_map, mtree_dup } from "./write/dup.js";
// Normal API: trees and writes.
export {
  __mt_destroy,
  DEFINE_MTREE,
  mas_lock,
  mas_unlock,
  mt_height,
  mt_init,
  mt_init_flags,
  mt_lock_is_held,
  mtree_destroy,
  mtree_empty,
  mtree_erase,
  mtree_insert,
  mtree_insert_range,
  mtree_lock,
  mtree_store,
  mtree_store_range,
  mtree_unlock,
} from "./write/normal.js";
