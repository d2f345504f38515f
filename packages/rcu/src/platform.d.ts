// The runtime services rcu needs beyond ECMAScript, as one contract: the types of the "#platform"
// import (package.json "imports"). Two plain-JS modules implement it: platform-node.js (Node, Bun,
// Deno: node:worker_threads and node:async_hooks) and platform-web.js (browsers and any other
// runtime: no node: import), picked by the "node" / "default" conditions, so a browser bundle never
// reaches a node: module. They are JavaScript, not TypeScript, because dist/ imports them by the
// same specifier: under the repo's "@maplemm/source" condition a worker running dist/ natively on
// Node 20 could not load a .ts file. test/platform.test.ts checks both against this contract.

/** The part of `AsyncLocalStorage` the debug read side uses (guards that span `await`). */
export interface ContextStore<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}

/** This thread's id: worker_threads' `threadId`; on the web 0 on the main thread, else random. */
export declare const threadId: number;

/** Whether this is the main thread, whose event loop must not block. */
export declare const isMainThread: boolean;

/** Runs `fn` in a later macrotask. */
export declare const setImmediate: (fn: (v?: unknown) => void) => unknown;

/** Reports a warning the way the runtime does (`process.emitWarning`, else `console.warn`). */
export declare function emitWarning(text: string, type: string): void;

/** Lets the runtime exit while timer `t` is pending, where timers can be unref'ed. */
export declare function unref(t: ReturnType<typeof setTimeout>): void;

/** An async-context store, so a section opened before an `await` is seen after it; or undefined. */
export declare function createContextStore<T>(): ContextStore<T> | undefined;
