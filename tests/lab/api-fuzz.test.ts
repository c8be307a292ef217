// Nothing a browser (or anything else on the network) sends can crash the lab or change it by a
// request it refuses: property-based fuzzing (fast-check) of every lab endpoint, HTTP and the
// WebSocket live channel. Any method, path, query and header, random and almost-valid bodies,
// malformed JSON, wrong types, huge numbers, deep nesting, huge bodies. Every answer under /api is
// a valid one or a 4xx JSON {error, detail}; after every refusal the lessons and the workspace are
// what they were; the lab keeps answering. Slow and half-sent requests: hostile-clients.test.ts.
//
// The lab runs on a remote backend whose nodes are not running (start-test-lab.ts): runs and
// actions meet real "connection refused" answers, fast.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fuzzRuns } from '../support/fuzz-budget.ts';
import { anyJsonValue } from '../support/fuzz-values.ts';
import { type RawAnswer, type RawRequest, rawRequest } from '../support/raw-http.ts';
import { waitFor } from '../support/wait-for.ts';
import { startTestLab, type TestLab } from './start-test-lab.ts';

const LESSONS = resolve(import.meta.dirname, '../fixtures/mixed-lessons');
const LESSON = '01-fixture-status';
let t: TestLab;
let base: string;

beforeAll(async () => {
  t = await startTestLab(LESSONS, [16381, 16382, 16383, 16384, 16385]);
  base = t.lab.url;
});
afterAll(async () => {
  await t?.stop();
});

// ---- what the fuzzer sends

const weird = fc.constantFrom(-1, 1.5, 2 ** 53, 1e308, -0, '', '../x', '\u0000', '<script>', '{{node1}}');
const anyValue = anyJsonValue(weird, 12);
const lessonId = fc.oneof(
  fc.constantFrom(LESSON, '02-bad-cells', 'nope', '..', '..%2f..%2fetc', '%00', 'a'.repeat(300)),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const cellId = fc.oneof(
  fc.constantFrom('status', 'nope', '..', 'scratch-1', '%2e%2e', '__proto__', 'constructor'),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const source = fc.oneof(
  fc.constantFrom('GET {{node1}}/status', 'GET http://example.com/', 'wait leader', 'leaders == 1', ''),
  fc.string({ maxLength: 40 }),
  anyValue,
);
const cellType = fc.oneof(fc.constantFrom('http', 'cluster', 'check', 'markdown'), anyValue);
const action = fc.oneof(
  fc.constantFrom('kill node1', 'restart node2', 'partition node1', 'heal', 'wait leader', 'frob', ''),
  anyValue,
);
const opt = { requiredKeys: [] as never[] };
/** Each endpoint with bodies shaped like its own, any field missing, wrong or out of range. */
const endpoints: fc.Arbitrary<{ method: string; path: string; body: unknown }>[] = [
  fc.record({ method: fc.constant('GET'), path: fc.constant('/api/lessons'), body: fc.constant(undefined) }),
  fc.record({ method: fc.constant('GET'), path: lessonId.map((l) => `/api/lessons/${l}`), body: anyValue }),
  fc.record({
    method: fc.constant('PUT'),
    path: fc.tuple(lessonId, cellId).map(([l, c]) => `/api/lessons/${l}/cells/${c}`),
    body: fc.oneof(fc.record({ source }, opt), anyValue),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: lessonId.map((l) => `/api/lessons/${l}/cells`),
    body: fc.oneof(fc.record({ after: fc.oneof(cellId, anyValue), type: cellType, source }, opt), anyValue),
  }),
  fc.record({
    method: fc.constant('DELETE'),
    path: fc.tuple(lessonId, cellId).map(([l, c]) => `/api/lessons/${l}/cells/${c}`),
    body: fc.constant(undefined),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.tuple(lessonId, cellId).map(([l, c]) => `/api/lessons/${l}/cells/${c}/reset`),
    body: fc.oneof(fc.record({ x: anyValue }, opt), anyValue),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: lessonId.map((l) => `/api/lessons/${l}/reset`),
    body: fc.oneof(fc.record({ x: anyValue }, opt), anyValue),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/api/run'),
    body: fc.oneof(
      fc.record({ lessonId: fc.oneof(lessonId, anyValue), cellId: fc.oneof(cellId, anyValue), source }, opt),
      anyValue,
    ),
  }),
  fc.record({ method: fc.constant('GET'), path: fc.constant('/api/cluster'), body: fc.constant(undefined) }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/api/cluster/actions'),
    body: fc.oneof(
      fc.record({ action, source: fc.oneof(fc.constantFrom('panel', 'cell'), anyValue) }, opt),
      anyValue,
    ),
  }),
  // Any method on any path, also outside /api (the web app's own paths).
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FROB'),
    path: fc.constantFrom(
      '/api',
      '/api/',
      '/api/nope',
      '//api/lessons',
      '/api/lessons/',
      '/API/lessons',
      '/api/lessons?x=%zz',
      '/api/live',
      '/',
      '/index.html',
      '/assets/../../package.json',
      '/..%2f..%2fpackage.json',
      '/%00',
    ),
    body: anyValue,
  }),
];

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** How a body is put on the wire: as JSON, or broken in one of the usual ways. */
const encoding = fc.oneof(
  { weight: 6, arbitrary: fc.constant((b: unknown) => (b === undefined ? undefined : JSON.stringify(b))) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      () => '{"source": ',
      () => '{"lessonId": "01-fixture-status", "cellId": "status", "source": "\\ud800"}',
      () => `{"source": ${'9'.repeat(400)}}`,
      () => deep(5000),
      () => `{"a":${deep(100_000)}}`,
      () => `{"source":"${'x'.repeat(600 * 1024)}"}`,
      () => '\u0000\u00ff',
      () => 'null',
      () => '"just a string"',
      () => '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    ),
  },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=nope',
  undefined,
);
const request = fc
  .tuple(fc.oneof(...endpoints), encoding, contentType, fc.boolean())
  .map(([e, encode, ct, bodyless]): RawRequest => {
    const body = e.method === 'GET' && bodyless ? undefined : encode(e.body);
    const headers: Record<string, string> = {};
    if (ct) headers['content-type'] = ct;
    return { method: e.method, path: e.path, headers, body };
  });

