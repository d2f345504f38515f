// Test support: the kernel layer's debug views (mt_validate, mt_dump) on either idiomatic class,
// the way a user reaches them: `mt_validate(tree.mt)` on a MapleTree, inside `write` / `read` on a
// SharedMapleTree (a shared tree's nodes may only be walked in a section).

import { type MapleTree, SharedMapleTree } from "@maplemm/maple-tree";
import { mt_dump, mt_validate } from "@maplemm/maple-tree/kernel";

/** mt_validate on either face; throws naming the broken invariant. */
export function validateTree(tree: MapleTree<unknown> | SharedMapleTree): void {
  if (tree instanceof SharedMapleTree) tree.write(mt_validate);
  else mt_validate(tree.mt);
}

/** mt_dump on either face. */
export function dumpTree(
  tree: MapleTree<unknown> | SharedMapleTree,
  format: "dec" | "hex" = "dec",
): string {
  if (tree instanceof SharedMapleTree) return tree.read((mt) => mt_dump(mt, format));
  return mt_dump(tree.mt, format);
}
