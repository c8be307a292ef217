// /admin fault injection and /events on five real nodes: token checks, partitions, heal,
// pause/resume, slow motion, and the event stream pairing requests with responses.

import { describe, expect, it } from 'vitest';
import { idleFaults } from '../support/node-status.ts';
import {
  bearer,
  clusterWithAdminForSuite,
  command,
  http,
  type NodeStatus,
  readEvents,
} from './cluster-fixture.ts';

const auth = bearer();
const { cluster, admin } = clusterWithAdminForSuite({
  size: 5,
  basePort: 15111,
  env: { COMMAND_TIMEOUT_MS: '10000' },
});

const healAll = () => Promise.all(cluster.nodes().map((n) => admin(n.id, 'heal')));

describe.sequential('admin endpoints', () => {
  it('need the bearer token', async () => {
    const url = cluster.url('1');
    const none = await http(`${url}/admin/faults`);
    expect(none.status).toBe(401);
    expect(none.body.detail).toContain('Authorization: Bearer');
    const wrong = await http(`${url}/admin/pause`, { body: {}, headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    // The refused requests changed nothing.
    expect((await http(`${url}/status`)).body.faults).toEqual(idleFaults('1'));
    const faults = await http(`${url}/admin/faults`, { headers: auth });
    expect(faults.body).toMatchObject({ node_id: '1', paused: false });
  });

  it('a leader cut off from every peer is replaced; on heal it follows the new leader and its uncommitted command is reported overwritten', async () => {
    const old = await cluster.waitForLeader(3000);
    const others = cluster
      .nodes()
      .filter((n) => n.id !== old.node_id)
      .map((n) => n.id);
    // CheckQuorum (on by default, dissertation §6.2) would make the cut-off leader step down before
    // it appends anything; this test is about plain Raft's overwrite (§5.3), so it is off here.
    await admin(old.node_id, 'switches', { check_quorum: false });
    const r = await admin(old.node_id, 'partition', { peers: others });
    expect(r.body.faults).toMatchObject({ cut_inbound: others, cut_outbound: others });
    const next = await cluster.waitFor(
      (ss) => ss.find((s) => s?.state === 'leader' && s.term > old.term) ?? null,
      5000,
      'a leader among the majority side',
    );
    // The cut-off leader appends the command but can never commit it...
    const stuck = command(cluster.url(old.node_id), 'set minority=1');
    await cluster.waitFor(
      (ss) => (ss[Number(old.node_id) - 1]?.log_length as number) > (old.log_length as number),
      5000,
      'the old leader to append the command',
    );
    // ...and the new leader's entries replace it once the partition heals (§5.3).
    expect((await command(cluster.url(next.node_id), 'set majority=1')).status).toBe(200);
    await healAll();
    const lost = await stuck;
    expect(lost.status).toBe(503);
    expect(lost.body).toMatchObject({ error: 'overwritten', success: false });
    expect(lost.body.detail).toContain('never applied');
    await cluster.waitFor(
      (ss) => {
        const o = ss[Number(old.node_id) - 1];
        return o && o.state === 'follower' && o.term >= next.term && o.leader_id !== null ? o : null;
      },
      5000,
      'the old leader to step down after heal',
    );
    await admin(old.node_id, 'switches', { check_quorum: true });
  });

  it("an inbound cut drops the peer's requests without an answer", async () => {
    await admin('2', 'partition', { peers: ['3'], direction: 'inbound' });
    const body = {
      term: 0,
      leader_id: '3',
      prev_log_index: 0,
      prev_log_term: 0,
      entries: [],
      leader_commit: 0,
    };
    const cut = await fetch(`${cluster.url('2')}/append_entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-raft-from': '3' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    }).then(
      () => 'answered',
      (e: Error) => e.name,
    );
    expect(cut).toBe('TypeError'); // "fetch failed": the connection was destroyed
    const fromFour = await http(`${cluster.url('2')}/append_entries`, {
      body: { ...body, leader_id: '4' },
      headers: { 'x-raft-from': '4' },
    });
    expect(fromFour.status).toBe(200);
    expect(fromFour.body).toMatchObject({ node_id: '2', success: false });
    await healAll();
  });

  it('a partition with replace sets exactly the cuts it names, in one step, and an empty one removes them all', async () => {
    await admin('2', 'partition', { peers: ['3', '4'], direction: 'both' });
    const moved = await admin('2', 'partition', { peers: ['4', '5'], direction: 'both', replace: true });
    expect(moved.status).toBe(200);
    expect(moved.body.faults).toMatchObject({ cut_inbound: ['4', '5'], cut_outbound: ['4', '5'] });
    const none = await admin('2', 'partition', { peers: [], replace: true });
    expect(none.body.faults).toMatchObject({ cut_inbound: [], cut_outbound: [] });
    // Without replace an empty list would change nothing: it is refused as a mistake.
    const empty = await admin('2', 'partition', { peers: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toContain('replace');
  });

  it('a paused node holds requests until resumed', async () => {
    const url = cluster.url('4');
    await admin('4', 'pause');
    const held = fetch(`${url}/status`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.json() as Promise<NodeStatus>,
    );
    let settled = false;
    void held.then(() => {
      settled = true;
    });
    const quick = await fetch(`${url}/status`, { signal: AbortSignal.timeout(400) }).then(
      () => 'answered',
      () => 'held',
    );
    expect(quick).toBe('held');
    expect(settled).toBe(false);
    expect((await http(`${url}/admin/faults`, { headers: auth })).body.paused).toBe(true);
    await admin('4', 'resume');
    const s = await held;
    expect(s.node_id).toBe('4');
    expect(s.faults).toMatchObject({ paused: false });
  });

  it('slow motion (speed 0.1) stretches election timeouts tenfold', async () => {
    const ids = cluster.nodes().map((n) => n.id);
    const leader = await cluster.waitForUndisputedLeader(3000);
    // Followers first: a follower still at full speed would time out (300-600 ms) on a leader
    // already sending slow-motion heartbeats (every 500 ms), and elect another.
    await Promise.all(
      ids.filter((id) => id !== leader.node_id).map((id) => admin(id, 'speed', { factor: 0.1 })),
    );
    await admin(leader.node_id, 'speed', { factor: 0.1 });
    const old = await cluster.waitForUndisputedLeader(3000);
    await cluster.kill(old.node_id);
    const killedAt = Date.now();
    try {
      const next = await cluster.waitFor(
        (ss) => ss.find((s) => s?.state === 'leader' && s.term > old.term) ?? null,
        15_000,
        'a leader in slow motion',
      );
      // 300-600 ms at normal speed become 3-6 s.
      expect(Date.now() - killedAt).toBeGreaterThan(2500);
      expect(next.term).toBeGreaterThan(old.term);
    } finally {
      // The next tests need the whole cluster at full speed, whatever happened above.
      await Promise.all(
        ids.filter((id) => id !== old.node_id).map((id) => admin(id, 'speed', { factor: 1 })),
      );
      await cluster.restart(old.node_id);
    }
    const bad = await admin(ids[0]!, 'speed', { factor: 0 });
    expect(bad.status).toBe(400);
  });
});

describe('the event stream', () => {
  it('pairs each append_entries request with its response by id, across nodes', async () => {
    const leader = await cluster.waitForLeader(3000);
    const follower = cluster.nodes().find((n) => n.id !== leader.node_id)!;
    const isPair = (evs: Record<string, unknown>[]) => {
      const recv = evs.find(
        (e) => e.type === 'rpc' && e.dir === 'recv' && e.kind === 'request' && e.rpc === 'append_entries',
      );
      return recv
        ? evs.find((e) => e.type === 'rpc' && e.dir === 'send' && e.kind === 'response' && e.id === recv.id)
        : undefined;
    };
    const evs = await readEvents(follower.url, (e) => isPair(e) !== undefined, 5000);
    const response = isPair(evs)!;
    expect(response).toMatchObject({
      node_id: follower.id,
      from: follower.id,
      to: leader.node_id,
      rpc: 'append_entries',
    });
    expect(typeof response.seq).toBe('number');
    expect(String(response.id)).toMatch(new RegExp(`^${leader.node_id}\\.`));
  });

  it('shows commits and admin actions as they happen', async () => {
    const leader = await cluster.waitForLeader(3000);
    const evs = await readEvents(
      cluster.url(leader.node_id),
      (e) => e.some((x) => x.type === 'commit') && e.some((x) => x.type === 'admin' && x.action === 'heal'),
      5000,
      async () => {
        await command(cluster.url(leader.node_id), 'set seen=1');
        await admin(leader.node_id, 'heal');
      },
    );
    expect(evs.find((e) => e.type === 'admin')).toMatchObject({ action: 'heal', node_id: leader.node_id });
  });

  it('reset makes every node a fresh follower in place, isolated until heal, then the cluster elects anew', async () => {
    const leader = await cluster.waitForLeader(3000);
    expect((await command(cluster.url(leader.node_id), 'set before_reset=1')).status).toBe(200);
    await admin(leader.node_id, 'speed', { factor: 2 });
    await admin('3', 'pause');
    const pids = cluster.nodes().map((n) => n.pid);
    const answers = await Promise.all(cluster.nodes().map((n) => admin(n.id, 'reset', { isolated: true })));
    const others = (id: string) =>
      cluster
        .nodes()
        .map((n) => n.id)
        .filter((x) => x !== id);
    for (const [i, r] of answers.entries()) {
      const id = String(i + 1);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, action: 'reset' });
      // Every fault healed (pause, speed, the message-level ones), and cut off from every peer until heal.
      expect(r.body.faults).toEqual({
        node_id: id,
        paused: false,
        speed: 1,
        cut_inbound: others(id),
        cut_outbound: others(id),
        noop_on_election: true,
        held: false,
        held_count: 0,
        timer_paused: false,
        links: {},
      });
    }
    const fresh = await Promise.all(cluster.nodes().map((n) => http(`${n.url}/status`)));
    for (const s of fresh) {
      // Term 0, no vote, nothing in the log or the store: unless its own timer already made it a
      // lone candidate, which cannot reach anyone while it is isolated.
      expect(s.body.log_length).toBe(0);
      expect(s.body.kv).toEqual({});
      expect(s.body.commit_index).toBe(0);
      expect(s.body.state === 'follower' || s.body.state === 'candidate').toBe(true);
      if (s.body.state === 'follower')
        expect(s.body).toMatchObject({ term: 0, voted_for: null, leader_id: null });
    }
    // The same processes: no restart.
    expect(cluster.nodes().map((n) => n.pid)).toEqual(pids);
    await healAll();
    const next = await cluster.waitForLeader(10_000);
    const committed = await command(cluster.url(next.node_id), 'set after_reset=1');
    expect(committed.status).toBe(200);
    expect(committed.body.index).toBeLessThanOrEqual(2); // the new leader's no-op, then this
    const all = await cluster.waitFor(
      (ss) => (ss.every((x) => x?.kv.after_reset === '1') ? ss : null),
      5000,
      'every node to apply the command',
    );
    for (const s of all) expect(s!.kv).toEqual({ after_reset: '1' });
  });
});
