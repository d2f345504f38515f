// The writers' mutex of a shared tree (the kernel's `ma_lock` / an external mmap_lock, across
// threads) and the seqcount beside it. The lock word is a futex-style mutex: 0 free, 1 held,
// 2 held and somebody may be waiting. A waiter sets 2 and sleeps on the word (`Atomics.wait` where
// a thread may block, `Atomics.waitAsync` where it must not: the main thread); the holder that
// releases a 2 wakes one waiter, which takes the lock as 2 again so the next release wakes the
// next. No lock-free reader ever touches this word.

import { H_LOCK, H_SEQ } from "./layout.js";

/** Takes the lock if it is free, without waiting. */
export function tryLock(words: Int32Array): boolean {
  return Atomics.compareExchange(words, H_LOCK, 0, 1) === 0;
}

/** Takes the lock, sleeping in `Atomics.wait` while another thread holds it (never on a main thread). */
export function lockBlocking(words: Int32Array): void {
  if (tryLock(words)) return;
  while (Atomics.exchange(words, H_LOCK, 2) !== 0) Atomics.wait(words, H_LOCK, 2);
}

/** Takes the lock, awaiting `Atomics.waitAsync` while another thread holds it: never blocks. */
export async function lockAsync(words: Int32Array): Promise<void> {
  if (tryLock(words)) return;
  while (Atomics.exchange(words, H_LOCK, 2) !== 0) {
    const w = Atomics.waitAsync(words, H_LOCK, 2);
    if (w.async) await w.value;
  }
}

/** Releases the lock, waking one waiter if there may be one. */
export function unlock(words: Int32Array): void {
  if (Atomics.exchange(words, H_LOCK, 0) === 2) Atomics.notify(words, H_LOCK, 1);
}

/** Kernel `raw_write_seqcount_begin`: the count goes odd for the write section. */
export function seqBegin(words: Int32Array): void {
  Atomics.add(words, H_SEQ, 1);
}

/** Kernel `raw_write_seqcount_end`: even again; readers that overlapped retry. */
export function seqEnd(words: Int32Array): void {
  Atomics.add(words, H_SEQ, 1);
}

/**
 * Kernel `read_seqcount_begin` without the wait: the count, or -1 while a write section runs
 * (odd), in which case the caller tries again later.
 */
export function seqRead(words: Int32Array): number {
  const s = Atomics.load(words, H_SEQ);
  return (s & 1) === 0 ? s : -1;
}

/** Kernel `read_seqcount_retry`: did a write section start since `seqRead` returned `s`? */
export function seqChanged(words: Int32Array, s: number): boolean {
  return Atomics.load(words, H_SEQ) !== s;
}
