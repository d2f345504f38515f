// Writer-driven reclamation: how a tree whose reclaimer can poll grace periods (reclaim.ts
// `getState` / `pollState` / `poll`) gets its retired nodes back without waiting for the event
// loop. A reclaimer's callbacks run from a later macrotask, so a writer in a loop that never
// yields would never see a node come back and would run its arena out. Here the tree keeps its
// retired nodes in its own queue, each with the grace-period cookie taken when it was retired
// (liburcu's `get_state_synchronize_rcu`), and frees them itself:
//   - every POLL_EVERY reservations (the start of a write, where the writer holds no retired
//     node; crossbeam collects every 128 `pin`s) it polls the reclaimer and frees the head of
//     the queue while its cookie polls true;
//   - a reservation that is short polls again and, in a shared tree, waits up to
//     SHORTAGE_WAIT_MS for other threads' readers to leave their sections before -ENOMEM;
//   - a callback deferred with each node frees it from the event loop if no write did first, so
//     a writer that stops writing still gets everything back.
// Only the tree's own nodes are freed early: other users of the domain still get their callbacks
// from the event loop (the domain's I2).

import type { ArenaReclaim, NodeArena } from "./arena.js";
import type { Reclaimer } from "./reclaim.js";
import type { MapleTreeCore } from "./tree.js";

/** Reservations between two opportunistic polls. */
const POLL_EVERY = 32;

/**
 * Longest a shared tree's short reservation waits for readers before -ENOMEM, where the thread
 * may block. Read sections are short (microseconds); this covers a reader thread preempted inside
 * one on a loaded machine.
 */
export const SHORTAGE_WAIT_MS = 100;
/** The same where the thread must not block (the main thread): the domain spins that long. */
export const SHORTAGE_SPIN_MS = 10;

type Polling = Required<Pick<Reclaimer, "getState" | "pollState" | "poll">> & Reclaimer;

/** The {@link ArenaReclaim} of a tree whose reclaimer can poll: a FIFO of (cookie, node). */
export class ReclaimPoller implements ArenaReclaim {
  private ids: number[] = [];
  private cookies: number[] = [];
  /** Index in the arrays of the oldest node not yet freed. */
  private head = 0;
  /** Sequence number of `ids[0]` (sequence numbers never restart). */
  private base = 0;
  private reserves = 0;
  private deadline = 0;
  /** How long a short reservation of a shared tree waits for readers (SharedMapleTree sets it). */
  shortageWaitMs = SHORTAGE_WAIT_MS;

  constructor(
    private readonly tree: MapleTreeCore,
    private readonly arena: NodeArena,
    private readonly reclaimer: Polling,
  ) {}

  /** Nodes retired and not yet freed. */
  get pending(): number {
    return this.ids.length - this.head;
  }

  retire(id: number): boolean {
    if (this.tree.reclaimer !== this.reclaimer) return false; // the tree changed reclaimer
    const seq = this.base + this.ids.length;
    this.ids.push(id);
    this.cookies.push(this.reclaimer.getState());
    // The event loop's path: after the grace period, free everything up to this node (FIFO).
    this.reclaimer.defer(() => this.freeThrough(seq));
    return true;
  }

  beforeReserve(): void {
    if (++this.reserves < POLL_EVERY || this.head === this.ids.length) return;
    this.reserves = 0;
    this.reclaimer.poll(0);
    this.freeReady();
  }

  /**
   * Round 0 polls without waiting. Later rounds wait for readers, only in a shared tree (a local
   * tree's readers are this thread's own: they cannot end while it waits), only while this tree
   * still has nodes waiting, and only until SHORTAGE_WAIT_MS after the first round.
   */
  shortage(round: number): boolean {
    const now = Date.now();
    if (round === 0) {
      this.deadline = now + this.shortageWaitMs;
      this.reclaimer.poll(0);
    } else {
      if (!this.tree.policy.readersElsewhere || this.pending === 0 || now >= this.deadline)
        return false;
      this.reclaimer.poll(this.deadline - now);
    }
    this.freeReady();
    return true;
  }

  /** Frees, oldest first, every node whose grace period has ended. */
  private freeReady(): void {
    const pollState = this.reclaimer;
    while (this.head < this.ids.length && pollState.pollState(this.cookies[this.head] as number)) {
      this.freeHead();
    }
    this.compact();
  }

  /** A grace period covering node `seq` ended (the deferred callback): free up to it. */
  private freeThrough(seq: number): void {
    while (this.head < this.ids.length && this.base + this.head <= seq) {
      // Poison mode checks the claim, so a reclaimer that calls back early fails loudly.
      if (this.arena.poison && !this.reclaimer.pollState(this.cookies[this.head] as number)) {
        throw new Error(
          `maple-tree: premature reclamation: node ${this.ids[this.head]} was freed before the grace period that began when it was retired had ended`,
        );
      }
      this.freeHead();
    }
    this.compact();
  }

  private freeHead(): void {
    const id = this.ids[this.head];
    this.head++;
    this.arena.free(id);
  }

  /** Drops the freed prefix once it dominates, so the arrays do not grow without bound. */
  private compact(): void {
    const h = this.head;
    if (h === this.ids.length) {
      this.base += h;
      this.ids = [];
      this.cookies = [];
      this.head = 0;
    } else if (h > 1024 && h * 2 > this.ids.length) {
      this.base += h;
      this.ids = this.ids.slice(h);
      this.cookies = this.cookies.slice(h);
      this.head = 0;
    }
  }
}

/** The arena hook of `tree`: a poller when its reclaimer offers cookies and `poll`, else null. */
export function reclaimPollerFor(tree: MapleTreeCore): ReclaimPoller | null {
  const r = tree.reclaimer;
  if (
    typeof r.poll !== "function" ||
    typeof r.getState !== "function" ||
    typeof r.pollState !== "function"
  ) {
    return null;
  }
  return new ReclaimPoller(tree, tree.arena, r as Polling);
}
