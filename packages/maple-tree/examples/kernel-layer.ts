// The kernel layer: mtree_* and the mas_* state API with C's names, argument order and statuses.
import {
  DEFINE_MTREE,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  mas_find,
  mas_for_each,
  mas_pause,
  mtree_load,
  mtree_store_range,
  xa_mk_value,
} from "@maplemm/maple-tree/kernel";

const mt = DEFINE_MTREE(MT_FLAGS_ALLOC_RANGE);
for (let i = 0; i < 100; i++) mtree_store_range(mt, i * 10, i * 10 + 5, xa_mk_value(i));
if (mtree_load(mt, 253) !== xa_mk_value(25)) throw new Error("mtree_load(253) is not entry 25");
if (mtree_load(mt, 257) !== null) throw new Error("mtree_load(257) is not empty");

const mas = MA_STATE(mt, 0, 0);
const seen: number[] = [];
for (const entry of mas_for_each(mas, 500)) {
  // mas.index / mas.last describe the current range, exactly as in C
  seen.push(entry as number);
  if (mas.index > 250) mas_pause(mas); // drop "the lock" mid-walk, resume after last
}
if (seen.length !== 51 || seen[50] !== xa_mk_value(50)) {
  throw new Error(`mas_for_each visited ${seen.length} entries, want 51 (0..500)`);
}
const next = mas_find(mas, 500); // nothing past 500: the state says why
if (next !== null) throw new Error(`mas_find past the end returned ${String(next)}`);
console.log(`kernel-layer: ok (status after the walk: ${mas.status})`);
