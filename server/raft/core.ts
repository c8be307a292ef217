// The Raft state machine of one node (paper Figure 2 and Ongaro's dissertation), pure:
// messages and ticks go in through step() and tick(), requests from the shell through
// propose(), readIndex(), transferLeadership(), changeMembership() and compact(); what must
// be persisted, sent, applied and answered comes out as a Ready. No I/O, no clock, no
// randomness of its own (the shell injects `random`).

import { candidateIsUpToDate, randomizedElectionTicks } from './election.ts';
import { judgeSnapshot } from './install-snapshot.ts';
import { Leader, MAX_INFLIGHT_APPENDS } from './leader.ts';
import { RaftLog } from './log.ts';
import { bootstrapConfiguration, isVoter, planChange } from './membership.ts';
import { isWellFormed } from './message-checks.ts';
import { VoteTally } from './quorum.ts';
import { leaseTicks, ReadIndex } from './read-index.ts';
import { type ReadySource, ReadyTracker } from './ready.ts';
import { acceptAppend } from './replication.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Configuration,
  CoreConfig,
  Entry,
  InstallSnapshot,
  InstallSnapshotResponse,
  MembershipChange,
  MembershipResult,
  Message,
  NodeId,
  PersistentState,
  PreVote,
  PreVoteResponse,
  Proposal,
  ProposeResult,
  ReadMode,
  ReadResult,
  Ready,
  RequestVote,
  RequestVoteResponse,
  Role,
  SnapshotMeta,
  TimeoutNow,
  TransferResult,
} from './types.ts';

export { MAX_INFLIGHT_APPENDS } from './leader.ts';
export const DEFAULT_MAX_ENTRIES_PER_MESSAGE = 512;
/**
 * Entry bytes per append_entries. With the node's 1 MiB body limit (MAX_BODY_BYTES) this leaves
 * room for the envelope, and a single entry the node accepts (a 64 KiB value, at most ~390 KB as
 * escaped JSON) always fits alone: tests/node/message-size.test.ts checks both.
 */
export const DEFAULT_MAX_BYTES_PER_MESSAGE = 512 * 1024;
/** Entry bytes unanswered per follower: a slow follower holds at most this much of the leader's sending. */
export const DEFAULT_MAX_INFLIGHT_BYTES = 2 * 1024 * 1024;

export class RaftCore {
  readonly id: NodeId;
  private readonly cfg: CoreConfig;
  private readonly log: RaftLog;
  private term: number;
  private vote: NodeId | null;
  private roleNow: Role = 'follower';
  private leader: NodeId | null = null;
  private commit: number;
  private applied: number;
  private now = 0;
  /** Ticks since the leader was last heard from (a leader: since its last CheckQuorum). */
  private electionElapsed = 0;
  private electionTimeout = 0;
  private heartbeatElapsed = 0;
  /** Votes (or PreVotes) of the election this node is running. */
  private votes: VoteTally | null = null;
  /** Run-time switches; see CoreConfig. */
  private noopOnElection: boolean;
  private preVote: boolean;
  private checkQuorum: boolean;
  private readMode: ReadMode;
  /** Set while this node leads: its followers' progress (§5.3) and its reads (§6.4). */
  private leading: Leader | null = null;
  private reads: ReadIndex | null = null;
  private readonly out: ReadyTracker;

  constructor(config: CoreConfig, state: PersistentState) {
    this.id = config.id;
    this.cfg = config;
    const snapshot = state.snapshot ?? { index: 0, term: 0, config: bootstrapConfiguration(config) };
    const recovered = RaftLog.recover(snapshot, state.log);
    this.log = recovered.log;
    this.term = state.currentTerm;
    this.vote = state.votedFor;
    this.noopOnElection = config.noopOnElection ?? true;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.readMode = config.readMode ?? 'read_index';
    // commitIndex is volatile (Figure 2): only what the shell says it applied (at least the
    // snapshot, which holds only committed entries) is known to be committed.
    this.applied = Math.min(Math.max(config.applied ?? 0, snapshot.index), this.log.lastIndex());
    this.commit = this.applied;
    this.resetElectionTimer();
    this.out = new ReadyTracker(this.readySource(), this.applied, recovered.droppedFrom);
  }

