// The Raft state machine of one node (paper Figure 2), pure: messages and ticks go in
// through step() and tick(); what must be persisted, sent and applied comes out as a
// Ready. No I/O, no clock, no randomness of its own (the shell injects `random`).

import { candidateIsUpToDate, randomizedElectionTicks } from './election.ts';
import { Leader } from './leader.ts';
import { RaftLog } from './log.ts';
import { isWellFormed } from './message-checks.ts';
import { VoteTally } from './quorum.ts';
import { type ReadySource, ReadyTracker } from './ready.ts';
import { acceptAppend } from './replication.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  CoreConfig,
  Entry,
  Message,
  NodeId,
  PersistentState,
  Proposal,
  ProposeResult,
  Ready,
  RequestVote,
  RequestVoteResponse,
  Role,
} from './types.ts';

export { MAX_INFLIGHT_APPENDS } from './leader.ts';
export const DEFAULT_MAX_ENTRIES_PER_MESSAGE = 512;

export class RaftCore {
  readonly id: NodeId;
  private readonly peers: NodeId[];
  private readonly cfg: CoreConfig;
  private readonly maxEntries: number;
  private readonly log: RaftLog;
  private term: number;
  private vote: NodeId | null;
  private roleNow: Role = 'follower';
  private leader: NodeId | null = null;
  private commit: number;
  private applied: number;
  private now = 0;
  private electionElapsed = 0;
  private electionTimeout = 0;
  private heartbeatElapsed = 0;
  private votes: VoteTally | null = null;
  /** §8's no-op on winning an election; switchable at run time for the Figure 8 lesson. */
  private noopOnElection: boolean;
  /** Set while this node leads: its followers' progress (§5.3). */
  private leading: Leader | null = null;
  private readonly out: ReadyTracker;

  constructor(config: CoreConfig, state: PersistentState) {
    this.id = config.id;
    this.cfg = config;
    this.peers = [...new Set(config.peers)].filter((p) => p !== config.id);
    this.maxEntries = Math.max(1, config.maxEntriesPerMessage ?? DEFAULT_MAX_ENTRIES_PER_MESSAGE);
    this.log = new RaftLog(state.log);
    this.term = state.currentTerm;
    this.vote = state.votedFor;
    this.noopOnElection = config.noopOnElection ?? true;
    // commitIndex is volatile (Figure 2): only what the shell says it already applied is known.
    this.applied = Math.min(config.applied ?? 0, this.log.lastIndex());
    this.commit = this.applied;
    this.resetElectionTimer();
    this.out = new ReadyTracker(this.readySource(), this.applied);
  }

  // ---- inputs -------------------------------------------------------------------------

  tick(): void {
    this.now++;
    if (this.roleNow === 'leader') {
      if (++this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
        this.heartbeatElapsed = 0;
        this.leading?.heartbeat(this.now);
      }
      return;
    }
    // Figure 2, Followers/Candidates: no word from a leader or candidate for a whole
    // election timeout → start an election.
    if (++this.electionElapsed >= this.electionTimeout) this.campaign();
  }

  campaign(): void {
    // §5.2: increment currentTerm, vote for self, reset the election timer, ask everyone.
    this.term++;
    this.vote = this.id;
    this.roleNow = 'candidate';
    this.leader = null;
    this.leading = null;
    this.votes = new VoteTally(this.peers.length + 1);
    this.votes.record(this.id, true);
    this.resetElectionTimer();
    if (this.votes.won()) {
      this.becomeLeader();
      return;
    }
    for (const peer of this.peers) {
      this.out.send({
        type: 'request_vote',
        from: this.id,
        to: peer,
        term: this.term,
        candidateId: this.id,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
      });
    }
  }

  step(msg: Message): void {
    if (!isWellFormed(msg) || msg.to !== this.id) return;
    const sender =
      msg.type === 'request_vote' ? msg.candidateId : msg.type === 'append_entries' ? msg.leaderId : msg.from;
    if (!this.peers.includes(sender)) return;
    // Figure 2, all servers: a higher term in any request or response → adopt it, follow.
    if (msg.term > this.term) {
      this.becomeFollower(msg.term, msg.type === 'append_entries' ? msg.leaderId : null);
    }
    if (msg.term < this.term) {
      // A stale sender learns the current term from the reply and steps down itself.
      if (msg.type === 'request_vote') this.replyVote(msg, false);
      else if (msg.type === 'append_entries') this.replyAppend(msg, { success: false, matchIndex: 0 });
      return;
    }
    if (msg.type === 'request_vote') this.handleRequestVote(msg);
    else if (msg.type === 'request_vote_response') this.handleVoteResponse(msg);
    else if (msg.type === 'append_entries') this.handleAppendEntries(msg);
    else this.handleAppendResponse(msg);
  }