// ---- what must hold

/** Everything a request could change: the lessons as served and every file in the workspace. */
async function labState(): Promise<string> {
  const list = (await rawRequest(base, { method: 'GET', path: '/api/lessons' })).text;
  const lessons = await Promise.all(
    ['01-fixture-status', '02-bad-cells'].map(
      async (id) => (await rawRequest(base, { method: 'GET', path: `/api/lessons/${id}` })).text,
    ),
  );
  const files = readdirSync(t.workspaceDir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      try {
        return `${f}:${readFileSync(join(t.workspaceDir, f), 'utf8')}`;
      } catch {
        return `${f}/`;
      }
    });
  return JSON.stringify({ list, lessons, files, faults: [...t.session.backend.faults] });
}

function expectValidAnswer(r: RawRequest, a: RawAnswer): void {
  const what = `${r.method} ${r.path} → ${a.status} ${a.text.slice(0, 200)}`;
  expect(a.status, what).toBeGreaterThanOrEqual(200);
  // The web app's pages: index.html (or the "not built yet" page) for any other GET.
  // (express routes /api, /api/… and /API/… to the API alike)
  const page = !/^\/api(\/|\?|$)/i.test(r.path) && (r.method === 'GET' || r.method === 'HEAD');
  if (page) {
    expect([200, 304, 404, 503], what).toContain(a.status);
    return;
  }
  expect(a.status, what).toBeLessThan(500);
  if (r.method === 'HEAD' || a.status === 204) return;
  expect(a.json, what).toBeTypeOf('object');
  if (a.status >= 400) {
    const body = a.json as { error?: unknown; detail?: unknown };
    expect(typeof body.error, what).toBe('string');
    expect(typeof body.detail, what).toBe('string');
  }
}

