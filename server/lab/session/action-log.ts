// What was done to the cluster, in order: every cluster action (from a cell or the panel) and
// every request an http cell sent, each with the role its node had at that moment. The
// notebook's history panel shows it (it survives a page reload), and check lines such as
// `you killed a follower` read it: they count what happened since the cluster was last reset.

import type { Role } from '../../contract/node-status.ts';

/** A node acted on, and what it was just before: `down`/`paused` when it did not answer. */
export interface ActedNode {
  id: string;
  name: string;
  role: Role | 'down' | 'paused' | 'unknown';
}

export interface HistoryRecord {
  seq: number;
  /** Epoch ms. */
  at: number;
  /** The cluster action's kind (`kill`, `wait-leader`, `reset`…) or `send` for an http request. */
  action: string;
  text: string;
  /** `text` with its {{variables}} as the nodes they named (`kill node3`). */
  shown: string;
  ok: boolean;
  detail: string;
  source: 'panel' | 'cell';
  /** The nodes it was done to; for a partition, the nodes cut off from a majority. */
  nodes: ActedNode[];
  /** `send` only. */
  request?: { method: string; path: string; status: number | null };
}

/** Records kept for the history panel and for checks; older ones are dropped. */
const MAX_RECORDS = 500;

export class ActionLog {
  private records: HistoryRecord[] = [];
  private seq = 0;

  add(record: Omit<HistoryRecord, 'seq' | 'at'>): HistoryRecord {
    const full = { ...record, seq: ++this.seq, at: Date.now() };
    this.records.push(full);
    if (this.records.length > 2 * MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    return full;
  }

  /** Everything since the last successful `reset` (the learner's actions in this cluster). */
  sinceReset(): HistoryRecord[] {
    const reset = this.records.findLastIndex((r) => r.action === 'reset' && r.ok);
    return this.records.slice(reset + 1);
  }

  /** The newest `n` cluster actions (not requests), newest first, for the history panel. */
  recentActions(n: number): HistoryRecord[] {
    return this.records
      .filter((r) => r.action !== 'send')
      .slice(-n)
      .reverse();
  }
}
