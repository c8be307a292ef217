// Small builders for the paper tests: real RaftCore instances fed hand-made messages,
// the way etcd's raft_paper_test.go drives its raft struct.

import { RaftCore } from '../core.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Configuration,
  CoreConfig,
  Entry,
  InstallSnapshot,
  Message,
  NodeId,
  PersistentState,
  PreVote,
  PreVoteResponse,
  Ready,
  RequestVote,
  RequestVoteResponse,
  SnapshotMeta,
  TimeoutNow,
} from '../types.ts';

export const HEARTBEAT = 2;
export const ELECTION_MIN = 10;
export const ELECTION_MAX = 20;

export interface CoreOptions extends Partial<CoreConfig> {
  members?: NodeId[];
  state?: Partial<PersistentState>;
}

/**
 * The configuration of a core with id '1' in a three-node cluster unless told otherwise;
 * `random` always 0 (timeout = min). PreVote and CheckQuorum are off unless asked for: the
 * paper's tests drive Figure 2's algorithm, and the dissertation's additions have their own tests.
 */
export function coreConfig(opts: CoreOptions = {}): CoreConfig {
  const id = opts.id ?? '1';
  const members = opts.members ?? ['1', '2', '3'];
  const { members: _, state: __, ...rest } = opts;
  return {
    id,
    peers: members.filter((m) => m !== id),
    heartbeatTicks: HEARTBEAT,
    electionTicksMin: ELECTION_MIN,
    electionTicksMax: ELECTION_MAX,
    random: () => 0,
    preVote: false,
    checkQuorum: false,
    ...rest,
  };
}

/** A core built from coreConfig(opts), starting from `opts.state` (empty by default). */
export function newCore(opts: CoreOptions = {}): RaftCore {
  return new RaftCore(coreConfig(opts), { currentTerm: 0, votedFor: null, log: [], ...opts.state });
}

/** Collects the pending Ready and acknowledges it, as a shell would after persisting. */
export function drain(core: RaftCore): Ready {
  const ready = core.ready();
  core.advance(ready);
  return ready;
}

export function sent(core: RaftCore): Message[] {
  return drain(core).messages;
}

export function ticks(core: RaftCore, n: number): void {
  for (let i = 0; i < n; i++) core.tick();
}

export function entry(index: number, term: number, command: string | null = `set k${index}=${term}`): Entry {
  return command === null
    ? { index, term, type: 'noop', command: null }
    : { index, term, type: 'command', command };
}

/** A log whose entry i (1-based) has terms[i-1]. */
export function logOfTerms(terms: number[]): Entry[] {
  return terms.map((t, i) => entry(i + 1, t));
}

export function requestVote(
  from: NodeId,
  to: NodeId,
  term: number,
  lastLogIndex = 0,
  lastLogTerm = 0,
  rpcId?: string,
): RequestVote {
  const m: RequestVote = {
    type: 'request_vote',
    from,
    to,
    term,
    candidateId: from,
    lastLogIndex,
    lastLogTerm,
  };
  if (rpcId !== undefined) m.rpcId = rpcId;
  return m;
}

export function voteResponse(
  from: NodeId,
  to: NodeId,
  term: number,
  voteGranted: boolean,
): RequestVoteResponse {
  return { type: 'request_vote_response', from, to, term, voteGranted };
}

export function appendEntries(
  from: NodeId,
  to: NodeId,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: Entry[] = [],
  leaderCommit = 0,
): AppendEntries {
  return {
    type: 'append_entries',
    from,
    to,
    term,
    leaderId: from,
    prevLogIndex,
    prevLogTerm,
    entries,
    leaderCommit,
  };
}

export function appendResponse(
  from: NodeId,
  to: NodeId,
  term: number,
  success: boolean,
  matchIndex: number,
  hint: { conflictIndex?: number; conflictTerm?: number } = {},
): AppendEntriesResponse {
  return { type: 'append_entries_response', from, to, term, success, matchIndex, ...hint };
}

/** Makes `core` leader of the next term with votes from every peer, then drains its Ready. */
export function elect(core: RaftCore, voters: NodeId[]): Ready {
  core.campaign();
  drain(core);
  for (const v of voters) core.step(voteResponse(v, core.id, core.currentTerm, true));
  return drain(core);
}

