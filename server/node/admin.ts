// /admin/*: fault injection for the lessons (partition, heal, pause, resume, speed, noop).
// Mounted only when ADMIN_TOKEN is set; every call needs `Authorization: Bearer <token>`.

import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { NodeEvents } from './events.ts';
import { type Faults, MAX_SPEED, MIN_SPEED } from './faults.ts';
import { sendError } from './http-errors.ts';
import { checkNoopSwitch, checkPartition, checkSpeed, type Membership } from './validation.ts';

const encoder = new TextEncoder();

function tokenMatches(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  // Constant time, so the token cannot be guessed byte by byte from response timings.
  return a.length === b.length && timingSafeEqual(a, b);
}

export function adminRouter(token: string, faults: Faults, events: NodeEvents, m: Membership): Router {
  const r = express.Router();
  r.use((req: Request, res: Response, next: NextFunction) => {
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
  });
  const done = (res: Response, action: string, detail: string) => {
    events.emit({ type: 'admin', action, detail });
    res.json({ ok: true, action, detail, faults: faults.toJSON() });
  };
  r.get('/faults', (_req, res) => {
    res.json(faults.toJSON());
  });
  r.post('/partition', (req, res) => {
    const c = checkPartition(req.body, m);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    faults.partition(c.value.peers, c.value.direction);
    done(res, 'partition', `cut ${c.value.direction} ${c.value.peers.join(', ')}`);
  });
  r.post('/heal', (_req, res) => {
    faults.heal();
    done(res, 'heal', 'every cut removed');
  });
  r.post('/pause', (_req, res) => {
    faults.pause();
    done(res, 'pause', 'timers stopped, requests held until resume');
  });
  r.post('/resume', (_req, res) => {
    faults.resume();
    done(res, 'resume', 'running again');
  });
  r.post('/speed', (req, res) => {
    const c = checkSpeed(req.body, MIN_SPEED, MAX_SPEED);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    faults.setSpeed(c.value);
    done(res, 'speed', `timers at ${c.value}x`);
  });
  r.post('/noop', (req, res) => {
    const c = checkNoopSwitch(req.body);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    const enabled = c.value;
    faults.setNoopOnElection(enabled);
    done(
      res,
      'noop',
      enabled
        ? 'a new leader appends a no-op of its term (§8)'
        : 'a new leader appends no no-op: old-term entries wait for its first command (Figure 8)',
    );
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