describe('lab HTTP API fuzzing', () => {
  it('answers every request with a valid answer or a 4xx {error, detail}, and a refused one changes nothing', async () => {
    let before = await labState();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const a = await rawRequest(base, r);
        expectValidAnswer(r, a);
        const after = await labState();
        if (a.status >= 400)
          expect(after, `${r.method} ${r.path} was refused yet changed the lab`).toBe(before);
        before = after;
      }),
      { numRuns: fuzzRuns(150) },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await rawRequest(base, { method: 'GET', path: '/api/lessons' })).status).toBe(200);
  });
});

// ---- the live channel

interface Live {
  ws: WebSocket;
  received: unknown[];
  closed: Promise<number>;
}

async function openLive(query = ''): Promise<Live> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/live${query}`);
  const received: unknown[] = [];
  ws.on('message', (d) => received.push(JSON.parse(String(d))));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.on('error', () => {});
  await new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  return { ws, received, closed };
}

const frame = fc.oneof(
  fc
    .record({ type: fc.constantFrom('resume', 'ping', 'hello', 'run', '__proto__'), seq: anyValue }, opt)
    .map((m) => JSON.stringify(m)),
  fc.constantFrom('', '{', 'null', '[]', '"ping"', deep(5000), `{"type":"resume","seq":${'9'.repeat(400)}}`),
  fc.string({ maxLength: 30 }),
  fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
);

describe('lab live channel fuzzing', () => {
  it('answers any frame with a message of its own (pong, or an error naming what to send) and stays open', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
        const live = await openLive();
        // One ping at the end: once its pong is in, every earlier frame has been answered.
        for (const f of frames) live.ws.send(f);
        live.ws.send('{"type":"ping"}');
        const pongs = () => live.received.filter((m) => (m as { type: string }).type === 'pong').length;
        const expected = 1 + frames.filter((f) => f === '{"type":"ping"}').length;
        await waitFor('the answer to the last ping', () => pongs() >= expected, { timeoutMs: 10_000 });
        for (const m of live.received) {
          const msg = m as { type?: unknown; error?: unknown; detail?: unknown };
          expect(typeof msg.type).toBe('string');
          if (msg.type === 'error') expect(typeof msg.detail).toBe('string');
        }
        expect(live.ws.readyState).toBe(WebSocket.OPEN);
        live.ws.close();
        await live.closed;
      }),
      { numRuns: fuzzRuns(25) },
    );
  });

  it('closes a connection that sends a frame over 64 KiB (1009) and keeps serving others', async () => {
    const big = await openLive();
    const other = await openLive();
    big.ws.send('x'.repeat(65 * 1024));
    expect(await big.closed).toBe(1009);
    other.ws.send('{"type":"ping"}');
    await waitFor('a pong on the other connection', () =>
      other.received.some((m) => (m as { type: string }).type === 'pong'),
    );
    other.ws.close();
    await other.closed;
  });

  it.each(['?resume=abc', '?resume=-1', `?resume=${'9'.repeat(400)}`, '?resume=1&resume=2'])(
    'a connection with %s starts afresh or resumes, never fails',
    async (query) => {
      const live = await openLive(query);
      await waitFor('the first message', () => live.received.length > 0, { timeoutMs: 10_000 });
      expect(typeof (live.received[0] as { type: unknown }).type).toBe('string');
      live.ws.close();
      await live.closed;
    },
  );

  it('refuses a WebSocket upgrade on any other path by closing the socket', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/lessons`);
    const outcome = await new Promise<string>((r) => {
      ws.once('open', () => r('open'));
      ws.once('error', () => r('refused'));
    });
    expect(outcome).toBe('refused');
    expect((await rawRequest(base, { method: 'GET', path: '/api/lessons' })).status).toBe(200);
  });
});
