// The ctl words (Int32Array over a SharedArrayBuffer) the never-yielding-writer test
// (shared-tree-poll.test.ts) shares with its reader workers (fixtures/shared-tree-poll-reader.mjs).
/** Readers attached and about to read. */
export const C_READY = 0;
/** Set by the test: short-section readers stop. */
export const C_STOP = 1;
/** Short read sections made so far. */
export const C_SECTIONS = 2;
/** Inconsistencies the readers found. */
export const C_ERRORS = 3;
/** Nodes the holding reader copied (its section is open once this is non-zero). */
export const C_HELD = 4;
/** Set by the test: the holding reader compares and leaves its section. */
export const C_RELEASE = 5;
