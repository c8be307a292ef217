// PreVote with CheckQuorum, linearizable reads and leadership transfer on five real node
// processes (issue 13): what dissertation §9.6, §6.4 and §3.10 promise, seen over HTTP.
// Timers are slowed (heartbeat 100 ms, election 1–2 s) so a busy machine causes no stray elections.

import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../server/cluster/local-cluster.ts';
import { clusterWithAdminForSuite, command, http } from './cluster-fixture.ts';

const { cluster, admin } = clusterWithAdminForSuite({
  size: 5,
  basePort: 15311,
  heartbeatMs: 100,
  electionTimeoutMinMs: 1000,
  electionTimeoutMaxMs: 2000,
  startTimeoutMs: 90_000,
});
const ids = () => cluster.nodes().map((n) => n.id);
const status = async (id: string) => (await http(`${cluster.url(id)}/status`)).body as unknown as NodeStatus;
const everyNode = (body: unknown) => Promise.all(ids().map((id) => admin(id, 'switches', body)));
/** Cuts `id` off from every other node, both ways (the others' requests vanish, its own fail). */
const isolate = (id: string) =>
  admin(id, 'partition', { peers: ids().filter((p) => p !== id), direction: 'both' });
const healAll = () => Promise.all(ids().map((id) => admin(id, 'heal')));
const settledLeader = () =>
  cluster.waitFor(
    (ss) => {
      const leaders = ss.filter((s) => s?.state === 'leader');
      const l = leaders.length === 1 ? leaders[0]! : undefined;
      return l && ss.every((s) => s && s.term === l.term && s.leader_id === l.node_id) ? l : undefined;
    },
    30_000,
    'one leader that every node follows',
  );

describe.sequential('PreVote and CheckQuorum (dissertation §9.6, §4.2.3)', () => {
  it('/status shows PreVote and CheckQuorum on and reads by ReadIndex by default', async () => {
    await settledLeader();
    for (const id of ids()) {
      expect((await status(id)).switches).toEqual({
        pre_vote: true,
        check_quorum: true,
        read_mode: 'read_index',
      });
    }
  });

  it('with PreVote on, a follower cut off for a while stays in its term as pre_candidate and rejoins without deposing the leader (§9.6)', async () => {
    const leader = await settledLeader();
    const f = ids().find((id) => id !== leader.node_id)!;
    await isolate(f);
    // It campaigns alone: PreVotes only, so its term never rises.
    const alone = await cluster.waitFor(
      (ss) => (ss.find((s) => s?.node_id === f && s.state === 'pre_candidate') ? ss : undefined),
      20_000,
      `node ${f} campaigning as pre_candidate`,
    );
    expect(alone.find((s) => s?.node_id === f)?.term).toBe(leader.term);
    await healAll();
    await cluster.waitFor(
      (ss) => ss.find((s) => s?.node_id === f && s.state === 'follower' && s.leader_id === leader.node_id),
      20_000,
      `node ${f} following node ${leader.node_id} again`,
    );
    const after = await status(leader.node_id);
    expect(after).toMatchObject({ state: 'leader', term: leader.term });
  });

  it('with PreVote off, the same rejoining follower forces an election in a higher term (§9.6: the disruption)', async () => {
    await everyNode({ pre_vote: false });
    const leader = await settledLeader();
    const f = ids().find((id) => id !== leader.node_id)!;
    await isolate(f);
    await cluster.waitFor(
      (ss) => ss.find((s) => s?.node_id === f && s.term >= leader.term + 2),
      30_000,
      `node ${f} raising its term alone`,
    );
    const raised = (await status(f)).term;
    await healAll();
    // Its higher term reaches the leader in a reply to append_entries: the leader steps down (Figure 2).
    const next = await settledLeader();
    expect(next.term).toBeGreaterThan(raised);
    await everyNode({ pre_vote: true });
  });

  it('a vote request under leader stickiness is answered 409 `ignored`, saying why (§4.2.3)', async () => {
    const leader = await settledLeader();
    const [f, candidate] = ids().filter((id) => id !== leader.node_id);
    const r = await http(`${cluster.url(f!)}/request_vote`, {
      body: { term: leader.term + 50, candidate_id: candidate, last_log_index: 0, last_log_term: 0 },
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'ignored' });
    expect(String(r.body.detail)).toContain('leader stickiness');
    expect(await status(leader.node_id)).toMatchObject({ state: 'leader', term: leader.term });
  });
});

