// Requests are never repeated behind the learner's back (issue 11): every place the lab sends
// a request again — `retry`, `{{leader}}` looked up again, redirects — on a real cluster.
import { describe, expect, it } from 'vitest';
import type { SentRequest } from '../../server/contract/lab-api.ts';
import { settledLeader } from '../../server/lab/cluster/snapshot.ts';
import { mayResend, requestKind } from '../../server/lab/run/client-session.ts';
import { sessionForSuite } from './start-test-session.ts';

const BASE_PORT = 17701;
const lesson = 'safe-retries';

const t = sessionForSuite({ basePort: BASE_PORT, lessonId: lesson });
const { run } = t;
const waitLeader = () => t.expectOk('cluster', 'wait leader 30s');

/** How many entries of the leader's log carry `command`. */
async function entriesOf(command: string): Promise<number> {
  const s = await t.session.snapshot();
  const leader = settledLeader(s) ?? s.nodes.find((n) => n.status)!;
  return leader.status!.log.filter((e) => e.command === command).length;
}

const req = (method: string, path: string, body: unknown = null): SentRequest => ({
  method,
  url: `http://127.0.0.1:5001${path}`,
  headers: {},
  body: body === null ? null : JSON.stringify(body),
});

describe('which requests retry may send again', () => {
  it('reads and Raft RPCs always; writes only with a session and while their outcome is unknown; nothing else', () => {
    expect(requestKind(req('GET', '/status'))).toBe('read');
    expect(requestKind(req('POST', '/client_command', { command: 'get x' }))).toBe('read');
    expect(requestKind(req('POST', '/request_vote', { term: 1 }))).toBe('rpc');
    expect(requestKind(req('POST', '/append_entries', { term: 1 }))).toBe('rpc');
    expect(requestKind(req('POST', '/client_command', { command: 'set x=1' }))).toBe('write');
    expect(requestKind(req('POST', '/client_command', { command: 'delete x' }))).toBe('write');
    expect(requestKind(req('POST', '/admin/pause'))).toBe('other');
    const session = { clientId: 'c', requestId: '1', opened: null, by: 'lab' as const };
    const answered = (status: number) => ({
      status,
      headers: {},
      body: null,
      bodyText: '',
      truncated: false,
      durationMs: 1,
    });
    expect(mayResend('read', answered(200), null)).toBe(true);
    expect(mayResend('write', null, null)).toBe(false); // no session: never
    expect(mayResend('write', null, session)).toBe(true); // no answer: unknown outcome
    expect(mayResend('write', answered(503), session)).toBe(true); // no_leader, timeout
    expect(mayResend('write', answered(307), session)).toBe(true); // a follower: not applied
    expect(mayResend('write', answered(200), session)).toBe(false); // applied
    expect(mayResend('write', answered(400), session)).toBe(false); // refused
    expect(mayResend('write', answered(410), session)).toBe(false); // session gone
    expect(mayResend('other', null, session)).toBe(false);
    // §6.3's register: re-sent while its outcome is unknown, with no session of the lab's.
    expect(requestKind(req('POST', '/client_command', { command: 'register' }))).toBe('register');
    expect(mayResend('register', null, null)).toBe(true);
    expect(mayResend('register', answered(503), null)).toBe(true);
    expect(mayResend('register', answered(200), null)).toBe(false);
  });

  it('a write without a session is sent again only after an answer saying it was not applied', () => {
    const refused = (error: string) => ({
      status: 503,
      headers: {},
      body: { success: false, error },
      bodyText: '',
      truncated: false,
      durationMs: 1,
    });
    for (const error of [
      'no_leader',
      'transferring',
      'not_leader',
      'disk_full',
      'shutting_down',
      'overwritten',
    ])
      expect(mayResend('write', refused(error), null), error).toBe(true);
    // Its entry may still commit later: without a session a resend could apply it twice (§6.3).
    expect(mayResend('write', refused('timeout'), null)).toBe(false);
    expect(mayResend('write', null, null)).toBe(false);
  });
});

