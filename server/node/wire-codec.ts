// Converts between the core's messages (camelCase, addressed with from/to) and the HTTP
// contract's JSON bodies (snake_case, as in the seed; server/contract/raft-rpc.ts). Bodies
// reaching decode* were checked against the contract at the door (http-api.ts, node.ts).

import type {
  AppendEntriesBody,
  AppendEntriesReply,
  RequestVoteBody,
  RequestVoteReply,
} from '../contract/raft-rpc.ts';
import { nodeIdText } from '../contract/raft-rpc.ts';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Message,
  RequestVote,
  RequestVoteResponse,
} from '../raft/types.ts';

/** The body a node POSTs to a peer for an outgoing request. */
export function encodeRequest(
  msg: RequestVote | AppendEntries,
  leaderUrl: string,
): RequestVoteBody | AppendEntriesBody {
  if (msg.type === 'request_vote') {
    return {
      term: msg.term,
      candidate_id: msg.candidateId,
      last_log_index: msg.lastLogIndex,
      last_log_term: msg.lastLogTerm,
    };
  }
  return {
    term: msg.term,
    leader_id: msg.leaderId,
    leader_url: leaderUrl,
    prev_log_index: msg.prevLogIndex,
    prev_log_term: msg.prevLogTerm,
    entries: msg.entries,
    leader_commit: msg.leaderCommit,
  };
}

/** The HTTP answer to a request this node received. Every RPC response carries node_id. */
export function encodeResponse(
  msg: RequestVoteResponse | AppendEntriesResponse,
  nodeId: string,
): RequestVoteReply | AppendEntriesReply {
  if (msg.type === 'request_vote_response') {
    return { node_id: nodeId, term: msg.term, vote_granted: msg.voteGranted };
  }
  const body: AppendEntriesReply = {
    node_id: nodeId,
    term: msg.term,
    success: msg.success,
    match_index: msg.matchIndex,
  };
  if (msg.conflictIndex !== undefined) body.conflict_index = msg.conflictIndex;
  if (msg.conflictTerm !== undefined) body.conflict_term = msg.conflictTerm;
  return body;
}

export function decodeRequestVote(b: RequestVoteBody, to: string, rpcId: string): RequestVote {
  const candidate = nodeIdText(b.candidate_id);
  return {
    type: 'request_vote',
    from: candidate,
    to,
    rpcId,
    term: b.term,
    candidateId: candidate,
    lastLogIndex: b.last_log_index,
    lastLogTerm: b.last_log_term,
  };
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
  };
}

/** A peer's reply to our request, turned into the response message the core expects. */
export function decodeReply(
  request: RequestVote | AppendEntries,
  reply: RequestVoteReply | AppendEntriesReply,
): Message {
  if (request.type === 'request_vote') {
    const r = reply as RequestVoteReply;
    return {
      type: 'request_vote_response',
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
  if (r.conflict_index !== undefined) msg.conflictIndex = r.conflict_index;
  if (r.conflict_term !== undefined) msg.conflictTerm = r.conflict_term;
  return msg;
}
