// Nothing a client sends can crash a node or change it by a request it refuses: property-based
// fuzzing (fast-check) of every endpoint of a real node process — any method, path, query and
// header, random and almost-valid bodies, malformed JSON, wrong types, huge numbers, deep nesting,
// huge bodies. Every answer is a valid one or a 4xx JSON {error, detail}; after every refusal the
// node's /status is what it was; the process stays up. Slow and half-sent requests and many
// connections at once: tests/node/slow-clients.test.ts.
//
// The cluster elects no leader on its own (a 10-minute election timeout), so between two requests
// nothing but the fuzzer changes a node.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../support/fuzz-budget.ts';
import { anyJsonValue } from '../support/fuzz-values.ts';
import { type RawAnswer, type RawRequest, rawRequest } from '../support/raw-http.ts';
import { ADMIN_TOKEN, bearer, clusterWithAdminForSuite } from './cluster-fixture.ts';

const { cluster } = clusterWithAdminForSuite({
  size: 3,
  basePort: 15151,
  heartbeatMs: 1000,
  electionTimeoutMinMs: 600_000,
  electionTimeoutMaxMs: 600_000,
  env: { COMMAND_TIMEOUT_MS: '1000' },
});

// ---- what the fuzzer sends

const smallNat = fc.oneof(fc.nat({ max: 6 }), fc.constantFrom(-1, 1.5, 2 ** 32, 2 ** 52, 2 ** 53, 1e308, -0));
const anyValue = anyJsonValue(smallNat, 8);
const entry = fc.record(
  {
    index: smallNat,
    term: smallNat,
    type: fc.constantFrom('command', 'noop', 'other'),
    command: fc.oneof(fc.constantFrom('set a=1', 'get a', 'frob', '', 'register'), anyValue),
    client_id: anyValue,
    request_id: anyValue,
  },
  { requiredKeys: [] },
);
const nodeId = fc.oneof(fc.constantFrom('1', '2', '3', '9', ''), anyValue);
/** Bodies shaped like each door's, with any field missing, of a wrong type or out of range. */
const shaped: Record<string, fc.Arbitrary<unknown>> = {
  '/request_vote': fc.record(
    { term: smallNat, candidate_id: nodeId, last_log_index: smallNat, last_log_term: smallNat },
    { requiredKeys: [] },
  ),
  '/append_entries': fc.record(
    {
      term: smallNat,
      leader_id: nodeId,
      leader_url: fc.oneof(fc.constantFrom('http://127.0.0.1:1', 'javascript:x', 'http://a b'), anyValue),
      prev_log_index: smallNat,
      prev_log_term: smallNat,
      entries: fc.oneof(fc.array(entry, { maxLength: 3 }), anyValue),
      leader_commit: smallNat,
    },
    { requiredKeys: [] },
  ),
  '/install_snapshot': fc.record(
    {
      term: smallNat,
      leader_id: nodeId,
      last_included_index: smallNat,
      last_included_term: smallNat,
      config: fc.oneof(
        fc.record({
          voters: fc.array(nodeId, { maxLength: 3 }),
          learners: fc.array(nodeId, { maxLength: 2 }),
        }),
        anyValue,
      ),
      offset: smallNat,
      data: fc.oneof(fc.constantFrom('', 'AAAA', 'AA==', 'not base64'), anyValue),
      done: anyValue,
      total_bytes: smallNat,
      crc32: fc.oneof(fc.integer(), anyValue),
    },
    { requiredKeys: [] },
  ),
  '/client_command': fc.record(
    {
      command: fc.oneof(
        fc.constantFrom('set a=1', 'get a', 'delete a', 'register', 'set =', 'get'),
        anyValue,
      ),
      client_id: anyValue,
      request_id: anyValue,
    },
    { requiredKeys: [] },
  ),
  '/admin/partition': fc.record(
    { peers: fc.oneof(fc.array(nodeId, { maxLength: 3 }), anyValue), direction: anyValue },
    { requiredKeys: [] },
  ),
  '/admin/speed': fc.record({ factor: fc.oneof(smallNat, fc.double(), anyValue) }, { requiredKeys: [] }),
  '/admin/noop': fc.record({ enabled: anyValue }, { requiredKeys: [] }),
};
const paths = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(shaped)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '/status',
      '/log',
      '/admin/heal',
      '/admin/resume',
      '/admin/faults',
      '/admin/nope',
      '/admin',
      '/',
      '//status',
      '/status/',
      '/STATUS',
      '/%00',
      '/..%2f..%2fetc%2fpasswd',
      '/status?x=%zz',
      '/client_command?command=set%20a=1',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('from', 'limit', 'x', '__proto__'), fc.string({ maxLength: 12 })), {
        maxLength: 4,
      })
      .map((q) => `/log?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.webPath() },
);
/** Text that is not a JSON object: broken, truncated, of another type, huge numbers, odd bytes. */
const rawText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '{',
    '[1,2',
    '"x"',
    '5',
    'null',
    '{"term":',
    '{"term":1e999999}',
    '{"term":-0}',
    '{"command":"\\ud800"}',
    '{"__proto__":{"command":"set a=1"}}',
    '{"command":"set a=1","command":"delete a"}',
    '\u0000\u0001',
    '\ufeff{"command":"get a"}',
  ),
);
const body = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) }, // chosen by path below
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: rawText },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
      '',
    ),
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'),
    authorization: fc.constantFrom(
      `Bearer ${ADMIN_TOKEN}`,
      'Bearer wrong',
      `Basic ${ADMIN_TOKEN}`,
      'Bearer ',
      `Bearer ${ADMIN_TOKEN} `,
    ),
    'x-raft-from': nodeId.map(String),
    'x-raft-rpc-id': fc.string({ maxLength: 80 }),
  },
  { requiredKeys: [] },
);
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constant('GET') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
);

// ---- what a node may answer

/** The state no refused request may change: everything in /status but the counters. */
async function stateOf(id: string): Promise<unknown> {
  const r = await rawRequest(cluster.url(id), { method: 'GET', path: '/status' });
  expect(r.status).toBe(200);
  const { metrics: _m, progress: _p, ...rest } = r.json as Record<string, unknown>;
  return rest;
}

/** An answer is valid, or a refusal naming what was wrong. */
function expectWellFormed(req: RawRequest, a: RawAnswer): void {
  const what = `${req.method} ${req.path} → ${a.status} ${a.text.slice(0, 200)}`;
  // 503 is a valid answer only from /client_command (no leader, timeout).
  if (a.status >= 500) expect(a.status === 503 && req.path.startsWith('/client_command'), what).toBe(true);
  expect([200, 307, 400, 401, 404, 405, 409, 410, 413, 415, 503], what).toContain(a.status);
  if (req.method === 'HEAD') return;
  expect(a.json, what).toBeTypeOf('object');
  if (a.status >= 400) {
    const e = a.json as { error?: unknown; detail?: unknown };
    expect(e.error, what).toBeTypeOf('string');
    expect(e.detail, what).toBeTypeOf('string');
  }
}

describe('a node under random input', () => {
  it('answers every request with a valid answer or a 4xx JSON refusal that changed nothing', async () => {
    const target = cluster.url('1');
    await fc.assert(
      fc.asyncProperty(
        method,
        paths.chain((path) => {
          const own = shaped[path.split('?')[0]!];
          const any = fc.constantFrom(...Object.values(shaped)).chain((a) => a);
          return fc.tuple(fc.constant(path), own ?? any);
        }),
        body,
        headers,
        async (m, [path, shapedBody], text, h) => {
          const req: RawRequest = {
            method: m,
            path,
            headers: h,
            body: m === 'GET' || m === 'HEAD' ? undefined : text === null ? JSON.stringify(shapedBody) : text,
          };
          const before = await stateOf('1');
          const a = await rawRequest(target, req);
          expectWellFormed(req, a);
          if (a.status >= 400 && a.status !== 503) expect(await stateOf('1'), `${m} ${path}`).toEqual(before);
        },
      ),
      { numRuns: fuzzRuns(250) },
    );
    expect(cluster.nodes().every((n) => n.up)).toBe(true);
  });

  it('refuses deep nesting, huge numbers and huge bodies with a 4xx, and keeps serving', async () => {
    const target = cluster.url('2');
    const deep = (depth: number, open: string, close: string, inner = '1') =>
      open.repeat(depth) + inner + close.repeat(depth);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/request_vote',
          '/append_entries',
          '/install_snapshot',
          '/client_command',
          '/admin/partition',
        ),
        fc.oneof(
          fc.integer({ min: 1, max: 200_000 }).map((d) => deep(d, '[', ']')),
          fc.integer({ min: 1, max: 100_000 }).map((d) => `{"command":${deep(d, '{"a":', '}')}}`),
          fc.integer({ min: 1, max: 100_000 }).map((d) => `{"term":1,"entries":${deep(d, '[', ']')}}`),
          fc.integer({ min: 1, max: 400 }).map((d) => `{"term":${'9'.repeat(d)},"candidate_id":"2"}`),
          fc.integer({ min: 900, max: 1500 }).map((kib) => `{"command":"set a=${'x'.repeat(kib * 1024)}"}`),
          fc.integer({ min: 1, max: 30_000 }).map((n) => `{"peers":[${Array(n).fill('"2"').join(',')}]}`),
        ),
        async (path, text) => {
          const req = { method: 'POST', path, headers: bearer(), body: text };
          const before = await stateOf('2');
          const a = await rawRequest(target, req);
          expectWellFormed(req, a);
          expect(a.status).toBeGreaterThanOrEqual(400);
          expect(await stateOf('2')).toEqual(before);
        },
      ),
      { numRuns: fuzzRuns(25) },
    );
    expect(cluster.nodes().every((n) => n.up)).toBe(true);
  });

  it('answers /events with an event stream whatever Last-Event-ID says', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom('-1', '1e9', '99999999999999999999', 'x-1', '0-0'),
        ),
        async (lastId) => {
          const ctrl = new AbortController();
          const res = await fetch(`${cluster.url('3')}/events`, {
            headers: { 'last-event-id': lastId.replace(/[\r\n]/g, '') },
            signal: ctrl.signal,
          });
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toContain('text/event-stream');
          const first = await res.body!.getReader().read();
          expect(new TextDecoder().decode(first.value)).toContain('retry:');
          ctrl.abort();
        },
      ),
      { numRuns: fuzzRuns(30) },
    );
  });
});
