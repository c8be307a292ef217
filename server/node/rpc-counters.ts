// How many RPCs this node sent, and refused, for /status's `metrics` (batching, failures and
// consistency-check refusals at a glance).

import type { AppendEntriesResponse, Message } from '../raft/types.ts';

export class RpcCounters {
  readies = 0;
  private appendEntries = 0;
  private appendEntriesWithEntries = 0;
  private entries = 0;
  private requestVotes = 0;
  rpcFailures = 0;
  private appendEntriesRefused = 0;

  sent(m: Message): void {
    if (m.type === 'request_vote') this.requestVotes++;
    else if (m.type === 'append_entries') {
      this.appendEntries++;
      if (m.entries.length > 0) this.appendEntriesWithEntries++;
      this.entries += m.entries.length;
    }
  }

  /** An answer this node sends to an append_entries: `success: false` is a refusal (§5.1 stale term, §5.3 consistency check). */
  answered(m: AppendEntriesResponse): void {
    if (!m.success) this.appendEntriesRefused++;
  }

  toJSON() {
    return {
      readies: this.readies,
      append_entries_sent: this.appendEntries,
      append_entries_with_entries_sent: this.appendEntriesWithEntries,
      entries_sent: this.entries,
      request_votes_sent: this.requestVotes,
      rpc_failures: this.rpcFailures,
      append_entries_refused: this.appendEntriesRefused,
    };
  }
}
