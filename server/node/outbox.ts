// The sender's outbox. While the learner holds the network (POST /admin/hold) every request
// this node sends waits here instead of leaving: the node keeps running and its timers keep
// ticking, exactly as if the wire were slow. The learner then delivers held requests one by one
// (POST /admin/deliver) or drops them (POST /admin/drop), as RaftScope lets you drop a message.
// Only requests wait: a reply travels back on its request's HTTP connection.

import { type HeldMessage, MAX_HELD_MESSAGES } from '../contract/admin.ts';
import type { LossReason } from '../contract/node-events.ts';
import type { OutboundRequest } from './wire-codec.ts';

/** A request on its way out; `id` is the "<node>.<n>" both nodes' events use. */
export interface OutgoingRequest {
  id: string;
  msg: OutboundRequest;
}

interface Held extends OutgoingRequest {
  heldAt: number;
}

export interface OutboxHooks {
  /** Sends the request on (link faults, cuts, the wire). */
  transmit(r: OutgoingRequest): void;
  /** The request will never leave: tell the events and the core. */
  lose(r: OutgoingRequest, reason: LossReason): void;
  /** The request started to wait. */
  held(r: OutgoingRequest): void;
}

/** Which requests to take: the ids asked for that are held, and those that are not. */
export interface Taken {
  taken: OutgoingRequest[];
  missing: string[];
}

export class Outbox {
  private queue: Held[] = [];

  constructor(
    private readonly hooks: OutboxHooks,
    private readonly isHolding: () => boolean,
    private readonly onCount: (count: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /** Sends `r` now, or holds it while the network is held. */
  submit(r: OutgoingRequest): void {
    if (!this.isHolding()) {
      this.hooks.transmit(r);
      return;
    }
    this.queue.push({ ...r, heldAt: this.now() });
    this.hooks.held(r);
    if (this.queue.length > MAX_HELD_MESSAGES) this.hooks.lose(this.queue.shift()!, 'overflow');
    this.onCount(this.queue.length);
  }

  /** What waits, oldest first. */
  list(): HeldMessage[] {
    return this.queue.map(({ id, msg, heldAt }) => ({
      id,
      rpc: msg.type,
      to: msg.to,
      term: msg.term,
      entries: msg.type === 'append_entries' ? msg.entries.length : 0,
      heartbeat: msg.type === 'append_entries' && msg.entries.length === 0,
      held_at: heldAt,
    }));
  }

  /** The held requests with these ids, and the ids that are not held. */
  find(ids: readonly string[]): { taken: Held[]; missing: string[] } {
    const wanted = new Set(ids);
    const taken = this.queue.filter((h) => wanted.has(h.id));
    const found = new Set(taken.map((h) => h.id));
    return { taken, missing: [...wanted].filter((id) => !found.has(id)) };
  }

  /** Sends these held requests, oldest first; nothing is sent when one of them is not held. */
  deliver(ids: readonly string[]): Taken {
    const t = this.find(ids);
    if (t.missing.length === 0) for (const r of this.take(t.taken)) this.hooks.transmit(r);
    return t;
  }

  /** Drops these held requests (lost with `reason`); nothing happens if one is not held. */
  drop(ids: readonly string[], reason: LossReason = 'dropped'): Taken {
    const t = this.find(ids);
    if (t.missing.length === 0) for (const r of this.take(t.taken)) this.hooks.lose(r, reason);
    return t;
  }

  /** Sends everything held, oldest first (the hold was lifted). */
  releaseAll(): number {
    const all = this.take(this.queue);
    for (const r of all) this.hooks.transmit(r);
    return all.length;
  }

  /** Drops everything held (heal, reset): a whole network again, without a burst of stale requests. */
  dropAll(reason: LossReason = 'dropped'): number {
    const all = this.take(this.queue);
    for (const r of all) this.hooks.lose(r, reason);
    return all.length;
  }

  /** Forgets everything held without a word (the node is stopping). */
  clear(): void {
    this.take(this.queue);
  }

  private take(items: readonly Held[]): OutgoingRequest[] {
    const gone = new Set(items);
    const out = this.queue.filter((h) => gone.has(h)).map(({ id, msg }) => ({ id, msg }));
    this.queue = this.queue.filter((h) => !gone.has(h));
    this.onCount(this.queue.length);
    return out;
  }
}
