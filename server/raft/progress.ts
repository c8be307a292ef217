// What a leader knows about one follower (Figure 2, "Volatile state on leaders":
// nextIndex and matchIndex) plus the flow control around it, modelled on etcd's
// Progress: a follower is either being *probed* (one append at a time, after a
// rejection or when its state is unknown) or *replicated to* (appends pipelined,
// at most `maxInflight` data-carrying appends unanswered at once).

export type ProgressState = 'probe' | 'replicate';

interface Inflight {
  /** Last index carried by the append. */
  lastIndex: number;
  /** Leader tick at which it was sent, so a lost append can be given up on. */
  sentAt: number;
}

export class Progress {
  /** Index of the next entry to send to this follower (optimistic while replicating). */
  nextIndex: number;
  /** Highest index known to be replicated on this follower; only ever grows within a term. */
  matchIndex = 0;
  state: ProgressState = 'probe';
  /** Probe state: an append is out and unanswered; send no other until it is answered. */
  probeSent = false;
  private inflight: Inflight[] = [];

  constructor(
    nextIndex: number,
    private readonly maxInflight: number,
  ) {
    this.nextIndex = nextIndex;
  }

  /** True when another data-carrying append may be sent now. */
  canSend(): boolean {
    return this.state === 'probe' ? !this.probeSent : this.inflight.length < this.maxInflight;
  }

  /** Records that entries up to `lastIndex` went out in one append. */
  sent(lastIndex: number, now: number): void {
    if (this.state === 'probe') {
      this.probeSent = true;
      return;
    }
    this.inflight.push({ lastIndex, sentAt: now });
    this.nextIndex = lastIndex + 1;
  }

  /** A success response: everything up to `matchIndex` is on the follower. Returns true if it is news. */
  acknowledge(matchIndex: number): boolean {
    const grew = matchIndex > this.matchIndex;
    if (grew) this.matchIndex = matchIndex;
    this.inflight = this.inflight.filter((f) => f.lastIndex > this.matchIndex);
    if (this.state === 'probe') {
      this.becomeReplicate();
    } else if (this.nextIndex <= this.matchIndex) {
      this.nextIndex = this.matchIndex + 1;
    }
    return grew;
  }

  /** After a probe succeeds the follower's log is known: start pipelining after matchIndex. */
  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.inflight = [];
    this.nextIndex = this.matchIndex + 1;
  }

  /** Back to one-at-a-time: after a rejection, a lost append, or an unreachable follower. */
  becomeProbe(nextIndex: number): void {
    this.state = 'probe';
    this.probeSent = false;
    this.inflight = [];
    this.nextIndex = Math.max(this.matchIndex + 1, nextIndex);
  }

  /** True when the oldest unanswered append was sent `timeoutTicks` or more ago (presumed lost). */
  stalled(now: number, timeoutTicks: number): boolean {
    const oldest = this.inflight[0];
    return oldest !== undefined && now - oldest.sentAt >= timeoutTicks;
  }

  inflightCount(): number {
    return this.state === 'probe' ? (this.probeSent ? 1 : 0) : this.inflight.length;
  }
}
