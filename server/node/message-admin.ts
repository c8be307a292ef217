// /admin endpoints for message-level control (docs/node-api.md, "Messages, links and timers"):
// hold the network in this node's outbox, deliver or drop held requests, fault the links to
// peers, stop the election timer, or make it fire now. Mounted by admin.ts behind its token.

import type { Static, TSchema } from '@sinclair/typebox';
import type { Router } from 'express';
import {
  type AdminAction,
  HeldIdsSchema,
  HoldSchema,
  type LinkFaults,
  LinkSchema,
  NoFieldsSchema,
  type OutboxView,
  TimerSchema,
} from '../contract/admin.ts';
import { type Membership, notAPeer } from '../contract/membership.ts';
import type { Rule } from '../contract/wire-check.ts';
import type { Faults } from './faults.ts';
import type { OutgoingRequest, Taken } from './outbox.ts';

/** What the node offers these endpoints (RaftNode implements it). */
export interface MessageControl {
  outboxView(): OutboxView;
  deliverHeld(ids: readonly string[]): Taken;
  dropHeld(ids: readonly string[]): Taken;
  dropAllHeld(): number;
  /** Why the timer cannot fire now, or null when the election started. */
  expireElectionTimer(): string | null;
  /** Closes every connection to a peer (kept-alive or in use); answers how many were closed. */
  reconnect(): number;
}

/** An admin request that is well-formed but cannot be done now; answered with `status`. */
export class AdminRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** admin.ts's helper: checks the body, acts, answers with the faults and emits an `admin` event. */
export type AdminPost = <T extends TSchema>(
  action: AdminAction,
  schema: T,
  act: (body: Static<T>) => string,
  ...rules: Rule<Static<T>>[]
) => unknown;

/** "request_vote to 2 (term 5)" */
function describe(r: OutgoingRequest): string {
  const m = r.msg;
  const what = m.type === 'append_entries' && m.entries.length === 0 ? 'heartbeat' : m.type;
  const entries = m.type === 'append_entries' && m.entries.length > 0 ? `, ${m.entries.length} entries` : '';
  return `${r.id} ${what} to ${m.to} (term ${m.term}${entries})`;
}

function notHeld(t: Taken): AdminRefusal {
  return new AdminRefusal(
    409,
    'not_held',
    `${t.missing.map((id) => `message ${id}`).join(', ')} ${t.missing.length === 1 ? 'is' : 'are'} not held ` +
      '(delivered or dropped already, or never held); GET /admin/outbox lists what is held',
  );
}

export function addMessageRoutes(
  r: Router,
  post: AdminPost,
  faults: Faults,
  node: MessageControl,
  m: Membership,
): void {
  r.get('/outbox', (_req, res) => {
    res.json(node.outboxView());
  });
  post('hold', HoldSchema, (b) => {
    const before = node.outboxView().messages.length;
    faults.setHold(b.held);
    return b.held
      ? 'outgoing requests wait in the outbox until delivered or dropped'
      : `network released${before > 0 ? `: ${before} held request(s) sent, oldest first` : ''}`;
  });
  post('deliver', HeldIdsSchema, (b) => {
    const t = node.deliverHeld(b.ids);
    if (t.missing.length > 0) throw notHeld(t);
    return `delivered ${t.taken.map(describe).join('; ')}`;
  });
  post('drop', HeldIdsSchema, (b) => {
    const t = node.dropHeld(b.ids);
    if (t.missing.length > 0) throw notHeld(t);
    return `dropped ${t.taken.map(describe).join('; ')}`;
  });
  post(
    'link',
    LinkSchema,
    (b) => {
      const peers = b.peers?.map(String) ?? m.memberIds.filter((id) => id !== m.selfId);
      const link: LinkFaults = {
        delay_ms: b.delay_ms ?? 0,
        jitter_ms: b.jitter_ms ?? 0,
        loss: b.loss ?? 0,
        duplicate: b.duplicate ?? 0,
        reorder: b.reorder ?? 0,
      };
      faults.setLinks(peers, link);
      const what = Object.entries(link)
        .filter(([, v]) => v !== 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      return `links to ${peers.join(', ')}: ${what || 'perfect'}`;
    },
    (b) => b.peers?.map((p, i) => notAPeer(m, `peers[${i}]`, p)).find((why) => why !== null) ?? null,
  );
  post('timer', TimerSchema, (b) => {
    faults.setTimerPaused(b.paused);
    return b.paused
      ? 'election timer stopped where it is (the node runs on; a leader keeps sending heartbeats)'
      : 'election timer running';
  });
  post('timeout', NoFieldsSchema, () => {
    const why = node.expireElectionTimer();
    if (why !== null) throw new AdminRefusal(409, 'cannot_time_out', why);
    return 'election timer fired: a new election started (§5.2)';
  });
}
