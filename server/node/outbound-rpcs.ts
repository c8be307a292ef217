// The requests this node sends to peers, from the core's Ready to the wire: first the outbox
// (held while the learner holds the network), then the network cut, then the link's faults
// (delay, loss, duplication, reordering), then the transport. Every step is an event for the
// picture — held, sent (with the link's delay), lost (with the reason) — and every reply or
// failure goes back to the core. The counterpart of inbound-rpcs.ts.

import type { LossReason } from '../contract/node-events.ts';
import {
  AppendEntriesReplySchema,
  RequestVoteReplySchema,
  TimeoutNowReplySchema,
} from '../contract/raft-rpc.ts';
import { parseWire } from '../contract/wire-check.ts';
import type { Message } from '../raft/types.ts';
import { messageOf, type NodeEvents, rpcEventOf } from './events.ts';
import type { Faults } from './faults.ts';
import { LinkShaper } from './link-faults.ts';
import { Outbox, type OutgoingRequest } from './outbox.ts';
import { phaseTrace } from './phase-trace.ts';
import type { RpcCounters } from './rpc-counters.ts';
import { RpcFailure, type Transport } from './transport.ts';
import { decodeReply, encodeRequest, type OutboundRequest } from './wire-codec.ts';

export interface OutboundHooks {
  /** Runs `f` now, or once the node is resumed (a frozen process reads its sockets late). */
  whenRunning(f: () => void): void;
  /** A reply arrived: step it into the core. */
  step(reply: Message): void;
  /** The request failed or was lost: the core learns the peer is unreachable. */
  unreachable(peer: string): void;
}

export interface OutboundParts {
  faults: Faults;
  events: NodeEvents;
  transport: Transport;
  counters: RpcCounters;
  advertiseUrl: string;
  random: () => number;
}

const isHeartbeat = (m: OutboundRequest) => m.type === 'append_entries' && m.entries.length === 0;

export class OutboundRpcs {
  readonly outbox: Outbox;
  private readonly links: LinkShaper;
  private readonly delayed = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(
    private readonly p: OutboundParts,
    private readonly hooks: OutboundHooks,
  ) {
    this.outbox = new Outbox(
      {
        transmit: (r) => this.transmit(r),
        lose: (r, reason) => this.lose(r, reason),
        held: (r) => {
          if (p.events.active) p.events.emit({ type: 'rpc_held', ...messageOf(r.msg, r.id) });
        },
      },
      () => p.faults.holding,
      (count) => {
        p.faults.heldCount = count;
      },
    );
    this.links = new LinkShaper(
      p.faults,
      { send: (r, delayMs) => this.wire(r, delayMs), lose: (r) => this.lose(r, 'link_loss') },
      p.random,
    );
  }

  /** A request out of a Ready; `id` names it in both nodes' events. */
  send(m: OutboundRequest, id: string): void {
    this.p.counters.sent(m);
    this.outbox.submit({ id, msg: m });
  }

  /** How long a reply to `peer` waits on the link to it (ms). */
  replyDelay(peer: string): number {
    return this.links.replyDelay(peer);
  }

  /** Stops every delayed send and forgets what is held (the node stops). */
  close(): void {
    this.closed = true;
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    this.links.clear();
    this.outbox.clear();
  }

  private transmit(r: OutgoingRequest): void {
    if (this.p.faults.cutOutbound.has(r.msg.to)) {
      // It leaves and dies at the cut; the core learns it as it would from a timeout.
      this.emitSend(r, 0);
      this.lose(r, 'partitioned');
      return;
    }
    this.links.transmit(r);
  }

  private wire(r: OutgoingRequest, delayMs: number): void {
    if (this.closed) return;
    this.emitSend(r, delayMs);
    if (delayMs <= 0) {
      this.call(r);
      return;
    }
    const t = setTimeout(() => {
      this.delayed.delete(t);
      this.call(r);
    }, delayMs);
    this.delayed.add(t);
  }

  private call({ id, msg: m }: OutgoingRequest): void {
    if (this.closed) return;
    phaseTrace?.sent(id, m);
    this.p.transport
      .call(m.to, m.type, encodeRequest(m, this.p.advertiseUrl), id)
      .then((raw) => {
        // A reply is a door too: a peer that answers outside the contract counts as unreachable.
        if (m.type === 'timeout_now') {
          // §3.10: "received" is all; the election the target starts is the real answer.
          const t = parseWire(TimeoutNowReplySchema, raw);
          if (!t.ok)
            throw new RpcFailure(`${m.to} answered timeout_now outside the contract: ${t.detail}`, 'refused');
          return;
        }
        const c =
          m.type === 'append_entries'
            ? parseWire(AppendEntriesReplySchema, raw)
            : parseWire(RequestVoteReplySchema, raw);
        if (!c.ok)
          throw new RpcFailure(`${m.to} answered ${m.type} outside the contract: ${c.detail}`, 'refused');
        const reply = decodeReply(m, c.value);
        this.hooks.whenRunning(() => {
          if (this.p.events.active) this.p.events.emit(rpcEventOf('recv', reply, id, isHeartbeat(m)));
          this.hooks.step(reply);
        });
      })
      .catch((err: unknown) => {
        const f = err instanceof RpcFailure ? err : new RpcFailure(String(err), 'peer_down');
        this.lose({ id, msg: m }, f.reason, f.message);
      });
  }

  private lose(r: OutgoingRequest, reason: LossReason, detail?: string): void {
    if (this.closed) return;
    this.p.counters.rpcFailures++;
    if (this.p.events.active) {
      this.p.events.emit({
        type: 'rpc_lost',
        ...messageOf(r.msg, r.id),
        reason,
        ...(detail !== undefined ? { detail: detail.slice(0, 300) } : {}),
      });
    }
    this.hooks.whenRunning(() => this.hooks.unreachable(r.msg.to));
  }

  private emitSend(r: OutgoingRequest, delayMs: number): void {
    if (this.p.events.active) this.p.events.emit(rpcEventOf('send', r.msg, r.id, false, delayMs));
  }
}