  // ---- inputs -------------------------------------------------------------------------

  tick(): void {
    this.now++;
    this.electionElapsed++;
    if (this.roleNow === 'leader') {
      this.tickLeader();
      return;
    }
    // Figure 2, Followers/Candidates: no word from a leader or candidate for a whole
    // election timeout → start an election. Learners and removed servers never do (§4.2.1).
    if (this.electionElapsed >= this.electionTimeout && this.promotable()) this.campaign();
  }

  /**
   * Starts an election as the election timer would: with PreVote on, first asks whether it
   * could win (dissertation §9.6). Does nothing on a node that is not a voter of its configuration.
   */
  campaign(): void {
    if (!this.promotable()) return;
    if (this.preVote) this.startPreVote();
    else this.startElection(false);
  }

  step(msg: Message): void {
    if (!isWellFormed(msg) || msg.to !== this.id || msg.from === this.id) return;
    if ('candidateId' in msg && msg.candidateId !== msg.from) return;
    if ('leaderId' in msg && msg.leaderId !== msg.from) return;
    // Dissertation §4.1: messages are processed whatever this node's configuration says (a
    // new server must hear the leader before its log names the leader; the shell decides
    // whom it accepts connections from).
    if (msg.term > this.term) {
      const isVoteRequest = msg.type === 'request_vote' || msg.type === 'pre_vote';
      const transfer = msg.type === 'request_vote' && msg.leadershipTransfer === true;
      // §4.2.3, leader stickiness: heard from a leader within the minimum election timeout
      // → neither the term nor a vote changes, and no answer is sent.
      if (isVoteRequest && !transfer && this.inLease()) return;
      // §9.6: nobody adopts the term of a PreVote, nor of a granted PreVote response (it is
      // the term the pre-candidate asked about, not the responder's).
      const keepTerm = msg.type === 'pre_vote' || (msg.type === 'pre_vote_response' && msg.voteGranted);
      // Figure 2, all servers: a higher term in any request or response → adopt it, follow.
      if (!keepTerm) this.becomeFollower(msg.term, leaderOf(msg));
    }
    if (msg.term < this.term) {
      this.replyStale(msg);
      return;
    }
    if (msg.type === 'request_vote') this.handleRequestVote(msg);
    else if (msg.type === 'pre_vote') this.handlePreVote(msg);
    else if (msg.type === 'request_vote_response') this.handleVoteResponse(msg);
    else if (msg.type === 'pre_vote_response') this.handlePreVoteResponse(msg);
    else if (msg.type === 'append_entries') this.handleAppendEntries(msg);
    else if (msg.type === 'install_snapshot') this.handleInstallSnapshot(msg);
    else if (msg.type === 'timeout_now') this.handleTimeoutNow(msg);
    else this.handleReplicationResponse(msg);
  }

  propose(proposals: Proposal[]): ProposeResult {
    if (this.roleNow !== 'leader' || !this.leading) {
      return { ok: false, reason: 'not_leader', leaderId: this.leader };
    }
    const transfer = this.leading.transfer;
    if (transfer)
      return { ok: false, reason: 'transferring', leaderId: this.id, transferee: transfer.target };
    const first = this.log.lastIndex() + 1;
    const entries: Entry[] = proposals.map((p, i) => {
      const e: Entry = { index: first + i, term: this.term, type: 'command', command: String(p.command) };
      if (p.client_id !== undefined) e.client_id = p.client_id;
      if (p.request_id !== undefined) e.request_id = p.request_id;
      return e;
    });
    this.appendAsLeader(entries);
    return { ok: true, entries: entries.map((e) => ({ ...e })) };
  }

