// /admin/*: fault injection for the lessons (partition, heal, pause, resume, speed, noop), and
// message-level control (hold, deliver, drop, link, timer, timeout: message-admin.ts).
// Mounted only when ADMIN_TOKEN is set; every call needs `Authorization: Bearer <token>`.
// Bodies are checked against the contract (server/contract/admin.ts) before anything changes.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import {
  type AdminAction,
  type AdminReply,
  NoFieldsSchema,
  NoopSchema,
  PartitionSchema,
  ResetSchema,
  SpeedSchema,
} from '../contract/admin.ts';
import { type Membership, notAPeer } from '../contract/membership.ts';
import { parseWire, type Rule } from '../contract/wire-check.ts';
import type { NodeEvents } from './events.ts';
import type { Faults } from './faults.ts';
import { sendError } from './http-errors.ts';
import { type LeadershipAdmin, leadershipRoutes } from './leadership-admin.ts';
import { AdminRefusal, addMessageRoutes, type MessageControl } from './message-admin.ts';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Constant time, so the token cannot be guessed byte by byte from response timings: the two
 * SHA-256 digests always have the same length, so neither the comparison nor an early length
 * check says how long the token is.
 */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Every /admin call needs `Authorization: Bearer <ADMIN_TOKEN>` (401 otherwise). */
export function requireAdminToken(token: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const h = req.get('authorization') ?? '';
    const given = h.startsWith('Bearer ') ? h.slice(7).trim() : null;
    if (given === null || !tokenMatches(given, token)) {
      sendError(
        res,
        401,
        'unauthorized',
        given === null
          ? 'admin endpoints need the header "Authorization: Bearer <ADMIN_TOKEN>"'
          : "the bearer token does not match this node's ADMIN_TOKEN",
      );
      return;
    }
    next();
  };
}

/**
 * `reset` rebuilds the node as a fresh follower in the same process (RaftNode.reset). Mounted
 * only with ADMIN_TOKEN: a reset throws away the node's log, which Raft's safety depends on, so
 * it is for lab clusters only.
 */
export function adminRouter(
  token: string,
  faults: Faults,
  events: NodeEvents,
  m: Membership,
  messages: MessageControl,
  leadership: LeadershipAdmin,
  reset: (isolated: boolean) => Promise<void>,
): Router {
  const r = express.Router();
  r.use(requireAdminToken(token));

  /**
   * Checks the body (an absent one reads as {}), changes the faults, answers and emits an event.
   * `act` may throw an AdminRefusal (e.g. a message that is not held) to answer with an error.
   */
  const post = <T extends TSchema>(
    action: AdminAction,
    schema: T,
    act: (body: Static<T>) => string,
    ...rules: Rule<Static<T>>[]
  ) =>
    r.post(`/${action}`, (req, res) => {
      const c = parseWire(schema, req.body ?? {}, ...rules);
      if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
      let detail: string;
      try {
        detail = act(c.value);
      } catch (e) {
        if (!(e instanceof AdminRefusal)) throw e;
        return sendError(res, e.status, e.code, e.message);
      }
      events.emit({ type: 'admin', action, detail });
      const reply: AdminReply = { ok: true, action, detail, faults: faults.toJSON() };
      res.json(reply);
    });

  r.get('/faults', (_req, res) => {
    res.json(faults.toJSON());
  });
  post(
    'partition',
    PartitionSchema,
    (b) => {
      const peers = b.peers.map(String);
      const direction = b.direction ?? 'both';
      faults.partition(peers, direction, b.replace === true);
      if (b.replace !== true) return `cut ${direction} ${peers.join(', ')}`;
      return peers.length === 0 ? 'every cut removed' : `cut ${direction} only ${peers.join(', ')}`;
    },
    (b) =>
      b.peers.length === 0 && b.replace !== true
        ? 'peers: name at least one node id such as ["2","3"] (an empty list only with "replace": true, which removes every cut)'
        : null,
    (b) => b.peers.map((p, i) => notAPeer(m, `peers[${i}]`, p)).find((why) => why !== null) ?? null,
  );
  post('heal', NoFieldsSchema, () => {
    // Held requests are dropped, not released: a healed network does not replay a backlog.
    const dropped = messages.dropAllHeld();
    faults.heal();
    return `every cut removed, links perfect, election timer running${dropped > 0 ? `, ${dropped} held request(s) dropped` : ''}`;
  });
  // A container moved between networks has a new address, and a kept-alive connection to its
  // old one is not refused: it hangs until the RPC timeout (longer than a transfer's window,
  // §3.10). The lab's Docker backend calls this on every node after it moves containers.
  post('reconnect', NoFieldsSchema, () => {
    const closed = messages.reconnect();
    return `${closed} connection(s) to peers closed: the next request to each connects afresh and looks its address up again`;
  });
  post('pause', NoFieldsSchema, () => {
    faults.pause();
    return 'timers stopped, requests held until resume';
  });
  post('resume', NoFieldsSchema, () => {
    faults.resume();
    return 'running again';
  });
  post('speed', SpeedSchema, (b) => {
    faults.setSpeed(b.factor);
    return `timers at ${b.factor}x`;
  });
  post('noop', NoopSchema, (b) => {
    faults.setNoopOnElection(b.enabled);
    return b.enabled
      ? 'a new leader appends a no-op of its term (§8)'
      : 'a new leader appends no no-op: old-term entries wait for its first command (Figure 8)';
  });
  addMessageRoutes(r, post, faults, messages, m);
  leadershipRoutes(r, leadership, events, m);
  r.post('/reset', async (req, res) => {
    const c = parseWire(ResetSchema, req.body ?? {});
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    const isolated = c.value.isolated ?? false;
    await reset(isolated);
    const detail = `fresh follower: term 0, empty log, no snapshot, bootstrap configuration, faults healed${isolated ? '; cut off from every peer until heal' : ''}`;
    events.emit({ type: 'admin', action: 'reset', detail });
    const reply: AdminReply = { ok: true, action: 'reset', detail, faults: faults.toJSON() };
    res.json(reply);
  });
  r.use((req, res) => {
    sendError(
      res,
      404,
      'not_found',
      `no admin endpoint ${req.method} /admin${req.path}; see docs/node-api.md`,
    );
  });
  return r;
}
