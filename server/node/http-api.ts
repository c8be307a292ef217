// The node's HTTP surface (docs/node-api.md). Express only wires requests to the contract's
// checks (server/contract/) and node.ts; it holds no Raft logic. A request that fails a check
// is answered 400 before anything reaches the core: no term adopted, no timer reset.

import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import type { ClientCommandAnswer, CommandRefused } from '../contract/client-command.ts';
import type { Membership } from '../contract/membership.ts';
import { adminRouter } from './admin.ts';
import type { CommandOutcome } from './client-commands.ts';
import { sendError } from './http-errors.ts';
import type { RaftNode } from './node.ts';
import { checkAppendEntries, checkClientCommand, checkLogQuery, checkRequestVote } from './request-checks.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

const RPC_PATHS = new Set(['/request_vote', '/append_entries']);

export function createApp(node: RaftNode): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const m: Membership = { selfId: node.id, memberIds: node.memberIds };
  // Learners often forget the Content-Type header: read every body as JSON.
  const json = express.json({ limit: MAX_BODY_BYTES, type: () => true });

  if (node.config.adminToken !== null) {
    app.use('/admin', json, adminRouter(node.config.adminToken, node.faults, node.events, m, node));
  } else {
    app.use('/admin', (_req, res) => {
      sendError(
        res,
        404,
        'not_found',
        'admin endpoints are disabled on this node; start it with ADMIN_TOKEN=<secret>',
      );
    });
  }

  // A paused node is a frozen process: hold every request until resume (or the client gives up).
  app.use((_req, res, next) => {
    const cancel = node.faults.whenRunning(() => next());
    // The response closes early only if the client gave up; then stop holding it.
    res.once('close', cancel);
  });

  // A network cut from a peer: its requests vanish, the connection dies without an answer.
  app.use((req, _res, next) => {
    const from = req.get('x-raft-from');
    if (from !== undefined && RPC_PATHS.has(req.path) && node.faults.cutInbound.has(from)) {
      req.socket.destroy();
      return;
    }
    next();
  });

  app.get('/status', (_req, res) => {
    res.json(node.status());
  });

  app.get('/log', (req, res) => {
    const c = checkLogQuery(req.query);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    res.json(node.logPage(c.value.from, c.value.limit));
  });

  app.get('/events', node.events.handler);

  const eventIdOf = (req: Request) => {
    const id = req.get('x-raft-rpc-id');
    return id !== undefined && /^[\w.-]{1,64}$/.test(id) ? id : undefined;
  };
  const answerWith = (res: Response) => (status: number, body: object) => {
    if (!res.headersSent) res.status(status).json({ node_id: node.id, ...body });
  };

  app.post('/request_vote', json, (req, res) => {
    const c = checkRequestVote(req.body, m);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail, { node_id: node.id });
    node.receive('request_vote', c.value, answerWith(res), eventIdOf(req));
  });

  app.post('/append_entries', json, (req, res) => {
    const c = checkAppendEntries(req.body, m);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail, { node_id: node.id });
    node.receive('append_entries', c.value, answerWith(res), eventIdOf(req));
  });

  app.post('/client_command', json, async (req, res) => {
    const c = checkClientCommand(req.body);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail, { node_id: node.id, success: false });
    sendOutcome(res, node, await node.submit(c.value));
  });

  for (const path of ['/status', '/log', '/events', '/request_vote', '/append_entries', '/client_command']) {
    app.all(path, (req, res) => {
      const allow = ['/status', '/log', '/events'].includes(path) ? 'GET' : 'POST';
      res.set('Allow', allow);
      sendError(res, 405, 'method_not_allowed', `${req.method} ${path} is not supported; use ${allow}`);
    });
  }

  app.use((req, res) => {
    sendError(
      res,
      404,
      'not_found',
      `no endpoint ${req.method} ${req.path}; try GET /status, GET /log, GET /events, POST /request_vote, ` +
        'POST /append_entries or POST /client_command',
    );
  });

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err as { type?: string; status?: number; message?: string; limit?: number };
    if (e.type === 'entity.too.large') {
      return sendError(
        res,
        413,
        'too_large',
        `the body is larger than ${MAX_BODY_BYTES} bytes; send less at once`,
      );
    }
    if (e.type === 'entity.parse.failed') {
      return sendError(res, 400, 'bad_json', `the body is not valid JSON (${e.message}); send a JSON object`);
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, e.status, 'bad_request', e.message ?? 'the request could not be read');
    }
    console.error(`[node ${node.id}] internal error:`, err);
    sendError(res, 500, 'internal', 'the node failed to handle this request; it keeps serving, see its log');
  };
  app.use(onError);
  return app;
}

