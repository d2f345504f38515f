// The tiny WebAssembly atomics helper of the shared read side (docs/spec/rcu.md §2.1, §6): V8 does
// not inline JS `Atomics.*` (each is a builtin call, ~5-8 ns), while a Wasm `i32.atomic.load` /
// `i32.atomic.store` on shared memory compiles to a plain `mov`/`xchg` and costs mostly the JS->Wasm
// call. Three exports, hand-assembled here (no toolchain, under 200 bytes):
//   lock(ctrByte, gpByte)        i32.atomic.store(ctr, i32.atomic.load(gp))
//   unlock(ctrByte, waitByte)    i32.atomic.store(ctr, 0); return i32.atomic.load(wait)
//   load(byte)                   i32.atomic.load(byte)            (QSBR quiescent())
// Both are sequentially consistent, like the JS Atomics they replace (same memory model).

/** The exported helper functions; byte addresses into the domain's shared memory. */
export interface WasmReadSide {
  lock(ctrByte: number, gpByte: number): void;
  unlock(ctrByte: number, waitByte: number): number;
  load(byte: number): number;
}

/** The part of `WebAssembly.Memory` this package uses (lib.dom is not in this package's libs). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: unknown };
}

const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** True if `x` is a WebAssembly.Memory whose buffer is shared. */
export function isSharedWasmMemory(
  x: unknown,
): x is WasmMemory & { readonly buffer: SharedArrayBuffer } {
  return WA !== undefined && x instanceof WA.Memory && x.buffer instanceof SharedArrayBuffer;
}

const leb = (n: number): number[] => {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
};
const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const body = (b: number[]): number[] => [...leb(b.length), ...b];

const I32 = 0x7f;
const LOCAL_GET = 0x20;
const I32_CONST = 0x41;
const ATOMIC = 0xfe;
const ATOMIC_LOAD = 0x10;
const ATOMIC_STORE = 0x17;
const MEMARG = [2, 0]; // align 2^2, offset 0
const END = 0x0b;

function moduleBytes(pages: number): Uint8Array {
  const types = [3, 0x60, 2, I32, I32, 0, 0x60, 2, I32, I32, 1, I32, 0x60, 1, I32, 1, I32];
  // import env.mem: shared memory (limits flag 3 = has max + shared) of exactly `pages` pages
  const imports = [1, ...name("env"), ...name("mem"), 2, 3, ...leb(pages), ...leb(pages)];
  const funcs = [3, 0, 1, 2];
  const exports = [3, ...name("lock"), 0, 0, ...name("unlock"), 0, 1, ...name("load"), 0, 2];
  const load = [0, LOCAL_GET, 0, ATOMIC, ATOMIC_LOAD, ...MEMARG, END];
  const lock = [
    0,
    LOCAL_GET,
    0,
    LOCAL_GET,
    1,
    ATOMIC,
    ATOMIC_LOAD,
    ...MEMARG,
    ATOMIC,
    ATOMIC_STORE,
    ...MEMARG,
    END,
  ];
  const unlock = [
    0,
    LOCAL_GET,
    0,
    I32_CONST,
    0,
    ATOMIC,
    ATOMIC_STORE,
    ...MEMARG,
    LOCAL_GET,
    1,
    ATOMIC,
    ATOMIC_LOAD,
    ...MEMARG,
    END,
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, [3, ...body(lock), ...body(unlock), ...body(load)]),
  ]);
}

const modules = new Map<number, object>();

/** Shared Wasm memory of `pages` 64 KiB pages, or null where shared Wasm memory is unavailable. */
export function sharedMemory(pages: number): WasmMemory | null {
  if (WA === undefined) return null;
  try {
    return new WA.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}

/** Instantiates the helper over `memory` (a shared memory of fixed size). */
export function wasmReadSide(memory: WasmMemory): WasmReadSide | null {
  if (WA === undefined) return null;
  const pages = memory.buffer.byteLength / 65536;
  let mod = modules.get(pages);
  if (mod === undefined) {
    mod = new WA.Module(moduleBytes(pages));
    modules.set(pages, mod);
  }
  const inst = new WA.Instance(mod, { env: { mem: memory } });
  return inst.exports as unknown as WasmReadSide;
}
