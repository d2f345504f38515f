// What the two idiomatic faces (MapleTree, SharedMapleTree) share beyond the argument checks
// (args.ts): the one RangeEntry type they yield, the reads behind first / last / floor / ceiling /
// count, the plain-data snapshot (its shape and its validation) and the text that `console.log` /
// `util.inspect` show. Names and reasons: docs/spec/api-idiomatic.md. No `node:` import: the
// package stays browser-safe (`Symbol.for` reaches Node's inspect hook without importing it).

import { MapleError } from "../core/errors.js";
import { describeValue, MAX_INDEX } from "../core/index-space.js";
import type { MapleTreeCore } from "../core/tree.js";
import { mt_scan, RangeIterator, RangeReverseIterator } from "../read/cursor.js";
import { mtree_store_range } from "../write/normal.js";
import { checkIndex, fail } from "./args.js";

/** One stored range with its value: what every read of both faces returns or yields. */
export interface RangeEntry<T> {
  /** First index of the range. */
  readonly first: number;
  /** Last index of the range (inclusive). */
  readonly last: number;
  /** The value stored over the range. */
  readonly value: T;
}

/**
 * A tree as plain data: what `snapshot()` / `toJSON()` return and `fromSnapshot` takes. Only
 * arrays, plain objects, booleans and numbers, so `structuredClone`, `postMessage` and (for
 * JSON-able values) `JSON.stringify` carry it. The values are the tree's own, not copies.
 */
export interface MapleTreeSnapshot<T> {
  /** Format version; 1 for now. `fromSnapshot` rejects any other. */
  readonly version: 1;
  /** Whether the tree was an allocation tree (`{ alloc: true }`, `MT_FLAGS_ALLOC_RANGE`). */
  readonly alloc: boolean;
  /** Every stored range, ascending and disjoint. */
  readonly ranges: readonly RangeEntry<T>[];
}

/** Node's `util.inspect.custom`, reached through the global symbol registry (no node: import). */
export const INSPECT: unique symbol = Symbol.for("nodejs.util.inspect.custom");

/** The lowest range ending at or after `index` (a `mas_find` from `index`), or undefined. */
export function ceilingOf<T>(mt: MapleTreeCore, index: number): RangeEntry<T> | undefined {
  let found: RangeEntry<T> | undefined;
  mt_scan<T>(mt, index, MAX_INDEX, (value, first, last) => {
    found = { first, last, value };
    return false;
  });
  return found;
}

/** The highest range starting at or before `index` (a `mas_find_rev` from `index`), or undefined. */
export function floorOf<T>(mt: MapleTreeCore, index: number): RangeEntry<T> | undefined {
  const r = new RangeReverseIterator<T>(mt, index, 0, noCheck).next();
  return r.done === true ? undefined : r.value;
}

function noCheck(): void {}

/** How many ranges end at or after `from` and start at or before `to` (one scan, O(log n + k)). */
export function countIn(mt: MapleTreeCore, from: number, to: number): number {
  let n = 0;
  mt_scan(mt, from, to, () => {
    n++;
  });
  return n;
}

/** The ranges meeting `[from, to]` as fresh plain objects, ascending. */
export function rangesIn<T>(mt: MapleTreeCore, from: number, to: number): RangeEntry<T>[] {
  const out: RangeEntry<T>[] = [];
  mt_scan<T>(mt, from, to, (value, first, last) => {
    out.push({ first, last, value });
  });
  return out;
}

/** The ranges a `mas_for_each_rev` from `from` down to `to` finds, as fresh plain objects. */
export function rangesReverseIn<T>(mt: MapleTreeCore, from: number, to: number): RangeEntry<T>[] {
  const out: RangeEntry<T>[] = [];
  for (const { first, last, value } of new RangeReverseIterator<T>(mt, from, to, noCheck)) {
    out.push({ first, last, value });
  }
  return out;
}

/** Every range of `mt`, ascending, lazily (for `inspect`, which stops at its limit). */
export function allRanges<T>(mt: MapleTreeCore): IterableIterator<RangeEntry<T>> {
  return new RangeIterator<T>(mt, 0, MAX_INDEX, noCheck);
}

/** Checks `[from, to]` of a windowed read (`count`, `keys`, ...), naming the method. */
export function checkWindow(where: string, from: unknown, to: unknown): void {
  checkIndex(where, "from", from);
  checkIndex(where, "to", to);
}

/** Yields each `first` of `ranges`. */
export function* firstsOf(ranges: Iterable<RangeEntry<unknown>>): Generator<number, undefined> {
  for (const r of ranges) yield r.first;
  return undefined;
}

/** Yields each `value` of `ranges`. */
export function* valuesOf<T>(ranges: Iterable<RangeEntry<T>>): Generator<T, undefined> {
  for (const r of ranges) yield r.value;
  return undefined;
}

function bad(where: string, what: string): never {
  throw new MapleError("EINVAL", `maple-tree/${where}: ${what}`);
}

/**
 * The ranges of `snapshot` after checking it is one: an object with `version: 1`, a boolean
 * `alloc` and an array `ranges` of `{ first, last, value }`, indices in order, ascending and
 * disjoint, no null/undefined value. Throws `MapleError("EINVAL")` naming the first bad field
 * (`snapshot.ranges[3].last`, ...). `checkEntry` adds the caller's own check of each value.
 */
