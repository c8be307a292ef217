// Small builders for the paper tests: real RaftCore instances fed hand-made messages,
// the way etcd's raft_paper_test.go drives its raft struct.

import { RaftCore } from '../core.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  CoreConfig,
  Entry,
  Message,
  NodeId,
  PersistentState,
  Ready,
  RequestVote,
  RequestVoteResponse,
} from '../types.ts';

export const HEARTBEAT = 2;
export const ELECTION_MIN = 10;
export const ELECTION_MAX = 20;

export interface CoreOptions extends Partial<CoreConfig> {
  members?: NodeId[];
  state?: Partial<PersistentState>;
}

/** A core with id '1' in a three-node cluster unless told otherwise; `random` always 0 (timeout = min). */
export function newCore(opts: CoreOptions = {}): RaftCore {
  const id = opts.id ?? '1';
  const members = opts.members ?? ['1', '2', '3'];
  const config: CoreConfig = {
    id,
    peers: members.filter((m) => m !== id),
    heartbeatTicks: HEARTBEAT,
    electionTicksMin: ELECTION_MIN,
    electionTicksMax: ELECTION_MAX,
    random: () => 0,
    ...opts,
  };
  return new RaftCore(config, { currentTerm: 0, votedFor: null, log: [], ...opts.state });
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

export function ofType<T extends Message['type']>(msgs: Message[], type: T): Extract<Message, { type: T }>[] {
  return msgs.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}

/**
 * Delivers messages between real cores until none are left (a lossless, in-order network).
 * Returns every message delivered, in order.
 */
export function settle(cores: Map<NodeId, RaftCore>, maxRounds = 1000): Message[] {
  const delivered: Message[] = [];
  for (let round = 0; round < maxRounds; round++) {
    let any = false;
    for (const core of cores.values()) {
      if (!core.hasReady()) continue;
      const ready = drain(core);
      for (const m of ready.messages) {
        any = true;
        delivered.push(m);
        cores.get(m.to)?.step(m);
      }
    }
    if (!any) return delivered;
  }
  throw new Error('cluster did not settle');
}
