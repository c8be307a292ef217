// One term of leadership (Figure 2, "Leaders"): replication to every follower and learner
// (leader.ts), the commit rule (§5.4.2), the leader's clock (heartbeats §5.2, CheckQuorum
// dissertation §6.2, abandoning a transfer §3.10), reads (§6.4), and the requests only a
// leader takes: membership changes (§4.1) and leadership transfers (§3.10).

import { Leader, MAX_INFLIGHT_APPENDS } from './leader.ts';
import type { RaftLog } from './log.ts';
import { isVoter, planChange } from './membership.ts';
import { leaseTicks, ReadIndex } from './read-index.ts';
import type { ReadyTracker } from './ready.ts';
import type {
  AppendEntriesResponse,
  CoreConfig,
  Entry,
  InstallSnapshotResponse,
  MembershipChange,
  MembershipResult,
  NodeId,
  ReadMode,
  TransferResult,
} from './types.ts';

export const DEFAULT_MAX_ENTRIES_PER_MESSAGE = 512;
/**
 * Entry bytes per append_entries. With the node's 1 MiB body limit (MAX_BODY_BYTES) this leaves
 * room for the envelope, and a single entry the node accepts (a 64 KiB value, at most ~390 KB as
 * escaped JSON) always fits alone: tests/node/message-size.test.ts checks both.
 */
export const DEFAULT_MAX_BYTES_PER_MESSAGE = 512 * 1024;
/** Entry bytes unanswered per follower: a slow follower holds at most about this much of the leader's sending. */
export const DEFAULT_MAX_INFLIGHT_BYTES = 2 * 1024 * 1024;

/** What a leadership needs from the server that holds it. */
export interface LeaderHost {
  readonly id: NodeId;
  readonly term: number;
  readonly log: RaftLog;
  readonly out: ReadyTracker;
  readonly cfg: CoreConfig;
  now(): number;
  commitIndex(): number;
  commitTo(index: number): void;
  readMode(): ReadMode;
  checkQuorum(): boolean;
  /** CheckQuorum failed, or the leader committed its own removal (§4.2.2). */
  stepDown(): void;
}

export interface FollowerView {
  nextIndex: number;
  matchIndex: number;
  state: 'probe' | 'replicate' | 'snapshot';
  learner: boolean;
  /** §4.2.1: the last catch-up round took at most an election timeout (a learner may be promoted). */
  caughtUp: boolean;
  /** Heard from since the leader's last CheckQuorum (§6.2). */
  recentActive: boolean;
}

export class Leadership {
  private readonly replication: Leader;
  private readonly reads: ReadIndex;
  private heartbeatElapsed = 0;
  private quorumElapsed = 0;

  constructor(private readonly host: LeaderHost) {
    const { cfg } = host;
    const reads = new ReadIndex(leaseTicks(cfg.electionTicksMin));
    this.reads = reads;
    this.replication = new Leader(
      {
        id: host.id,
        term: host.term,
        log: host.log,
        maxEntries: Math.max(1, cfg.maxEntriesPerMessage ?? DEFAULT_MAX_ENTRIES_PER_MESSAGE),
        maxBytes: Math.max(1, cfg.maxBytesPerMessage ?? DEFAULT_MAX_BYTES_PER_MESSAGE),
        limits: {
          maxInflight: MAX_INFLIGHT_APPENDS,
          maxInflightBytes: Math.max(1, cfg.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES),
        },
        electionTicks: cfg.electionTicksMin,
        commitIndex: () => host.commitIndex(),
        readRound: () => reads.round,
        send: (m) => host.out.send(m),
      },
      host.log.configuration(),
      host.now(),
    );
  }

  /** Ticks since the last heartbeat round (read-only, for the shell's timer events). */
  get ticksSinceHeartbeat(): number {
    return this.heartbeatElapsed;
  }

  /** Called once the host holds this leadership (it may step down at once, e.g. a removed leader). */
  start(noopOnElection: boolean): void {
    const { host } = this;
    // §8: a no-op of the new term lets entries of earlier terms commit (§5.4.2) and tells
    // everyone who leads.
    if (noopOnElection) {
      this.append([{ index: host.log.lastIndex() + 1, term: host.term, type: 'noop', command: null }]);
    } else {
      // No entry to carry the news: probe every follower at once anyway (an empty append),
      // so they learn who leads now rather than at the first heartbeat (§5.2).
      this.replication.appended();
      this.maybeCommit();
    }
  }

  tick(): void {
    const { host, replication } = this;
    const { cfg } = host;
    if (++this.heartbeatElapsed >= cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      // §6.4.1: every heartbeat round can renew the lease.
      if (host.readMode() === 'lease') this.reads.startRound(host.now());
      replication.heartbeat(host.now());
    }
    if (++this.quorumElapsed >= cfg.electionTicksMin) {
      this.quorumElapsed = 0;
      // Dissertation §6.2: a leader that has not heard from a majority within an election
      // timeout steps down, so its clients can find the real leader.
      const heard = replication.checkQuorum(host.log.configuration());
      if (host.checkQuorum() && !heard) {
        host.stepDown();
        return;
      }
    }
    // §3.10: a transfer not finished within an election timeout is abandoned.
    const transfer = replication.transfer;
    if (transfer && host.now() - transfer.startedAt >= cfg.electionTicksMin) replication.transfer = null;
  }

