// HTTP as a hostile client speaks it: any method, any path (not normalised), any header, any body
// bytes, one fresh connection per request; and sockets that send half a request and stop.
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { waitFor } from './wait-for.ts';

export interface RawRequest {
  method: string;
  /** Sent as written: `/../x`, `%00`, `//status` reach the server unchanged. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * Sends one request on its own connection and reads the whole answer (at most `maxBytes`, then
 * the connection is dropped). Rejects when the server closes the connection without answering.
 */
export function rawRequest(
  base: string,
  r: RawRequest,
  timeoutMs = 15_000,
  maxBytes = 4 << 20,
): Promise<RawAnswer> {
  const u = new URL(base);
  // Node's client frames no body of a GET (no Content-Length, no chunks): the server would read it
  // as a next, garbage request. Say how long it is, unless the caller framed it.
  const framed = Object.keys(r.headers ?? {}).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
  const headers =
    r.body === undefined || framed
      ? r.headers
      : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: r.method,
        path: r.path,
        headers,
        agent: false,
        timeout: timeoutMs,
        insecureHTTPParser: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            res.destroy();
            return;
          }
          chunks.push(c);
        });
        const done = () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A socket that sent `text` (e.g. half a request) and then says nothing; `closed` settles when the server closes it. */
export interface HalfOpen {
  socket: Socket;
  /** Everything the server sent back. */
  received: () => string;
  closed: Promise<void>;
}

export function halfOpen(base: string, text: string): Promise<HalfOpen> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    let got = '';
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (d) => {
      got += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write(text);
      resolve({ socket, received: () => got, closed });
    });
    // A connection the server refuses outright (over its cap) closes before or right after connecting.
    socket.once('close', () => resolve({ socket, received: () => got, closed }));
  });
}

/** Waits (up to 30 s) until `server` (named for the failure message) has closed every socket. */
export function allClosed(socks: HalfOpen[], server: string): Promise<true> {
  return waitFor(
    `the ${server} to close every slow connection`,
    () => Promise.all(socks.map((s) => s.closed)).then(() => true as const),
    { timeoutMs: 30_000 },
  );
}

/**
 * Opens `count` connections at once, each sending the half request `text`, and waits until the
 * server has closed them all. Says how many it answered 408 (timed out), how many it closed
 * without a word (refused: over its connection cap), and how many neither (should be none).
 */
export async function flood(
  base: string,
  text: string,
  count: number,
  server: string,
): Promise<{ timedOut: number; refused: number; other: number }> {
  const socks = await Promise.all(Array.from({ length: count }, () => halfOpen(base, text)));
  await allClosed(socks, server);
  const timedOut = socks.filter((s) => s.received().startsWith('HTTP/1.1 408')).length;
  const refused = socks.filter((s) => s.received() === '').length;
  return { timedOut, refused, other: count - timedOut - refused };
}
