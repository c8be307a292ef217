// Every answer a client sees is JSON; every error names what was wrong and what to do about it.
// Plain node:http responses, so express routes (http-api.ts) and the hot doors (raft-doors.ts)
// write them the same way.

import type { ServerResponse } from 'node:http';
import type { ErrorBody } from '../contract/errors.ts';

/** The largest request body a node reads (bytes); a larger one is answered 413 too_large. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Writes `body` as JSON (as express's res.json does), unless an answer was already sent. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const data = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(data)),
  });
  res.end(data);
}

/** The refusal body {error, detail} (the contract's ErrorBody), plus `extra` fields. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  detail: string,
  extra: object = {},
): void {
  const body: ErrorBody = { error, detail };
  sendJson(res, status, { ...body, ...extra });
}
