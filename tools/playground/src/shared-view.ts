// The shared maps tab: the page owns an mm whose maps are mirrored into shared memory
// (`mm.shareMaps()`), keeps mapping in bursts, and logs the hash of every state it passes through.
// A Web Worker renders the maps lock-free from the mirror; each render's hash must be one of the
// page's states, else it is counted as mixed. Grace periods are the RCU domain's own count.

import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MmStruct,
  PROT_READ,
  PROT_WRITE,
} from "@maplemm/mm";
import { SharedRcu } from "@maplemm/rcu";
import { byId, showResult } from "./dom.js";
import { hash53 } from "./hash.js";
import { C_READY, C_RENDERS, C_STOP } from "./shared-ctl.js";

const P = 4096;
const PRIV = MAP_PRIVATE | MAP_ANONYMOUS;
const RW = PROT_READ | PROT_WRITE;

interface Run {
  stop(): void;
}

export function mountSharedView(): void {
  let run: Run | null = null;
  const start = byId<HTMLButtonElement>("shared-start");
  const stop = byId<HTMLButtonElement>("shared-stop");
  start.addEventListener("click", () => {
    if (!crossOriginIsolated) {
      showResult(
        "shared-status",
        "SharedArrayBuffer needs a cross-origin isolated page: serve it with `pnpm playground`.",
        false,
      );
      return;
    }
    start.disabled = true;
    stop.disabled = false;
    run = startRun();
  });
  stop.addEventListener("click", () => {
    run?.stop();
    run = null;
    start.disabled = false;
    stop.disabled = true;
  });
}

function startRun(): Run {
  const rcu = SharedRcu.create({ maxThreads: 4 });
  rcu.register();
  const mm = new MmStruct({ rcu });
  for (let i = 0; i < 24; i++) mm.mmap(0, (1 + (i % 4)) * P, i % 3 === 0 ? PROT_READ : RW, PRIV);
  const maps = mm.shareMaps({ domain: rcu });
  const states = new Set<number>([hash53(mm.procMaps())]);
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
  const counts = { writes: 0, checked: 0, mixed: 0 };
  let live = true;
  const check = (hashes: number[]): void => {
    for (const h of hashes) {
      counts.checked++;
      if (!states.has(h)) counts.mixed++;
    }
  };
  worker.onmessage = (ev: MessageEvent<{ hashes: number[]; done?: boolean; last?: string }>) => {
    check(ev.data.hashes);
    if (ev.data.last !== undefined)
      byId("shared-last").textContent = `the worker's latest render:\n${ev.data.last}`;
    if (ev.data.done === true) {
      show();
      showResult(
        "shared-status",
        `stopped: ${counts.mixed === 0 ? "every render was a state of the page" : `${counts.mixed} mixed renders`}`,
        counts.mixed === 0,
      );
      worker.terminate();
      mm.mmput();
      rcu.unregister();
    }
  };
  worker.postMessage({ rcu: rcu.buffer, handle: maps.handle, ctl });
  const win = mm.mmap(0, 256 * P, RW, PRIV);
  states.add(hash53(mm.procMaps()));
  let x = 0x9e3779b9;
  const rand = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const show = (): void => {
    byId("shared-writes").textContent = String(counts.writes);
    byId("shared-reads").textContent = String(Atomics.load(ctl, C_RENDERS));
    byId("shared-checked").textContent = String(counts.checked);
    byId("shared-mixed").textContent = String(counts.mixed);
    byId("shared-gps").textContent = String(rcu.stats.gps);
  };
  const burst = (): void => {
    if (!live) return;
    if (Atomics.load(ctl, C_READY) === 1) {
      for (let k = 0; k < 16; k++) {
        const at = win + rand(240) * P;
        const len = (1 + rand(16)) * P;
        const op = rand(3);
        if (op === 0) mm.mmap(at, len, rand(2) === 0 ? PROT_READ : RW, PRIV | MAP_FIXED);
        else if (op === 1) mm.mprotect(at, len, rand(2) === 0 ? PROT_READ : RW);
        else mm.munmap(at, len);
        states.add(hash53(mm.procMaps()));
        counts.writes++;
      }
    }
    show();
    // A macrotask between bursts: the worker's hashes arrive and grace periods end.
    setTimeout(burst, 0);
  };
  showResult("shared-status", "running", true);
  burst();
  return {
    stop() {
      live = false;
      Atomics.store(ctl, C_STOP, 1);
    },
  };
}
