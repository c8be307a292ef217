// /admin/switches and /admin/transfer_leadership (docs/node-api.md): the Raft switches a lesson
// flips at run time (PreVote §9.6, CheckQuorum and leader stickiness §6.2/§4.2.3, the read mode
// §6.4), and handing leadership to a named node (dissertation §3.10). Mounted inside the admin
// router (admin.ts), behind its token check; bodies checked against server/contract/raft-switches.ts.

import type { Router } from 'express';
import { type Membership, notAPeer } from '../contract/membership.ts';
import { nodeIdText } from '../contract/raft-rpc.ts';
import {
  type SwitchesBody,
  type SwitchesReply,
  SwitchesSchema,
  type SwitchesView,
  type TRANSFER_ERRORS,
  type TransferReply,
  TransferSchema,
} from '../contract/raft-switches.ts';
import { parseWire } from '../contract/wire-check.ts';
import type { TransferResult } from '../raft/types.ts';
import type { NodeEvents } from './events.ts';
import { sendError } from './http-errors.ts';

/** What these routes need of the node (node.ts). */
export interface LeadershipAdmin {
  readonly id: string;
  switches(): SwitchesView;
  setSwitches(b: SwitchesBody): void;
  transferLeadership(to: string): TransferResult;
  leadership(): { role: string; term: number; leaderId: string | null; transferee: string | null };
  onProgress(f: () => void): () => void;
  urlOf(id: string): string | null;
  /** The longest election timeout in wall-clock ms (at the current speed). */
  electionTimeoutMaxMs(): number;
}

type TransferError = (typeof TRANSFER_ERRORS)[number];

export function leadershipRoutes(r: Router, node: LeadershipAdmin, events: NodeEvents, m: Membership): void {
  r.get('/switches', (_req, res) => {
    res.json(node.switches());
  });

  r.post('/switches', (req, res) => {
    const c = parseWire(SwitchesSchema, req.body ?? {});
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    node.setSwitches(c.value);
    const detail = describeSwitches(node.switches());
    events.emit({ type: 'admin', action: 'switches', detail });
    const reply: SwitchesReply = { ok: true, action: 'switches', detail, switches: node.switches() };
    res.json(reply);
  });

  r.post('/transfer_leadership', async (req, res) => {
    const fail = (status: number, error: TransferError, detail: string, extra: object = {}) =>
      sendError(res, status, error, detail, { node_id: node.id, ...extra });
    const c = parseWire(TransferSchema, req.body ?? {}, (b) => notAPeer(m, 'to', b.to));
    if (!c.ok) return fail(400, 'bad_request', c.detail);
    const to = nodeIdText(c.value.to);
    const now = node.leadership();
    if (now.role !== 'leader') {
      const url = now.leaderId === null ? null : node.urlOf(now.leaderId);
      return fail(
        409,
        'not_leader',
        now.leaderId === null
          ? `node ${node.id} is not the leader and knows none right now (an election may be under way); retry in a moment`
          : `node ${node.id} is not the leader; send this to the leader, node ${now.leaderId}${url ? ` at ${url}/admin/transfer_leadership` : ''}`,
        { leader_id: now.leaderId, leader_url: url },
      );
    }
    if (to === node.id)
      return fail(400, 'bad_request', `node ${node.id} already leads; name another node in 'to'`);
    if (now.transferee !== null) {
      return fail(
        409,
        'transfer_in_progress',
        `node ${node.id} is already handing leadership to node ${now.transferee}; wait for it to finish (at most one election timeout) and try again`,
        { transferee: now.transferee },
      );
    }
    const started = performance.now();
    const r = node.transferLeadership(to);
    if (!r.ok) {
      const status = r.reason === 'not_leader' ? 409 : 400;
      return fail(status, r.reason === 'not_leader' ? 'not_leader' : 'bad_request', r.detail);
    }
    events.emit({ type: 'transfer', to, outcome: 'started', detail: `handing leadership to node ${to}` });
    const end = await transferEnd(node, to, 3 * node.electionTimeoutMaxMs());
    const tookMs = Math.round(performance.now() - started);
    if (end.done) {
      const detail = `node ${to} leads in term ${end.term} (asked of node ${node.id}, ${tookMs} ms)`;
      events.emit({ type: 'transfer', to, outcome: 'done', detail });
      const reply: TransferReply = {
        ok: true,
        action: 'transfer_leadership',
        from: node.id,
        to,
        term: end.term,
        took_ms: tookMs,
        detail,
      };
      res.json(reply);
      return;
    }
    events.emit({ type: 'transfer', to, outcome: 'abandoned', detail: end.why });
    fail(504, 'abandoned', end.why, { took_ms: tookMs });
  });
}

type TransferEnd = { done: true; term: number } | { done: false; why: string };

/**
 * Waits until `to` leads (done), or the leader gives the transfer up (it abandons it after an
 * election timeout, §3.10, and takes commands again), or someone else leads, or `limitMs`.
 */
function transferEnd(node: LeadershipAdmin, to: string, limitMs: number): Promise<TransferEnd> {
  return new Promise((resolve) => {
    let stop = () => {};
    const finish = (e: TransferEnd) => {
      stop();
      clearTimeout(timer);
      resolve(e);
    };
    const timer = setTimeout(
      () =>
        finish({
          done: false,
          why: `no new leader known to node ${node.id} within ${limitMs} ms; see GET /status on each node`,
        }),
      limitMs,
    );
    stop = node.onProgress(() => {
      const l = node.leadership();
      if (l.role === 'leader' && l.transferee === null) {
        finish({
          done: false,
          why:
            `node ${to} did not take over within an election timeout (dissertation §3.10: is it up, ` +
            `reachable and caught up?), so node ${node.id} gave the transfer up and leads on, taking commands again`,
        });
      } else if (l.role !== 'leader' && l.leaderId === to) finish({ done: true, term: l.term });
      else if (l.role !== 'leader' && l.leaderId !== null) {
        finish({ done: false, why: `node ${l.leaderId}, not node ${to}, won the election that followed` });
      }
    });
  });
}

function describeSwitches(s: SwitchesView): string {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  return `PreVote ${onOff(s.pre_vote)} (§9.6), CheckQuorum and leader stickiness ${onOff(s.check_quorum)} (§6.2, §4.2.3), reads: ${s.read_mode}${s.read_mode === 'unsafe_local' ? ' (UNSAFE: may answer stale values)' : ''}`;
}
