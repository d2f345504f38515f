// The op both writers of the two-writer test run (test/shared-tree-two-writers.test.ts): keys are
// dealt out in blocks of BLOCK, even blocks to one writer and odd ones to the other, and every op
// stays inside one block of its writer, so the two key sets never meet and the final tree must be
// exactly the union of what each wrote. Each writer keeps its half of a shared per-key model
// (0 = empty, else the value) and checks every return value against it. The kernel functions are
// passed in (`k`) so that the main thread uses its source build and the worker the dist build.

export const BLOCK = 8;
/**
 * ctl words: writers in a write section now, overlaps seen, worker ready, go, section tickets,
 * readers started, readers stop.
 */
export const W_INSIDE = 0;
export const W_OVERLAP = 1;
export const W_READY = 2;
export const W_GO = 3;
export const W_TICKET = 4;
export const W_READERS = 5;
export const W_STOP = 6;
export const W_WORDS = 8;

/** Clears the run of `value` holding key `a` inside its block (the range mtree_erase removed). */
function clearRun(model, a, value) {
  const base = a - (a % BLOCK);
  let f = a;
  while (f > base && model[f - 1] === value) f--;
  let l = a;
  while (l < base + BLOCK - 1 && model[l + 1] === value) l++;
  model.fill(0, f, l + 1);
}

/**
 * One random op of writer `parity` (0 or 1) storing `value`, in a write section of `mt`. Returns
 * null, the string "ENOMEM" when the arena was full (nothing changed: the caller waits for grace
 * periods before it writes again), or what disagreed with the model.
 */
export function blockOp(k, mt, rand, model, parity, value) {
  const blocks = model.length / BLOCK / 2;
  const base = (((rand() * blocks) | 0) * 2 + parity) * BLOCK;
  const a = base + ((rand() * BLOCK) | 0);
  const b = a + ((rand() * (base + BLOCK - a)) | 0);
  const r = rand();
  const ENOMEM = -k.ENOMEM;
  if (r < 0.55) {
    const ret = k.mtree_store_range(mt, a, b, value);
    if (ret === ENOMEM) return "ENOMEM";
    if (ret !== 0) return `store [${a}, ${b}] -> ${ret}`;
    model.fill(value, a, b + 1);
  } else if (r < 0.75) {
    let busy = false;
    for (let i = a; i <= b; i++) if (model[i] !== 0) busy = true;
    const ret = k.mtree_insert_range(mt, a, b, value);
    if (ret === ENOMEM) return "ENOMEM";
    if (ret === 0 && !busy) model.fill(value, a, b + 1);
    else if (ret !== -k.EEXIST || !busy) return `insert [${a}, ${b}] -> ${ret}, model busy ${busy}`;
  } else if (r < 0.9) {
    const ret = k.mtree_store_range(mt, a, b, null);
    if (ret === ENOMEM) return "ENOMEM";
    if (ret !== 0) return `erase [${a}, ${b}] -> ${ret}`;
    model.fill(0, a, b + 1);
  } else {
    const want = model[a];
    const got = k.mtree_erase(mt, a);
    // mtree_erase says null when it could not allocate; then the range is still there.
    if (got === null && want !== 0 && k.mtree_load(mt, a) === want) return "ENOMEM";
    if ((got ?? 0) !== want) return `mtree_erase(${a}) -> ${got}, model ${want}`;
    if (want !== 0) clearRun(model, a, want);
  }
  return null;
}

/**
 * Null when [first, last] = value, following a range that ends at `prev` (-1: none), is a range the
 * two writers can have made: after `prev`, inside one block, its value from the block's writer
 * (writer `parity` stores values of the other parity: odd on even blocks, even on odd ones).
 */
export function checkBlockRange(first, last, value, prev) {
  if (first <= prev) return `[${first}, ${last}] after a range ending at ${prev}`;
  const block = Math.floor(first / BLOCK);
  if (Math.floor(last / BLOCK) !== block) return `[${first}, ${last}] crosses a block`;
  if (value % 2 === block % 2) return `value ${value} on block ${block} of the other writer`;
  return null;
}

/**
 * Runs `fn` (the body of a write section) with the overlap check around it; returns the
 * section's ticket (the order sections ran in, across both writers).
 */
export function guarded(ctl, fn) {
  if (Atomics.add(ctl, W_INSIDE, 1) !== 0) Atomics.add(ctl, W_OVERLAP, 1);
  try {
    fn();
    return Atomics.add(ctl, W_TICKET, 1);
  } finally {
    Atomics.sub(ctl, W_INSIDE, 1);
  }
}
