// Client commands on their way through the log: queued until the next Ready so commands that
// arrive together are proposed as one batch, then waiting, by log index, until the entry is
// applied (answer with its result), replaced by another leader's entry (§5.3), or too late.

import type { ReadModeName } from '../contract/read-modes.ts';
import type { Entry, Proposal, ProposeResult } from '../raft/types.ts';
import type { ApplyResult } from '../statemachine/kv.ts';
import type { SessionRefusal } from '../statemachine/sessions.ts';
import { WaitingAnswers } from './waiting-answers.ts';

export type CommandOutcome =
  | {
      kind: 'ok';
      index: number;
      term: number;
      result: string | null;
      duplicate: boolean;
      /** `register`: the new session's client id. */
      clientId?: number;
      /** A `get` answered without a log entry: how (server/node/reads.ts). */
      read?: ReadModeName;
    }
  /** Applied, but the client session refused it (§6.3): nothing changed. */
  | ({ kind: 'refused'; index: number; term: number } & SessionRefusal)
  /** The entry could not be applied as written (e.g. a malformed session id); nothing changed. */
  | { kind: 'invalid'; index: number; term: number; detail: string }
  | { kind: 'not_leader'; leaderId: string; leaderUrl: string | null }
  | { kind: 'no_leader' }
  /** The disk is full: the command was not proposed. */
  | { kind: 'disk_full'; detail: string }
  | { kind: 'timeout'; index: number; term: number; waitedMs: number }
  | { kind: 'overwritten'; index: number; term: number; byTerm: number }
  | { kind: 'stopping' }
  /** Dissertation §3.10: the leader is handing over to `to` and takes no commands meanwhile. */
  | { kind: 'transferring'; to: string }
  /** Dissertation §6.4: the leader could not confirm it still leads in time; nothing was read. */
  | { kind: 'read_unconfirmed'; waitedMs: number };

export class ClientCommands {
  private queue: { proposal: Proposal; resolve: (o: CommandOutcome) => void }[] = [];
  private readonly waiting = new WaitingAnswers<number, { term: number }>();
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
      if (old)
        this.waiting.settle(e.index, { kind: 'overwritten', index: e.index, term: old.term, byTerm: e.term });
      this.waiting.add(e.index, { term: e.term }, batch[i]!.resolve, waitMs, () => ({
        kind: 'timeout',
        index: e.index,
        term: e.term,
        waitedMs: waitMs,
      }));
    });
  }

  /** An entry was applied: answer the command waiting at its index, if any. */
  applied(e: Entry, r: ApplyResult): void {
    const w = this.waiting.get(e.index);
    if (!w) return;
    const at = { index: e.index, term: e.term };
    if (w.term !== e.term)
      this.waiting.settle(e.index, { kind: 'overwritten', ...at, term: w.term, byTerm: e.term });
    else if (r.refused) this.waiting.settle(e.index, { kind: 'refused', ...at, ...r.refused });
    else if (r.error !== undefined) this.waiting.settle(e.index, { kind: 'invalid', ...at, detail: r.error });
    else {
      const ok = { kind: 'ok' as const, ...at, result: r.result, duplicate: r.duplicate === true };
      this.waiting.settle(e.index, r.clientId === undefined ? ok : { ...ok, clientId: r.clientId });
    }
  }

  /** Answers every command not yet proposed with `outcome` (it never reached the log). */
  failQueued(outcome: CommandOutcome): void {
    for (const q of this.queue) q.resolve(outcome);
    this.queue = [];
  }

  /** Answers every queued and waiting command with `outcome` (the node is stopping). */
  failAll(outcome: CommandOutcome): void {
    this.failQueued(outcome);
    this.waiting.settleAll(outcome);
  }
}
