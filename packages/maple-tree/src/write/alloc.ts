// Node allocation policy of the write side: the GFP flags, the userspace harness's
// `mt_set_non_kernel()` budget, and the one place a writer asks for its worst case of nodes
// (docs/spec/api.md "Allocation failure must be testable", maple-tree.md §4.5 and §8.4).
//
// The arena (arena.ts) decides capacity; this file adds the kernel harness rule on top: an
// allocation made with a gfp other than GFP_KERNEL fails once the non-kernel budget is spent.
// The budget is counted in nodes requested, like the harness counts objects handed out by a
// preallocation. Default: unlimited (our choice; the C harness defaults to 0).

import type { MaState } from "../core/state.js";

/** A gfp value: which allocation context a write may use. Kept for API parity with C. */
export type Gfp = number;

/** Kernel `GFP_KERNEL`: may block; in this port it succeeds while the arena has room. */
export const GFP_KERNEL: Gfp = 0x0cc0;
/** Kernel `GFP_NOWAIT`: must not block; subject to the `mt_set_non_kernel` budget. */
export const GFP_NOWAIT: Gfp = 0x0800;
/** Kernel `GFP_ATOMIC`: must not block; subject to the `mt_set_non_kernel` budget. */
export const GFP_ATOMIC: Gfp = 0x0820;

// The budget is the harness's, not a tree's: the C harness keeps it on the one maple node
// kmem_cache that every tree allocates from (`kmem_cache_set_non_kernel`), so a test that limits
// it limits all trees alike. It stays module-level here for the same reason; no writer keeps
// state in it beyond the count.
let nonKernelBudget = Number.POSITIVE_INFINITY;

/**
 * Kernel userspace harness `mt_set_non_kernel(n)`: from now on allocations with a gfp other than
 * GFP_KERNEL succeed for `n` more nodes, then fail (0 = fail them all). Pass `Infinity` (or call
 * `mt_reset_non_kernel`) to lift the limit again.
 */
export function mt_set_non_kernel(n: number): void {
  nonKernelBudget = n;
}

/** Lifts the {@link mt_set_non_kernel} limit (the port's default: unlimited). */
export function mt_reset_non_kernel(): void {
  nonKernelBudget = Number.POSITIVE_INFINITY;
}

/** Nodes still allowed to non-GFP_KERNEL allocations (Infinity when unlimited). */
export function mt_non_kernel_left(): number {
  return nonKernelBudget;
}

/**
 * Makes `need` nodes available to the write `mas` is about to do, with `gfp` rules. Nodes
 * already obtained for this state (`mas.reserved`, by `mas_nomem` or `mas_preallocate`) count
 * first and are not charged again. Returns false (nothing changed, nothing charged) when the
 * arena's capacity or the non-kernel budget would be exceeded.
 */
export function reserveNodes(mas: MaState, need: number, gfp: Gfp): boolean {
  if (need === 0) return true;
  const arena = mas.tree.arena;
  if (mas.reserved >= need) return arena.reserve(need);
  const charge = need - mas.reserved;
  if (gfp !== GFP_KERNEL && charge > nonKernelBudget) return false;
  if (!arena.reserve(need)) return false;
  if (gfp !== GFP_KERNEL) nonKernelBudget -= charge;
  mas.reserved = need;
  return true;
}