  /**
   * Dissertation §6.4: a linearizable read, without a log entry. On the leader, `id` (the
   * shell's name for the read) comes back in a later Ready's `readStates` with the index the
   * state machine must reach before the shell answers — or in `droppedReads` if this node
   * stops leading first. Elsewhere: `not_leader` at once.
   */
  readIndex(id: string): ReadResult {
    if (this.roleNow !== 'leader' || !this.reads)
      return { ok: false, reason: 'not_leader', leaderId: this.leader };
    const now = this.reads.request(id, this.commit, this.now, this.committedInTerm(), this.leaseUsable());
    if (now) this.out.readsConfirmed([now]);
    this.confirmReads();
    return { ok: true };
  }

  /**
   * Dissertation §3.10: hand leadership to voter `target`. The leader takes no new commands,
   * brings the target's log up to date, then sends it TimeoutNow; it gives up after an
   * election timeout (and takes commands again).
   */
  transferLeadership(target: NodeId): TransferResult {
    if (this.roleNow !== 'leader' || !this.leading) {
      return { ok: false, reason: 'not_leader', detail: `node ${this.id} is not the leader` };
    }
    if (target === this.id) return { ok: false, reason: 'self', detail: `node ${this.id} already leads` };
    if (!isVoter(this.log.configuration(), target)) {
      return {
        ok: false,
        reason: 'not_voter',
        detail: `node ${target} is not a voter: only voters can lead`,
      };
    }
    this.leading.startTransfer(target, this.now);
    return { ok: true };
  }

  /**
   * Dissertation §4.1: appends a configuration entry that adds one learner, promotes one
   * learner, or removes one server; it takes effect at once, on every server as soon as the
   * entry reaches its log. Refused (with a reason for people) unless this node leads, has
   * committed an entry of its term (Ongaro's 2015 fix), the previous change is committed, and
   * a learner to promote keeps up (§4.2.1).
   */
  changeMembership(change: MembershipChange): MembershipResult {
    if (this.roleNow !== 'leader' || !this.leading) {
      return {
        ok: false,
        reason: 'not_leader',
        detail: `node ${this.id} is not the leader; ask node ${this.leader ?? '(unknown)'}`,
      };
    }
    if (this.leading.transfer) {
      return {
        ok: false,
        reason: 'transferring',
        detail: 'a leadership transfer is under way; try again after it',
      };
    }
    if (!this.committedInTerm()) {
      return {
        ok: false,
        reason: 'no_commit_in_term',
        detail: `the leader has not committed an entry of its term ${this.term} yet; retry once it has (a change now could be lost, raft-dev 2015)`,
      };
    }
    if (this.log.lastConfigIndex() > this.commit) {
      return {
        ok: false,
        reason: 'change_in_progress',
        detail: `the change at index ${this.log.lastConfigIndex()} is not committed yet; one change at a time (§4.1)`,
      };
    }
    const plan = planChange(this.log.configuration(), change);
    if (!plan.ok) return plan;
    if (change.kind === 'promote' && !this.leading.progressOf(change.id)?.caughtUp) {
      return {
        ok: false,
        reason: 'learner_behind',
        detail: `learner ${change.id} has not caught up within an election timeout yet (§4.2.1); retry when it has, or remove it if it never does`,
      };
    }
    const entry: Entry = {
      index: this.log.lastIndex() + 1,
      term: this.term,
      type: 'config',
      command: null,
      config: plan.next,
    };
    this.appendAsLeader([entry]);
    return { ok: true, entry: { ...entry } };
  }

