// Public API of @maplemm/rcu. Named re-exports only; the implementation lands issue by issue.
export {};
