// Slow, half-sent and too many requests against real node processes (server/http/server-limits.ts):
// a client that sends half a request and stops is cut off with 408 while others are served; past
// the connection cap new connections are closed at once and the node serves again when they go;
// a huge body is refused; and what must stay open does — a request held by a paused node, a
// command waiting for its commit, and the /events stream outlive the request timeout.

import { describe, expect, it } from 'vitest';
import { allClosed, flood, halfOpen, rawRequest } from '../support/raw-http.ts';
import { waitFor } from '../support/wait-for.ts';
import { bearer, clusterWithAdminForSuite, command, http } from './cluster-fixture.ts';

const auth = bearer();
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 100;
const { cluster } = clusterWithAdminForSuite({
  size: 3,
  basePort: 15421,
  env: {
    COMMAND_TIMEOUT_MS: '20000',
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
  },
});

/** Resolves once `ms` have passed since `since` (the thing under test is a deadline passing). */
const passed = (since: number, ms: number) =>
  waitFor(`${ms} ms to pass`, () => Date.now() - since > ms, { timeoutMs: ms + 10_000, intervalMs: 50 });

describe.sequential('slow and many clients', () => {
  it('cuts off half-sent requests with 408 while serving other clients meanwhile', async () => {
    const leader = await cluster.waitForLeader(30_000);
    const target = cluster.url(leader.node_id);
    const slow = await Promise.all([
      ...Array.from({ length: 30 }, () => halfOpen(target, '')),
      ...Array.from({ length: 30 }, () => halfOpen(target, 'POST /client_command HTTP/1.1\r\nHost: n\r\n')),
      ...Array.from({ length: 20 }, () =>
        halfOpen(target, 'POST /client_command HTTP/1.1\r\nHost: n\r\nContent-Length: 100\r\n\r\n{"comm'),
      ),
    ]);
    // Another client is served while they hang.
    expect((await http(`${target}/status`)).status).toBe(200);
    expect((await command(target, 'set during=1')).status).toBe(200);
    await allClosed(slow, 'node');
    for (const s of slow) expect(s.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect((await command(target, 'get during')).body).toMatchObject({ success: true, result: '1' });
  });

  it(`closes connections past its cap of ${MAX_CONNECTIONS} at once, stays up, and serves again when they are gone`, async () => {
    const target = cluster.url('1');
    const { timedOut, refused, other } = await flood(
      target,
      'GET /status HTTP/1.1\r\nHost: n\r\n',
      MAX_CONNECTIONS + 60,
      'node',
    );
    expect(other).toBe(0);
    expect(timedOut).toBeLessThanOrEqual(MAX_CONNECTIONS);
    expect(refused).toBeGreaterThanOrEqual(60);
    expect(cluster.nodes().every((n) => n.up)).toBe(true);
    expect((await http(`${target}/status`)).status).toBe(200);
  });

  it('answers many requests at once, each with a valid answer', async () => {
    const leader = await cluster.waitForLeader(30_000);
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        rawRequest(cluster.url(String((i % 3) + 1)), {
          method: 'POST',
          path: i % 2 === 0 ? '/client_command' : '/request_vote',
          headers: { 'content-type': 'application/json' },
          body: i % 2 === 0 ? JSON.stringify({ command: `set k${i}=${i}` }) : '{"term":1',
        }),
      ),
    );
    for (const a of answers) {
      expect([200, 307, 400, 503]).toContain(a.status);
      expect(a.json).toBeTypeOf('object');
    }
    expect((await http(`${cluster.url(leader.node_id)}/status`)).status).toBe(200);
  });

  it('refuses a huge body with 413 and keeps serving', async () => {
    const huge = `{"command":"set a=${'x'.repeat(20 * 1024 * 1024)}"}`;
    const a = await rawRequest(cluster.url('2'), {
      method: 'POST',
      path: '/client_command',
      headers: { 'content-type': 'application/json' },
      body: huge,
    }).catch((e: Error) => e);
    // The node may answer 413 and close before the whole body is sent.
    if (!(a instanceof Error)) {
      expect(a.status).toBe(413);
      expect(a.json).toMatchObject({ error: 'too_large' });
    }
    expect((await http(`${cluster.url('2')}/status`)).status).toBe(200);
  });

  it('lets a request held by a paused node, and the /events stream, outlive the request timeout', async () => {
    const id = '3';
    const target = cluster.url(id);
    const ctrl = new AbortController();
    const events = await fetch(`${target}/events`, { signal: ctrl.signal });
    const reader = events.body!.getReader();
    let seen = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        seen += new TextDecoder().decode(value);
      }
    })().catch(() => {});
    expect((await http(`${target}/admin/pause`, { body: {}, headers: auth })).status).toBe(200);
    const started = Date.now();
    const held = rawRequest(target, { method: 'GET', path: '/status' }, 60_000);
    await passed(started, 2.5 * REQUEST_TIMEOUT_MS);
    expect((await http(`${target}/admin/resume`, { body: {}, headers: auth })).status).toBe(200);
    expect((await held).status).toBe(200);
    await waitFor('the resume event on the stream opened before the pause', () =>
      seen.includes('"action":"resume"'),
    );
    ctrl.abort();
    await reading;
  });

  it('lets a client command wait for its commit longer than the request timeout', async () => {
    const leader = await cluster.waitForLeader(30_000);
    const target = cluster.url(leader.node_id);
    const others = cluster
      .nodes()
      .map((n) => n.id)
      .filter((id) => id !== leader.node_id);
    // Cut the leader off from its followers only: it cannot commit until they are back.
    await http(`${target}/admin/partition`, {
      body: { peers: others, direction: 'outbound' },
      headers: auth,
    });
    const started = Date.now();
    const waiting = rawRequest(
      target,
      { method: 'POST', path: '/client_command', body: '{"command":"set waited=1"}' },
      60_000,
    );
    await passed(started, 2.5 * REQUEST_TIMEOUT_MS);
    await http(`${target}/admin/heal`, { body: {}, headers: auth });
    const answer = await waiting;
    // Committed once healed, or replaced by a new leader's log: an answer of the node either way.
    expect([200, 503]).toContain(answer.status);
    expect(answer.json).toMatchObject({ node_id: leader.node_id });
  });
});
