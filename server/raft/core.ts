// The Raft state machine of one node (paper Figure 2 and Ongaro's dissertation), pure:
// messages and ticks go in through step() and tick(), requests from the shell through
// propose(), readIndex(), transferLeadership(), changeMembership() and compact(); what must
// be persisted, sent, applied and answered comes out as a Ready. No I/O, no clock, no
// randomness of its own (the shell injects `random`). This file owns term, vote and role;
// a leader's work is in leadership.ts, the follower's in replication.ts and install-snapshot.ts.

import { mayCampaign, randomizedElectionTicks, wouldVote } from './election.ts';
import { judgeSnapshot } from './install-snapshot.ts';
import { type FollowerView, type LeaderHost, Leadership } from './leadership.ts';
import { RaftLog } from './log.ts';
import { bootstrapConfiguration, isVoter } from './membership.ts';
import { isWellFormed, MAX_TERM_LEAD } from './message-checks.ts';
import { VoteTally } from './quorum.ts';
import { type ReadySource, ReadyTracker } from './ready.ts';
import { acceptAppend } from './replication.ts';
import { appendReply, leaderOf, snapshotReply, staleReply, voteReply } from './replies.ts';
import type {
  AppendEntries,
  Configuration,
  CoreConfig,
  Entry,
  InstallSnapshot,
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
export {
  DEFAULT_MAX_BYTES_PER_MESSAGE,
  DEFAULT_MAX_ENTRIES_PER_MESSAGE,
  DEFAULT_MAX_INFLIGHT_BYTES,
  type FollowerView,
} from './leadership.ts';

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
  /** Ticks since the leader was last heard from (or since this server's last vote or election). */
  private electionElapsed = 0;
  private electionTimeout = 0;
  /** Votes (or PreVotes) of the election this node is running. */
  private votes: VoteTally | null = null;
  /** Run-time switches; see CoreConfig. */
  private noopOnElection: boolean;
  private preVote: boolean;
  private checkQuorum: boolean;
  private readMode: ReadMode;
  /** Set while this node leads. */
  private leading: Leadership | null = null;
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
    if (this.leading) {
      this.leading.tick();
      return;
    }
    // Figure 2, Followers/Candidates: no word from a leader or candidate for a whole
    // election timeout → start an election (if this server may, see mayCampaign).
    if (this.electionElapsed >= this.electionTimeout) this.campaign();
  }

  /**
   * Starts an election as the election timer would: with PreVote on, first asks whether it
   * could win (dissertation §9.6). Does nothing on a learner, a server that knows it was
   * removed, or one that knows no configuration yet.
   */
  campaign(): void {
    if (!mayCampaign(this.id, this.log.configuration(), this.log.lastConfigIndex(), this.commit)) return;
    if (this.preVote) this.startPreVote();
    else this.startElection(false);
  }

  step(msg: Message): void {
    if (!isWellFormed(msg) || msg.to !== this.id || msg.from === this.id) return;
    // §5.1: a higher term is adopted, but not one no real peer could have (MAX_TERM_LEAD).
    if (msg.term - this.term > MAX_TERM_LEAD) return;
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
      const reply = staleReply(msg, this.term);
      if (reply) this.out.send(reply);
      return;
    }
    if (msg.type === 'request_vote') this.handleRequestVote(msg);
    else if (msg.type === 'pre_vote') this.out.send(this.answerPreVote(msg));
    else if (msg.type === 'request_vote_response') this.handleVoteResponse(msg);
    else if (msg.type === 'pre_vote_response') this.handlePreVoteResponse(msg);
    else if (msg.type === 'append_entries') this.handleAppendEntries(msg);
    else if (msg.type === 'install_snapshot') this.handleInstallSnapshot(msg);
    else if (msg.type === 'timeout_now') this.handleTimeoutNow(msg);
    else if (this.roleNow === 'leader') this.leading?.onResponse(msg);
  }

  propose(proposals: Proposal[]): ProposeResult {
    if (!this.leading) return { ok: false, reason: 'not_leader', leaderId: this.leader };
    const transferee = this.leading.transferee;
    if (transferee !== null) return { ok: false, reason: 'transferring', leaderId: this.id, transferee };
    const first = this.log.lastIndex() + 1;
    const entries: Entry[] = proposals.map((p, i) => {
      const e: Entry = { index: first + i, term: this.term, type: 'command', command: String(p.command) };
      if (p.client_id !== undefined) e.client_id = p.client_id;
      if (p.request_id !== undefined) e.request_id = p.request_id;
      return e;
    });
    this.leading.append(entries);
    return { ok: true, entries: entries.map((e) => ({ ...e })) };
  }

  /**
   * Dissertation §6.4: a linearizable read, without a log entry. On the leader, `id` (the
   * shell's name for the read) comes back in a later Ready's `readStates` with the index the
   * state machine must reach before the shell answers — or in `droppedReads` if this node
   * stops leading first. Elsewhere: `not_leader` at once.
   */
  readIndex(id: string): ReadResult {
    if (!this.leading) return { ok: false, reason: 'not_leader', leaderId: this.leader };
    this.leading.readIndex(id);
    return { ok: true };
  }

  /**
   * Dissertation §3.10: hand leadership to voter `target`. The leader takes no new commands,
   * brings the target's log up to date, then sends it TimeoutNow; it gives up after an
   * election timeout (and takes commands again).
   */
  transferLeadership(target: NodeId): TransferResult {
    if (!this.leading)
      return { ok: false, reason: 'not_leader', detail: `node ${this.id} is not the leader` };
    return this.leading.transfer(target);
  }

  /**
   * Dissertation §4.1: appends a configuration entry that adds one learner, promotes one
   * learner, or removes one server; it takes effect at once, on every server as soon as the
   * entry reaches its log. Refused (with a reason for people) unless this node leads, has
   * committed an entry of its term (Ongaro's 2015 fix), the previous change is committed, no
   * transfer is under way, and a learner to promote keeps up (§4.2.1).
   */
  changeMembership(change: MembershipChange): MembershipResult {
    if (!this.leading) {
      const detail = `node ${this.id} is not the leader; ask node ${this.leader ?? '(unknown)'}`;
      return { ok: false, reason: 'not_leader', detail };
    }
    return this.leading.changeMembership(change);
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

  /** An RPC to `peer` failed (refused, timed out): what was in flight to it may be lost. */
  unreachable(peer: NodeId): void {
    this.leading?.unreachable(peer);
  }

  // ---- outputs ------------------------------------------------------------------------

  hasReady(): boolean {
    this.leading?.flush();
    return this.out.has(this.readySource());
  }

  ready(): Ready {
    this.leading?.flush();
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
    return this.leading?.transferee ?? null;
  }
  get switches(): { preVote: boolean; checkQuorum: boolean; readMode: ReadMode; noopOnElection: boolean } {
    const { preVote, checkQuorum, readMode, noopOnElection } = this;
    return { preVote, checkQuorum, readMode, noopOnElection };
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
    return this.leading?.progress() ?? null;
  }
  /** Per follower and learner: Figure 2's indexes plus flow-control state and catch-up (§4.2.1). */
  replication(): Record<NodeId, FollowerView> | null {
    return this.leading?.followers() ?? null;
  }
  /** The timers in ticks, for the shell's picture of §5.2 (read-only). */
  timers(): { electionElapsed: number; electionTimeout: number; heartbeatElapsed: number } {
    return {
      electionElapsed: this.electionElapsed,
      electionTimeout: this.electionTimeout,
      heartbeatElapsed: this.leading?.ticksSinceHeartbeat ?? 0,
    };
  }

  // ---- elections (§5.2, §5.4.1, dissertation §9.6, §4.2.3, §3.10) ------------------------

  /**
   * §4.2.3: while it hears from a leader (within the minimum election timeout) a server
   * ignores vote requests; a leader does while CheckQuorum keeps confirming it. Also for the
   * first election timeout after a start, since a restarted server cannot know whom it heard
   * from before (this keeps a lease safe across a follower's crash, §6.4.1).
   */
  private inLease(): boolean {
    if (!this.checkQuorum) return false;
    if (this.roleNow === 'leader') return true;
    if (this.electionElapsed >= this.cfg.electionTicksMin) return false;
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

  /** Only the voters are asked, and its own vote counts only if it is one (§4.2.1, §4.2.2). */
  private askForVotes(type: 'request_vote' | 'pre_vote', term: number, leadershipTransfer: boolean): void {
    const voters = this.log.configuration().voters;
    this.votes = new VoteTally(voters);
    this.votes.record(this.id, true);
    if (this.votes.won()) {
      if (type === 'pre_vote') this.startElection(false);
      else this.becomeLeader();
      return;
    }
    const { id, log } = this;
    for (const to of voters) {
      if (to === id) continue;
      const ask = {
        from: id,
        to,
        term,
        candidateId: id,
        lastLogIndex: log.lastIndex(),
        lastLogTerm: log.lastTerm(),
      };
      if (type === 'pre_vote') this.out.send({ type, ...ask });
      else this.out.send(leadershipTransfer ? { type, ...ask, leadershipTransfer } : { type, ...ask });
    }
  }

  private handleRequestVote(m: RequestVote): void {
    const grant = wouldVote(this.voter(), m, false);
    if (grant) {
      this.vote = m.candidateId;
      this.resetElectionTimer();
    }
    this.out.send(voteReply(m, this.term, grant));
  }

  /** §9.6: answered as the vote would be, but nothing is recorded and the timer keeps running. */
  private answerPreVote(m: PreVote): PreVoteResponse {
    const grant = wouldVote(this.voter(), m, true);
    return voteReply(m, grant ? m.term : this.term, grant);
  }

  private voter() {
    return { term: this.term, votedFor: this.vote, leader: this.leader, log: this.log };
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
    if (this.roleNow === 'leader' || !isVoter(this.log.configuration(), this.id)) return;
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
    const host: LeaderHost = {
      id: this.id,
      term: this.term,
      log: this.log,
      out: this.out,
      cfg: this.cfg,
      now: () => this.now,
      commitIndex: () => this.commit,
      commitTo: (index) => {
        this.commit = index;
      },
      readMode: () => this.readMode,
      checkQuorum: () => this.checkQuorum,
      stepDown: () => this.becomeFollower(this.term, null),
    };
    this.leading = new Leadership(host);
    this.leading.start(this.noopOnElection);
  }

  /** Leaving the leader role (or never having had it): reads it took can no longer be confirmed. */
  private leaveLeadership(): void {
    const dropped = this.leading?.end() ?? [];
    if (dropped.length > 0) this.out.readsDropped(dropped);
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
    this.out.send(appendReply(m, this.term, outcome));
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
    this.out.send(snapshotReply(m, this.term, verdict.matchIndex));
  }

  private checkCompactable(index: number): void {
    if (index > this.applied || index < this.log.snapshotIndex() || index > this.log.lastIndex()) {
      throw new RangeError(
        `cannot snapshot at index ${index}: it must be applied (lastApplied is ${this.applied}) and in the log (from ${this.log.snapshotIndex()} to ${this.log.lastIndex()})`,
      );
    }
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
