// The leader's side of log replication (§5.3) and of commitment (§5.4.2): one Progress per
// follower and learner, appends batched by count and bytes and pipelined under flow control,
// heartbeats, the fast back-up after a rejection, snapshots for followers whose next entry
// was compacted (paper §7), and handing leadership over (dissertation §3.10).

import type { RaftLog } from './log.ts';
import { replicationTargets } from './membership.ts';
import { type FlowLimits, Progress } from './progress.ts';
import { isQuorum, quorumIndex } from './quorum.ts';
import { nextIndexAfterRejection } from './replication.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Configuration,
  Entry,
  InstallSnapshotResponse,
  Message,
  NodeId,
} from './types.ts';

/** Data-carrying appends a leader keeps unanswered per follower while pipelining. */
export const MAX_INFLIGHT_APPENDS = 4;

/** A snapshot unanswered for this many election timeouts is presumed lost and offered again. */
const SNAPSHOT_STALL_FACTOR = 4;

export interface LeaderContext {
  readonly id: NodeId;
  readonly term: number;
  readonly log: RaftLog;
  readonly maxEntries: number;
  /** Most entry bytes per append_entries; one larger entry still goes alone. */
  readonly maxBytes: number;
  readonly limits: FlowLimits;
  /** Ticks after which an unanswered append is presumed lost; also the §4.2.1 round limit. */
  readonly electionTicks: number;
  commitIndex(): number;
  /** The ReadIndex round to stamp on appends (0: none yet, §6.4). */
  readRound(): number;
  send(m: Message): void;
}

interface Transfer {
  target: NodeId;
  startedAt: number;
  timeoutNowSent: boolean;
}

export class Leader {
  private readonly followers = new Map<NodeId, Progress>();
  /** Followers that may have something to be sent at the next flush: appends are batched. */
  private readonly dirty = new Set<NodeId>();
  private commitAdvanced = false;
  /** Dissertation §3.10: the follower leadership is being handed to, if any. */
  transfer: Transfer | null = null;
  /** A TimeoutNow went out in this term: a lease can no longer be trusted (§6.4.1). */
  timeoutNowSent = false;

  constructor(
    private readonly ctx: LeaderContext,
    config: Configuration,
    now: number,
  ) {
    this.setConfiguration(config, now);
  }

  /**
   * Dissertation §4.1: the leader uses a new configuration as soon as it is in its log. New
   * members start where Figure 2 starts every follower (nextIndex just past the leader's log,
   * matchIndex 0); removed ones are no longer replicated to.
   */
  setConfiguration(config: Configuration, now: number): void {
    const targets = replicationTargets(config, this.ctx.id);
    for (const id of [...this.followers.keys()]) {
      if (!targets.includes(id)) {
        this.followers.delete(id);
        this.dirty.delete(id);
      }
    }
    const next = this.ctx.log.lastIndex() + 1;
    for (const id of targets) {
      if (!this.followers.has(id)) {
        this.followers.set(id, new Progress(next, this.ctx.limits, now));
        this.dirty.add(id);
      }
    }
  }

  progressOf(peer: NodeId): Progress | undefined {
    return this.followers.get(peer);
  }

  /** The leader appended entries: every follower may receive them at the next flush. */
  appended(): void {
    for (const p of this.followers.keys()) this.dirty.add(p);
  }

  /** Any answer of this term: the follower is alive (CheckQuorum) and saw `readRound` (ReadIndex). */
  heardFrom(peer: NodeId, readRound: number | undefined): void {
    const pr = this.followers.get(peer);
    if (!pr) return;
    pr.recentActive = true;
    if (readRound !== undefined && readRound > pr.ackedRound) pr.ackedRound = readRound;
  }

