// The sentence a node answers (409 `ignored`) for a request its core chose not to answer, so a
// learner who sends a request_vote by hand (lesson 10) or watches a rejoining server (lesson 12)
// reads why nothing happened.

import type { RpcName } from '../contract/raft-rpc.ts';

export interface IgnoringNode {
  id: string;
  role: string;
  term: number;
  leaderId: string | null;
  electionTimeoutMinMs: number;
}

/**
 * Why `rpc` got no answer. The core leaves a vote request (request_vote, pre_vote) unanswered
 * only under leader stickiness (dissertation §4.2.3, with CheckQuorum §6.2), and an
 * append_entries only when a second leader claims this term (§5.2).
 */
export function ignoredDetail(rpc: RpcName, n: IgnoringNode): string {
  const who = `node ${n.id} (${n.role}, term ${n.term}, leader ${n.leaderId ?? 'none'})`;
  if (rpc === 'request_vote' || rpc === 'pre_vote') {
    const heard =
      n.role === 'leader'
        ? 'it is the leader and a majority keeps answering its heartbeats (CheckQuorum)'
        : n.leaderId !== null
          ? `it heard from leader ${n.leaderId} within the minimum election timeout (${n.electionTimeoutMinMs} ms)`
          : `it started less than one minimum election timeout (${n.electionTimeoutMinMs} ms) ago and may have followed a leader before`;
    return (
      `${who} ignored this ${rpc}: leader stickiness (dissertation §4.2.3): ${heard}, so it neither ` +
      'adopts the higher term nor votes. This keeps a server that was cut off from deposing a healthy ' +
      'leader; switch it off with POST /admin/switches {"check_quorum": false} (lab: `checkquorum off`)'
    );
  }
  return (
    `${who} ignored this ${rpc}: only one leader can exist per term (§5.2), so a second one ` +
    'claiming it is not answered'
  );
}
