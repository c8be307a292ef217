// Linearizable reads without writing to the log (dissertation §6.4): the leader records its
// commitIndex as the read index, confirms with a round of heartbeats that a majority still
// follows it (so no newer leader can have committed anything it lacks), and only then lets
// the shell answer from the state machine once it has applied up to the read index.
// Optionally (§6.4.1) a lease: after a confirmed round, reads are answered without another
// one until shortly before followers could vote for someone else.

import type { ReadState } from './types.ts';

/**
 * §6.4.1: the lease is shorter than the minimum election timeout by this share, an allowance
 * for clocks that run at different rates. The core has no clock: a lease is measured in the
 * leader's ticks, and followers honour it in theirs, so it holds only while no server's ticks
 * run more than this much slower than the leader's (a paused VM, a stepped clock, a starved
 * timer all break that). That is why ReadIndex, which assumes nothing about time, is the default.
 */
export const LEASE_DRIFT_ALLOWANCE = 0.1;

/** Ticks a confirmed heartbeat round lets a leader answer reads without another one. */
export function leaseTicks(electionTicksMin: number): number {
  return Math.floor(electionTicksMin * (1 - LEASE_DRIFT_ALLOWANCE)) - 1;
}

interface PendingRead {
  id: string;
  index: number;
  round: number;
}

/** One leader's reads in one term. */
export class ReadIndex {
  /** The latest heartbeat round started; appends carry it and followers echo it back. */
  round = 0;
  private broadcastWanted = false;
  /** Round → the tick it began, for rounds not yet confirmed (the lease starts there). */
  private readonly starts = new Map<number, number>();
  private pending: PendingRead[] = [];
  /** §6.4 step 1: reads that wait for the leader's first commit of its term. */
  private waiting: string[] = [];
  private leaseStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly leaseLength: number) {}

  /**
   * Takes read `id`. `index` is the leader's commitIndex; `committedInTerm` whether an entry
   * of its term is committed; `leaseOk` whether it may trust a lease now. Returns a ReadState
   * when it can be answered at once (lease), else undefined (it waits for a round).
   */
  request(
    id: string,
    index: number,
    now: number,
    committedInTerm: boolean,
    leaseOk: boolean,
  ): ReadState | undefined {
    // §6.4 step 1: until an entry of its term is committed, a new leader's commitIndex may be
    // behind entries an earlier leader committed.
    if (!committedInTerm) {
      this.waiting.push(id);
      return undefined;
    }
    if (leaseOk && this.leaseValid(now)) return { id, index };
    if (!this.broadcastWanted) this.startRound(now);
    this.broadcastWanted = true;
    this.pending.push({ id, index, round: this.round });
    return undefined;
  }

  /** The leader committed its first entry of the term: the waiting reads take that index. */
  releaseWaiting(index: number, now: number, leaseOk: boolean): ReadState[] {
    const waiting = this.waiting;
    this.waiting = [];
    const out: ReadState[] = [];
    for (const id of waiting) {
      const r = this.request(id, index, now, true, leaseOk);
      if (r) out.push(r);
    }
    return out;
  }

  /** A new round (for the lease, at every heartbeat); appends sent from now on carry it. */
  startRound(now: number): void {
    this.round++;
    this.starts.set(this.round, now);
  }

  /** True once: a round is waiting to be sent (the leader broadcasts at its next flush). */
  takeBroadcast(): boolean {
    const wanted = this.broadcastWanted;
    this.broadcastWanted = false;
    return wanted;
  }

  /**
   * A majority has answered every round up to `confirmed`: the reads of those rounds may be
   * answered, and the lease runs from when the round began (before any follower saw it).
   */
  confirm(confirmed: number): ReadState[] {
    const start = this.starts.get(confirmed);
    if (start !== undefined && start > this.leaseStart) this.leaseStart = start;
    for (const r of this.starts.keys()) if (r <= confirmed) this.starts.delete(r);
    const out: ReadState[] = [];
    while (this.pending.length > 0 && this.pending[0]!.round <= confirmed) {
      const { id, index } = this.pending.shift()!;
      out.push({ id, index });
    }
    return out;
  }

  /** No round is waiting for answers (nothing to confirm, no lease to renew). */
  get idle(): boolean {
    return this.starts.size === 0;
  }

  leaseValid(now: number): boolean {
    return now < this.leaseStart + this.leaseLength;
  }

  /** The leader stepped down: nothing it took can be confirmed any more. */
  drop(): string[] {
    const ids = [...this.waiting, ...this.pending.map((p) => p.id)];
    this.waiting = [];
    this.pending = [];
    return ids;
  }
}
