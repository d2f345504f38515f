// The torture writer of the shared-tree tests: the ledger's writer side (fresh ids, pieces per id,
// the write section that removed an id's last piece) and the random op mix it runs inside write
// sections of the kernel layer: random, spanning and exact-fit stores (mtree_store_range,
// mas_store_gfp, mas_preallocate + mas_store_prealloc), inserts (and -EEXIST), erases and
// mtree_erase, window allocation on allocation trees, whole-tree clears and direct root entries,
// in grow and shrink phases so that splits, rebalances and height changes keep happening. Works on
// any MapleTreeCore, so the same ops can be checked on a local tree.
import { MapleError, type SharedMapleTree } from "@maplemm/maple-tree";
import {
  EEXIST,
  ENOMEM,
  GFP_KERNEL,
  MA_STATE,
  MAX_INDEX,
  type MapleTreeCore,
  mas_destroy,
  mas_empty_area,
  mas_empty_area_rev,
  mas_find,
  mas_preallocate,
  mas_store_gfp,
  mas_store_prealloc,
  mas_walk,
  mt_validate,
  mtree_alloc_range,
  mtree_alloc_rrange,
  mtree_erase,
  mtree_insert_range,
  mtree_load,
  mtree_store_range,
} from "@maplemm/maple-tree/kernel";
import {
  C_IDS,
  C_VER,
  checkRange,
  makeCtl,
  makeRows,
  R_BORN,
  R_DIED,
  R_FIRST,
  R_LAST,
  ROW,
} from "./shared-ledger.mjs";

/** Key space of the stored ranges. */
export const KEYS = 1 << 17;

/**
 * The writer side of the ledger: hands out ids, counts the pieces each id has in the tree (a store
 * over the middle of a range leaves two), and stamps the write section that removed an id's last
 * piece once that section has returned (its version is published).
 */
export class LedgerWriter {
  readonly ctl = makeCtl(KEYS);
  readonly rows: Int32Array<SharedArrayBuffer>;
  /** pieces[v]: ranges holding v in the tree now. */
  private readonly pieces: Int32Array;
  /** Non-NULL ranges in the tree now, by this count. */
  ranges = 0;
  private readonly dying: number[] = [];
  private readonly hit: number[] = [];

  constructor(readonly maxIds: number) {
    this.rows = makeRows(maxIds);
    this.pieces = new Int32Array(maxIds + 1);
  }

  /** The write section in progress (the version it will publish). */
  get version(): number {
    return this.ctl[C_VER] as number;
  }

  get ids(): number {
    return (this.ctl[C_IDS] as number) - 1;
  }

  /** A fresh id for [first, last], its ledger row written before it can be stored; 0 when out. */
  newId(first: number, last: number): number {
    const id = this.ctl[C_IDS] as number;
    if (id > this.maxIds) return 0;
    Atomics.store(this.rows, id * ROW + R_FIRST, first);
    Atomics.store(this.rows, id * ROW + R_LAST, last);
    Atomics.store(this.rows, id * ROW + R_BORN, this.ctl[C_VER] as number);
    Atomics.store(this.ctl, C_IDS, id + 1);
    return id;
  }

  /** The ranges overlapping [a, b] as flat [first, last, value] triples (in a write section). */
  scan(mt: MapleTreeCore, a: number, b: number): number[] {
    const out = this.hit;
    out.length = 0;
    const mas = MA_STATE(mt, a, a);
    for (let e = mas_find(mas, b); e !== null; e = mas_find(mas, b)) {
      out.push(mas.index, mas.last, e as number);
    }
    return out;
  }

  /** Accounts a finished write of [a, b] over the `hit` ranges; `value` 0 for a NULL store. */
  wrote(hit: number[], a: number, b: number, value: number): void {
    const pieces = this.pieces;
    for (let k = 0; k < hit.length; k += 3) {
      const f = hit[k] as number;
      const l = hit[k + 1] as number;
      const v = hit[k + 2] as number;
      let left = -1;
      if (f < a) left++;
      if (l > b) left++;
      pieces[v] = (pieces[v] as number) + left;
      this.ranges += left;
      if (pieces[v] === 0) this.dying.push(v);
    }
    if (value !== 0) {
      pieces[value] = 1;
      this.ranges++;
    }
  }

  /** `value` was never stored (the write failed): it is dead from this section on. */
  unused(value: number): void {
    if (value !== 0) this.dying.push(value);
  }

