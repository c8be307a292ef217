// Clients waiting for their answer, by key (a log index, a read id), each with a deadline: the
// answer is given once — by whoever comes first, the outcome or the deadline — and its timer
// cleared. Shared by client commands (waiting for their entry to apply) and ReadIndex reads.
import type { CommandOutcome } from './client-commands.ts';

type Waiting<D> = D & { resolve: (o: CommandOutcome) => void; timer: ReturnType<typeof setTimeout> };

export class WaitingAnswers<K, D extends object> {
  private readonly waiting = new Map<K, Waiting<D>>();

  /** Starts waiting at `key` with `data`; after `waitMs` (ms) it is answered `onDeadline()`. */
  add(
    key: K,
    data: D,
    resolve: (o: CommandOutcome) => void,
    waitMs: number,
    onDeadline: () => CommandOutcome,
  ): void {
    const timer = setTimeout(() => this.settle(key, onDeadline()), waitMs);
    this.waiting.set(key, { ...data, resolve, timer });
  }

  get(key: K): D | undefined {
    return this.waiting.get(key);
  }

  /** Every one still waiting, oldest first. */
  entries(): IterableIterator<[K, D]> {
    return this.waiting.entries();
  }

  /** Answers the one waiting at `key` with `outcome`; nothing if none is (answered already). */
  settle(key: K, outcome: CommandOutcome): void {
    const w = this.waiting.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(key);
    w.resolve(outcome);
  }

  /** Answers every one still waiting with `outcome` (the node is stopping). */
  settleAll(outcome: CommandOutcome): void {
    for (const key of [...this.waiting.keys()]) this.settle(key, outcome);
  }
}
