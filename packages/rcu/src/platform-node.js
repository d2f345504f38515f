// Runtime services on Node, Bun and Deno: the "node" condition of "#platform" (contract and the
// reason this file is JavaScript in platform.d.ts). Thread identity comes from
// node:worker_threads, async context from node:async_hooks.

import { AsyncLocalStorage } from "node:async_hooks";
import { threadId as currentThreadId, isMainThread as mainThread } from "node:worker_threads";

export const threadId = currentThreadId;

export const isMainThread = mainThread;

export const setImmediate = globalThis.setImmediate;

export function emitWarning(text, type) {
  process.emitWarning(text, type);
}

export function unref(t) {
  t.unref();
}

export function createContextStore() {
  return new AsyncLocalStorage();
}
