// The leader's side of log replication (§5.3) and of commitment (§5.4.2): one Progress
// per follower, appends batched and pipelined under flow control, heartbeats, and the
// fast back-up after a rejection.

import type { RaftLog } from './log.ts';
import { Progress } from './progress.ts';
import { quorumIndex } from './quorum.ts';
import { nextIndexAfterRejection } from './replication.ts';
import type { AppendEntries, AppendEntriesResponse, Entry, NodeId } from './types.ts';

/** Data-carrying appends a leader keeps unanswered per follower while pipelining. */
export const MAX_INFLIGHT_APPENDS = 4;

export interface LeaderContext {
  readonly id: NodeId;
  readonly term: number;
  readonly log: RaftLog;
  readonly maxEntries: number;
  /** Ticks after which an unanswered append is presumed lost. */
  readonly stallTicks: number;
  commitIndex(): number;
  send(m: AppendEntries): void;
}

export class Leader {
  private readonly followers: Map<NodeId, Progress>;
  /** Followers that may have something to be sent at the next flush: appends are batched. */
  private readonly dirty = new Set<NodeId>();
  private commitAdvanced = false;

  constructor(
    private readonly ctx: LeaderContext,
    peers: NodeId[],
  ) {
    // Figure 2: nextIndex starts just past the leader's log, matchIndex at 0.
    const next = ctx.log.lastIndex() + 1;
    this.followers = new Map(peers.map((p) => [p, new Progress(next, MAX_INFLIGHT_APPENDS)] as const));
  }

  /** The leader appended entries: every follower may receive them at the next flush. */
  appended(): void {
    for (const p of this.followers.keys()) this.dirty.add(p);
  }

  /** Handles a follower's answer; true when its matchIndex grew (commitIndex may move). */
  onResponse(m: AppendEntriesResponse): boolean {
    const pr = this.followers.get(m.from);
    if (!pr) return false;
    const log = this.ctx.log;
    if (m.success) {
      if (m.matchIndex > log.lastIndex()) return false; // claims entries this leader never had
      this.dirty.add(m.from);
      return pr.acknowledge(m.matchIndex);
    }
    // §5.3: back up nextIndex and retry. A target at or below matchIndex can only come
    // from a stale reply (the follower already confirmed more), so it is ignored.
    const target = nextIndexAfterRejection(log, m) ?? pr.matchIndex + 1;
    if (target <= pr.matchIndex) return false;
    pr.becomeProbe(Math.min(target, log.lastIndex() + 1));
    this.dirty.add(m.from);
    return false;
  }

  /**
   * §5.3/§5.4.2: the highest index stored on a majority (the leader counts itself), but
   * only if that entry is of the current term (Figure 8); 0 when there is none.
   */
  commitTarget(): number {
    const log = this.ctx.log;
    const n = quorumIndex([log.lastIndex(), ...[...this.followers.values()].map((pr) => pr.matchIndex)]);
    return log.termAt(n) === this.ctx.term ? n : 0;
  }

  /** commitIndex moved: caught-up followers should hear of it soon. */
  committed(): void {
    this.commitAdvanced = true;
  }

  /** Every heartbeatTicks (§5.2): an append to every follower, data or not, so none times out. */
  heartbeat(now: number): void {
    for (const [peer, pr] of this.followers) {
      // An append unanswered for a whole election timeout is presumed lost.
      if (pr.state === 'replicate' && pr.stalled(now, this.ctx.stallTicks)) pr.becomeProbe(pr.matchIndex + 1);
      if (pr.state === 'probe') {
        // A probe doubles as the heartbeat, and is re-sent once per heartbeat if unanswered.
        pr.probeSent = false;
        this.sendAppends(peer, pr, now);
      } else {
        this.sendEmptyAppend(peer, pr);
      }
    }
  }

  /** Sends what each dirty follower may receive now (called when the shell collects a Ready). */
  flush(now: number): void {
    const notifyCommit = this.commitAdvanced;
    this.commitAdvanced = false;
    for (const [peer, pr] of this.followers) {
      const sent = this.dirty.has(peer) ? this.sendAppends(peer, pr, now) : 0;
      // A caught-up follower would otherwise learn the new commitIndex only at the next heartbeat.
      if (sent === 0 && notifyCommit && pr.state === 'replicate' && pr.inflightCount() === 0) {
        this.sendEmptyAppend(peer, pr);
      }
    }
    this.dirty.clear();
  }

  /** An RPC to `peer` failed: what was pipelined may be lost, so probe again from matchIndex. */
  unreachable(peer: NodeId): void {
    const pr = this.followers.get(peer);
    // A probe is retried by the next heartbeat anyway; re-probing at once would hammer a dead peer.
    if (pr?.state === 'replicate') pr.becomeProbe(pr.matchIndex + 1);
  }

  view(): Record<NodeId, { nextIndex: number; matchIndex: number }> {
    const view: Record<NodeId, { nextIndex: number; matchIndex: number }> = {};
    for (const [peer, pr] of this.followers)
      view[peer] = { nextIndex: pr.nextIndex, matchIndex: pr.matchIndex };
    return view;
  }

  /** Data-carrying appends from nextIndex, as many as flow control allows. */
  private sendAppends(peer: NodeId, pr: Progress, now: number): number {
    const log = this.ctx.log;
    let sent = 0;
    while (pr.canSend()) {
      const next = pr.nextIndex;
      if (pr.state === 'replicate' && next > log.lastIndex()) break;
      const last = Math.min(log.lastIndex(), next + this.ctx.maxEntries - 1);
      this.ctx.send(this.appendMessage(peer, next - 1, log.slice(next, last)));
      pr.sent(last, now);
      sent++;
    }
    return sent;
  }

  /** Anchored at matchIndex, so it cannot be rejected for a gap while appends are in flight. */
  private sendEmptyAppend(peer: NodeId, pr: Progress): void {
    this.ctx.send(this.appendMessage(peer, pr.matchIndex, []));
  }

  private appendMessage(peer: NodeId, prevLogIndex: number, entries: Entry[]): AppendEntries {
    const { id, term, log } = this.ctx;
    return {
      type: 'append_entries',
      from: id,
      to: peer,
      term,
      leaderId: id,
      prevLogIndex,
      prevLogTerm: log.termAt(prevLogIndex),
      entries,
      leaderCommit: this.ctx.commitIndex(),
    };
  }
}
