// The executor against a REAL local cluster of five node processes (no mocks).
import { describe, expect, it } from 'vitest';
import type { CellType } from '../../server/contract/lab-api.ts';
import { settledLeader } from '../../server/lab/cluster/snapshot.ts';
import { sessionForSuite } from './start-test-session.ts';

const BASE_PORT = 16101;
const lesson = 'executor-test';

const t = sessionForSuite({ basePort: BASE_PORT, lessonId: lesson, firstCell: 'wait leader 20s' });
const run = (type: CellType, source: string, lessonId = lesson) => t.run(type, source, { lessonId });

async function leaderId(): Promise<string> {
  await t.expectOk('cluster', 'wait leader 20s');
  return settledLeader(await t.session.snapshot())!.id;
}

describe('http cells against real nodes', () => {
  it('fills in {{node1}}, checks status and asserts, and stores captures for later cells', async () => {
    const r = await t.expectOk(
      'http',
      'GET {{node1}}/status\n\nHTTP 200\n[Captures]\nterm_before: jsonpath "$.term"\n[Asserts]\njsonpath "$.node_id" == "1"\njsonpath "$.term" isInteger\njsonpath "$.log" exists',
    );
    const entry = r.http!.entries[0]!;
    expect(entry.request!.url).toBe(`http://127.0.0.1:${BASE_PORT}/status`);
    expect(entry.response!.status).toBe(200);
    expect(entry.asserts.map((a) => a.ok)).toEqual([true, true, true, true]);
    expect(typeof r.variables.term_before).toBe('number');
    // A later cell of the same lesson can use the capture.
    await t.expectOk(
      'http',
      'GET {{leader}}/status\nHTTP 200\n[Asserts]\njsonpath "$.term" >= {{term_before}}',
    );
  });

  it('sends a command to {{leader}} and a check sees it on every node', async () => {
    const r = await t.expectOk(
      'http',
      'POST {{leader}}/client_command\n{"command": "set x=42"}\n\nHTTP 200\n[Asserts]\njsonpath "$.success" == true',
    );
    expect(r.http!.entries[0]!.request!.headers['Content-Type']).toBe('application/json');
    await t.expectOk(
      'check',
      'every node: kv.x == "42"\nevery up node: committed log contains "set x=42"\nlogs match\nleaders == 1',
    );
  });

  it('shows a follower redirect as a 307, and follows it hop by hop only when asked', async () => {
    const plain = await t.expectOk(
      'http',
      'POST {{follower}}/client_command\n{"command": "get x"}\n\nHTTP 307\n[Asserts]\nheader "Location" contains "/client_command"',
    );
    expect(plain.http!.entries[0]!.hops).toEqual([]);

    const followed = await t.expectOk(
      'http',
      'POST {{follower}}/client_command\n{"command": "get x"}\n\nHTTP 200\n[Options]\nlocation: true\n[Asserts]\njsonpath "$.result" == "42"',
    );
    const entry = followed.http!.entries[0]!;
    expect(entry.hops).toHaveLength(1);
    expect(entry.hops[0]).toMatchObject({ method: 'POST', status: 307 });
    expect(entry.hops[0]!.location).toMatch(/^http:\/\/127\.0\.0\.1:161\d\d\/client_command$/);
  });

  it('reports a failing assert with what was expected and what came back', async () => {
    const r = await run('http', 'GET {{node2}}/status\nHTTP 200\n[Asserts]\njsonpath "$.state" == "banana"');
    expect(r.ok).toBe(false);
    const a = r.http!.entries[0]!.asserts[1]!;
    expect(a).toMatchObject({ ok: false, expected: 'banana' });
    expect(['follower', 'leader', 'candidate']).toContain(a.actual);
    expect(a.message).toMatch(/^expected == "banana", got "(follower|leader|candidate)"$/);
  });

  it('retries per [Options] and tells the live channel about each attempt', async () => {
    const attempts: number[] = [];
    const off = t.session.hub.subscribe((m) => {
      if (m.type === 'run' && m.phase === 'attempt') attempts.push(m.attempt!);
    });
    const r = await run(
      'http',
      'GET {{node3}}/status\nHTTP 200\n[Options]\nretry: 2\nretry-interval: 50ms\n[Asserts]\nstatus == 418',
    );
    off();
    expect(r.ok).toBe(false);
    expect(r.http!.entries[0]!.attempts).toBe(3);
    expect(attempts).toEqual([2, 3]);
  });

  it('refuses any host that is not a node of the cluster, without sending anything', async () => {
    for (const url of [
      'http://example.com/status',
      `http://127.0.0.1:${BASE_PORT + 50}/status`,
      'file:///etc/passwd',
    ]) {
      const r = await run('http', `GET ${url}\nHTTP 200`);
      expect(r.ok).toBe(false);
      expect(r.http!.entries[0]!.response).toBeNull();
      expect(r.error!.message).toContain("only sends requests to the cluster's own nodes");
      expect(r.error!.line).toBe(1);
    }
  });

  it('names an unknown variable and its line', async () => {
    const r = await run('http', '# first a comment\nGET {{nobody}}/status');
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ message: 'unknown variable {{nobody}}', line: 2 });
    expect(r.error!.hint).toContain('{{leader}}');
  });

  it('turns a syntax error in an edited cell into an error with its line', async () => {
    const r = await run('http', 'GET {{node1}}/status\nHTTP 200\n[Asserts]\njsonpath "$.x" equals 1');
    expect(r.ok).toBe(false);
    expect(r.error!.line).toBe(4);
    expect(r.error!.message).toContain('is not a predicate');
  });
});

