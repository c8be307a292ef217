// Client commands on their way through the log: queued until the next Ready so commands that
// arrive together are proposed as one batch, then waiting, by log index, until the entry is
// applied (answer with its result), replaced by another leader's entry (§5.3), or too late.

import type { Entry, Proposal, ProposeResult } from '../raft/types.ts';

export type CommandOutcome =
  | { kind: 'ok'; index: number; term: number; result: string | null; duplicate: boolean }
  | { kind: 'not_leader'; leaderId: string; leaderUrl: string | null }
  | { kind: 'no_leader' }
  | { kind: 'timeout'; index: number; term: number; waitedMs: number }
  | { kind: 'overwritten'; index: number; term: number; byTerm: number }
  | { kind: 'stopping' };

interface Waiting {
  term: number;
  resolve: (o: CommandOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ClientCommands {
  private queue: { proposal: Proposal; resolve: (o: CommandOutcome) => void }[] = [];
  private readonly waiting = new Map<number, Waiting>();
  proposals = 0;
  batches = 0;

  get hasQueued(): boolean {
    return this.queue.length > 0;
  }

  enqueue(proposal: Proposal): Promise<CommandOutcome> {
    return new Promise((resolve) => this.queue.push({ proposal, resolve }));
  }

  /** Proposes everything queued as one batch; `refused` answers them if this node is not leader. */
  proposeQueued(
    propose: (p: Proposal[]) => ProposeResult,
    refused: () => CommandOutcome,
    waitMs: number,
  ): void {
    const batch = this.queue;
    this.queue = [];
    const r = propose(batch.map((b) => b.proposal));
    if (!r.ok) {
      for (const b of batch) b.resolve(refused());
      return;
    }
    this.proposals += batch.length;
    this.batches++;
    r.entries.forEach((e, i) => {
      const old = this.waiting.get(e.index);
      // Our own earlier entry at this index can only be gone if a newer leader replaced it.
      if (old) this.settle(e.index, { kind: 'overwritten', index: e.index, term: old.term, byTerm: e.term });
      const timer = setTimeout(() => {
        this.settle(e.index, { kind: 'timeout', index: e.index, term: e.term, waitedMs: waitMs });
      }, waitMs);
      this.waiting.set(e.index, { term: e.term, resolve: batch[i]!.resolve, timer });
    });
  }

  /** An entry was applied: answer the command waiting at its index, if any. */
  applied(e: Entry, result: string | null, duplicate: boolean): void {
    const w = this.waiting.get(e.index);
    if (!w) return;
    if (w.term === e.term)
      this.settle(e.index, { kind: 'ok', index: e.index, term: e.term, result, duplicate });
    else this.settle(e.index, { kind: 'overwritten', index: e.index, term: w.term, byTerm: e.term });
  }

  /** Answers every queued and waiting command with `outcome` (the node is stopping). */
  failAll(outcome: CommandOutcome): void {
    for (const q of this.queue) q.resolve(outcome);
    this.queue = [];
    for (const index of [...this.waiting.keys()]) this.settle(index, outcome);
  }

  private settle(index: number, outcome: CommandOutcome): void {
    const w = this.waiting.get(index);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(index);
    w.resolve(outcome);
  }
}