  /** Call after write section k returned: stamps the ids it removed, then moves C_VER on. */
  endSection(): void {
    const k = this.ctl[C_VER] as number;
    for (const v of this.dying) Atomics.store(this.rows, v * ROW + R_DIED, k);
    this.dying.length = 0;
    Atomics.store(this.ctl, C_VER, k + 1);
  }

  /** Pieces the ledger expects for `v`. */
  piecesOf(v: number): number {
    return this.pieces[v] as number;
  }

  /**
   * Checks the tree against the ledger (in a write section): it validates, every range lies inside
   * its id's row, each id has exactly the pieces counted, and no id stamped dead is left. Pushes
   * what is wrong onto `errs`.
   */
  check(mt: MapleTreeCore, errs: string[]): void {
    try {
      mt_validate(mt);
    } catch (e) {
      errs.push(`mt_validate: ${(e as Error).message}`);
    }
    const seen = new Map<number, number>();
    const mas = MA_STATE(mt, 0, 0);
    let n = 0;
    for (let e = mas_find(mas, MAX_INDEX); e !== null; e = mas_find(mas, MAX_INDEX)) {
      n++;
      const v = e as number;
      seen.set(v, (seen.get(v) ?? 0) + 1);
      const why = checkRange(this.ctl, this.rows, v, mas.index, mas.last, this.version);
      if (why !== null && errs.length < 20) errs.push(`final: ${why}`);
    }
    if (n !== this.ranges)
      errs.push(`final: ${n} ranges in the tree, the ledger counted ${this.ranges}`);
    for (const [v, c] of seen) {
      if (c !== this.piecesOf(v) && errs.length < 20) {
        errs.push(`final: value ${v} has ${c} pieces, the ledger counted ${this.piecesOf(v)}`);
      }
    }
  }
}

export type Phase = { grow: boolean; target: number };

/** The main-thread writer: one op at a time, batched into write sections. */
export class TortureWriter {
  readonly ops: Record<string, number> = {
    store: 0,
    span: 0,
    exact: 0,
    insert: 0,
    eexist: 0,
    erase: 0,
    eraseAt: 0,
    clear: 0,
    root: 0,
    idiomatic: 0,
    masStore: 0,
    prealloc: 0,
    allocRange: 0,
  };
  phase: Phase = { grow: true, target: 4500 };
  /** Ops left before the phase turns even if its target was not reached. */
  private phaseOps = 30_000;
  /** Phases run so far. */
  phases = 0;
  exhausted = false;

  constructor(
    readonly ledger: LedgerWriter,
    readonly rand: () => number,
    /** An allocation tree: also allocate through mtree_alloc_range / mtree_alloc_rrange. */
    readonly alloc = false,
  ) {}

  private key(): number {
    return (this.rand() * KEYS) | 0;
  }

  private smallLen(): number {
    const r = this.rand();
    return r < 0.5 ? 1 : 1 + ((r * r * 48) | 0);
  }

  private nextPhase(): void {
    const r = this.rand();
    this.phase = this.phase.grow
      ? { grow: false, target: r < 0.3 ? 0 : r < 0.6 ? 30 : 400 }
      : { grow: true, target: r < 0.3 ? 1000 : r < 0.7 ? 2500 : 4500 };
    this.phaseOps = 30_000;
    this.phases++;
  }

  /** Stores `value` (0 = NULL) over [a, b] through mtree_store_range; returns the errno. */
  private store(mt: MapleTreeCore, a: number, b: number, value: number): number {
    const L = this.ledger;
    const hit = L.scan(mt, a, b);
    const ret = mtree_store_range(mt, a, b, value === 0 ? null : value);
    if (ret === 0) L.wrote(hit, a, b, value);
    else L.unused(value);
    return ret;
  }

  /**
   * Stores through the advanced API: a maple state and `mas_store_gfp`, or `mas_preallocate` then
   * `mas_store_prealloc` and `mas_destroy` (the kernel's preallocated store).
   */
  private advancedStore(mt: MapleTreeCore, a: number, b: number, v: number, gfp: boolean): number {
    const L = this.ledger;
    const hit = L.scan(mt, a, b);
    const mas = MA_STATE(mt, a, b);
    let ret: number;
    if (gfp) {
      ret = mas_store_gfp(mas, v, GFP_KERNEL);
      this.ops.masStore = (this.ops.masStore as number) + 1;
    } else {
      ret = mas_preallocate(mas, v, GFP_KERNEL);
      if (ret === 0) {
        mas_store_prealloc(mas, v);
        ret = mas.status === "error" ? mas.err : 0;
      }
      mas_destroy(mas);
      this.ops.prealloc = (this.ops.prealloc as number) + 1;
    }
    if (ret === 0) L.wrote(hit, a, b, v);
    else L.unused(v);
    return ret;
  }