describe('cluster cells and checks against real nodes', () => {
  it('kills the leader, waits for a new one in a higher term, restarts the old one and waits until it caught up', async () => {
    const before = await t.session.snapshot();
    const old = settledLeader(before)!;
    const killed = await t.expectOk('cluster', 'kill {{leader}}\nwait leader 20s');
    expect(killed.cluster!.actions[0]!.detail).toBe(`${old.name} killed`);
    const now = settledLeader(await t.session.snapshot())!;
    expect(now.id).not.toBe(old.id);
    expect(now.status!.term).toBeGreaterThan(old.status!.term);
    await t.expectOk('check', `${old.name} is down\nleaders == 1`);

    await t.expectOk('cluster', `restart ${old.name}\nwait ${old.name} caught up 20s`);
    await t.expectOk('check', `${old.name} is up\n${old.name}.kv.x == "42"\nlogs match`);
  });

  it('partitions the leader away: the majority elects another; heal brings one leader back', async () => {
    const old = await leaderId();
    const others = ['1', '2', '3', '4', '5'].filter((id) => id !== old).map((id) => `node${id}`);
    const r = await t.expectOk('cluster', `partition node${old} | ${others.join(',')}\nwait leader 20s`);
    const during = settledLeader(await t.session.snapshot())!;
    expect(during.id).not.toBe(old);
    expect(r.cluster!.snapshot.nodes.find((n) => n.id === old)!.partitionedFrom).toHaveLength(4);
    const healed = await run('cluster', 'heal\nwait leader 20s');
    expect(healed.ok).toBe(true);
    await t.expectOk('check', 'leaders == 1\nterms == 1\nlogs match');
  });

  it('pauses a node (it stops answering) and resumes it', async () => {
    const r = await run('cluster', 'pause node5');
    expect(r.ok).toBe(true);
    await t.expectOk('check', 'node5 is paused');
    const ask = await run('http', 'GET {{node5}}/status\n[Options]\ntimeout: 300ms');
    expect(ask.ok).toBe(false);
    expect(ask.error!.message).toContain('node5 did not answer');
    await t.expectOk('cluster', 'resume node5\nwait node5 caught up 20s');
  });

  it('retries a failing check until its timeout, then explains what was expected, what was seen, and the hint', async () => {
    const started = Date.now();
    const r = await run(
      'check',
      'timeout: 1s\nleaders == 2\nhint: There is only ever one leader per term.\nnode1 is up',
    );
    expect(r.ok).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.check!.attempts).toBeGreaterThan(1);
    expect(r.check!.assertions[0]).toMatchObject({
      text: 'leaders == 2',
      ok: false,
      expected: '== 2',
      hint: 'There is only ever one leader per term.',
    });
    expect(r.check!.assertions[0]!.seen).toMatch(/^1 \(node\d, term \d+\)$/);
    expect(r.check!.assertions[1]).toMatchObject({ ok: true, hint: null });
  });

  it('runs cells one at a time, in the order they were asked for', async () => {
    const [a, b] = await Promise.all([run('cluster', 'wait 300ms'), run('http', 'GET {{node1}}/status')]);
    expect(b.count).toBe(a.count + 1);
    expect(b.startedAt).toBeGreaterThanOrEqual(a.startedAt + a.durationMs);
  });

  it('resets to a fresh cluster: data wiped, a leader elected', async () => {
    const r = await t.expectOk('cluster', 'reset');
    expect(r.cluster!.actions[0]!.detail).toMatch(/fresh cluster.*is leader in term/);
    await t.expectOk('check', 'no node: kv.x == "42"\nleaders == 1');
  });
});
