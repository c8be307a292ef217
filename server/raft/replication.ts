// Log replication (§5.3): the follower's side of AppendEntries (consistency check,
// truncation at the first real conflict only, entries already in a snapshot skipped) and
// the leader's fast back-up after a rejection.

import type { RaftLog } from './log.ts';
import type { AppendEntries, AppendEntriesResponse, Entry } from './types.ts';

export interface AppendOutcome {
  success: boolean;
  /** On success: prevLogIndex + entries.length, the last index known to match the leader. */
  matchIndex: number;
  conflictIndex?: number;
  conflictTerm?: number;
  /** Set when a conflicting suffix was deleted. */
  truncatedFrom?: number;
}

/**
 * Applies an AppendEntries from the current leader to `log` (Figure 2, receiver steps 2–4).
 * Never deletes an entry at or below `commitIndex`: committed entries are never in conflict
 * with a real leader (§5.4), so such a message is refused as garbage.
 */
export function acceptAppend(log: RaftLog, commitIndex: number, msg: AppendEntries): AppendOutcome {
  let { prevLogIndex, prevLogTerm, entries } = msg;
  const snapshotIndex = log.snapshotIndex();
  if (prevLogIndex < snapshotIndex) {
    // Paper §7: entries up to the snapshot are committed, so they are the current leader's too
    // (§5.4): skip them, and check the rest against the snapshot's last entry.
    const skip = snapshotIndex - prevLogIndex;
    if (entries.length <= skip) return { success: true, matchIndex: snapshotIndex };
    prevLogIndex = snapshotIndex;
    prevLogTerm = entries[skip - 1]!.term;
    entries = entries.slice(skip);
  }
  // Step 2: reply false if the log has no entry at prevLogIndex with prevLogTerm. The hint
  // lets the leader skip a whole term per round trip instead of one entry (§5.3, end).
  if (prevLogIndex > log.lastIndex()) {
    return { success: false, matchIndex: 0, conflictIndex: log.lastIndex() + 1 };
  }
  if (log.termAt(prevLogIndex) !== prevLogTerm) {
    return {
      success: false,
      matchIndex: 0,
      conflictTerm: log.termAt(prevLogIndex),
      conflictIndex: Math.max(commitIndex + 1, log.firstIndexOfTermAt(prevLogIndex)),
    };
  }
  // Step 3: skip entries already present with the same term (a stale or duplicate append
  // must not cut off entries that came later); delete from the first real conflict only.
  let fresh: Entry[] = [];
  let truncatedFrom: number | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.index > log.lastIndex()) {
      fresh = entries.slice(i);
      break;
    }
    if (log.termAt(e.index) !== e.term) {
      if (e.index <= commitIndex) return { success: false, matchIndex: 0, conflictIndex: commitIndex + 1 };
      log.truncateFrom(e.index);
      truncatedFrom = e.index;
      fresh = entries.slice(i);
      break;
    }
  }
  // Step 4: append any new entries.
  log.append(fresh);
  const outcome: AppendOutcome = { success: true, matchIndex: prevLogIndex + entries.length };
  if (truncatedFrom !== undefined) outcome.truncatedFrom = truncatedFrom;
  return outcome;
}

/**
 * The leader's next guess for a follower that rejected an append: past the leader's last
 * entry of the follower's conflicting term if it has one, else the follower's first index
 * of that term (or its log end). Undefined when the response carries no hint.
 */
export function nextIndexAfterRejection(log: RaftLog, resp: AppendEntriesResponse): number | undefined {
  if (resp.conflictTerm !== undefined && resp.conflictTerm > 0) {
    const last = log.lastIndexOfTerm(resp.conflictTerm);
    if (last > 0) return last + 1;
  }
  return resp.conflictIndex;
}
