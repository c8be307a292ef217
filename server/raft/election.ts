// Leader election rules (§5.2, §5.4.1, dissertation §4.2.2, §4.2.3, §9.6) that do not depend
// on a node's role: who may campaign, whom a server may vote for, and when it ignores a request.

import type { RaftLog } from './log.ts';
import type { Configuration, NodeId } from './types.ts';

/**
 * §5.4.1: a voter refuses a candidate whose log is less up-to-date than its own:
 * the later last term wins; with equal last terms, the longer log wins.
 */
export function candidateIsUpToDate(log: RaftLog, lastLogIndex: number, lastLogTerm: number): boolean {
  const myTerm = log.lastTerm();
  if (lastLogTerm !== myTerm) return lastLogTerm > myTerm;
  return lastLogIndex >= log.lastIndex();
}

/**
 * §5.2: election timeouts are chosen randomly from a fixed interval so that split votes
 * are rare. `random` is injected (the core has no randomness of its own).
 */
export function randomizedElectionTicks(min: number, max: number, random: () => number): number {
  const span = Math.max(0, max - min);
  return min + Math.min(span, Math.floor(random() * (span + 1)));
}

/**
 * Voters campaign; learners never do (§4.2.1), nor does a server that knows no configuration
 * yet. A server its latest configuration leaves out still campaigns while that entry is not
 * committed, without counting its own vote: it may be needed to elect a leader until then
 * (dissertation §4.2.2).
 */
export function mayCampaign(
  id: NodeId,
  config: Configuration,
  configIndex: number,
  commitIndex: number,
): boolean {
  if (config.voters.includes(id)) return true;
  if (config.learners.includes(id) || config.voters.length === 0) return false;
  return configIndex > commitIndex;
}

/**
 * Figure 2, RequestVote receiver (§5.2, §5.4.1): in the request's term (already adopted), grant
 * if votedFor is null or the candidate, and its log is at least as up-to-date. For a PreVote
 * (§9.6) the same answer to "would you, in `term`?": free in a later term, and in this term only
 * with no vote given and no leader known.
 */
export function wouldVote(
  v: { term: number; votedFor: NodeId | null; leader: NodeId | null; log: RaftLog },
  m: { term: number; candidateId: NodeId; lastLogIndex: number; lastLogTerm: number },
  preVote: boolean,
): boolean {
  const free = preVote
    ? m.term > v.term || v.votedFor === m.candidateId || (v.votedFor === null && v.leader === null)
    : v.votedFor === null || v.votedFor === m.candidateId;
  return free && candidateIsUpToDate(v.log, m.lastLogIndex, m.lastLogTerm);
}
