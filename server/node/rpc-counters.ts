// How many RPCs this node sent, for /status's `metrics` (batching and failures at a glance).

import type { Message } from '../raft/types.ts';

export class RpcCounters {
  readies = 0;
  private appendEntries = 0;
  private appendEntriesWithEntries = 0;
  private entries = 0;
  private requestVotes = 0;
  rpcFailures = 0;

  sent(m: Message): void {
    if (m.type === 'request_vote') this.requestVotes++;
    else if (m.type === 'append_entries') {
      this.appendEntries++;
      if (m.entries.length > 0) this.appendEntriesWithEntries++;
      this.entries += m.entries.length;
    }
  }

  toJSON() {
    return {
      readies: this.readies,
      append_entries_sent: this.appendEntries,
      append_entries_with_entries_sent: this.appendEntriesWithEntries,
      entries_sent: this.entries,
      request_votes_sent: this.requestVotes,
      rpc_failures: this.rpcFailures,
    };
  }
}