describe.sequential('linearizable reads (dissertation §6.4)', () => {
  it('`get` is answered by ReadIndex without a log entry', async () => {
    const leader = await settledLeader();
    const url = cluster.url(leader.node_id);
    expect((await command(url, 'set r=1')).status).toBe(200);
    const before = (await status(leader.node_id)).log_length;
    const r = await command(url, 'get r');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, result: '1', read: 'read_index' });
    expect((await status(leader.node_id)).log_length).toBe(before);
  });

  it('a leader cut off from the majority never answers a stale read, even with CheckQuorum off; with reads skipping the protocol it does', async () => {
    const old = await settledLeader();
    // CheckQuorum off on the old leader: it keeps believing it leads, so only ReadIndex protects the read.
    await admin(old.node_id, 'switches', { check_quorum: false });
    await isolate(old.node_id);
    const others = ids().filter((id) => id !== old.node_id);
    const next = await cluster.waitFor(
      (ss) => ss.find((s) => s && s.node_id !== old.node_id && s.state === 'leader' && s.term > old.term),
      30_000,
      'a new leader among the majority',
    );
    expect((await command(cluster.url(next.node_id), 'set r=2')).status).toBe(200);
    expect((await status(old.node_id)).state).toBe('leader');
    const safe = await command(cluster.url(old.node_id), 'get r');
    expect(safe.status).toBe(503);
    expect(safe.body).toMatchObject({ success: false, error: 'timeout' });
    expect(String(safe.body.detail)).toContain('could not confirm');
    // The lesson's unsafe switch: the same node now answers from its own, stale, state machine.
    await admin(old.node_id, 'switches', { read_mode: 'unsafe_local' });
    const stale = await command(cluster.url(old.node_id), 'get r');
    expect(stale.body).toMatchObject({ success: true, result: '1', read: 'unsafe_local' });
    await admin(old.node_id, 'switches', { read_mode: 'read_index', check_quorum: true });
    await healAll();
    expect(others.length).toBe(4);
  });

  it('a deposed leader with CheckQuorum on steps down and answers reads with no value (§6.4, §6.2)', async () => {
    const old = await settledLeader();
    await isolate(old.node_id);
    await cluster.waitFor(
      (ss) => ss.find((s) => s?.node_id === old.node_id && s.state !== 'leader'),
      20_000,
      `node ${old.node_id} stepping down (CheckQuorum)`,
    );
    const r = await command(cluster.url(old.node_id), 'get r');
    expect([307, 503]).toContain(r.status);
    expect(r.body).toMatchObject({ success: false });
    expect(r.body.result).toBeUndefined();
    await healAll();
  });
});

describe.sequential('leadership transfer (dissertation §3.10)', () => {
  it('POST /admin/transfer_leadership on the leader hands over to the named node, which then leads', async () => {
    const leader = await settledLeader();
    const to = ids().find((id) => id !== leader.node_id)!;
    const r = await admin(leader.node_id, 'transfer_leadership', { to });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, from: leader.node_id, to });
    expect(Number(r.body.term)).toBeGreaterThan(leader.term);
    const next = await settledLeader();
    expect(next.node_id).toBe(to);
  });

  it('refuses on a follower (naming the leader) and for a node not in the cluster', async () => {
    const leader = await settledLeader();
    const f = ids().find((id) => id !== leader.node_id)!;
    const other = ids().find((id) => id !== leader.node_id && id !== f)!;
    const r = await admin(f, 'transfer_leadership', { to: other });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'not_leader', leader_id: leader.node_id });
    expect(String(r.body.detail)).toContain(`node ${leader.node_id}`);
    const unknown = await admin(leader.node_id, 'transfer_leadership', { to: '9' });
    expect(unknown.status).toBe(400);
    expect(String(unknown.body.detail)).toContain('not a member');
  });
});