  /**
   * The metadata to store with a snapshot of the state machine at `index` (paper §7: last
   * included index and term, and the configuration then). `index` must be applied and still in
   * the log (RangeError otherwise). Undefined while this server cannot know the configuration
   * at `index`: it joined a running cluster and has not yet got the entry that added it (the
   * configuration before it was never in its log); snapshot later.
   */
  snapshotMeta(index: number): SnapshotMeta | undefined {
    this.checkCompactable(index);
    const fromLog = (this.log.firstConfigIndex() ?? Number.POSITIVE_INFINITY) <= index;
    if (this.cfg.joining && this.log.snapshotIndex() === 0 && !fromLog) return undefined;
    return { index, term: this.log.termAt(index), config: this.log.configurationAt(index) };
  }

  /**
   * Paper §7: the shell holds a durable snapshot of the state machine up to `index` (at most
   * lastApplied), so the core drops the log up to it. Followers whose next entry is gone get
   * InstallSnapshot from then on. Throws RangeError for an index not yet applied.
   */
  compact(index: number): void {
    if (index <= this.log.snapshotIndex()) return;
    this.checkCompactable(index);
    this.log.compact(index);
  }

  /** §8's no-op on the next election win; see CoreConfig.noopOnElection. */
  setNoopOnElection(enabled: boolean): void {
    this.noopOnElection = enabled;
  }

  /** Dissertation §9.6, from the next election on. */
  setPreVote(enabled: boolean): void {
    this.preVote = enabled;
  }

  /** Dissertation §6.2 and §4.2.3: CheckQuorum and leader stickiness, at once. */
  setCheckQuorum(enabled: boolean): void {
    this.checkQuorum = enabled;
  }

  /** Dissertation §6.4 / §6.4.1; a lease is used only while CheckQuorum is on. */
  setReadMode(mode: ReadMode): void {
    this.readMode = mode;
  }

  unreachable(peer: NodeId): void {
    this.leading?.unreachable(peer);
  }

  // ---- outputs ------------------------------------------------------------------------

  hasReady(): boolean {
    this.flushLeader();
    return this.out.has(this.readySource());
  }

  ready(): Ready {
    this.flushLeader();
    return this.out.take(this.readySource());
  }

  advance(ready: Ready): void {
    if (ready.snapshot && ready.snapshot.meta.index > this.applied) this.applied = ready.snapshot.meta.index;
    const last = ready.committed[ready.committed.length - 1];
    if (last && last.index > this.applied) this.applied = last.index;
  }

  // ---- read-only views ----------------------------------------------------------------

