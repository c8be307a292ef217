// The follower's side of InstallSnapshot (paper §7, Figure 13 steps 6–8; dissertation §5.1).

import type { RaftLog } from './log.ts';
import type { SnapshotMeta } from './types.ts';

export type SnapshotVerdict =
  /** It already committed everything the snapshot holds: nothing changes (a late or repeated send). */
  | { kind: 'stale'; matchIndex: number }
  /** Step 6: its log holds the snapshot's last entry: keep the log, commit up to it, apply as usual. */
  | { kind: 'fast_forward'; matchIndex: number }
  /** Steps 7–8: discard the entire log and reset the state machine from the snapshot. */
  | { kind: 'restore'; matchIndex: number };

/**
 * What a follower with `log` and `commitIndex` does with a snapshot from the current leader.
 * Never installed over entries it has committed: those may be newer than the snapshot, and
 * losing them could lose an entry a majority was counted on for (§5.4).
 */
export function judgeSnapshot(log: RaftLog, commitIndex: number, meta: SnapshotMeta): SnapshotVerdict {
  if (meta.index <= commitIndex) return { kind: 'stale', matchIndex: commitIndex };
  if (log.matches(meta.index, meta.term)) return { kind: 'fast_forward', matchIndex: meta.index };
  return { kind: 'restore', matchIndex: meta.index };
}
