// A simulated network: every message waits a random number of ticks, and may be
// dropped, duplicated, reordered, or cut off by a partition. With reordering on,
// delivery order within a tick is shuffled too, so messages overtake each other.

import type { Message, NodeId } from '../types.ts';
import type { Prng } from './prng.ts';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  maxDelayTicks: number;
  /** Share of messages held up for much longer (up to `longDelayTicks`): they arrive terms late. */
  longDelayRate: number;
  longDelayTicks: number;
  /** Shuffle what arrives in one tick; off = every link is FIFO. */
  reorder: boolean;
}

export const NO_FAULTS: NetworkFaults = {
  dropRate: 0,
  duplicateRate: 0,
  maxDelayTicks: 1,
  longDelayRate: 0,
  longDelayTicks: 0,
  reorder: false,
};

export class SimNetwork {
  private readonly inFlight = new Map<number, Message[]>();
  /** Directed links that are cut: "from>to". */
  private readonly cut = new Set<string>();
  faults: NetworkFaults;

  constructor(
    private readonly rng: Prng,
    faults: NetworkFaults,
  ) {
    this.faults = faults;
  }

  /** Queues `msg`; false when it is lost at once (the sender's RPC would fail or time out). */
  send(msg: Message, now: number): boolean {
    if (this.isCut(msg.from, msg.to) || this.rng.chance(this.faults.dropRate)) return false;
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const long = this.rng.chance(this.faults.longDelayRate);
      const at =
        now + this.rng.int(1, Math.max(1, long ? this.faults.longDelayTicks : this.faults.maxDelayTicks));
      const bucket = this.inFlight.get(at);
      if (bucket) bucket.push(msg);
      else this.inFlight.set(at, [msg]);
    }
    return true;
  }

  /** Messages due at `now`, in random order; links cut meanwhile lose them. */
  due(now: number): Message[] {
    const bucket = this.inFlight.get(now);
    if (!bucket) return [];
    this.inFlight.delete(now);
    const arrived = bucket.filter((m) => !this.isCut(m.from, m.to));
    return this.faults.reorder ? this.rng.shuffle(arrived) : arrived;
  }

  /** Splits the nodes into two sides that cannot talk to each other (both directions). */
  partition(side: NodeId[], others: NodeId[]): void {
    for (const a of side) {
      for (const b of others) {
        this.cut.add(`${a}>${b}`);
        this.cut.add(`${b}>${a}`);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  isPartitioned(): boolean {
    return this.cut.size > 0;
  }

  private isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(`${from}>${to}`);
  }
}
