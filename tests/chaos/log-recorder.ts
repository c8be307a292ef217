// The committed log as the fault test saw it, recorded while the run goes on. A node drops the
// entries a snapshot replaced (paper §7: every SNAPSHOT_ENTRIES applied entries, 10,000 by
// default), so a 10-minute run read only at the end had lost its first 10,000 entries and every
// answer looked unexplained. The recorder reads each node's newly committed entries from /log
// whenever the /status sampler sees its commit index move, keeps them per node, and at the end
// reads again what each node still holds, to see that no committed entry changed.

import type { NodeStatus } from '../../server/contract/node-status.ts';
import { type CommittedEntry, sameEntry } from './checks.ts';

interface LogPageJson {
  entries: CommittedEntry[];
  commit_index: number;
}

export class CommittedLogRecorder {
  /** Per node, entry `i` at position i - 1 (sparse: what a snapshot dropped before it was read is missing). */
  private readonly byNode = new Map<string, CommittedEntry[]>();
  /** Per node, the highest committed index read so far. */
  private readonly readTo = new Map<string, number>();
  /** A node that answered, for an index it had already shown committed, another entry. */
  readonly anomalies: string[] = [];

  /**
   * Reads, from the node at `url`, what it committed since it was last read; with `again`, all
   * it still holds up to its commit index, and compares what was read before. Each page waits
   * at most `timeoutMs`. Throws when the node does not answer (it may have been killed or
   * stopped meanwhile: the next call reads on from where this one got).
   */
  async observe(
    url: string,
    status: Pick<NodeStatus, 'node_id' | 'commit_index' | 'snapshot_index'>,
    { again = false, timeoutMs = 10_000 }: { again?: boolean; timeoutMs?: number } = {},
  ): Promise<void> {
    const id = status.node_id;
    const log = this.byNode.get(id) ?? [];
    this.byNode.set(id, log);
    let from = Math.max(again ? 1 : (this.readTo.get(id) ?? 0) + 1, status.snapshot_index + 1);
    while (from <= status.commit_index) {
      const res = await fetch(`${url}/log?from=${from}&limit=1000`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      const page = (await res.json()) as LogPageJson;
      const committed = page.entries.filter((e) => e.index >= from && e.index <= page.commit_index);
      if (committed.length === 0) break;
      for (const e of committed) {
        const before = log[e.index - 1];
        if (before !== undefined && !sameEntry(before, e)) {
          this.anomalies.push(
            `node ${id} changed its committed entry at index ${e.index}: first ${JSON.stringify(before).slice(0, 120)}, ` +
              `later ${JSON.stringify(e).slice(0, 120)}`,
          );
        }
        log[e.index - 1] = e;
      }
      from = committed.at(-1)!.index + 1;
      this.readTo.set(id, Math.max(this.readTo.get(id) ?? 0, from - 1));
    }
  }

  /** Each node's committed log as read, `entry i` at position i - 1 (sparse where nothing was read). */
  logs(): Map<string, CommittedEntry[]> {
    return this.byNode;
  }

  /**
   * The committed log from index 1, each entry from whichever node showed it (they agree, or
   * checkCommittedPrefixes says so), and the ranges no node showed before a snapshot dropped them.
   */
  union(): { log: CommittedEntry[]; missing: string[] } {
    const log: CommittedEntry[] = [];
    for (const l of this.byNode.values()) {
      l.forEach((e, k) => {
        log[k] ??= e;
      });
    }
    const missing: string[] = [];
    for (let k = 0; k < log.length; k++) {
      if (log[k] !== undefined) continue;
      const start = k;
      while (k + 1 < log.length && log[k + 1] === undefined) k++;
      missing.push(start === k ? `${start + 1}` : `${start + 1}–${k + 1}`);
    }
    return { log, missing };
  }
}
