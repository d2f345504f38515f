// The operations of a maple-struct/1 trace (struct-format.md "Operations") run on one of our
// trees through the kernel layer, each with the kernel call the format names. The replayer keeps
// the tree and the bulk state `B` the format carries across lines.

import {
  __mt_dup,
  DEFINE_MTREE,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  type MaState,
  mas_destroy,
  mas_expected_entries,
  mas_for_each,
  mas_lock,
  mas_store,
  mas_store_gfp,
  mas_unlock,
  mtree_alloc_cyclic,
  mtree_alloc_range,
  mtree_alloc_rrange,
  mtree_destroy,
  mtree_erase,
  mtree_insert_range,
  mtree_store_range,
  XA_ZERO_ENTRY,
} from "@maplemm/maple-tree/kernel";
import { type PicEntry, type PicNum, picValue } from "./picture.js";

/** One operation line of a trace (its recorded results are not needed to replay it). */
export interface StructOp {
  op: string;
  args: (PicNum | PicEntry)[];
}

const num = (v: PicNum | PicEntry): number => picValue(v as PicNum, MAX_INDEX);
const entry = (v: PicNum | PicEntry): unknown => (v === "zero" ? XA_ZERO_ENTRY : v);

/** Runs a trace's operations on a tree of ours. */
export class StructReplayer {
  tree: MapleTreeCore;
  private bulk: MaState | null = null;

  constructor(private readonly flags: number) {
    this.tree = DEFINE_MTREE(flags);
  }

  apply(rec: StructOp): void {
    const mt = this.tree;
    const a = rec.args;
    switch (rec.op) {
      case "init":
        mtree_destroy(mt);
        this.tree = DEFINE_MTREE(num(a[0] as PicNum));
        return;
      case "store_range":
        mtree_store_range(mt, num(a[0]), num(a[1]), entry(a[2]));
        return;
      case "insert_range":
        mtree_insert_range(mt, num(a[0]), num(a[1]), entry(a[2]));
        return;
      case "erase":
        mtree_erase(mt, num(a[0]));
        return;
      case "mas_store_gfp": {
        const mas = MA_STATE(mt, num(a[0]), num(a[1]));
        mas_lock(mas);
        mas_store_gfp(mas, entry(a[2]));
        mas_unlock(mas);
        return;
      }
      case "alloc_range":
      case "alloc_rrange": {
        const fn = rec.op === "alloc_range" ? mtree_alloc_range : mtree_alloc_rrange;
        fn(mt, { value: 0 }, entry(a[3]), num(a[0]), num(a[1]), num(a[2]));
        return;
      }
      case "alloc_cyclic":
        mtree_alloc_cyclic(mt, { value: 0 }, entry(a[3]), num(a[0]), num(a[1]), {
          value: num(a[2]),
        });
        return;
      case "destroy":
        mtree_destroy(mt);
        return;
      default:
        this.applyBulkOrDup(rec);
    }
  }

  private applyBulkOrDup(rec: StructOp): void {
    const a = rec.args;
    switch (rec.op) {
      case "mas_expected_entries":
        this.bulk = MA_STATE(this.tree, 0, 0);
        mas_lock(this.bulk);
        mas_expected_entries(this.bulk, num(a[0]));
        return;
      case "mas_store": {
        const b = this.bulkState();
        b.index = num(a[0]);
        b.last = num(a[1]);
        mas_store(b, entry(a[2]));
        return;
      }
      case "mas_destroy": {
        const b = this.bulkState();
        mas_destroy(b);
        mas_unlock(b);
        this.bulk = null;
        return;
      }
      case "dup": {
        const copy = DEFINE_MTREE(this.flags);
        __mt_dup(this.tree, copy);
        mtree_destroy(this.tree);
        this.tree = copy;
        return;
      }
      case "dup_walk": {
        const mas = MA_STATE(this.tree, 0, 0);
        mas_lock(mas);
        for (const e of mas_for_each(mas, MAX_INDEX)) {
          if (typeof e === "number") mas_store(mas, e + 1);
        }
        mas_destroy(mas);
        mas_unlock(mas);
        return;
      }
      default:
        throw new Error(`unknown trace operation "${rec.op}"`);
    }
  }

  private bulkState(): MaState {
    if (this.bulk === null) throw new Error("mas_store/mas_destroy outside a bulk load");
    return this.bulk;
  }
}