export function checkSnapshot<T>(
  where: string,
  snapshot: unknown,
  checkEntry?: (name: string, value: unknown) => void,
): MapleTreeSnapshot<T> {
  if (typeof snapshot !== "object" || snapshot === null || Array.isArray(snapshot)) {
    bad(where, `snapshot must be an object from snapshot(), got ${describeValue(snapshot)}`);
  }
  const s = snapshot as Partial<Record<keyof MapleTreeSnapshot<T>, unknown>>;
  if (s.version !== 1) {
    bad(where, `snapshot.version must be 1, got ${describeValue(s.version)}`);
  }
  if (typeof s.alloc !== "boolean") {
    bad(where, `snapshot.alloc must be a boolean, got ${describeValue(s.alloc)}`);
  }
  if (!Array.isArray(s.ranges)) {
    bad(where, `snapshot.ranges must be an array, got ${describeValue(s.ranges)}`);
  }
  let prevLast = -1;
  for (let i = 0; i < s.ranges.length; i++) {
    const r: unknown = s.ranges[i];
    const name = `snapshot.ranges[${i}]`;
    if (typeof r !== "object" || r === null) {
      bad(where, `${name} must be a { first, last, value } object, got ${describeValue(r)}`);
    }
    const { first, last, value } = r as Record<string, unknown>;
    checkIndex(where, `${name}.first`, first);
    checkIndex(where, `${name}.last`, last);
    const f = first as number;
    const l = last as number;
    if (f > l) bad(where, `${name} [${f}, ${l}] is inverted (first > last)`);
    if (f <= prevLast) {
      bad(
        where,
        `${name} [${f}, ${l}] starts at or before the end of the range before it (${prevLast}); ranges must be ascending and disjoint`,
      );
    }
    if (value === null || value === undefined) bad(where, `${name}.value must not be ${value}`);
    checkEntry?.(`${name}.value`, value);
    prevLast = l;
  }
  return s as MapleTreeSnapshot<T>;
}

/**
 * Stores a checked snapshot's ranges into `mt` (kernel `mtree_store_range` each), for both
 * classes' `fromSnapshot`; a failing store (ENOMEM) throws naming the range.
 */
export function storeSnapshotRanges<T>(
  mt: MapleTreeCore,
  ranges: readonly RangeEntry<T>[],
  where: string,
): void {
  for (const { first, last, value } of ranges) {
    const ret = mtree_store_range(mt, first, last, value);
    if (ret !== 0) fail(where, ret, `storing snapshot.ranges [${first}, ${last}]`);
  }
}

/** What Node passes a `[util.inspect.custom]` method (the parts used here). */
export interface InspectOptions {
  depth?: number | null;
  maxArrayLength?: number | null;
  breakLength?: number;
  stylize?: (text: string, style: string) => string;
}

type Inspect = (value: unknown, options?: InspectOptions) => string;

/**
 * The text `console.log(tree)` shows under Node: `Name(size) { [first, last] => value, ... }`,
 * like a `Map`, at most `maxArrayLength` ranges (then `... n more`), one per line when the
 * whole would exceed `breakLength`. `ranges` is only read as far as shown.
 */
export function inspectRanges(
  name: string,
  size: number,
  ranges: Iterable<RangeEntry<unknown>>,
  depth: number,
  options: InspectOptions | undefined,
  inspect: Inspect | undefined,
): string {
  const opts = options ?? {};
  if (depth < 0) return `[${name}]`;
  // One level less for the values, as Node's own containers do (null: unlimited).
  const inner: InspectOptions = { ...opts };
  if (typeof opts.depth === "number") inner.depth = opts.depth - 1;
  const show = (v: unknown): string =>
    inspect === undefined ? (typeof v === "string" ? `'${v}'` : String(v)) : inspect(v, inner);
  const limit = opts.maxArrayLength ?? Number.POSITIVE_INFINITY;
  const parts: string[] = [];
  for (const r of ranges) {
    if (parts.length >= limit) break;
    parts.push(`[${r.first}, ${r.last}] => ${show(r.value)}`);
  }
  if (size > parts.length) parts.push(`... ${size - parts.length} more`);
  const head = `${name}(${size})`;
  if (parts.length === 0) return `${head} {}`;
  const oneLine = `${head} { ${parts.join(", ")} }`;
  if (oneLine.length <= (opts.breakLength ?? 80) && !oneLine.includes("\n")) return oneLine;
  return `${head} {\n${parts.map((p) => `  ${p.replace(/\n/g, "\n  ")}`).join(",\n")}\n}`;
}

/**
 * Throws `MapleError("EINVAL")` unless `mt` is an allocation tree: gap searches (`findGap`,
 * `allocate`) need the per-child largest gaps only those keep (`MT_FLAGS_ALLOC_RANGE`).
 */
export function requireAlloc(mt: MapleTreeCore, where: string): void {
  if (!mt.isAlloc) {
    bad(
      where,
      "the tree is not an allocation tree (create it with { alloc: true }): a plain tree does not index its gaps, so a search would scan every range",
    );
  }
}
