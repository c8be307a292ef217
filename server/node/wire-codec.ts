// Converts between the core's messages (camelCase, addressed with from/to) and the HTTP
// contract's JSON bodies (snake_case, as in the seed; server/contract/raft-rpc.ts). Bodies
// reaching decode* were checked against the contract at the door (http-api.ts, node.ts).

import type {
  AppendEntriesBody,
  AppendEntriesReply,
  PreVoteBody,
  RequestVoteBody,
  RequestVoteReply,
  TimeoutNowBody,
  TimeoutNowReply,
} from '../contract/raft-rpc.ts';
import { nodeIdText } from '../contract/raft-rpc.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Message,
  PreVote,
  PreVoteResponse,
  RequestVote,
  RequestVoteResponse,
  TimeoutNow,
} from '../raft/types.ts';

/** The requests a node sends to peers over HTTP. */
export type OutboundRequest = RequestVote | PreVote | AppendEntries | TimeoutNow;

/** The body a node POSTs to a peer for an outgoing request. */
export function encodeRequest(
  msg: OutboundRequest,
  leaderUrl: string,
): RequestVoteBody | PreVoteBody | AppendEntriesBody | TimeoutNowBody {
  if (msg.type === 'request_vote' || msg.type === 'pre_vote') {
    const body: RequestVoteBody = {
      term: msg.term,
      candidate_id: msg.candidateId,
      last_log_index: msg.lastLogIndex,
      last_log_term: msg.lastLogTerm,
    };
    // §3.10: without the flag, voters under leader stickiness would ignore the transfer's election.
    if (msg.type === 'request_vote' && msg.leadershipTransfer) body.leadership_transfer = true;
    return body;
  }
  if (msg.type === 'timeout_now') return { term: msg.term, leader_id: msg.leaderId };
  const body: AppendEntriesBody = {
    term: msg.term,
    leader_id: msg.leaderId,
    leader_url: leaderUrl,
    prev_log_index: msg.prevLogIndex,
    prev_log_term: msg.prevLogTerm,
    entries: msg.entries,
    leader_commit: msg.leaderCommit,
  };
  // §6.4: the heartbeat round a read waits for; the follower echoes it.
  if (msg.readRound !== undefined) body.read_round = msg.readRound;
  return body;
}

/**
 * AppendEntries reply fields that are there only when set (a rejection's conflict hint, §5.3;
 * the ReadIndex round it answers, dissertation §6.4): the core's name and the wire's.
 */
const OPTIONAL_REPLY_FIELDS = [
  ['conflictIndex', 'conflict_index'],
  ['conflictTerm', 'conflict_term'],
  ['readRound', 'read_round'],
] as const;

/** The HTTP answer to a request this node received. Every RPC response carries node_id. */
export function encodeResponse(
  msg: RequestVoteResponse | PreVoteResponse | AppendEntriesResponse,
  nodeId: string,
): RequestVoteReply | AppendEntriesReply {
  if (msg.type === 'request_vote_response' || msg.type === 'pre_vote_response') {
    return { node_id: nodeId, term: msg.term, vote_granted: msg.voteGranted };
  }
  const body: AppendEntriesReply = {
    node_id: nodeId,
    term: msg.term,
    success: msg.success,
    match_index: msg.matchIndex,
  };
  for (const [core, wire] of OPTIONAL_REPLY_FIELDS) {
    if (msg[core] !== undefined) body[wire] = msg[core];
  }
  return body;
}

export function decodeRequestVote(b: RequestVoteBody, to: string, rpcId: string): RequestVote {
  const msg: RequestVote = { type: 'request_vote', ...voteFields(b, to, rpcId) };
  if (b.leadership_transfer === true) msg.leadershipTransfer = true;
  return msg;
}

export function decodePreVote(b: PreVoteBody, to: string, rpcId: string): PreVote {
  return { type: 'pre_vote', ...voteFields(b, to, rpcId) };
}

function voteFields(b: PreVoteBody, to: string, rpcId: string) {
  const candidate = nodeIdText(b.candidate_id);
  return {
    from: candidate,
    to,
    rpcId,
    term: b.term,
    candidateId: candidate,
    lastLogIndex: b.last_log_index,
    lastLogTerm: b.last_log_term,
  };
}

export function decodeTimeoutNow(b: TimeoutNowBody, to: string): TimeoutNow {
  const leader = nodeIdText(b.leader_id);
  return { type: 'timeout_now', from: leader, to, term: b.term, leaderId: leader };
}

export function encodeTimeoutNowReply(nodeId: string, term: number): TimeoutNowReply {
  return { node_id: nodeId, term };
}

export function decodeAppendEntries(b: AppendEntriesBody, to: string, rpcId: string): AppendEntries {
  const leader = nodeIdText(b.leader_id);
  return {
    type: 'append_entries',
    from: leader,
    to,
    rpcId,
    term: b.term,
    leaderId: leader,
    prevLogIndex: b.prev_log_index,
    prevLogTerm: b.prev_log_term,
    entries: b.entries,
    leaderCommit: b.leader_commit,
    ...(b.read_round !== undefined ? { readRound: b.read_round } : {}),
  };
}

/** A peer's reply to our request, turned into the response message the core expects. */
export function decodeReply(
  request: RequestVote | PreVote | AppendEntries,
  reply: RequestVoteReply | AppendEntriesReply,
): Message {
  if (request.type === 'request_vote' || request.type === 'pre_vote') {
    const r = reply as RequestVoteReply;
    return {
      type: request.type === 'pre_vote' ? 'pre_vote_response' : 'request_vote_response',
      from: request.to,
      to: request.from,
      term: r.term,
      voteGranted: r.vote_granted,
    };
  }
  const r = reply as AppendEntriesReply;
  const msg: AppendEntriesResponse = {
    type: 'append_entries_response',
    from: request.to,
    to: request.from,
    term: r.term,
    success: r.success,
    matchIndex: r.match_index,
  };
  for (const [core, wire] of OPTIONAL_REPLY_FIELDS) {
    if (r[wire] !== undefined) msg[core] = r[wire];
  }
  return msg;
}