  get currentTerm(): number {
    return this.term;
  }
  get votedFor(): NodeId | null {
    return this.vote;
  }
  get role(): Role {
    return this.roleNow;
  }
  get leaderId(): NodeId | null {
    return this.leader;
  }
  get commitIndex(): number {
    return this.commit;
  }
  get lastApplied(): number {
    return this.applied;
  }
  /** The configuration in effect: the latest in the log, committed or not (§4.1). */
  get configuration(): Configuration {
    return this.log.configuration();
  }
  get snapshot(): SnapshotMeta {
    return this.log.snapshotMeta();
  }
  /** The voter leadership is being handed to, while a transfer is under way (§3.10). */
  get transferee(): NodeId | null {
    return this.leading?.transfer?.target ?? null;
  }
  get switches(): { preVote: boolean; checkQuorum: boolean; readMode: ReadMode; noopOnElection: boolean } {
    return {
      preVote: this.preVote,
      checkQuorum: this.checkQuorum,
      readMode: this.readMode,
      noopOnElection: this.noopOnElection,
    };
  }
  lastIndex(): number {
    return this.log.lastIndex();
  }
  /** The first index still in the log (after the snapshot). */
  firstIndex(): number {
    return this.log.firstIndex();
  }
  /** 0 for index 0; -1 for an index the log does not hold (compacted or beyond the end). */
  termAt(index: number): number {
    return this.log.termAt(index);
  }
  entries(from: number, toInclusive: number): Entry[] {
    return this.log.slice(from, toInclusive);
  }
  progress(): Record<NodeId, { nextIndex: number; matchIndex: number }> | null {
    return this.leading?.view() ?? null;
  }
  /** Per follower and learner: Figure 2's indexes plus flow-control state and catch-up (§4.2.1). */
  replication(): Record<NodeId, FollowerView> | null {
    const leading = this.leading;
    if (!leading) return null;
    const config = this.log.configuration();
    const view: Record<NodeId, FollowerView> = {};
    for (const id of leading.followerIds()) {
      const pr = leading.progressOf(id)!;
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

  // ---- elections (§5.2, §5.4.1, dissertation §9.6, §4.2.3, §3.10) ------------------------

  private promotable(): boolean {
    return isVoter(this.log.configuration(), this.id);
  }

  /**
   * §4.2.3: while it hears from a leader (within the minimum election timeout) a server
   * ignores vote requests; a leader does too while CheckQuorum keeps confirming it. Also for
   * the first election timeout after a start, since a restarted server cannot know whom it
   * heard from before (this keeps a lease safe across a follower's crash, §6.4.1).
   */
  private inLease(): boolean {
    if (!this.checkQuorum || this.electionElapsed >= this.cfg.electionTicksMin) return false;
    return this.leader !== null || this.now < this.cfg.electionTicksMin;
  }

  private startPreVote(): void {
    // §9.6: no term change and no vote recorded: a server that cannot win disturbs no one.
    this.leaveLeadership();
    this.roleNow = 'pre_candidate';
    this.leader = null;
    this.resetElectionTimer();
    this.askForVotes('pre_vote', this.term + 1, false);
  }

  private startElection(leadershipTransfer: boolean): void {
    // §5.2: increment currentTerm, vote for self, reset the election timer, ask every voter.
    this.leaveLeadership();
    this.term++;
    this.vote = this.id;
    this.roleNow = 'candidate';
    this.leader = null;
    this.resetElectionTimer();
    this.askForVotes('request_vote', this.term, leadershipTransfer);
  }

  private askForVotes(type: 'request_vote' | 'pre_vote', term: number, leadershipTransfer: boolean): void {
    const voters = this.log.configuration().voters;
    this.votes = new VoteTally(voters);
    this.votes.record(this.id, true);
    if (this.votes.won()) {
      if (type === 'pre_vote') this.startElection(false);
      else this.becomeLeader();
      return;
    }
    for (const peer of voters) {
      if (peer === this.id) continue;
      const m = {
        type,
        from: this.id,
        to: peer,
        term,
        candidateId: this.id,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
      } as RequestVote | PreVote;
      if (leadershipTransfer) (m as RequestVote).leadershipTransfer = true;
      this.out.send(m);
    }
  }

  private handleRequestVote(m: RequestVote): void {
    // Figure 2, RequestVote receiver: grant if votedFor is null or candidateId, and the
    // candidate's log is at least as up-to-date as ours. One vote per term (§5.2).
    const free = this.vote === null || this.vote === m.candidateId;
    const grant = free && candidateIsUpToDate(this.log, m.lastLogIndex, m.lastLogTerm);
    if (grant) {
      this.vote = m.candidateId;
      this.resetElectionTimer();
    }
    this.replyVote(m, grant);
  }

  /**
   * §9.6: answered as a vote for `m.term` would be — a later term, or this term with no other
   * vote and no leader, and a log at least as up-to-date — but nothing is recorded.
   */
  private handlePreVote(m: PreVote): void {
    const free =
      m.term > this.term || this.vote === m.candidateId || (this.vote === null && this.leader === null);
    const grant = free && candidateIsUpToDate(this.log, m.lastLogIndex, m.lastLogTerm);
    this.out.send(
      withRpcId(m, {
        type: 'pre_vote_response',
        from: this.id,
        to: m.from,
        term: grant ? m.term : this.term,
        voteGranted: grant,
      } satisfies PreVoteResponse),
    );
  }

  private handleVoteResponse(m: RequestVoteResponse): void {
    if (this.roleNow !== 'candidate' || !this.votes) return;
    this.votes.record(m.from, m.voteGranted);
    if (this.votes.won()) this.becomeLeader();
  }

  private handlePreVoteResponse(m: PreVoteResponse): void {
    if (this.roleNow !== 'pre_candidate' || !this.votes) return;
    // A grant names the term asked about; a refusal of this term names this term.
    if (m.term !== (m.voteGranted ? this.term + 1 : this.term)) return;
    this.votes.record(m.from, m.voteGranted);
    if (this.votes.won()) this.startElection(false);
  }

  /** §3.10: the leader says "start an election now": no PreVote, and voters skip stickiness. */
  private handleTimeoutNow(m: TimeoutNow): void {
    if (this.roleNow === 'leader' || !this.promotable()) return;
    if (this.leader !== null && this.leader !== m.leaderId) return; // §5.2: one leader per term
    this.startElection(true);
  }

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.term) {
      this.term = term;
      this.vote = null;
    }
    const wasFollower = this.roleNow === 'follower';
    this.leaveLeadership();
    this.roleNow = 'follower';
    this.leader = leader;
    this.votes = null;
    // A leader had no election timer running; a fresh follower starts a full one.
    if (!wasFollower) this.resetElectionTimer();
  }

