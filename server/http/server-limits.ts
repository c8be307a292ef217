// The limits every HTTP server of this project runs with (a node and the lab), so that no client
// can hold the process's sockets for ever: a slow or half-sent request (slowloris) is cut off,
// and past a cap new connections are closed at once instead of exhausting file descriptors
// (which the write-ahead log needs too).

import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../contract/errors.ts';

export interface ServerLimits {
  /** Time a client has to send the request line and headers, in ms; then 408 and the socket closes. */
  headersTimeoutMs: number;
  /**
   * Time a client has to send a whole request, body included, in ms. Only the *request* is
   * timed: once it has arrived, the answer may take as long as it takes (a node's /events
   * stream, a command waiting for its commit, a request held by a paused node).
   */
  requestTimeoutMs: number;
  /** Open connections at most; the server closes any further one at once. */
  maxConnections: number;
}

/**
 * Generous for any real client on a loaded machine (peers and the lab send a request in one
 * write), short enough that a slowloris connection is gone within seconds.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1000,
};

/** How long an idle kept-alive connection stays open, in ms (what load balancers commonly use). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** An http.Server for `listener` with `limits` applied (not listening yet). */
export function createLimitedServer(listener: RequestListener, limits: ServerLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      // Node requires requestTimeout >= headersTimeout (or 0).
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      // How often expired requests are looked for (Node's default, 30 s, would let a slow
      // client hold its socket up to half a minute past its deadline).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
      // An idle kept-alive connection is closed after this. Node's 5 s raced clients on a loaded
      // machine: a client reused a connection (its own idle limit, told by the Keep-Alive
      // header, is a second shorter) just as the server closed it, and its request failed with
      // ECONNRESET (seen with 20 learners on one lab). Long idle gaps are rarer, so the race is too.
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  return server;
}

/**
 * What Node would answer to a request it cannot parse or that came too slowly (400, 408, 431,
 * then close), but with the JSON {error, detail} body every other refusal has.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const inProgress = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (!socket.writable || inProgress || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, reason, body]: [number, string, ErrorBody] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [
          408,
          'Request Timeout',
          { error: 'timeout', detail: 'the request did not arrive in time: send it whole, at once' },
        ]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'Request Header Fields Too Large',
            { error: 'too_large', detail: 'the request headers are over 16 KiB' },
          ]
        : [
            400,
            'Bad Request',
            {
              error: 'bad_request',
              detail: `the request is not valid HTTP/1.1 (${err.code ?? err.message})`,
            },
          ];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
