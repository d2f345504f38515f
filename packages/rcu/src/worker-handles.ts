// The worker and port shapes SharedRcu's reaping needs, written structurally so that the public
// types do not depend on @types/node: a node:worker_threads `Worker` and `MessagePort` (also Bun's
// and Deno's) satisfy them.

/** A worker as `SharedRcu.watchWorker` needs it: node:worker_threads `Worker`. */
export interface WatchedWorker {
  /** The worker's thread id (reads -1 once it has exited). */
  readonly threadId: number;
  once(event: "exit", listener: () => void): unknown;
}

/** A lifeline port for `SharedRcu.register` / `watchLifeline`: node:worker_threads `MessagePort`. */
export interface LifelinePort {
  postMessage(message: unknown): void;
  close(): void;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  unref?(): void;
}
