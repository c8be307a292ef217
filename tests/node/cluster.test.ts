// Five real node processes on loopback ports (issue 2, "Integration"): election, replication,
// redirects, failover, catch-up, no progress without a majority, durability, batching.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../server/contract/raft-rpc.ts';
import { waitFor } from '../support/wait-for.ts';
import { clusterForSuite, command, http, type NodeStatus } from './cluster-fixture.ts';

const cluster = clusterForSuite({ size: 5, basePort: 15101, env: { COMMAND_TIMEOUT_MS: '1500' } });

const leaderOf = (ss: (NodeStatus | null)[]) => {
  const leaders = ss.filter((s): s is NodeStatus => s?.state === 'leader');
  return leaders.length === 0 ? null : leaders.reduce((a, b) => (b.term > a.term ? b : a));
};

describe.sequential('a five-node cluster', () => {
  let committed: LogEntry[] = [];

  it('elects a leader within 2 s of starting', async () => {
    const leader = await cluster.waitForLeader(2000);
    expect(leader.term).toBeGreaterThanOrEqual(1);
    // Exactly one leader in that term.
    const ss = await cluster.statuses();
    expect(ss.filter((s) => s?.state === 'leader' && s.term === leader.term)).toHaveLength(1);
  });

  it('replicates set x=42 through the leader to all five logs and key-value maps', async () => {
    const leader = await cluster.waitForLeader(2000);
    const r = await command(cluster.url(leader.node_id), 'set x=42');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, node_id: leader.node_id, result: null });
    const index = r.body.index as number;
    await cluster.waitFor(
      (ss) =>
        ss.every(
          (s) =>
            s !== null &&
            (s.kv as Record<string, string>).x === '42' &&
            s.log.some((e) => e.index === index && e.command === 'set x=42'),
        ),
      5000,
      'x=42 in every log and kv',
    );
    const get = await command(cluster.url(leader.node_id), 'get x');
    expect(get.body).toMatchObject({ success: true, result: '42' });
  });

  it("redirects a follower's client_command to the leader with 307 and Location", async () => {
    const leader = await cluster.waitForLeader(2000);
    const follower = cluster.nodes().find((n) => n.id !== leader.node_id)!;
    const r = await command(follower.url, 'set y=1');
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe(`${cluster.url(leader.node_id)}/client_command`);
    expect(r.body).toMatchObject({
      success: false,
      error: 'not_leader',
      leader_id: leader.node_id,
      node_id: follower.id,
    });
    // Following the redirect re-POSTs the body and lands on the leader.
    const followed = await http(`${follower.url}/client_command`, {
      body: { command: 'set y=2' },
      follow: true,
    });
    expect(followed.status).toBe(200);
    expect(followed.body).toMatchObject({ success: true, node_id: leader.node_id });
  });

  it("lets `curl -L` land a follower's command on the leader", async (ctx) => {
    if (spawnSync('curl', ['--version']).status !== 0) ctx.skip();
    const leader = await cluster.waitForLeader(2000);
    const follower = cluster.nodes().find((n) => n.id !== leader.node_id)!;
    const out = spawnSync(
      'curl',
      [
        '-s',
        '-L',
        '-X',
        'POST',
        `${follower.url}/client_command`,
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"command":"set z=3"}',
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    expect(JSON.parse(out.stdout)).toMatchObject({ success: true, node_id: leader.node_id });
  });

  it('batches concurrent commands: fewer appends and fsyncs than commands', async () => {
    const leader = await cluster.waitForLeader(2000);
    const url = cluster.url(leader.node_id);
    const metrics = async () => (await http(`${url}/status`)).body.metrics as Record<string, number>;
    const before = await metrics();
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => command(url, `set batch${i}=${i}`)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = await metrics();
    const appends = after.append_entries_with_entries_sent! - before.append_entries_with_entries_sent!;
    const batches = after.proposal_batches! - before.proposal_batches!;
    const fsyncs = after.fsyncs! - before.fsyncs!;
    expect(after.proposals! - before.proposals!).toBe(n);
    expect(batches).toBeLessThan(n / 2);
    expect(appends).toBeLessThan(4 * n);
    expect(fsyncs).toBeLessThan(n);
  });

  it('answers bad input with 400/413 JSON, leaves state untouched and keeps serving', async () => {
    const leader = await cluster.waitForLeader(2000);
    const url = cluster.url(leader.node_id);
    const before = (await http(`${url}/status`)).body;
    const cases: [string, { raw?: string; body?: unknown; method?: string }, number, string][] = [
      ['/client_command', { raw: '{"command": ' }, 400, 'bad_json'],
      ['/client_command', { body: { command: 42 } }, 400, 'bad_request'],
      ['/client_command', { body: { command: 'launch rockets' } }, 400, 'bad_request'],
      ['/append_entries', { body: { term: -1, leader_id: '2' } }, 400, 'bad_request'],
      ['/append_entries', { body: { term: 1.5 } }, 400, 'bad_request'],
      [
        '/append_entries',
        {
          body: {
            term: 999,
            leader_id: leader.node_id === '2' ? '3' : '2',
            prev_log_index: 0,
            prev_log_term: 0,
            entries: [{ index: 3, term: 1, type: 'noop', command: null }],
            leader_commit: 0,
          },
        },
        400,
        'bad_request',
      ],
      [
        '/request_vote',
        { body: { term: 1, candidate_id: '77', last_log_index: 0, last_log_term: 0 } },
        400,
        'bad_request',
      ],
      ['/request_vote', { raw: '[]' }, 400, 'bad_request'],
      [
        '/client_command',
        { raw: JSON.stringify({ command: `set big=${'v'.repeat(1_100_000)}` }) },
        413,
        'too_large',
      ],
      ['/no/such/path', {}, 404, 'not_found'],
      ['/admin/faults', {}, 404, 'not_found'],
      ['/client_command', { method: 'GET' }, 405, 'method_not_allowed'],
    ];
    for (const [path, init, status, error] of cases) {
      const r = await http(`${url}${path}`, init);
      expect(r.status, `${path} ${JSON.stringify(init).slice(0, 80)}`).toBe(status);
      expect(r.body.error).toBe(error);
      expect(typeof r.body.detail).toBe('string');
    }
    const after = (await http(`${url}/status`)).body;
    expect(after.state).toBe('leader');
    expect(after.term).toBe(before.term);
    expect(after.log_length).toBe(before.log_length);
    expect((await command(url, 'get x')).body).toMatchObject({ success: true, result: '42' });
  });

  it('does not apply a retried command twice (same client_id and request_id, §6.3)', async () => {
    const leader = await cluster.waitForLeader(2000);
    const url = cluster.url(leader.node_id);
    const reg = await command(url, 'register');
    expect(reg.body).toMatchObject({ success: true, client_id: reg.body.index });
    const client_id = reg.body.client_id;
    const first = await command(url, 'set d=1', { client_id, request_id: 1 });
    expect(first.body).toMatchObject({ success: true, result: null });
    expect((await command(url, 'set d=2', { client_id, request_id: 2 })).status).toBe(200);
    const retry = await command(url, 'set d=1', { client_id, request_id: 1 });
    expect(retry.body).toMatchObject({ success: true, result: null, duplicate: true });
    expect((await command(url, 'get d')).body.result).toBe('2');
  });

  it('pages through the whole log with GET /log', async () => {
    const leader = await cluster.waitForLeader(2000);
    const url = cluster.url(leader.node_id);
    const page = await http(`${url}/log?from=2&limit=3`);
    expect(page.status).toBe(200);
    expect((page.body.entries as LogEntry[]).map((e) => e.index)).toEqual([2, 3, 4]);
    expect(page.body.next).toBe(5);
    const status = (await http(`${url}/status`)).body as NodeStatus;
    expect(status.log_start).toBe(1);
    expect(status.log.length).toBe(status.log_length);
    expect((await http(`${url}/log?limit=5000`)).status).toBe(400);
  });

  it('elects a new leader in a higher term within 2 s of SIGKILLing the leader', async () => {
    const old = await cluster.waitForLeader(2000);
    await cluster.kill(old.node_id);
    const killedAt = Date.now();
    const next = await cluster.waitFor(
      (ss) => {
        const l = leaderOf(ss);
        return l && l.term > old.term ? l : null;
      },
      2000,
      'a new leader',
    );
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(next.node_id).not.toBe(old.node_id);
    const after = await command(cluster.url(next.node_id), 'set after=failover');
    expect(after.status).toBe(200);
    // The killed node catches up once restarted.
    await cluster.restart(old.node_id);
    const leaderLog = async () => {
      const ss = await cluster.statuses();
      const l = leaderOf(ss);
      const me = ss[Number(old.node_id) - 1];
      const applied = me && (me.last_applied as number) >= (after.body.index as number);
      return l && me && applied && me.log_length === l.log_length ? me : null;
    };
    const caughtUp = await waitFor(`node${old.node_id} to catch up`, leaderLog, { timeoutMs: 5000 });
    expect((caughtUp.kv as Record<string, string>).after).toBe('failover');
  });

  it('makes no progress with three of five nodes killed (503 timeout or no_leader)', async () => {
    const leader = await cluster.waitForLeader(2000);
    const followers = cluster.nodes().filter((n) => n.id !== leader.node_id);
    await Promise.all(followers.slice(0, 3).map((f) => cluster.kill(f.id)));
    const r = await command(cluster.url(leader.node_id), 'set lonely=1');
    expect(r.status).toBe(503);
    expect(['timeout', 'no_leader']).toContain(r.body.error);
    if (r.body.error === 'timeout') expect(typeof r.body.index).toBe('number');
    await Promise.all(followers.slice(0, 3).map((f) => cluster.restart(f.id)));
    // The command may still commit now that a majority is back; it must never be lost if it does.
    await cluster.waitForLeader(3000);
  });

  it('keeps every committed entry when all five are killed and restarted', async () => {
    const leader = await cluster.waitForLeader(3000);
    const ok = await command(cluster.url(leader.node_id), 'set durable=yes');
    expect(ok.status).toBe(200);
    const s = (await http(`${cluster.url(leader.node_id)}/status`)).body as NodeStatus;
    committed = s.log.filter((e) => e.index <= (s.commit_index as number));
    expect(committed.length).toBeGreaterThan(40);
    await Promise.all(cluster.nodes().map((n) => cluster.kill(n.id)));
    await cluster.start();
    await cluster.waitForLeader(3000);
    const all = await cluster.waitFor(
      (ss) => (ss.every((x) => x !== null && (x.last_applied as number) >= committed.length) ? ss : null),
      5000,
      'every node to apply the old committed entries again',
    );
    for (const st of all) {
      const log = st!.log;
      for (const e of committed) expect(log[e.index - 1], `node${st!.node_id} entry ${e.index}`).toEqual(e);
      expect(st!.kv).toMatchObject({ x: '42', after: 'failover', durable: 'yes', batch39: '39' });
    }
  });
});

