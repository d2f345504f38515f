// Types of shared-block-writer.mjs, for the TypeScript test.
import type { MapleTreeCore } from "@maplemm/maple-tree/kernel";

export declare const BLOCK: number;
export declare const W_INSIDE: number;
export declare const W_OVERLAP: number;
export declare const W_READY: number;
export declare const W_GO: number;
export declare const W_TICKET: number;
export declare const W_READERS: number;
export declare const W_STOP: number;
export declare const W_WORDS: number;
export interface BlockKernel {
  EEXIST: number;
  ENOMEM: number;
  mtree_store_range(mt: MapleTreeCore, first: number, last: number, entry: unknown): number;
  mtree_insert_range(mt: MapleTreeCore, first: number, last: number, entry: unknown): number;
  mtree_erase(mt: MapleTreeCore, index: number): unknown;
  mtree_load(mt: MapleTreeCore, index: number): unknown;
}
export declare function blockOp(
  k: BlockKernel,
  mt: MapleTreeCore,
  rand: () => number,
  model: Int32Array,
  parity: number,
  value: number,
): string | null;
export declare function checkBlockRange(
  first: number,
  last: number,
  value: number,
  prev: number,
): string | null;
export declare function guarded(ctl: Int32Array, fn: () => void): number;