  /**
   * Allocation trees: finds the lowest (highest) empty window of a random size after (before) a
   * random key with mas_empty_area(_rev) in this write section, writes the ledger row, then has
   * mtree_alloc_range (mtree_alloc_rrange) take exactly that window; it must land there.
   */
  private allocate(mt: MapleTreeCore, fresh: (a: number, b: number) => number): number {
    const size = this.smallLen();
    const lo = this.key();
    const hi = Math.min(lo + 5000, KEYS - 1);
    if (hi - lo < size - 1) return 0;
    const rev = this.rand() < 0.5;
    const mas = MA_STATE(mt, lo, lo);
    const found = rev ? mas_empty_area_rev(mas, lo, hi, size) : mas_empty_area(mas, lo, hi, size);
    if (found !== 0) return 0;
    const a = mas.index;
    const b = a + size - 1;
    const v = fresh(a, b);
    if (v === 0) return 0;
    const at = { value: -1 };
    const ret = rev
      ? mtree_alloc_rrange(mt, at, v, size, lo, hi)
      : mtree_alloc_range(mt, at, v, size, lo, hi);
    if (ret === 0) {
      if (at.value !== a) {
        throw new Error(
          `${rev ? "mtree_alloc_rrange" : "mtree_alloc_range"}(size ${size}, [${lo}, ${hi}]) took ${at.value}, but ${rev ? "mas_empty_area_rev" : "mas_empty_area"} found ${a} in the same write section`,
        );
      }
      this.ledger.wrote([], a, b, v);
      this.ops.allocRange = (this.ops.allocRange as number) + 1;
      return 0;
    }
    this.ledger.unused(v);
    if (ret !== -ENOMEM) {
      throw new Error(
        `mtree_alloc_range(size ${size}, [${lo}, ${hi}]) -> ${ret} after the window at ${a} was found`,
      );
    }
    return ret;
  }

