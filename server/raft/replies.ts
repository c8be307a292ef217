// The responses a server sends to requests (Figure 2, Figure 13, dissertation §9.6). Each
// goes back to the request's sender, from the request's addressee, and carries the request's
// rpcId so the shell can answer the right HTTP request.

import type {
  AppendEntries,
  AppendEntriesResponse,
  InstallSnapshot,
  InstallSnapshotResponse,
  Message,
  NodeId,
  PreVote,
  PreVoteResponse,
  RequestVote,
  RequestVoteResponse,
} from './types.ts';

/** `term`: the responder's current term — or, for a granted PreVote, the term asked about (§9.6). */
export function voteReply(m: RequestVote, term: number, voteGranted: boolean): RequestVoteResponse;
export function voteReply(m: PreVote, term: number, voteGranted: boolean): PreVoteResponse;
export function voteReply(
  m: RequestVote | PreVote,
  term: number,
  voteGranted: boolean,
): RequestVoteResponse | PreVoteResponse {
  const type = m.type === 'request_vote' ? 'request_vote_response' : 'pre_vote_response';
  return withRpcId(m, { type, from: m.to, to: m.from, term, voteGranted });
}

export interface AppendVerdict {
  success: boolean;
  matchIndex: number;
  conflictIndex?: number;
  conflictTerm?: number;
}

/** Echoes the request's `readRound` (dissertation §6.4). */
export function appendReply(m: AppendEntries, term: number, v: AppendVerdict): AppendEntriesResponse {
  const reply: AppendEntriesResponse = {
    type: 'append_entries_response',
    from: m.to,
    to: m.from,
    term,
    success: v.success,
    matchIndex: v.matchIndex,
  };
  if (v.conflictIndex !== undefined) reply.conflictIndex = v.conflictIndex;
  if (v.conflictTerm !== undefined) reply.conflictTerm = v.conflictTerm;
  if (m.readRound !== undefined) reply.readRound = m.readRound;
  return withRpcId(m, reply);
}

export function snapshotReply(m: InstallSnapshot, term: number, matchIndex: number): InstallSnapshotResponse {
  return withRpcId(m, { type: 'install_snapshot_response', from: m.to, to: m.from, term, matchIndex });
}

/**
 * The refusal of a request of an older term: its sender learns the current term from it and
 * steps down (§5.1). Undefined for messages that get no answer (responses, TimeoutNow).
 */
export function staleReply(m: Message, term: number): Message | undefined {
  switch (m.type) {
    case 'request_vote':
      return voteReply(m, term, false);
    case 'pre_vote':
      return voteReply(m, term, false);
    case 'append_entries':
      return appendReply(m, term, { success: false, matchIndex: 0 });
    case 'install_snapshot':
      return snapshotReply(m, term, 0);
    default:
      return undefined;
  }
}

/** The leader a message speaks for, if it comes from one. */
export function leaderOf(m: Message): NodeId | null {
  return m.type === 'append_entries' || m.type === 'install_snapshot' || m.type === 'timeout_now'
    ? m.leaderId
    : null;
}

function withRpcId<T extends Message>(request: Message, reply: T): T {
  if (request.rpcId !== undefined) reply.rpcId = request.rpcId;
  return reply;
}
