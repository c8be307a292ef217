// The node's hot doors on plain node:http: the Raft RPCs (POST /append_entries, /request_vote,
// /pre_vote, /timeout_now) and /client_command. Profiling (issue 15) showed express's routing
// and body parser at 56% of a follower's busy time; these carry nearly every request under
// load, so they skip it.
// Everything else (/status, /log, /events, /admin, 404/405 answers) goes on to express.
// The doors behave as express's did: paused nodes hold requests, cut peers' requests vanish,
// bodies are read as JSON whatever their Content-Type (1 MiB at most, an object or array),
// and every body is checked against the contract (request-checks.ts) before the core sees it.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Membership } from '../contract/membership.ts';
import { commandAnswer } from './command-answer.ts';
import { MAX_BODY_BYTES, sendError, sendJson } from './http-errors.ts';
import type { RaftNode } from './node.ts';
import {
  checkAppendEntries,
  checkClientCommand,
  checkPreVote,
  checkRequestVote,
  checkTimeoutNow,
} from './request-checks.ts';

/** The POST paths served here (the rest of the node's API is express's). */
export const RAFT_DOOR_PATHS = [
  '/request_vote',
  '/pre_vote',
  '/append_entries',
  '/timeout_now',
  '/client_command',
] as const;
type Door = (typeof RAFT_DOOR_PATHS)[number];
const DOORS = new Set<string>(RAFT_DOOR_PATHS);

/**
 * The door `req` is for, or null for express: only POSTs, matched as express routes do
 * (case-insensitive, one trailing slash allowed, query ignored).
 */
function doorOf(req: IncomingMessage): Door | null {
  if (req.method !== 'POST') return null;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  let path = (q === -1 ? url : url.slice(0, q)).toLowerCase();
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return DOORS.has(path) ? (path as Door) : null;
}

/** Reads the body as JSON; answers 413/400 itself and resolves undefined when it cannot. */
function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  return new Promise((resolve) => {
    const tooLarge = () => {
      sendError(res, 413, 'too_large', `the body is larger than ${MAX_BODY_BYTES} bytes; send less at once`);
      req.resume(); // discard the rest, keep the connection
      resolve(undefined);
    };
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        over = true;
        tooLarge();
      } else chunks.push(c);
    });
    req.on('error', () => resolve(undefined));
    req.on('end', () => {
      if (over) return;
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      // An empty body reads as {} (the contract then names the missing fields).
      if (text.trim() === '') return resolve({});
      const bad = (why: string) => {
        sendError(res, 400, 'bad_json', `the body is not valid JSON (${why}); send a JSON object`);
        resolve(undefined);
      };
      const first = text.trimStart()[0];
      if (first !== '{' && first !== '[') return bad(`it starts with ${JSON.stringify(first)}`);
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        bad((e as Error).message);
      }
    });
  });
}

/**
 * The request listener of a node's HTTP server: the three hot doors here, the rest to `rest`
 * (express, http-api.ts).
 */
export function raftDoors(node: RaftNode, rest: RequestListener): RequestListener {
  const m: Membership = { selfId: node.id, memberIds: node.memberIds };
  const eventIdOf = (req: IncomingMessage) => {
    const id = req.headers['x-raft-rpc-id'];
    return typeof id === 'string' && /^[\w.-]{1,64}$/.test(id) ? id : undefined;
  };
  const answerWith = (res: ServerResponse) => (status: number, body: object) =>
    sendJson(res, status, { node_id: node.id, ...body });

  const handle = async (door: Door, req: IncomingMessage, res: ServerResponse) => {
    // A network cut from a peer: its requests vanish, the connection dies without an answer.
    const from = req.headers['x-raft-from'];
    if (door !== '/client_command' && typeof from === 'string' && node.faults.cutInbound.has(from)) {
      req.socket.destroy();
      return;
    }
    const enc = req.headers['content-encoding'];
    if (enc !== undefined && enc.toLowerCase() !== 'identity') {
      return sendError(res, 415, 'unsupported_encoding', `the body is ${enc}-encoded; send it uncompressed`);
    }
    const body = await readJson(req, res);
    if (body === undefined) return;
    if (door === '/client_command') {
      const c = checkClientCommand(body);
      if (!c.ok) return sendError(res, 400, 'bad_request', c.detail, { node_id: node.id, success: false });
      const a = commandAnswer(node.id, await node.submit(c.value));
      return sendJson(res, a.status, a.body, a.headers);
    }
    // Bounded like every term a peer sends (MAX_TERM_LEAD): checked against this node's own.
    const term = node.currentTerm;
    const refuse = (detail: string) => sendError(res, 400, 'bad_request', detail, { node_id: node.id });
    if (door === '/request_vote') {
      const c = checkRequestVote(body, m, term);
      return c.ok ? node.receive('request_vote', c.value, answerWith(res), eventIdOf(req)) : refuse(c.detail);
    }
    if (door === '/pre_vote') {
      const c = checkPreVote(body, m, term);
      return c.ok ? node.receive('pre_vote', c.value, answerWith(res), eventIdOf(req)) : refuse(c.detail);
    }
    if (door === '/timeout_now') {
      const c = checkTimeoutNow(body, m, term);
      return c.ok ? node.receive('timeout_now', c.value, answerWith(res), eventIdOf(req)) : refuse(c.detail);
    }
    const c = checkAppendEntries(body, m, term);
    if (!c.ok) return refuse(c.detail);
    node.receive('append_entries', c.value, answerWith(res), eventIdOf(req));
  };

  return (req, res) => {
    const door = doorOf(req);
    if (door === null) return rest(req, res);
    // A paused node is a frozen process: hold the request until resume (or the client gives up).
    const cancel = node.faults.whenRunning(() => {
      handle(door, req, res).catch((err) => {
        console.error(`[node ${node.id}] internal error:`, err);
        sendError(
          res,
          500,
          'internal',
          'the node failed to handle this request; it keeps serving, see its log',
        );
      });
    });
    res.once('close', cancel);
  };
}
