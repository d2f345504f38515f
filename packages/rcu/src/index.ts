// Public API of @maplemm/rcu. Named re-exports only.
export type {
  GpCookie,
  RcuCommonOptions,
  RcuDomain,
  RcuStats,
  ReadGuard,
  ReclaimFn,
  StallInfo,
} from "./domain.js";
export { isRcuError, RCU_ERROR_CODES, RcuError, type RcuErrorCode } from "./errors.js";
export {
  rcuAssignPointer,
  rcuDereference,
  rcuDereferenceCheck,
  rcuInitPointer,
} from "./pointer.js";
export { type GuardLeakInfo, Rcu, type RcuOptions } from "./rcu.js";
export { LAYOUT_VERSION } from "./shared-layout.js";
export {
  SharedRcu,
  type SharedRcuAttachOptions,
  type SharedRcuCreateOptions,
} from "./shared-rcu.js";
export type { WasmMemory } from "./wasm-atomics.js";
export type { LifelinePort, WatchedWorker } from "./worker-handles.js";
