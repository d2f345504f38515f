// Indices and entries: the index space 0..MAX_INDEX, argument checks, and the XArray-style
// reserved entries (XA_ZERO_ENTRY, value entries) that kernel code expects (docs/spec/api.md).

/** The largest index: the role of the kernel's `ULONG_MAX`, here `Number.MAX_SAFE_INTEGER`. */
export const MAX_INDEX = Number.MAX_SAFE_INTEGER;
/** Alias of {@link MAX_INDEX} for code ported from the kernel. */
export const ULONG_MAX = MAX_INDEX;

/** True when `i` is an integer in `0..MAX_INDEX` (rejects NaN, ±Infinity, fractions, bigint...). */
export function isIndex(i: unknown): i is number {
  return typeof i === "number" && Number.isInteger(i) && i >= 0 && i <= MAX_INDEX;
}

/** Describes a bad argument for an error message, without throwing on exotic values. */
export function describeValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "symbol") return v.toString();
  return String(v);
}

/**
 * A reserved entry: occupies its range for writers, inserts and gap searches, while the normal
 * read API (`mtree_load`, `mt_find`) shows it as empty. Mirrors the kernel's `XA_ZERO_ENTRY`.
 */
export const XA_ZERO_ENTRY: Readonly<{ readonly xa: "zero" }> = Object.freeze({
  xa: "zero" as const,
});

/** Kernel `xa_is_zero()`: is `entry` the reserved {@link XA_ZERO_ENTRY}? */
export function xa_is_zero(entry: unknown): boolean {
  return entry === XA_ZERO_ENTRY;
}

// Value entries. In C an integer is carried as an entry by tagging it (`(v << 1) | 1`), so two
// `xa_mk_value(5)` compare equal. In JS a number is already a value distinct from every object, so
// a value entry is simply the number: equality, `===` and the shared-memory mode (where entries are
// integers) all agree without interning.

/** Kernel `xa_mk_value()`: an integer carried as an entry (the number itself). */
export function xa_mk_value(v: number): number {
  return v;
}

/** Kernel `xa_to_value()`: the integer of a value entry. */
export function xa_to_value(entry: number): number {
  return entry;
}

/** Kernel `xa_is_value()`: is `entry` a value entry (a number)? */
export function xa_is_value(entry: unknown): entry is number {
  return typeof entry === "number";
}

/** Kernel `mt_is_reserved()`: entries the allocation functions refuse to store. */
export function mt_is_reserved(entry: unknown): boolean {
  return entry === XA_ZERO_ENTRY;
}
