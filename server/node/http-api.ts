// The node's HTTP surface (docs/node-api.md). The Raft POSTs (append_entries, request_vote,
// pre_vote, timeout_now, install_snapshot, client_command) are served on plain node:http by
// raft-doors.ts; express wires the rest. Neither holds Raft logic. A request that fails a check is answered 400 before
// anything reaches the core: no term adopted, no timer reset.

import type http from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Membership } from '../contract/membership.ts';
import { createLimitedServer } from '../http/server-limits.ts';
import { adminRouter, requireAdminToken } from './admin.ts';
import { MAX_BODY_BYTES, sendError } from './http-errors.ts';
import { membershipRouter } from './membership-admin.ts';
import type { RaftNode } from './node.ts';
import { RAFT_DOOR_PATHS, raftDoors } from './raft-doors.ts';
import { checkLogQuery } from './request-checks.ts';

/** The node's HTTP server (not yet listening): the hot doors, then express for the rest. */
export function createNodeServer(node: RaftNode): http.Server {
  return createLimitedServer(raftDoors(node, createApp(node)), node.config.http);
}

/** Express for everything but the hot doors: /status, /log, /events, /admin and the 404/405 answers. */
function createApp(node: RaftNode): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Membership follows the configuration entries (§4.1): read it at each request.
  const m: Membership = {
    selfId: node.id,
    get memberIds() {
      return node.memberIds;
    },
  };
  // Learners often forget the Content-Type header: read every body as JSON.
  const json = express.json({ limit: MAX_BODY_BYTES, type: () => true });

  if (node.config.adminToken !== null) {
    const token = node.config.adminToken;
    const reset = (isolated: boolean) => node.reset(isolated);
    app.use('/admin', json, requireAdminToken(token), membershipRouter(node));
    app.use('/admin', json, adminRouter(token, node.faults, node.events, m, node, node, reset));
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

  app.get('/status', (_req, res) => {
    res.json(node.status());
  });

  app.get('/log', (req, res) => {
    const c = checkLogQuery(req.query);
    if (!c.ok) return sendError(res, 400, 'bad_request', c.detail);
    res.json(node.logPage(c.value.from, c.value.limit));
  });

  app.get('/events', node.events.handler);

  for (const path of ['/status', '/log', '/events', ...RAFT_DOOR_PATHS]) {
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
        'POST /pre_vote, POST /append_entries, POST /timeout_now, POST /install_snapshot or POST /client_command',
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
