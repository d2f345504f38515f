// Argument checks of the idiomatic classes (MapleTree, SharedMapleTree): each names the method and
// the argument, and throws before anything changes. `where` is "Class.method".

import { MapleError } from "../core/errors.js";
import { describeValue, isIndex, MAX_INDEX } from "../core/index-space.js";

/** Throws EINVAL unless `value` is an index (an integer in 0..MAX_INDEX). */
export function checkIndex(where: string, name: string, value: unknown): void {
  if (!isIndex(value)) {
    throw new MapleError(
      "EINVAL",
      `maple-tree/${where}: ${name} must be an integer in 0..${MAX_INDEX}, got ${describeValue(value)}`,
    );
  }
}

/** Throws EINVAL unless [first, last] are indices with first <= last. */
export function checkRange(where: string, first: unknown, last: unknown): void {
  checkIndex(where, "first", first);
  checkIndex(where, "last", last);
  if ((first as number) > (last as number)) {
    throw new MapleError(
      "EINVAL",
      `maple-tree/${where}: range [${first}, ${last}] is inverted (first > last)`,
    );
  }
}

/** Throws EINVAL for a null or undefined value (the idiomatic layer's "no value"). */
export function checkValue(where: string, value: unknown): void {
  if (value === null || value === undefined) {
    throw new MapleError(
      "EINVAL",
      `maple-tree/${where}: value must not be ${value} (use delete/deleteRange to empty a range)`,
    );
  }
}

/** Throws the MapleError of a kernel-layer errno. */
export function fail(where: string, errno: number, detail: string): never {
  throw MapleError.fromErrno(errno, where, detail);
}
