// Public API of @maplemm/maple-tree. Named re-exports only; the implementation lands issue by issue.
export {};