  private becomeLeader(): void {
    this.roleNow = 'leader';
    this.leader = this.id;
    this.votes = null;
    this.heartbeatElapsed = 0;
    this.electionElapsed = 0;
    this.reads = new ReadIndex(leaseTicks(this.cfg.electionTicksMin));
    const reads = this.reads;
    this.leading = new Leader(
      {
        id: this.id,
        term: this.term,
        log: this.log,
        maxEntries: Math.max(1, this.cfg.maxEntriesPerMessage ?? DEFAULT_MAX_ENTRIES_PER_MESSAGE),
        maxBytes: Math.max(1, this.cfg.maxBytesPerMessage ?? DEFAULT_MAX_BYTES_PER_MESSAGE),
        limits: {
          maxInflight: MAX_INFLIGHT_APPENDS,
          maxInflightBytes: Math.max(1, this.cfg.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES),
        },
        electionTicks: this.cfg.electionTicksMin,
        commitIndex: () => this.commit,
        readRound: () => reads.round,
        send: (m) => this.out.send(m),
      },
      this.log.configuration(),
      this.now,
    );
    // §8: a no-op of the new term lets entries of earlier terms commit (§5.4.2) and tells
    // everyone who leads.
    if (this.noopOnElection) {
      this.appendAsLeader([
        { index: this.log.lastIndex() + 1, term: this.term, type: 'noop', command: null },
      ]);
    } else {
      // No entry to carry the news: probe every follower at once anyway (an empty append),
      // so they learn who leads now rather than at the first heartbeat (§5.2).
      this.leading.appended();
      this.maybeCommit();
    }
  }

  /** Leaving the leader role (or never having had it): reads it took can no longer be confirmed. */
  private leaveLeadership(): void {
    const dropped = this.reads?.drop() ?? [];
    if (dropped.length > 0) this.out.readsDropped(dropped);
    this.reads = null;
    this.leading = null;
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.electionTimeout = randomizedElectionTicks(
      this.cfg.electionTicksMin,
      this.cfg.electionTicksMax,
      this.cfg.random,
    );
  }

  // ---- the leader's clock -------------------------------------------------------------

  private tickLeader(): void {
    const leading = this.leading!;
    if (++this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      // §6.4.1: every heartbeat round can renew the lease.
      if (this.readMode === 'lease') this.reads?.startRound(this.now);
      leading.heartbeat(this.now);
    }
    if (this.electionElapsed >= this.cfg.electionTicksMin) {
      this.electionElapsed = 0;
      // Dissertation §6.2: a leader that has not heard from a majority within an election
      // timeout steps down, so its clients can find the real leader.
      const heard = leading.checkQuorum(this.log.configuration());
      if (this.checkQuorum && !heard) {
        this.becomeFollower(this.term, null);
        return;
      }
    }
    // §3.10: a transfer not finished within an election timeout is abandoned.
    const transfer = leading.transfer;
    if (transfer && this.now - transfer.startedAt >= this.cfg.electionTicksMin) leading.transfer = null;
  }