/**
 * Leader '1' of term 1, elected by a majority of its members, whose no-op (index 1) is
 * acknowledged by `ackedBy` (default '2' alone: in three nodes the no-op commits and '3' is
 * behind); its Ready drained. Throws if the no-op should have committed and did not.
 */
export function leaderOfTerm1(opts: CoreOptions = {}, ackedBy: NodeId[] = ['2']): RaftCore {
  const members = opts.members ?? ['1', '2', '3'];
  const core = newCore(opts);
  elect(core, members.slice(1, Math.floor(members.length / 2) + 1));
  for (const p of ackedBy) core.step(appendResponse(p, '1', 1, true, 1));
  drain(core);
  if (2 * (ackedBy.length + 1) > members.length && core.commitIndex !== 1)
    throw new Error(`the no-op acknowledged by ${ackedBy.join(', ')} did not commit`);
  return core;
}

/** What a core shows of itself: what input it must refuse may not change. */
export function observable(core: RaftCore) {
  return {
    term: core.currentTerm,
    votedFor: core.votedFor,
    role: core.role,
    leader: core.leaderId,
    commit: core.commitIndex,
    log: core.entries(1, core.lastIndex()),
  };
}

export function ofType<T extends Message['type']>(msgs: Message[], type: T): Extract<Message, { type: T }>[] {
  return msgs.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}

export function preVote(from: NodeId, to: NodeId, term: number, lastLogIndex = 0, lastLogTerm = 0): PreVote {
  return { type: 'pre_vote', from, to, term, candidateId: from, lastLogIndex, lastLogTerm };
}

export function preVoteResponse(
  from: NodeId,
  to: NodeId,
  term: number,
  voteGranted: boolean,
): PreVoteResponse {
  return { type: 'pre_vote_response', from, to, term, voteGranted };
}

export function installSnapshot(
  from: NodeId,
  to: NodeId,
  term: number,
  snapshot: SnapshotMeta,
  data: unknown = `image@${snapshot.index}`,
): InstallSnapshot {
  return { type: 'install_snapshot', from, to, term, leaderId: from, snapshot, data };
}

export function timeoutNow(from: NodeId, to: NodeId, term: number): TimeoutNow {
  return { type: 'timeout_now', from, to, term, leaderId: from };
}

/** A configuration of voters (and learners). */
export function config(voters: NodeId[], learners: NodeId[] = []): Configuration {
  return { voters, learners };
}

/** A configuration entry. */
export function configEntry(index: number, term: number, c: Configuration): Entry {
  return { index, term, type: 'config', command: null, config: c };
}

/**
 * Real cores for `ids`, each with `opts` and its own election timeout above the minimum (the
 * first the longest); they tick through the start-up window of leader stickiness, then the
 * first is elected leader of term 1 through real messages.
 */
export function cluster(ids: NodeId[], opts: CoreOptions = {}): Map<NodeId, RaftCore> {
  const cores = new Map(
    ids.map((id, i) => [
      id,
      newCore({ members: ids, random: () => 0.99 - (0.8 * i) / ids.length, ...opts, id }),
    ]),
  );
  for (const c of cores.values()) ticks(c, ELECTION_MIN);
  const first = cores.get(ids[0]!)!;
  first.campaign();
  settle(cores);
  if (first.role !== 'leader') throw new Error('the first core did not win its election');
  return cores;
}

/**
 * Delivers messages between real cores until none are left (a lossless, in-order network).
 * Returns every message delivered, in order.
 */
export function settle(cores: Map<NodeId, RaftCore>, maxRounds = 1000): Message[] {
  return settleWhere(cores, () => true, maxRounds);
}

/** Delivers only the messages `keep` accepts (a partial partition); returns what was delivered. */
export function settleWhere(
  cores: Map<NodeId, RaftCore>,
  keep: (m: Message) => boolean,
  maxRounds = 1000,
): Message[] {
  const delivered: Message[] = [];
  for (let round = 0; round < maxRounds; round++) {
    let any = false;
    for (const core of cores.values()) {
      if (!core.hasReady()) continue;
      const ready = drain(core);
      for (const m of ready.messages) {
        if (!keep(m)) continue;
        any = true;
        delivered.push(m);
        cores.get(m.to)?.step(m);
      }
    }
    if (!any) return delivered;
  }
  throw new Error('cluster did not settle');
}