  /** Appends the leader's own entries; a configuration entry takes effect at once (§4.1). */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const { host } = this;
    host.log.append(entries);
    if (entries.some((e) => e.type === 'config')) {
      this.replication.setConfiguration(host.log.configuration(), host.now());
    }
    this.replication.appended();
    this.maybeCommit();
  }

  /** A follower's answer of this term (any answer: it also counts for CheckQuorum and reads). */
  onResponse(m: AppendEntriesResponse | InstallSnapshotResponse): void {
    const { replication, host } = this;
    replication.heardFrom(m.from, m.type === 'append_entries_response' ? m.readRound : undefined);
    const grew =
      m.type === 'append_entries_response'
        ? replication.onAppendResponse(m, host.now())
        : replication.onSnapshotResponse(m, host.now());
    if (grew) this.maybeCommit();
    this.confirmReads();
  }

  /** Dissertation §6.4: the read waits for a heartbeat round (or is answered by the lease). */
  readIndex(id: string): void {
    const { host } = this;
    const now = this.reads.request(
      id,
      host.commitIndex(),
      host.now(),
      this.committedInTerm(),
      this.leaseUsable(),
    );
    if (now) host.out.readsConfirmed([now]);
    this.confirmReads();
  }

  /** The transfer under way, if any (§3.10): no new commands meanwhile. */
  get transferee(): NodeId | null {
    return this.replication.transfer?.target ?? null;
  }

  transfer(target: NodeId): TransferResult {
    const { host } = this;
    if (target === host.id) return { ok: false, reason: 'self', detail: `node ${host.id} already leads` };
    if (!isVoter(host.log.configuration(), target)) {
      return {
        ok: false,
        reason: 'not_voter',
        detail: `node ${target} is not a voter: only voters can lead`,
      };
    }
    this.replication.startTransfer(target, host.now());
    return { ok: true };
  }

  /** Dissertation §4.1 with the 2015 fix and §4.2.1; see RaftCore.changeMembership. */
  changeMembership(change: MembershipChange): MembershipResult {
    const { host } = this;
    const refuse = (reason: Exclude<MembershipResult, { ok: true }>['reason'], detail: string) =>
      ({ ok: false, reason, detail }) as const;
    if (this.transferee !== null) {
      return refuse('transferring', 'a leadership transfer is under way; try again after it');
    }
    if (!this.committedInTerm()) {
      return refuse(
        'no_commit_in_term',
        `the leader has not committed an entry of its term ${host.term} yet; retry once it has (a change now could be lost, raft-dev 2015)`,
      );
    }
    const pending = host.log.lastConfigIndex();
    if (pending > host.commitIndex()) {
      return refuse(
        'change_in_progress',
        `the change at index ${pending} is not committed yet; one change at a time (§4.1)`,
      );
    }
    const plan = planChange(host.log.configuration(), change);
    if (!plan.ok) return plan;
    if (change.kind === 'promote' && !this.replication.progressOf(change.id)?.caughtUp) {
      return refuse(
        'learner_behind',
        `learner ${change.id} has not caught up within an election timeout yet (§4.2.1); retry when it has, or remove it if it never does`,
      );
    }
    const entry: Entry = {
      index: host.log.lastIndex() + 1,
      term: host.term,
      type: 'config',
      command: null,
      config: plan.next,
    };
    this.append([entry]);
    return { ok: true, entry: { ...entry } };
  }

  unreachable(peer: NodeId): void {
    this.replication.unreachable(peer);
  }

  /** Sends what is due: a heartbeat round for waiting reads, then the batched appends. */
  flush(): void {
    if (this.reads.takeBroadcast()) this.replication.broadcastHeartbeat(this.host.log.configuration());
    this.replication.flush(this.host.now());
  }

  /** The leadership ends: the reads it took can no longer be confirmed. */
  end(): string[] {
    return this.reads.drop();
  }

  progress(): Record<NodeId, { nextIndex: number; matchIndex: number }> {
    return this.replication.view();
  }

  followers(): Record<NodeId, FollowerView> {
    const config = this.host.log.configuration();
    const view: Record<NodeId, FollowerView> = {};
    for (const id of this.replication.followerIds()) {
      const pr = this.replication.progressOf(id)!;
      view[id] = {
        nextIndex: pr.nextIndex,
        matchIndex: pr.matchIndex,
        state: pr.state,
        learner: config.learners.includes(id),
        caughtUp: pr.caughtUp,
        recentActive: pr.recentActive,
      };
    }
    return view;
  }

  private maybeCommit(): void {
    const { host } = this;
    const config = host.log.configuration();
    const n = this.replication.commitTarget(config);
    if (n <= host.commitIndex()) return;
    const firstInTerm = !this.committedInTerm();
    host.commitTo(n);
    this.replication.committed();
    // §6.4: reads taken before the first commit of the term can go ahead now.
    if (firstInTerm) {
      host.out.readsConfirmed(this.reads.releaseWaiting(n, host.now(), this.leaseUsable()));
      this.confirmReads();
    }
    // §4.2.2: a leader that is not part of the configuration it just committed steps down.
    if (!isVoter(config, host.id) && host.log.lastConfigIndex() <= n) host.stepDown();
  }

  private committedInTerm(): boolean {
    return this.host.log.termAt(this.host.commitIndex()) === this.host.term;
  }

  /** §6.4.1: a lease needs leader stickiness, and no TimeoutNow of this term (it bypasses stickiness). */
  private leaseUsable(): boolean {
    const { host } = this;
    return host.readMode() === 'lease' && host.checkQuorum() && !this.replication.timeoutNowSent;
  }

  private confirmReads(): void {
    if (this.reads.idle) return;
    const round = this.replication.confirmedRound(this.host.log.configuration(), this.reads.round);
    const states = this.reads.confirm(round);
    if (states.length > 0) this.host.out.readsConfirmed(states);
  }
}
