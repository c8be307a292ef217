// Membership changes on real node processes (dissertation §4.1–§4.2), one server at a time
// through the leader's /admin: a new server joins as a learner and is promoted, a follower is
// removed, a removed leader steps down (§4.2.2), and a node whose disk was lost rejoins by the
// documented path: remove it, restart it empty with JOINING=1, add it as a learner, promote it.

import { describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../server/cluster/local-cluster.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  ADMIN_TOKEN,
  adminOf,
  clusterPerTest,
  command,
  type HttpResult,
  http,
  type NodeStatus,
} from './cluster-fixture.ts';

const SLOW = 60_000;
/** Three nodes of their own for a test, on `basePort` and up (stopped and deleted after it). */
const cluster3 = clusterPerTest({ size: 3, adminToken: ADMIN_TOKEN, env: { COMMAND_TIMEOUT_MS: '15000' } });

const admin = (c: LocalCluster, id: string, action: string, body: unknown): Promise<HttpResult> =>
  adminOf(c)(id, action, body);
const statusOf = async (c: LocalCluster, id: string) =>
  (await http(`${c.url(id)}/status`)).body as unknown as NodeStatus;

/** Promotes once the learner has caught up (§4.2.1: the leader refuses while it is behind). */
const promote = (c: LocalCluster, leader: string, id: string) =>
  waitFor(
    `node ${id} to be promoted`,
    async () => {
      const r = await admin(c, leader, 'promote', { id });
      if (r.status === 200) return r;
      expect(r.body.error).toBe('learner_behind');
      return null;
    },
    { timeoutMs: SLOW, intervalMs: 200 },
  );

describe.sequential('membership changes on real nodes (dissertation §4.1)', { timeout: 300_000 }, () => {
  it('a fourth node joins as a learner, is promoted to voter (majority 3 of 4), and a follower is removed', async () => {
    const c = await cluster3(15431);
    const leader = await c.waitForLeader(30_000);
    expect(leader.voters).toHaveLength(3);
    await command(leader.leader_url!, 'set before=1');
    const id = c.addMember();
    await c.startNode(id, {}, 90_000);
    const joining = await statusOf(c, id);
    // §4.2.1: it knows no configuration, so it never campaigns on its own.
    expect(joining).toMatchObject({ state: 'follower', voters: [], log_length: 0 });

    const added = await admin(c, leader.node_id, 'add_learner', { id, url: c.url(id) });
    expect(added.status).toBe(200);
    expect(added.body.membership).toMatchObject({ learners: [id], committed: true });
    const learner = await c.waitFor(
      (ss) => (ss[3]?.kv.before === '1' && ss[3].learners.includes(id) ? ss[3] : null),
      SLOW,
      'the learner to receive the log',
    );
    expect(learner.state).toBe('follower');

    const promoted = await promote(c, leader.node_id, id);
    expect((promoted.body.membership as { voters: string[] }).voters).toContain(id);
    const again = await admin(c, leader.node_id, 'promote', { id });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'not_learner' });

    const gone = ['1', '2', '3'].find((x) => x !== leader.node_id)!;
    const removed = await admin(c, leader.node_id, 'remove', { id: gone });
    expect(removed.status).toBe(200);
    expect((removed.body.membership as { voters: string[] }).voters.sort()).toEqual(
      ['1', '2', '3', id].filter((x) => x !== gone).sort(),
    );
    await c.kill(gone); // the docs' advice: shut a removed server down
    const after = await command(leader.leader_url!, 'set after=2');
    expect(after.status).toBe(200);
    const s = await statusOf(c, leader.node_id);
    expect(s.peers.map((p) => p.id).sort()).toEqual(
      ['1', '2', '3', id].filter((x) => x !== gone && x !== leader.node_id).sort(),
    );
  });

  it('a change is refused on a follower and for a server that is not a member', async () => {
    const c = await cluster3(15441);
    const leader = await c.waitForLeader(30_000);
    const follower = ['1', '2', '3'].find((x) => x !== leader.node_id)!;
    const notLeader = await admin(c, follower, 'remove', { id: leader.node_id });
    expect(notLeader.status).toBe(421);
    expect(notLeader.body.error).toBe('not_leader');
    const stranger = await admin(c, leader.node_id, 'promote', { id: '9' });
    expect(stranger.status).toBe(409);
    expect(stranger.body.detail).toContain('add it as a learner first');
    const bad = await admin(c, leader.node_id, 'add_learner', { id: '4' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('url');
  });

  it('a leader that removes itself steps down once the change commits, and the others elect a new one (§4.2.2)', async () => {
    const c = await cluster3(15451);
    const old = await c.waitForLeader(30_000);
    // Dissertation §4.1: a new leader changes the configuration only once an entry of its term
    // has committed (its no-op); until then it refuses with 409 no_commit_in_term.
    const r = await waitFor(
      `node ${old.node_id} to accept removing itself`,
      async () => {
        const answer = await admin(c, old.node_id, 'remove', { id: old.node_id });
        if (answer.status === 200) return answer;
        expect(answer.body.error).toBe('no_commit_in_term');
        return null;
      },
      { timeoutMs: SLOW, intervalMs: 200 },
    );
    expect(r.status).toBe(200);
    const next = await c.waitFor(
      (ss) => ss.find((s) => s?.state === 'leader' && s.node_id !== old.node_id) ?? null,
      SLOW,
      'a leader among the two remaining voters',
    );
    expect(next.voters.sort()).toEqual(['1', '2', '3'].filter((x) => x !== old.node_id));
    const former = await statusOf(c, old.node_id);
    expect(former.state).not.toBe('leader');
    await c.kill(old.node_id);
    expect((await command(next.leader_url!, 'set x=1')).status).toBe(200);
  });

  it('a node that lost its disk rejoins by the documented path: remove, restart empty with JOINING=1, add as learner, promote', async () => {
    const c = await cluster3(15461, { SNAPSHOT_ENTRIES: '20' });
    const leader = await c.waitForLeader(30_000);
    for (let i = 0; i < 30; i++)
      expect((await command(leader.leader_url!, `set k${i}=${i}`)).status).toBe(200);
    const lost = ['1', '2', '3'].find((x) => x !== leader.node_id)!;
    await c.kill(lost);
    await c.wipeNode(lost);
    const removed = await admin(c, leader.node_id, 'remove', { id: lost });
    expect(removed.status).toBe(200);
    await c.startNode(lost, { joining: true }, 90_000);
    const fresh = await statusOf(c, lost);
    // Empty and new: no vote, no term, no configuration, so it can neither vote twice nor campaign.
    expect(fresh).toMatchObject({ term: 0, voted_for: null, voters: [], log_length: 0 });
    const added = await admin(c, leader.node_id, 'add_learner', { id: lost, url: c.url(lost) });
    expect(added.status).toBe(200);
    await promote(c, leader.node_id, lost);
    const back = await c.waitFor(
      (ss) => {
        const s = ss[Number(lost) - 1];
        return s && s.kv.k29 === '29' && s.voters.includes(lost) ? s : null;
      },
      SLOW,
      `node ${lost} to hold every value as a voter again`,
    );
    // The leader had compacted past its log's start: the rejoined node got a snapshot.
    expect(back.snapshot_index).toBeGreaterThan(0);
    expect(back.voters.sort()).toEqual(['1', '2', '3']);
  });
});
