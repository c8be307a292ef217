// Linearizable reads without log entries (dissertation §6.4): a `get` is handed to the core's
// ReadIndex and waits here until the core confirms it (a heartbeat round answered by a majority,
// or the lease, §6.4.1) and this node has applied up to the read index; then it is answered from
// the state machine. A read the core drops (this node stopped leading) is answered "not the
// leader", never with a value: a deposed leader cannot answer stale. The read mode is switchable
// at run time (server/contract/read-modes.ts); `unsafe_local` exists only to show a stale read.

import type { ReadModeName } from '../contract/read-modes.ts';
import type { ReadState } from '../raft/types.ts';
import type { CommandOutcome } from './client-commands.ts';
import { WaitingAnswers } from './waiting-answers.ts';

interface PendingRead {
  key: string;
  term: number;
  /** Set once the core confirmed the read: answer when lastApplied reaches it. */
  index?: number;
}

export class Reads {
  private seq = 0;
  private readonly pending = new WaitingAnswers<string, PendingRead>();
  /** Reads answered through ReadIndex or the lease (shown in /status metrics). */
  confirmed = 0;

  constructor(public mode: ReadModeName) {}

  /** Whether a `get` goes through the core's ReadIndex (else the log, or — unsafe — local state). */
  get viaReadIndex(): boolean {
    return this.mode === 'read_index' || this.mode === 'lease';
  }

  /**
   * Registers a read of `key` in `term`; returns its id for `core.readIndex(id)` and the promise
   * of its outcome. After `waitMs` unconfirmed it is answered `read_unconfirmed` (nothing read).
   */
  start(key: string, term: number, waitMs: number): { id: string; outcome: Promise<CommandOutcome> } {
    const id = `r${++this.seq}`;
    const outcome = new Promise<CommandOutcome>((resolve) =>
      this.pending.add(id, { key, term }, resolve, waitMs, () => ({
        kind: 'read_unconfirmed',
        waitedMs: waitMs,
      })),
    );
    return { id, outcome };
  }

  /** The core refused the read at once (not the leader): answer it with `outcome`. */
  refuse(id: string, outcome: CommandOutcome): void {
    this.pending.settle(id, outcome);
  }

  /** A Ready's readStates (confirmed, with their read index) and droppedReads (answer `dropped`). */
  fromReady(
    states: readonly ReadState[] | undefined,
    dropped: readonly string[] | undefined,
    notLeader: () => CommandOutcome,
  ): void {
    for (const s of states ?? []) {
      const r = this.pending.get(s.id);
      if (r) r.index = s.index;
    }
    for (const id of dropped ?? []) this.pending.settle(id, notLeader());
  }

  /** §6.4 step 4: answer every confirmed read whose index this node has applied, from `get`. */
  answerApplied(lastApplied: number, get: (key: string) => string | null): void {
    for (const [id, r] of this.pending.entries()) {
      if (r.index === undefined || r.index > lastApplied) continue;
      this.confirmed++;
      this.pending.settle(id, {
        kind: 'ok',
        index: r.index,
        term: r.term,
        result: get(r.key),
        duplicate: false,
        read: this.mode,
      });
    }
  }

  /** Answers every waiting read with `outcome` (the node is stopping). */
  failAll(outcome: CommandOutcome): void {
    this.pending.settleAll(outcome);
  }
}
