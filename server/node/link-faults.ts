// What a directed link from this node does to the requests it carries (POST /admin/link):
// a delay with jitter, a loss rate, duplication and reordering — netem's faults, applied by the
// sender so that a lesson can make one link (node1→node2) unreliable and leave the others alone.
// "Slow the wires" is the same delay on every link. Replies are delayed by the replying node's
// link back (delay and jitter only: a lost reply looks to its sender exactly like a lost request).

import type { Faults } from './faults.ts';
import type { OutgoingRequest } from './outbox.ts';

export interface LinkHooks {
  /** Puts `r` on the wire after `delayMs` (0 = now). */
  send(r: OutgoingRequest, delayMs: number): void;
  /** The link lost `r`. */
  lose(r: OutgoingRequest): void;
}

/** A request held back so the next one on its link overtakes it. */
interface Overtaken {
  r: OutgoingRequest;
  timer: ReturnType<typeof setTimeout>;
}

/** How long a reordered request waits for the next one to overtake it before it goes alone. */
const REORDER_WAIT_MS = 1000;

export class LinkShaper {
  private readonly waiting = new Map<string, Overtaken>();

  constructor(
    private readonly faults: Faults,
    private readonly hooks: LinkHooks,
    private readonly random: () => number = Math.random,
  ) {}

  /** Applies the link's faults to `r` and sends it (or them, when duplicated) on. */
  transmit(r: OutgoingRequest): void {
    const peer = r.msg.to;
    const link = this.faults.link(peer);
    if (link.loss > 0 && this.random() < link.loss) {
      this.hooks.lose(r);
      return;
    }
    const earlier = this.waiting.get(peer);
    if (earlier) {
      // Reordering: this one goes first, the one held back right after it.
      this.waiting.delete(peer);
      clearTimeout(earlier.timer);
      this.sendDelayed(r);
      this.sendDelayed(earlier.r);
    } else if (link.reorder > 0 && this.random() < link.reorder) {
      const timer = setTimeout(() => {
        // Nothing came to overtake it: it goes alone, late.
        if (this.waiting.get(peer)?.r === r) {
          this.waiting.delete(peer);
          this.sendDelayed(r);
        }
      }, REORDER_WAIT_MS);
      timer.unref?.();
      this.waiting.set(peer, { r, timer });
      return;
    } else {
      this.sendDelayed(r);
    }
    if (link.duplicate > 0 && this.random() < link.duplicate) {
      this.sendDelayed({ id: `${r.id}-dup`, msg: r.msg });
    }
  }

  /** How long a reply to `peer` waits on this node's link to it (ms). */
  replyDelay(peer: string): number {
    return this.delayOn(peer);
  }

  /** Forgets requests waiting to be overtaken (the node stops). */
  clear(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
  }

  private sendDelayed(r: OutgoingRequest): void {
    this.hooks.send(r, this.delayOn(r.msg.to));
  }

  /** delay ± jitter, uniformly, never below 0. */
  private delayOn(peer: string): number {
    const { delay_ms, jitter_ms } = this.faults.link(peer);
    if (delay_ms === 0 && jitter_ms === 0) return 0;
    return Math.max(0, Math.round(delay_ms + (this.random() * 2 - 1) * jitter_ms));
  }
}
