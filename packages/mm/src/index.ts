// Public API of @maplemm/mm. Named re-exports only; the implementation lands issue by issue.
export {};