  // ---- replication, follower side (§5.3, §7) --------------------------------------------

  /** True when `m` may come from the leader of this term as this node knows it (§5.2: one per term). */
  private acceptLeader(m: AppendEntries | InstallSnapshot): boolean {
    if (this.roleNow === 'leader' || (this.leader !== null && this.leader !== m.leaderId)) return false;
    // §5.2: a (pre-)candidate that hears from a leader of its term returns to follower.
    if (this.roleNow !== 'follower') this.becomeFollower(m.term, m.leaderId);
    this.leader = m.leaderId;
    this.resetElectionTimer();
    return true;
  }

  private handleAppendEntries(m: AppendEntries): void {
    if (!this.acceptLeader(m)) return;
    const outcome = acceptAppend(this.log, this.commit, m);
    if (outcome.truncatedFrom !== undefined) this.out.noteTruncated(outcome.truncatedFrom);
    if (outcome.success) {
      // Figure 2, step 5: commitIndex = min(leaderCommit, index of last new entry).
      const commit = Math.min(m.leaderCommit, outcome.matchIndex);
      if (commit > this.commit) this.commit = commit;
    }
    this.replyAppend(m, outcome);
  }

  /** Paper §7, Figure 13: the data came through the shell; the core decides what it means. */
  private handleInstallSnapshot(m: InstallSnapshot): void {
    if (!this.acceptLeader(m)) return;
    const verdict = judgeSnapshot(this.log, this.commit, m.snapshot);
    if (verdict.kind === 'fast_forward') this.commit = m.snapshot.index;
    if (verdict.kind === 'restore') {
      this.log.restore(m.snapshot);
      this.commit = m.snapshot.index;
      this.out.noteSnapshot({ meta: this.log.snapshotMeta(), data: m.data });
    }
    this.out.send(
      withRpcId(m, {
        type: 'install_snapshot_response',
        from: this.id,
        to: m.from,
        term: this.term,
        matchIndex: verdict.matchIndex,
      } satisfies InstallSnapshotResponse),
    );
  }

  // ---- replication, leader side ---------------------------------------------------------

  private handleReplicationResponse(m: AppendEntriesResponse | InstallSnapshotResponse): void {
    const leading = this.leading;
    if (this.roleNow !== 'leader' || !leading) return;
    leading.heardFrom(m.from, m.type === 'append_entries_response' ? m.readRound : undefined);
    const grew =
      m.type === 'append_entries_response'
        ? leading.onAppendResponse(m, this.now)
        : leading.onSnapshotResponse(m, this.now);
    if (grew) this.maybeCommit();
    this.confirmReads();
  }

  private appendAsLeader(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.log.append(entries);
    // §4.1: a configuration entry takes effect as soon as it is in the log.
    if (entries.some((e) => e.type === 'config'))
      this.leading?.setConfiguration(this.log.configuration(), this.now);
    this.leading?.appended();
    this.maybeCommit();
  }

  private maybeCommit(): void {
    const leading = this.leading;
    if (!leading) return;
    const config = this.log.configuration();
    const n = leading.commitTarget(config);
    if (n <= this.commit) return;
    const firstInTerm = !this.committedInTerm();
    this.commit = n;
    leading.committed();
    // §6.4: reads taken before the first commit of the term can go ahead now.
    if (firstInTerm && this.reads) {
      this.out.readsConfirmed(this.reads.releaseWaiting(this.commit, this.now, this.leaseUsable()));
      this.confirmReads();
    }
    // §4.2.2: a leader that is not part of the configuration it just committed steps down.
    if (!isVoter(config, this.id) && this.log.lastConfigIndex() <= this.commit)
      this.becomeFollower(this.term, null);
  }

