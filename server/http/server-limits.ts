// The limits every HTTP server of this project runs with (a node and the lab), so that no client
// can hold the process's sockets for ever: a slow or half-sent request (slowloris) is cut off,
// and past a cap new connections are closed at once instead of exhausting file descriptors
// (which the write-ahead log needs too).

import { createServer, type RequestListener, type Server } from 'node:http';

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
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