  /** One random op in a write section; returns its errno (0, or -ENOMEM to back off). */
  op(mt: MapleTreeCore): number {
    const L = this.ledger;
    const ph = this.phase;
    if (--this.phaseOps === 0 || (ph.grow ? L.ranges >= ph.target : L.ranges <= ph.target)) {
      this.nextPhase();
    }
    const grow = this.phase.grow;
    const r = this.rand();
    let ret = 0;
    const fresh = (a: number, b: number): number => {
      const v = L.newId(a, b);
      if (v === 0) this.exhausted = true;
      return v;
    };
    if (!grow && this.phase.target === 0 && r < 0.05) {
      // Clear everything: the tree goes back to empty (height 0).
      ret = this.store(mt, 0, KEYS - 1, 0);
      this.ops.clear = (this.ops.clear as number) + 1;
    } else if (L.ranges === 0 && r < 0.5) {
      // An empty tree storing index 0 alone keeps it as a direct root entry.
      const v = fresh(0, 0);
      if (v === 0) return 0;
      ret = this.store(mt, 0, 0, v);
      this.ops.root = (this.ops.root as number) + 1;
    } else if (r < (grow ? 0.55 : 0.15)) {
      const a = this.key();
      const b = Math.min(a + this.smallLen() - 1, KEYS - 1);
      const v = fresh(a, b);
      if (v === 0) return 0;
      const how = this.rand();
      if (how < 0.6) {
        ret = this.store(mt, a, b, v);
        this.ops.store = (this.ops.store as number) + 1;
      } else {
        ret = this.advancedStore(mt, a, b, v, how < 0.8);
      }
    } else if (this.alloc && r < (grow ? 0.63 : 0.17)) {
      ret = this.allocate(mt, fresh);
    } else if (r < (grow ? 0.75 : 0.2)) {
      // Insert into the NULL range at a random key (-EEXIST when it lands on an entry).
      const i = this.key();
      const mas = MA_STATE(mt, i, i);
      const at = mas_walk(mas);
      const a = at === null ? Math.max(mas.index, i - ((this.rand() * 4) | 0)) : i;
      const b = Math.min(a + this.smallLen() - 1, at === null ? mas.last : a, KEYS - 1);
      const v = fresh(a, b);
      if (v === 0) return 0;
      ret = mtree_insert_range(mt, a, b, v);
      if (ret === 0) {
        L.wrote([], a, b, v);
        this.ops.insert = (this.ops.insert as number) + 1;
      } else {
        L.unused(v);
        if (ret === -EEXIST) {
          ret = 0;
          this.ops.eexist = (this.ops.eexist as number) + 1;
        }
      }
    } else if (r < (grow ? 0.82 : 0.3)) {
      // Exact fit: overwrite one whole stored range (the in-place slot replacement).
      const i = this.key();
      const mas = MA_STATE(mt, i, i);
      const at = mas_find(mas, KEYS - 1);
      if (at === null) return 0;
      const a = mas.index;
      const b = mas.last;
      const v = fresh(a, b);
      if (v === 0) return 0;
      ret = this.store(mt, a, b, v);
      this.ops.exact = (this.ops.exact as number) + 1;
    } else if (r < (grow ? 0.92 : 0.45)) {
      const a = this.key();
      const b = Math.min(a + this.smallLen() * 4 - 1, KEYS - 1);
      ret = this.store(mt, a, b, 0);
      this.ops.erase = (this.ops.erase as number) + 1;
    } else if (r < (grow ? 0.97 : 0.65)) {
      // mtree_erase: the whole range holding a key (found from a random key onwards).
      const i = this.key();
      const mas = MA_STATE(mt, i, i);
      const at = mas_find(mas, KEYS - 1);
      if (at === null) return 0;
      const hit = L.scan(mt, mas.index, mas.last);
      const first = mas.index;
      const gone = mtree_erase(mt, first);
      if (gone === null && mtree_load(mt, first) === at) {
        ret = -ENOMEM; // the port's mtree_erase says null when it could not allocate: nothing changed
      } else {
        if (gone !== at) throw new Error(`mtree_erase(${first}) returned ${gone}, not ${at}`);
        L.wrote(hit, first, mas.last, 0);
        this.ops.eraseAt = (this.ops.eraseAt as number) + 1;
      }
    } else {
      // Spanning store over many ranges: a new value (grow) or mostly NULL (shrink).
      const a = this.key();
      const b = Math.min(
        a + (grow ? 16 + ((this.rand() * 600) | 0) : 200 + ((this.rand() * 20_000) | 0)),
        KEYS - 1,
      );
      const v = grow || this.rand() < 0.3 ? fresh(a, b) : 0;
      if (v === 0 && this.exhausted) return 0;
      ret = this.store(mt, a, b, v);
      this.ops.span = (this.ops.span as number) + 1;
    }
    return ret;
  }

  /** `n` ops in one write section (the caller ends it with `ledger.endSection()` once it returned); stops early on -ENOMEM. */
  batch(mt: MapleTreeCore, n: number): number {
    for (let k = 0; k < n && !this.exhausted; k++) {
      const ret = this.op(mt);
      if (ret !== 0) return ret;
    }
    return 0;
  }

  /**
   * One op through the idiomatic API (its own write section; the scan is a separate read, which
   * is fine with one writer). Returns 0, or -ENOMEM when the arena was full (MapleError ENOMEM:
   * nothing changed).
   */
  idiomatic(tree: Pick<SharedMapleTree, "read" | "setRange" | "deleteRange">): number {
    const L = this.ledger;
    const a = this.key();
    const b = Math.min(a + this.smallLen() - 1, KEYS - 1);
    const hit = tree.read((mt) => L.scan(mt, a, b).slice());
    const store = this.rand() < 0.5;
    const v = store ? L.newId(a, b) : 0;
    if (store && v === 0) {
      this.exhausted = true;
      return 0;
    }
    try {
      if (v !== 0) tree.setRange(a, b, v);
      else tree.deleteRange(a, b);
      L.wrote(hit, a, b, v);
      this.ops.idiomatic = (this.ops.idiomatic as number) + 1;
      return 0;
    } catch (e) {
      if (!(e instanceof MapleError) || e.code !== "ENOMEM") throw e;
      L.unused(v);
      return -ENOMEM;
    } finally {
      L.endSection();
    }
  }
}
