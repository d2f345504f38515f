// Kernel-named layer of @maplemm/maple-tree (mtree_*, mas_*, mt_*). Named re-exports only.
export {};
