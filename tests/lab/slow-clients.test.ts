// Slow, half-sent and too many requests against the lab (server/http/server-limits.ts, as on a
// node): a client that sends half a request and stops is cut off with 408 while others are
// served; past the connection cap new connections are closed at once and the lab serves again
// when they go; a huge body is refused with 413; the live channel outlives the request timeout.

import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { allClosed, flood, halfOpen, rawRequest } from '../support/raw-http.ts';
import { waitFor } from '../support/wait-for.ts';
import { startTestLab, type TestLab } from './start-test-lab.ts';

const LESSONS = resolve(import.meta.dirname, '../fixtures/mixed-lessons');
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 50;
let t: TestLab;
let base: string;

beforeAll(async () => {
  t = await startTestLab(LESSONS, [16371, 16372, 16373, 16374, 16375], {
    limits: {
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      maxConnections: MAX_CONNECTIONS,
    },
  });
  base = t.lab.url;
});
afterAll(async () => {
  await t?.stop();
});

const lessons = () => rawRequest(base, { method: 'GET', path: '/api/lessons' });

describe.sequential('slow and many clients on the lab', () => {
  it('cuts off half-sent requests with 408 while serving other clients meanwhile', async () => {
    const slow = await Promise.all([
      ...Array.from({ length: 10 }, () => halfOpen(base, '')),
      ...Array.from({ length: 10 }, () =>
        halfOpen(base, 'PUT /api/lessons/x/cells/y HTTP/1.1\r\nHost: lab\r\n'),
      ),
      ...Array.from({ length: 10 }, () =>
        halfOpen(
          base,
          'POST /api/run HTTP/1.1\r\nHost: lab\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"less',
        ),
      ),
    ]);
    expect((await lessons()).status).toBe(200);
    await allClosed(slow, 'lab');
    for (const s of slow)
      expect(s.received()).toMatch(/^HTTP\/1\.1 408 [\s\S]*\r\n\r\n\{"error":"timeout","detail":"/);
    expect((await lessons()).status).toBe(200);
  });

  it.each([
    ['an unknown method', 'FROB /api/lessons HTTP/1.1\r\nHost: lab\r\n\r\n', 400],
    ['a malformed header', 'GET /api/lessons HTTP/1.1\r\nHost lab\r\n\r\n', 400],
    ['not HTTP at all', '\u0000\u0001\u0002\r\n\r\n', 400],
    [
      'headers over 16 KiB',
      `GET /api/lessons HTTP/1.1\r\nHost: lab\r\nX: ${'x'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
  ])('answers %s with a JSON {error, detail} and closes', async (_what, text, status) => {
    const s = await halfOpen(base, text);
    await s.closed;
    const [head, body] = s.received().split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(JSON.parse(body!)).toMatchObject({ error: expect.any(String), detail: expect.any(String) });
    expect((await lessons()).status).toBe(200);
  });

  it(`closes connections past its cap of ${MAX_CONNECTIONS} at once, and serves again when they are gone`, async () => {
    const { refused, other } = await flood(
      base,
      'GET /api/lessons HTTP/1.1\r\nHost: lab\r\n',
      MAX_CONNECTIONS + 30,
      'lab',
    );
    expect(other).toBe(0);
    expect(refused).toBeGreaterThanOrEqual(30);
    expect((await lessons()).status).toBe(200);
  });

  it('refuses a huge body with 413 and keeps serving', async () => {
    const a = await rawRequest(base, {
      method: 'POST',
      path: '/api/run',
      headers: { 'content-type': 'application/json' },
      body: `{"lessonId":"x","cellId":"y","source":"${'x'.repeat(20 * 1024 * 1024)}"}`,
    }).catch((e: Error) => e);
    // The lab may answer 413 and close before the whole body is sent.
    if (!(a instanceof Error)) expect(a).toMatchObject({ status: 413, json: { error: 'too_large' } });
    expect((await lessons()).status).toBe(200);
  });

  it('keeps a live channel open past the request timeout', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/live`);
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    await new Promise((r) => ws.once('open', r));
    const opened = Date.now();
    await waitFor('2.5 request timeouts to pass', () => Date.now() - opened > 2.5 * REQUEST_TIMEOUT_MS, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    ws.send('{"type":"ping"}');
    await waitFor('a pong', () => got.some((m) => m.includes('"pong"')));
    ws.close();
  });
});