  private committedInTerm(): boolean {
    return this.log.termAt(this.commit) === this.term;
  }

  /** §6.4.1: a lease needs leader stickiness, and no TimeoutNow of this term (it bypasses stickiness). */
  private leaseUsable(): boolean {
    return (
      this.readMode === 'lease' && this.checkQuorum && this.leading !== null && !this.leading.timeoutNowSent
    );
  }

  private confirmReads(): void {
    if (!this.leading || !this.reads) return;
    const round = this.leading.confirmedRound(this.log.configuration(), this.reads.round);
    const states = this.reads.confirm(round);
    if (states.length > 0) this.out.readsConfirmed(states);
  }

  private flushLeader(): void {
    if (!this.leading) return;
    if (this.reads?.takeBroadcast()) this.leading.broadcastHeartbeat(this.log.configuration());
    this.leading.flush(this.now);
  }

  private checkCompactable(index: number): void {
    if (index > this.applied || index < this.log.snapshotIndex() || index > this.log.lastIndex()) {
      throw new RangeError(
        `cannot snapshot at index ${index}: it must be applied (lastApplied is ${this.applied}) and in the log (from ${this.log.snapshotIndex()} to ${this.log.lastIndex()})`,
      );
    }
  }

  // ---- replies and Ready ------------------------------------------------------------------

  /** A request of an older term: its sender learns the current term from the answer and steps down. */
  private replyStale(m: Message): void {
    if (m.type === 'request_vote') this.replyVote(m, false);
    else if (m.type === 'pre_vote') {
      this.out.send(
        withRpcId(m, {
          type: 'pre_vote_response',
          from: this.id,
          to: m.from,
          term: this.term,
          voteGranted: false,
        } satisfies PreVoteResponse),
      );
    } else if (m.type === 'append_entries') this.replyAppend(m, { success: false, matchIndex: 0 });
    else if (m.type === 'install_snapshot') {
      this.out.send(
        withRpcId(m, {
          type: 'install_snapshot_response',
          from: this.id,
          to: m.from,
          term: this.term,
          matchIndex: 0,
        } satisfies InstallSnapshotResponse),
      );
    }
  }

  private replyVote(m: RequestVote, voteGranted: boolean): void {
    this.out.send(
      withRpcId(m, {
        type: 'request_vote_response',
        from: this.id,
        to: m.from,
        term: this.term,
        voteGranted,
      } satisfies RequestVoteResponse),
    );
  }

  private replyAppend(
    m: AppendEntries,
    o: { success: boolean; matchIndex: number; conflictIndex?: number; conflictTerm?: number },
  ): void {
    const reply: AppendEntriesResponse = {
      type: 'append_entries_response',
      from: this.id,
      to: m.from,
      term: this.term,
      success: o.success,
      matchIndex: o.matchIndex,
    };
    if (o.conflictIndex !== undefined) reply.conflictIndex = o.conflictIndex;
    if (o.conflictTerm !== undefined) reply.conflictTerm = o.conflictTerm;
    if (m.readRound !== undefined) reply.readRound = m.readRound;
    this.out.send(withRpcId(m, reply));
  }

  private readySource(): ReadySource {
    return {
      hardState: { currentTerm: this.term, votedFor: this.vote },
      softState: { role: this.roleNow, leaderId: this.leader, commitIndex: this.commit },
      log: this.log,
      commitIndex: this.commit,
    };
  }
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

function leaderOf(m: Message): NodeId | null {
  return m.type === 'append_entries' || m.type === 'install_snapshot' || m.type === 'timeout_now'
    ? m.leaderId
    : null;
}

/** The response answers the same shell request (see Message.rpcId). */
function withRpcId<T extends Message>(request: Message, reply: T): T {
  if (request.rpcId !== undefined) reply.rpcId = request.rpcId;
  return reply;
}
