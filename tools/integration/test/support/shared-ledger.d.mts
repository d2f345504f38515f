// Types of shared-ledger.mjs, for the TypeScript harness.
export declare const C_STOP: number;
export declare const C_VER: number;
export declare const C_IDS: number;
export declare const C_READY: number;
export declare const C_KEYS: number;
export declare const C_ERRORS: number;
export declare const C_BEAT: number;
export declare const CTL_WORDS: number;
export declare const ROW: number;
export declare const R_FIRST: number;
export declare const R_LAST: number;
export declare const R_DIED: number;
export declare const R_BORN: number;
export declare class Section {
  constructor(rows: Int32Array);
  lo: number;
  hi: number;
  reset(): void;
  saw(value: number): string | null;
  mixed(): string | null;
}
export declare function makeCtl(keys: number): Int32Array<SharedArrayBuffer>;
export declare function makeRows(maxIds: number): Int32Array<SharedArrayBuffer>;
export declare function checkRange(
  ctl: Int32Array,
  rows: Int32Array,
  value: unknown,
  first: number,
  last: number,
  w0: number,
): string | null;
export declare function rng(seed: number): () => number;
