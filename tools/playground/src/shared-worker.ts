// The shared maps view's Web Worker: attaches to the page's RCU domain and shared maps mirror,
// takes an mmget_not_zero reference, and renders /proc/<pid>/maps lock-free until told to stop.
// It counts renders in the shared control words and posts the hash of every render, batched, so
// the page can check each one is a state it went through.

import { SharedMaps, type SharedMapsHandle } from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";
import { hash53 } from "./hash.js";
import { C_READY, C_RENDERS, C_STOP } from "./shared-ctl.js";

interface Start {
  rcu: SharedArrayBuffer;
  handle: SharedMapsHandle;
  ctl: Int32Array;
}

const scope = globalThis as unknown as {
  onmessage: ((ev: MessageEvent<Start>) => void) | null;
  postMessage(m: unknown): void;
};

scope.onmessage = (ev) => {
  const { rcu: mem, handle, ctl } = ev.data;
  const rcu = SharedRcu.attach(mem);
  rcu.register();
  const maps = SharedMaps.attach(handle, { domain: rcu });
  let renders = 0;
  let batch: number[] = [];
  let last = "";
  const ok = maps.mmget_not_zero();
  Atomics.store(ctl, C_READY, 1);
  while (ok && Atomics.load(ctl, C_STOP) === 0) {
    last = maps.procMaps();
    renders++;
    Atomics.store(ctl, C_RENDERS, renders);
    batch.push(hash53(last));
    if (batch.length === 256) {
      scope.postMessage({ hashes: batch, last });
      batch = [];
    }
  }
  if (ok) maps.mmput();
  rcu.unregister();
  scope.postMessage({ hashes: batch, done: true, renders, last });
};