  propose(proposals: Proposal[]): ProposeResult {
    if (this.roleNow !== 'leader') return { ok: false, reason: 'not_leader', leaderId: this.leader };
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
   * Whether the next leader this node becomes appends §8's no-op. Turning it off leaves the
   * commit rule alone (§5.4.2): an old-term entry then commits only with the leader's first
   * entry of its own term, which is exactly the situation of Figure 8 (c)–(e).
   */
  setNoopOnElection(enabled: boolean): void {
    this.noopOnElection = enabled;
  }

  unreachable(peer: NodeId): void {
    this.leading?.unreachable(peer);
  }

  // ---- outputs ------------------------------------------------------------------------

  hasReady(): boolean {
    this.leading?.flush(this.now);
    return this.out.has(this.readySource());
  }

  ready(): Ready {
    this.leading?.flush(this.now);
    return this.out.take(this.readySource());
  }

  advance(ready: Ready): void {
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
  lastIndex(): number {
    return this.log.lastIndex();
  }
  /** 0 for index 0; -1 for an index the log does not hold. */
  termAt(index: number): number {
    return this.log.termAt(index);
  }
  entries(from: number, toInclusive: number): Entry[] {
    return this.log.slice(from, toInclusive);
  }
  progress(): Record<NodeId, { nextIndex: number; matchIndex: number }> | null {
    return this.leading?.view() ?? null;
  }
  /** The timers in ticks, for the shell's picture of §5.2 (read-only). */
  timers(): { electionElapsed: number; electionTimeout: number; heartbeatElapsed: number } {
    return {
      electionElapsed: this.electionElapsed,
      electionTimeout: this.electionTimeout,
      heartbeatElapsed: this.heartbeatElapsed,
    };
  }

  // ---- elections (§5.2, §5.4.1) ---------------------------------------------------------

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

  private handleVoteResponse(m: RequestVoteResponse): void {
    if (this.roleNow !== 'candidate' || !this.votes) return;
    this.votes.record(m.from, m.voteGranted);
    if (this.votes.won()) this.becomeLeader();
  }

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.term) {
      this.term = term;
      this.vote = null;
    }
    const wasFollower = this.roleNow === 'follower';
    this.roleNow = 'follower';
    this.leader = leader;
    this.votes = null;
    this.leading = null;
    // A leader had no election timer running; a fresh follower starts a full one.
    if (!wasFollower) this.resetElectionTimer();
  }

  private becomeLeader(): void {
    this.roleNow = 'leader';
    this.leader = this.id;
    this.votes = null;
    this.heartbeatElapsed = 0;
    this.leading = new Leader(
      {
        id: this.id,
        term: this.term,
        log: this.log,
        maxEntries: this.maxEntries,
        stallTicks: this.cfg.electionTicksMin,
        commitIndex: () => this.commit,
        send: (m) => this.out.send(m),
      },
      this.peers,
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
    }
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.electionTimeout = randomizedElectionTicks(
      this.cfg.electionTicksMin,
      this.cfg.electionTicksMax,
      this.cfg.random,
    );
  }

  // ---- replication, follower side (§5.3) ------------------------------------------------

  private handleAppendEntries(m: AppendEntries): void {
    // Only one leader per term exists (§5.2); a second one claiming this term is garbage.
    if (this.roleNow === 'leader' || (this.leader !== null && this.leader !== m.leaderId)) return;
    // §5.2: a candidate that hears from a leader of its term returns to follower.
    if (this.roleNow === 'candidate') this.becomeFollower(m.term, m.leaderId);
    this.leader = m.leaderId;
    this.resetElectionTimer();
    const outcome = acceptAppend(this.log, this.commit, m);
    if (outcome.truncatedFrom !== undefined) this.out.noteTruncated(outcome.truncatedFrom);
    if (outcome.success) {
      // Figure 2, step 5: commitIndex = min(leaderCommit, index of last new entry).
      const commit = Math.min(m.leaderCommit, outcome.matchIndex);
      if (commit > this.commit) this.commit = commit;
    }
    this.replyAppend(m, outcome);
  }

  // ---- replication, leader side ---------------------------------------------------------

  private handleAppendResponse(m: AppendEntriesResponse): void {
    if (this.roleNow === 'leader' && this.leading?.onResponse(m)) this.maybeCommit();
  }

  private appendAsLeader(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.log.append(entries);
    this.leading?.appended();
    this.maybeCommit();
  }

  private maybeCommit(): void {
    const n = this.leading?.commitTarget() ?? 0;
    if (n > this.commit) {
      this.commit = n;
      this.leading?.committed();
    }
  }

  // ---- replies and Ready ------------------------------------------------------------------

  private replyVote(m: RequestVote, voteGranted: boolean): void {
    const reply: RequestVoteResponse = {
      type: 'request_vote_response',
      from: this.id,
      to: m.from,
      term: this.term,
      voteGranted,
    };
    if (m.rpcId !== undefined) reply.rpcId = m.rpcId;
    this.out.send(reply);
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
    if (m.rpcId !== undefined) reply.rpcId = m.rpcId;
    this.out.send(reply);
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