function sendOutcome(res: Response, node: RaftNode, o: CommandOutcome): void {
  const base = { node_id: node.id };
  /** A failure the client may simply retry: 503 with Retry-After. */
  const retryLater = (body: Omit<CommandRefused, 'node_id' | 'success'>) =>
    res
      .status(503)
      .set('Retry-After', '1')
      .json({ ...base, success: false, ...body } satisfies ClientCommandAnswer);
  switch (o.kind) {
    case 'ok':
      res.json({
        ...base,
        success: true,
        index: o.index,
        term: o.term,
        result: o.result,
        ...(o.duplicate ? { duplicate: true as const } : {}),
        ...(o.clientId !== undefined ? { client_id: o.clientId } : {}),
      } satisfies ClientCommandAnswer);
      return;
    case 'refused':
      // 410 Gone: the session, or the result the retry asks for, is gone; nothing was applied (§6.3).
      res.status(410).json({
        ...base,
        success: false,
        error: o.code,
        index: o.index,
        term: o.term,
        detail: o.detail,
      } satisfies ClientCommandAnswer);
      return;
    case 'invalid':
      res.status(400).json({
        ...base,
        success: false,
        error: 'bad_request',
        index: o.index,
        term: o.term,
        detail: o.detail,
      } satisfies ClientCommandAnswer);
      return;
    case 'disk_full':
      retryLater({ error: 'disk_full', detail: `node ${node.id} did not propose the command: ${o.detail}` });
      return;
    case 'not_leader':
      if (o.leaderUrl !== null) res.set('Location', `${o.leaderUrl}/client_command`);
      // 307 keeps the method and body, so `curl -L` re-POSTs the command to the leader.
      res.status(o.leaderUrl !== null ? 307 : 503).json({
        ...base,
        success: false,
        error: 'not_leader',
        leader_id: o.leaderId,
        leader_url: o.leaderUrl,
        detail: `node ${node.id} is not the leader; send the command to node ${o.leaderId}${o.leaderUrl ? ` at ${o.leaderUrl}` : ''}`,
      } satisfies ClientCommandAnswer);
      return;
    case 'no_leader':
      retryLater({
        error: 'no_leader',
        detail: 'no leader is known right now (an election may be under way); retry in a moment',
      });
      return;
    case 'timeout':
      retryLater({
        error: 'timeout',
        index: o.index,
        term: o.term,
        detail:
          `entry ${o.index} was not committed within ${o.waitedMs} ms (no majority reachable?). It may still be ` +
          'applied later: to be safe, retry with the same client_id and request_id (a session from "register")',
      });
      return;
    case 'overwritten':
      retryLater({
        error: 'overwritten',
        index: o.index,
        term: o.term,
        detail:
          `entry ${o.index} of term ${o.term} was replaced by a leader of term ${o.byTerm} (§5.3) and was ` +
          'never applied; it is safe to send the command again',
      });
      return;
    case 'stopping':
      res.status(503).json({
        ...base,
        success: false,
        error: 'shutting_down',
        detail: 'the node is stopping; try another node',
      } satisfies ClientCommandAnswer);
      return;
  }
}
