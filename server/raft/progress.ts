// What a leader knows about one follower or learner (Figure 2, "Volatile state on leaders":
// nextIndex and matchIndex) plus the flow control around it, modelled on etcd's Progress:
// a follower is *probed* (one append at a time, after a rejection or when its log is
// unknown), *replicated to* (appends pipelined, bounded in number and in bytes so a slow
// follower cannot pile up unbounded data), or sent a *snapshot* (paper §7: nothing else
// until it answers). Also: whether it was heard from lately (CheckQuorum, dissertation
// §6.2), the last read round it confirmed (§6.4), and whether it keeps up (§4.2.1).

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

interface Inflight {
  /** Last index carried by the append. */
  lastIndex: number;
  bytes: number;
  /** Leader tick at which it was sent, so a lost append can be given up on. */
  sentAt: number;
}

export interface FlowLimits {
  /** Data-carrying appends unanswered at once while replicating. */
  maxInflight: number;
  /** Entry bytes unanswered at once while replicating. */
  maxInflightBytes: number;
}

export class Progress {
  /** Index of the next entry to send to this follower (optimistic while replicating). */
  nextIndex: number;
  /** Highest index known to be replicated on this follower; only ever grows within a term. */
  matchIndex = 0;
  state: ProgressState = 'probe';
  /** Probe state: an append is out and unanswered; send no other until it is answered. */
  probeSent = false;
  /** Snapshot state: the snapshot's last index, and when it was sent. */
  pendingSnapshot = 0;
  private snapshotSentAt = 0;
  /** CheckQuorum (dissertation §6.2): heard from in this term since the last check. */
  recentActive = false;
  /** ReadIndex (dissertation §6.4): the highest heartbeat round this follower answered. */
  ackedRound = 0;
  /** Dissertation §4.2.1: the last catch-up round finished within an election timeout. */
  caughtUp = false;
  private roundTarget: number;
  private roundStart: number;
  private inflight: Inflight[] = [];
  private inflightBytes = 0;

  constructor(
    nextIndex: number,
    private readonly limits: FlowLimits,
    now = 0,
  ) {
    this.nextIndex = nextIndex;
    this.roundTarget = nextIndex - 1;
    this.roundStart = now;
  }

  /** True when another data-carrying append may be sent now. */
  canSend(): boolean {
    if (this.state === 'snapshot') return false;
    if (this.state === 'probe') return !this.probeSent;
    return (
      this.inflight.length < this.limits.maxInflight && this.inflightBytes < this.limits.maxInflightBytes
    );
  }

  /** Records that entries up to `lastIndex` (`bytes` of them) went out in one append. */
  sent(lastIndex: number, bytes: number, now: number): void {
    if (this.state === 'probe') {
      this.probeSent = true;
      return;
    }
    this.inflight.push({ lastIndex, bytes, sentAt: now });
    this.inflightBytes += bytes;
    this.nextIndex = lastIndex + 1;
  }

  /**
   * A success response: everything up to `matchIndex` is on the follower. Returns true if it
   * is news. `lastIndex` is the leader's, for the catch-up rounds of §4.2.1.
   */
  acknowledge(matchIndex: number, now: number, lastIndex: number, electionTicks: number): boolean {
    const grew = matchIndex > this.matchIndex;
    if (grew) this.matchIndex = matchIndex;
    this.dropAnswered();
    if (this.state === 'probe') {
      this.becomeReplicate();
    } else if (this.state === 'snapshot') {
      // The snapshot (or more) arrived: its log is known from here on.
      if (this.matchIndex >= this.pendingSnapshot) this.becomeProbe(this.matchIndex + 1);
    } else if (this.nextIndex <= this.matchIndex) {
      this.nextIndex = this.matchIndex + 1;
    }
    // §4.2.1: a round ends when the follower holds what the leader held when it began; a
    // round that took at most an election timeout means it keeps up.
    if (this.matchIndex >= this.roundTarget) {
      this.caughtUp = now - this.roundStart <= electionTicks;
      this.roundTarget = lastIndex;
      this.roundStart = now;
    }
    return grew;
  }

  /** After a probe succeeds the follower's log is known: start pipelining after matchIndex. */
  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.clearInflight();
    this.nextIndex = this.matchIndex + 1;
  }

  /** Back to one-at-a-time: after a rejection, a lost append, or an unreachable follower. */
  becomeProbe(nextIndex: number): void {
    this.state = 'probe';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.clearInflight();
    this.nextIndex = Math.max(this.matchIndex + 1, nextIndex);
  }

  /** Paper §7: the entries it needs are compacted; a snapshot up to `index` is on its way. */
  becomeSnapshot(index: number, now: number): void {
    this.state = 'snapshot';
    this.probeSent = false;
    this.clearInflight();
    this.pendingSnapshot = index;
    this.snapshotSentAt = now;
  }

  /** True when the oldest unanswered append (or the snapshot) was sent `timeoutTicks` or more ago. */
  stalled(now: number, timeoutTicks: number): boolean {
    if (this.state === 'snapshot') return now - this.snapshotSentAt >= timeoutTicks;
    const oldest = this.inflight[0];
    return oldest !== undefined && now - oldest.sentAt >= timeoutTicks;
  }

  inflightCount(): number {
    if (this.state === 'snapshot') return 1;
    return this.state === 'probe' ? (this.probeSent ? 1 : 0) : this.inflight.length;
  }

  private dropAnswered(): void {
    while (this.inflight.length > 0 && this.inflight[0]!.lastIndex <= this.matchIndex) {
      this.inflightBytes -= this.inflight.shift()!.bytes;
    }
  }

  private clearInflight(): void {
    this.inflight = [];
    this.inflightBytes = 0;
  }
}