  /** Handles a follower's answer to an append; true when its matchIndex grew (commitIndex may move). */
  onAppendResponse(m: AppendEntriesResponse, now: number): boolean {
    const pr = this.followers.get(m.from);
    if (!pr) return false;
    const log = this.ctx.log;
    if (m.success) {
      if (m.matchIndex > log.lastIndex()) return false; // claims entries this leader never had
      this.dirty.add(m.from);
      const grew = pr.acknowledge(m.matchIndex, now, log.lastIndex(), this.ctx.electionTicks);
      this.maybeSendTimeoutNow(m.from);
      return grew;
    }
    // A snapshot is on its way: answers to heartbeats sent meanwhile say nothing new.
    if (pr.state === 'snapshot') return false;
    // §5.3: back up nextIndex and retry. A target at or below matchIndex can only come
    // from a stale reply (the follower already confirmed more), so it is ignored.
    const target = nextIndexAfterRejection(log, m) ?? pr.matchIndex + 1;
    if (target <= pr.matchIndex) return false;
    pr.becomeProbe(Math.min(target, log.lastIndex() + 1));
    this.dirty.add(m.from);
    return false;
  }

  /** Paper §7: the follower installed (or already had) the snapshot; its log matches up to matchIndex. */
  onSnapshotResponse(m: InstallSnapshotResponse, now: number): boolean {
    const pr = this.followers.get(m.from);
    if (!pr || m.matchIndex > this.ctx.log.lastIndex()) return false;
    const grew = pr.acknowledge(m.matchIndex, now, this.ctx.log.lastIndex(), this.ctx.electionTicks);
    this.dirty.add(m.from);
    this.maybeSendTimeoutNow(m.from);
    return grew;
  }

  /**
   * §5.3/§5.4.2: the highest index stored on a majority of the voters (the leader counts
   * itself only while it is one, §4.2.2), but only if that entry is of the current term
   * (Figure 8); 0 when there is none.
   */
  commitTarget(config: Configuration): number {
    const { id, log, term } = this.ctx;
    const n = quorumIndex(config.voters, (v) =>
      v === id ? log.lastIndex() : (this.followers.get(v)?.matchIndex ?? 0),
    );
    return log.termAt(n) === term ? n : 0;
  }

  /** Dissertation §6.2: did a majority of voters answer since the last check? Then forget. */
  checkQuorum(config: Configuration): boolean {
    const ok = isQuorum(
      config.voters,
      (v) => v === this.ctx.id || this.followers.get(v)?.recentActive === true,
    );
    for (const pr of this.followers.values()) pr.recentActive = false;
    return ok;
  }

  /**
   * Dissertation §6.4: the latest heartbeat round a majority of voters answered (the leader,
   * if a voter, has always seen `current`).
   */
  confirmedRound(config: Configuration, current: number): number {
    return quorumIndex(config.voters, (v) =>
      v === this.ctx.id ? current : (this.followers.get(v)?.ackedRound ?? 0),
    );
  }

  /** commitIndex moved: caught-up followers should hear of it soon. */
  committed(): void {
    this.commitAdvanced = true;
  }

  /** Every heartbeatTicks (§5.2): an append to every follower, data or not, so none times out. */
  heartbeat(now: number): void {
    for (const [peer, pr] of this.followers) {
      const stall = this.ctx.electionTicks * (pr.state === 'snapshot' ? SNAPSHOT_STALL_FACTOR : 1);
      // An append (or snapshot) unanswered that long is presumed lost: find out where it stands.
      if (pr.state !== 'probe' && pr.stalled(now, stall)) pr.becomeProbe(pr.matchIndex + 1);
      if (pr.state === 'probe') {
        // A probe doubles as the heartbeat, and is re-sent once per heartbeat if unanswered.
        pr.probeSent = false;
        this.sendAppends(peer, pr, now);
      } else {
        this.sendEmptyAppend(peer, pr);
      }
    }
  }