describe.sequential('durability under load', () => {
  it('never loses an acknowledged command when all five are SIGKILLed in the middle of writes', async () => {
    const leader = await cluster.waitForLeader(3000);
    const url = cluster.url(leader.node_id);
    const acked: { index: number; command: string }[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const cmd = `set w${w}=${i}`;
        try {
          const r = await command(url, cmd);
          if (r.status === 200) acked.push({ index: r.body.index as number, command: cmd });
        } catch {
          return; // the node was killed under this request
        }
      }
    });
    await waitFor('30 acknowledged writes', () => acked.length >= 30, { timeoutMs: 15_000 });
    await Promise.all(cluster.nodes().map((n) => cluster.kill(n.id)));
    stop = true;
    await Promise.all(writers);
    await cluster.start();
    const last = Math.max(...acked.map((a) => a.index));
    const all = await cluster.waitFor(
      (ss) => (ss.every((x) => x !== null && (x.last_applied as number) >= last) ? ss : null),
      10_000,
      'every node to apply every acknowledged entry again',
    );
    for (const st of all) {
      const log = st!.log;
      const byIndex = new Map(log.map((e) => [e.index, e]));
      expect(st!.log_start as number).toBeLessThanOrEqual(Math.min(...acked.map((a) => a.index)));
      for (const a of acked) {
        expect(byIndex.get(a.index)?.command, `node${st!.node_id} entry ${a.index}`).toBe(a.command);
      }
    }
  });
});
