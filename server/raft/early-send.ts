// Which of a Ready's messages may leave before the Ready is on disk. Dissertation §10.2.1:
// the leader can write its own new entries to disk in parallel with replicating them — an
// entry counts as committed once a majority of servers stored it, with or without the
// leader — so the leader's appends leave at once and its fsync overlaps the followers' work.
// Everything else still waits (Figure 2): a vote, a new term, a follower's acknowledgement,
// anything of a Ready that changes the term or vote, cuts the log or installs a snapshot, and
// an append whose leaderCommit reaches this Ready's own entries: that commit counted the
// leader's copy before it is stored (only a leader that is the only voter commits alone).

import type { Message, Ready, Role } from './types.ts';

/**
 * Splits `rd.messages`: `early` may be sent before the Ready is persisted, `afterPersist`
 * only after. `role` is the core's role once the Ready was taken. Order within each part is
 * kept. Early messages are only a leader's append_entries requests, in a Ready that brings
 * no new hard state (the term they carry is already durable), no truncation and no snapshot,
 * whose leaderCommit is below this Ready's first entry (it tells only what is stored).
 */
export function splitForPersist(rd: Ready, role: Role): { early: Message[]; afterPersist: Message[] } {
  const quiet = rd.hardState === undefined && rd.truncateFrom === undefined && rd.snapshot === undefined;
  if (role !== 'leader' || !quiet) return { early: [], afterPersist: rd.messages };
  const unwritten = rd.entries[0]?.index ?? Number.POSITIVE_INFINITY;
  const early: Message[] = [];
  const afterPersist: Message[] = [];
  for (const m of rd.messages) {
    (m.type === 'append_entries' && m.leaderCommit < unwritten ? early : afterPersist).push(m);
  }
  return { early, afterPersist };
}