  /** Dissertation §6.4: a heartbeat round now to every voter, for reads waiting on it. */
  broadcastHeartbeat(config: Configuration): void {
    for (const [peer, pr] of this.followers) if (config.voters.includes(peer)) this.sendEmptyAppend(peer, pr);
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

  /** An RPC to `peer` failed: what was pipelined (or the snapshot) may be lost, so probe again. */
  unreachable(peer: NodeId): void {
    const pr = this.followers.get(peer);
    // A probe is retried by the next heartbeat anyway; re-probing at once would hammer a dead peer.
    if (pr !== undefined && pr.state !== 'probe') pr.becomeProbe(pr.matchIndex + 1);
  }

  /** Dissertation §3.10: bring `target` up to date, then tell it to start an election. */
  startTransfer(target: NodeId, now: number): void {
    this.transfer = { target, startedAt: now, timeoutNowSent: false };
    this.dirty.add(target);
    this.maybeSendTimeoutNow(target);
  }

  view(): Record<NodeId, { nextIndex: number; matchIndex: number }> {
    const view: Record<NodeId, { nextIndex: number; matchIndex: number }> = {};
    for (const [peer, pr] of this.followers)
      view[peer] = { nextIndex: pr.nextIndex, matchIndex: pr.matchIndex };
    return view;
  }

  followerIds(): NodeId[] {
    return [...this.followers.keys()];
  }

  private maybeSendTimeoutNow(peer: NodeId): void {
    const t = this.transfer;
    if (t === null || t.target !== peer || t.timeoutNowSent) return;
    if (this.followers.get(peer)?.matchIndex !== this.ctx.log.lastIndex()) return;
    t.timeoutNowSent = true;
    this.timeoutNowSent = true;
    const { id, term } = this.ctx;
    this.ctx.send({ type: 'timeout_now', from: id, to: peer, term, leaderId: id });
  }

  /** Data-carrying appends from nextIndex, as many as flow control allows; a snapshot if they are gone. */
  private sendAppends(peer: NodeId, pr: Progress, now: number): number {
    const { log, maxEntries, maxBytes } = this.ctx;
    let sent = 0;
    while (pr.canSend()) {
      const next = pr.nextIndex;
      if (pr.state === 'replicate' && next > log.lastIndex()) break;
      if (next <= log.snapshotIndex()) {
        // Paper §7: the leader already discarded the next entry this follower needs.
        this.sendSnapshot(peer, pr, now);
        return sent + 1;
      }
      // Bounded by count and by bytes, but never empty when there is an entry to send.
      const limit = Math.min(log.lastIndex(), next + maxEntries - 1);
      let last = next - 1;
      let bytes = 0;
      while (last < limit) {
        const b = log.bytesAt(last + 1);
        if (last >= next && bytes + b > maxBytes) break;
        bytes += b;
        last++;
      }
      this.ctx.send(this.appendMessage(peer, next - 1, log.slice(next, last)));
      pr.sent(last, bytes, now);
      sent++;
    }
    return sent;
  }

  private sendSnapshot(peer: NodeId, pr: Progress, now: number): void {
    const { id, term, log } = this.ctx;
    const snapshot = log.snapshotMeta();
    pr.becomeSnapshot(snapshot.index, now);
    this.ctx.send({ type: 'install_snapshot', from: id, to: peer, term, leaderId: id, snapshot });
  }

  /**
   * Anchored at matchIndex, so it cannot be rejected for a gap while appends are in flight;
   * at 0 (which every log matches) when that entry is compacted.
   */
  private sendEmptyAppend(peer: NodeId, pr: Progress): void {
    const anchor = this.ctx.log.termAt(pr.matchIndex) >= 0 ? pr.matchIndex : 0;
    this.ctx.send(this.appendMessage(peer, anchor, []));
  }

  private appendMessage(peer: NodeId, prevLogIndex: number, entries: Entry[]): AppendEntries {
    const { id, term, log } = this.ctx;
    const m: AppendEntries = {
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
    const round = this.ctx.readRound();
    if (round > 0) m.readRound = round;
    return m;
  }
}
