// Runtime services in browsers and any runtime without node: modules: the "default" condition of
// "#platform" (contract and the reason this file is JavaScript in platform.d.ts). Only ECMAScript
// and web globals are used, each behind a check, so this module loads anywhere.

const g = globalThis;

// A dedicated or shared worker has WorkerGlobalScope; the window thread has not.
export const isMainThread = g.WorkerGlobalScope === undefined;

// Web workers have no thread id. SharedRcu only needs ids to differ between live threads: 0 on the
// main thread, else 30 random bits (a clash between a few dozen workers is a ~1e-6 event).
export const threadId = isMainThread ? 0 : randomId();

function randomId() {
  const a = new Uint32Array(1);
  if (g.crypto?.getRandomValues !== undefined) g.crypto.getRandomValues(a);
  else a[0] = Math.floor(Math.random() * 2 ** 32);
  return (a[0] & 0x3fffffff) + 1;
}

// A MessageChannel message is a macrotask without setTimeout's 4 ms clamp on nested timers; each
// queued function gets its own message, so each runs in its own task, as with setImmediate.
export const setImmediate = g.setImmediate ?? channelImmediate();

function channelImmediate() {
  const Channel = g.MessageChannel;
  if (typeof Channel !== "function") return (fn) => setTimeout(fn, 0);
  const queue = [];
  let channel; // opened on first use: importing stays free
  return (fn) => {
    if (channel === undefined) {
      channel = new Channel();
      channel.port1.onmessage = () => {
        queue.shift()?.();
      };
    }
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

export function emitWarning(text, type) {
  console.warn(`${type}: ${text}`);
}

export function unref(t) {
  t?.unref?.();
}

// No async-context store outside Node: debug checks see sync sections only.
export function createContextStore() {
  return undefined;
}