describe('a write cell on a real cluster', () => {
  const cell = [
    'POST {{leader}}/client_command',
    '[Options]',
    'retry: 5',
    'retry-interval: 100ms',
    '',
    '{"command": "set twice=42"}',
    '',
    'HTTP 200',
    '[Asserts]',
    'jsonpath "$.result" == null',
  ].join('\n');

  it('run twice adds exactly two entries to the log, and its failing assert is reported once', async () => {
    await t.expectOk('http', cell);
    const second = await run('http', cell);
    expect(second.ok).toBe(false);
    const entry = second.http!.entries[0]!;
    expect(entry.attempts).toBe(1);
    expect(entry.asserts.find((a) => !a.ok)?.message).toBe('expected == null, got "42"');
    expect(entry.notResent).toMatch(/^not sent again: the node answered 200/);
    // The lab's client session is in the output: what makes a retry harmless.
    expect(entry.session).toMatchObject({ by: 'lab' });
    expect(JSON.parse(entry.request!.body!)).toMatchObject({
      command: 'set twice=42',
      client_id: entry.session!.clientId,
      request_id: entry.session!.requestId,
    });
    expect(await entriesOf('set twice=42')).toBe(2);
  });

  it('is sent once to a follower with location: true: the 307 is followed, nothing is repeated', async () => {
    const r = await t.expectOk(
      'http',
      'POST {{follower}}/client_command\n[Options]\nlocation: true\nretry: 3\n\n{"command": "set hop=1"}\n\nHTTP 200',
    );
    expect(r.http!.entries[0]!.hops.map((h) => h.status)).toEqual([307]);
    expect(await entriesOf('set hop=1')).toBe(1);
  });

  it("opens the learner's own session with register (lesson 7) and keeps its client_id and request_id", async () => {
    const opened = await t.expectOk(
      'http',
      'POST {{leader}}/client_command\n[Options]\nretry: 5\nretry-interval: 500ms\n\n{"command": "register"}\n\nHTTP 200\n[Captures]\nmine: jsonpath "$.client_id"\n[Asserts]\njsonpath "$.client_id" isInteger',
    );
    // The lab adds no ids of its own to a register (a node refuses them).
    expect(opened.http!.entries[0]!.session ?? null).toBeNull();
    expect(JSON.parse(opened.http!.entries[0]!.request!.body!)).toEqual({ command: 'register' });
    const clientId = opened.http!.entries[0]!.captures.find((c) => c.name === 'mine')!.value as number;
    const r = await t.expectOk(
      'http',
      `POST {{leader}}/client_command\n[Options]\nretry: 2\n\n{"command": "set own=1", "client_id": ${clientId}, "request_id": 1}\n\nHTTP 200`,
    );
    expect(r.http!.entries[0]!.session).toMatchObject({ by: 'learner', clientId, requestId: 1 });
  });

  it('whose node does not answer is sent again while its outcome is unknown, always with the same session', async () => {
    const leader = settledLeader(await t.session.snapshot())!;
    const paused = await t.session.action(`pause node${leader.id}`, 'cell');
    expect(paused.ok).toBe(true);
    try {
      const r = await run(
        'http',
        [
          `POST ${leader.url}/client_command`,
          '[Options]',
          'timeout: 1s',
          'retry: 2',
          'retry-interval: 100ms',
          '',
          '{"command": "set frozen=1"}',
          '',
          'HTTP 200',
        ].join('\n'),
      );
      // A frozen node never answers, so whether it applied the command is unknown: sent again
      // (as often as retry says), each time with the ids that let the cluster apply it once.
      expect(r.ok).toBe(false);
      const entry = r.http!.entries[0]!;
      expect(entry.attempts).toBe(3);
      expect(entry.error?.message).toMatch(/did not answer/);
      expect(entry.session?.by).toBe('lab');
      expect(JSON.parse(entry.request!.body!)).toMatchObject({
        client_id: entry.session!.clientId,
        request_id: entry.session!.requestId,
      });
    } finally {
      await t.session.action(`resume node${leader.id}`, 'cell');
    }
    await waitLeader();
  });

  it('a read is sent again until its assert holds, as Hurl does', async () => {
    const r = await run(
      'http',
      'GET {{leader}}/status\n[Options]\nretry: 2\nretry-interval: 50ms\n\nHTTP 200\n[Asserts]\njsonpath "$.kv.never" exists',
    );
    expect(r.ok).toBe(false);
    expect(r.http!.entries[0]!.attempts).toBe(3);
    expect(r.http!.entries[0]!.notResent).toBeUndefined();
  });
});
