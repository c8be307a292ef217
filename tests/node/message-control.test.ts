// Message-level control on three real nodes (docs/node-api.md, "Messages, links and timers"):
// hold the network in the senders' outboxes, deliver and drop held requests, fault a directed
// link (delay, loss, duplication, reordering), stop an election timer or fire it now — and the
// events the picture draws from: held, sent with the link's delay, lost with the reason and the
// real destination, election timers and heartbeats.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.ts';
import {
  bearer,
  clusterWithAdminForSuite,
  command,
  followEvents,
  http,
  type NodeStatus,
} from './cluster-fixture.ts';

const BASE_PORT = 15211;
// Plain §5.2 elections (PreVote off): a timed-out follower is a candidate at once; and no
// CheckQuorum (§6.2), or a leader whose network is held would step down by itself. The last
// test switches PreVote on (the nodes' default) to see its pre_vote round held the same way.
const { cluster, admin } = clusterWithAdminForSuite({
  size: 3,
  basePort: BASE_PORT,
  env: { COMMAND_TIMEOUT_MS: '20000', PRE_VOTE: '0', CHECK_QUORUM: '0' },
});

type Ev = Record<string, unknown>;
const outbox = async (id: string) =>
  (await http(`${cluster.url(id)}/admin/outbox`, { headers: bearer() })).body as {
    held: boolean;
    messages: { id: string; rpc: string; to: string; entries: number; heartbeat: boolean }[];
  };
const ids = () => cluster.nodes().map((n) => n.id);
const everyNode = (action: string, body: unknown = {}) =>
  Promise.all(ids().map((id) => admin(id, action, body)));
const status = async (id: string) => (await http(`${cluster.url(id)}/status`)).body as unknown as NodeStatus;

let stream: ReturnType<typeof followEvents> | null = null;
async function listen(): Promise<Ev[]> {
  stream = followEvents(ids().map((id) => cluster.url(id)));
  await stream.opened;
  return stream.events;
}
/** Waits for a leader, picks one of its followers and starts following every node's events. */
async function leaderFollowerListening(): Promise<{ leader: NodeStatus; follower: string; events: Ev[] }> {
  const leader = await cluster.waitForUndisputedLeader(10_000);
  const follower = ids().find((id) => id !== leader.node_id)!;
  return { leader, follower, events: await listen() };
}
/** Waits until node `id`'s outbox holds an `rpc` request for each other node; returns those held. */
const heldToOthers = (id: string, rpc: string) =>
  waitFor(
    `${rpc} requests from node ${id} waiting in its outbox`,
    async () => {
      const m = (await outbox(id)).messages.filter((x) => x.rpc === rpc);
      return m.length >= ids().length - 1 ? m : null;
    },
    { timeoutMs: 10_000 },
  );
/** Matches a node event of `type` (rpc, rpc_lost, …) whose fields equal `fields` (e.g. `{ dir: 'recv', id }`). */
const where =
  (type: string, fields: Ev = {}) =>
  (e: Ev): boolean =>
    e.type === type && Object.entries(fields).every(([k, v]) => e[k] === v);
const seen = (events: Ev[], what: string, pred: (e: Ev) => boolean, timeoutMs = 10_000) =>
  waitFor(what, () => events.find(pred), { timeoutMs });

afterEach(async () => {
  stream?.close();
  stream = null;
  // Every test leaves a whole cluster with a leader behind.
  await everyNode('heal');
  await everyNode('link', {});
  await cluster.waitForUndisputedLeader(20_000);
});

/**
 * Holds every outbox and pauses every election timer, and returns the leader of the frozen
 * cluster: the leader of the highest term any node knows. Under load, a follower's timer can fire
 * between the wait for a leader and the freeze; if an election was in flight, the freeze is undone and
 * tried again, so the test starts from a leader nobody has deposed.
 */
async function frozenWithLeader({ committed = false } = {}): Promise<NodeStatus> {
  for (let attempt = 1; ; attempt++) {
    const settled = await cluster.waitForUndisputedLeader(10_000);
    // With `committed`: from a leader whose whole log (its no-op) is committed.
    if (committed)
      await waitFor('the no-op to commit', async () => {
        const s = await status(settled.node_id);
        return s.commit_index === s.log_length && s.commit_index > 0;
      });
    await everyNode('hold', { held: true });
    await everyNode('timer', { paused: true });
    const all = await Promise.all(ids().map(status));
    const top = Math.max(...all.map((s) => s.term));
    const leader = all.find(
      (s) => s.state === 'leader' && s.term === top && (!committed || s.commit_index === s.log_length),
    );
    if (leader) return leader;
    if (attempt === 3) throw new Error(`no leader of term ${top} after freezing the cluster three times`);
    await everyNode('heal');
  }
}

describe.sequential('message-level control', () => {
  it('a held append_entries is not acknowledged: the command commits only once it is delivered', async () => {
    const events = await listen();
    // Every message held and every follower's timer paused: nobody can depose the leader while
    // its appends wait, however long this takes on a loaded machine.
    const leader = await frozenWithLeader({ committed: true });
    const before = leader.commit_index;
    const pending = command(cluster.url(leader.node_id), 'set held=1');
    const held = await waitFor(
      'the leader to hold append_entries carrying the command',
      async () => {
        const o = await outbox(leader.node_id);
        const withEntries = o.messages.filter((m) => m.rpc === 'append_entries' && m.entries > 0);
        return withEntries.length >= 2 ? withEntries : null;
      },
      { timeoutMs: 10_000 },
    );
    expect(events.some(where('rpc_held', { id: held[0]!.id }))).toBe(true);
    // Nothing left the leader: no follower has the entry, and the leader cannot commit it.
    for (const id of ids().filter((x) => x !== leader.node_id)) {
      expect((await status(id)).log.some((e) => e.command === 'set held=1')).toBe(false);
    }
    expect((await status(leader.node_id)).commit_index).toBe(before);

    // Deliver one follower's copy: with the leader that is a majority of three (§5.3).
    const first = held[0]!;
    const r = await admin(leader.node_id, 'deliver', { ids: [first.id] });
    expect(r.status).toBe(200);
    expect(r.body.detail).toContain(first.id);
    const recv = await seen(
      events,
      'the follower to receive it',
      where('rpc', { dir: 'recv', id: first.id }),
    );
    expect(recv.node_id).toBe(first.to);
    // The reply travels back on the request's connection: it is never held.
    await seen(
      events,
      'its reply to reach the leader',
      where('rpc', { kind: 'response', dir: 'recv', id: first.id }),
    );
    const answer = await pending;
    expect(answer.status).toBe(200);
  });

  it('a message that is not held cannot be delivered or dropped, and says what to do', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const r = await admin(leader.node_id, 'deliver', { ids: ['9.999'] });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'not_held' });
    expect(r.body.detail).toContain('GET /admin/outbox');
    const bad = await admin(leader.node_id, 'drop', { ids: [] });
    expect(bad.status).toBe(400);
  });

  it('a dropped request is lost (reason "dropped") with its real destination and never arrives', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const events = await listen();
    await admin(leader.node_id, 'hold', { held: true });
    const victim = await waitFor('a held heartbeat', async () =>
      (await outbox(leader.node_id)).messages.find((m) => m.heartbeat),
    );
    const r = await admin(leader.node_id, 'drop', { ids: [victim.id] });
    expect(r.status).toBe(200);
    const lost = await seen(events, 'the loss event', where('rpc_lost', { id: victim.id }));
    expect(lost).toMatchObject({
      node_id: leader.node_id,
      from: leader.node_id,
      to: victim.to,
      reason: 'dropped',
    });
    expect((await outbox(leader.node_id)).messages.some((m) => m.id === victim.id)).toBe(false);
    expect(events.some(where('rpc', { dir: 'recv', id: victim.id }))).toBe(false);
  });

  it('releasing the hold sends every held request, oldest first', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const events = await listen();
    await admin(leader.node_id, 'hold', { held: true });
    const held = await waitFor('three held requests', async () => {
      const m = (await outbox(leader.node_id)).messages;
      return m.length >= 3 ? m : null;
    });
    const r = await admin(leader.node_id, 'hold', { held: false });
    expect(r.body.faults).toMatchObject({ held: false, held_count: 0 });
    const sends = await waitFor('the held requests to be sent', () => {
      const s = events.filter((e) => e.type === 'rpc' && e.dir === 'send' && held.some((h) => h.id === e.id));
      return s.length >= held.length ? s : null;
    });
    expect(sends.slice(0, 3).map((e) => e.id)).toEqual(held.slice(0, 3).map((h) => h.id));
  });

  it('heal drops every held request and lifts the hold, the link faults and a stopped timer', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const events = await listen();
    await admin(leader.node_id, 'hold', { held: true });
    await admin(leader.node_id, 'timer', { paused: true });
    await admin(leader.node_id, 'link', { delay_ms: 50, loss: 0.5 });
    const held = await waitFor('two held requests', async () => {
      const m = (await outbox(leader.node_id)).messages;
      return m.length >= 2 ? m : null;
    });
    const r = await admin(leader.node_id, 'heal');
    expect(r.body.faults).toMatchObject({ held: false, held_count: 0, timer_paused: false, links: {} });
    expect(r.body.detail).toContain('dropped');
    for (const h of held) {
      await seen(events, `${h.id} dropped by heal`, where('rpc_lost', { id: h.id, reason: 'dropped' }));
    }
    expect(events.some(where('rpc', { dir: 'send', id: held[0]!.id }))).toBe(false);
  });

  it('a delayed link sends later and says by how much; replies are delayed on the way back', async () => {
    const { leader, follower, events } = await leaderFollowerListening();
    await admin(leader.node_id, 'link', { peers: [follower], delay_ms: 200, jitter_ms: 50 });
    const send = await seen(
      events,
      'a delayed send',
      (e) =>
        where('rpc', { dir: 'send', to: follower, node_id: leader.node_id })(e) &&
        typeof e.delay_ms === 'number',
    );
    expect(send.delay_ms as number).toBeGreaterThanOrEqual(150);
    expect(send.delay_ms as number).toBeLessThanOrEqual(250);
    const recv = await seen(
      events,
      'its arrival',
      where('rpc', { dir: 'recv', id: send.id, kind: 'request' }),
    );
    // Never before its delay: the message waited on the link (a lower bound, not a speed).
    expect((recv.at as number) - (send.at as number)).toBeGreaterThanOrEqual((send.delay_ms as number) - 5);
    const faults = (await status(leader.node_id)).faults;
    expect(faults.links[follower]).toEqual({
      delay_ms: 200,
      jitter_ms: 50,
      loss: 0,
      duplicate: 0,
      reorder: 0,
    });
    // The other direction: the follower's replies to the leader wait on its own link.
    await admin(follower, 'link', { peers: [leader.node_id], delay_ms: 120 });
    const reply = await seen(
      events,
      'a delayed reply',
      where('rpc', { kind: 'response', dir: 'send', node_id: follower, delay_ms: 120 }),
    );
    expect(reply.to).toBe(leader.node_id);
  });

  it('a lossy link loses requests (reason "link_loss") to their real destination', async () => {
    const { leader, follower, events } = await leaderFollowerListening();
    await admin(leader.node_id, 'link', { peers: [follower], loss: 1 });
    const lost = await seen(events, 'a lost request', where('rpc_lost', { reason: 'link_loss' }));
    expect(lost).toMatchObject({ from: leader.node_id, to: follower, kind: 'request' });
    expect(events.some(where('rpc', { dir: 'recv', id: lost.id }))).toBe(false);
  });

  it('duplication sends a request twice; reordering lets the next request overtake', async () => {
    const { leader, follower, events } = await leaderFollowerListening();
    await admin(leader.node_id, 'link', { peers: [follower], duplicate: 1 });
    const dup = await seen(
      events,
      'a duplicate arriving',
      (e) => e.type === 'rpc' && e.dir === 'recv' && String(e.id).endsWith('-dup'),
    );
    const original = String(dup.id).replace(/-dup$/, '');
    await seen(events, 'the original arriving too', where('rpc', { dir: 'recv', id: original }));

    await admin(leader.node_id, 'link', { peers: [follower], reorder: 1 });
    const mark = events.length;
    // With reorder 1 every request waits for the next one, which leaves first: sends go 2, 1, 4, 3…
    const sends = await waitFor('four sends on the reordered link', () => {
      const s = events
        .slice(mark)
        .filter(where('rpc', { dir: 'send', node_id: leader.node_id, to: follower }));
      return s.length >= 4 ? s : null;
    });
    const seqs = sends.map((e) => Number(String(e.id).split('.')[1]));
    expect(seqs.some((n, i) => i > 0 && n < seqs[i - 1]!)).toBe(true);
  });

  it('lost messages keep their real destination: partitioned, and peer down', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const [a, b] = ids().filter((id) => id !== leader.node_id) as [string, string];
    const events = await listen();
    await admin(leader.node_id, 'partition', { peers: [a], direction: 'outbound' });
    const cut = await seen(events, 'a request lost at the cut', where('rpc_lost', { reason: 'partitioned' }));
    expect(cut).toMatchObject({ from: leader.node_id, to: a });
    await admin(leader.node_id, 'heal');
    await cluster.kill(b);
    try {
      const down = await seen(
        events,
        'a request to the killed node',
        where('rpc_lost', { to: b, from: leader.node_id }),
      );
      expect(['peer_down', 'timed_out']).toContain(down.reason);
    } finally {
      await cluster.restart(b);
    }
  });

  it('election timers: each reset reports its random timeout scaled by speed; leaders report heartbeats', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const events = await listen();
    await everyNode('speed', { factor: 0.5 });
    try {
      const reset = await seen(
        events,
        'a follower timer reset at half speed',
        (e) => e.type === 'election_timer' && e.state === 'running' && (e.timeout_ms as number) >= 600,
      );
      // ELECTION_TIMEOUT_MIN_MS..MAX_MS = 300..600 ms, twice as long at speed 0.5 (§5.2's random range).
      expect(reset.timeout_ms as number).toBeLessThanOrEqual(1200);
      expect(reset.remaining_ms as number).toBeLessThanOrEqual(reset.timeout_ms as number);
      const hb = await seen(events, 'a heartbeat at half speed', where('heartbeat', { interval_ms: 100 }));
      expect(hb.node_id).toBe(leader.node_id);
      const stopped = await seen(
        events,
        "the leader's stopped timer",
        where('election_timer', { node_id: leader.node_id }),
      );
      expect(stopped.state).toBe('stopped');
    } finally {
      await everyNode('speed', { factor: 1 });
    }
  });

  it('a paused election timer keeps its node a follower while the others time out', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const [stay, go] = ids().filter((id) => id !== leader.node_id) as [string, string];
    const events = await listen();
    await admin(stay, 'timer', { paused: true });
    await seen(events, 'the paused timer event', where('election_timer', { node_id: stay, state: 'paused' }));
    await everyNode('hold', { held: true });
    // Nothing arrives anywhere now: the running timer runs out, the paused one does not.
    await waitFor(
      'the other follower to become a candidate',
      async () => (await status(go)).state === 'candidate',
      { timeoutMs: 10_000 },
    );
    const s = await status(stay);
    expect(s.state).toBe('follower');
    expect(s.term).toBe(leader.term);
    expect(s.faults.timer_paused).toBe(true);
  });

  it('timeout makes a follower a candidate at once; a leader has no election timer to fire', async () => {
    const leader = await frozenWithLeader();
    const follower = ids().find((id) => id !== leader.node_id)!;
    const r = await admin(follower, 'timeout');
    expect(r.status).toBe(200);
    const s = await status(follower);
    expect(s.state).toBe('candidate');
    expect(s.term).toBe(leader.term + 1);
    expect(s.voted_for).toBe(follower);
    const refused = await admin(leader.node_id, 'timeout');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('a leader has no election timer');
    // Its request_votes wait in its outbox, one per peer (they leave its Ready once its vote is on disk).
    const held = await heldToOthers(follower, 'request_vote');
    expect(held.map((m) => m.to).sort()).toEqual(
      ids()
        .filter((id) => id !== follower)
        .sort(),
    );
  });

  it('with PreVote on, timeout makes a pre-candidate in the same term; its pre_votes wait in its outbox (§9.6)', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const follower = ids().find((id) => id !== leader.node_id)!;
    const others = ids().filter((id) => id !== follower);
    await everyNode('switches', { pre_vote: true });
    try {
      await everyNode('hold', { held: true });
      await everyNode('timer', { paused: true });
      const before = (await status(follower)).term;
      expect((await admin(follower, 'timeout')).status).toBe(200);
      const s = await status(follower);
      expect(s.state).toBe('pre_candidate');
      // §9.6: asking "could I win?" changes no term.
      expect(s.term).toBe(before);
      const held = await heldToOthers(follower, 'pre_vote');
      expect(held.map((m) => m.to).sort()).toEqual(others.sort());
      expect((await outbox(follower)).messages.some((m) => m.rpc === 'request_vote')).toBe(false);
    } finally {
      await everyNode('switches', { pre_vote: false });
    }
  });

  it('an in-place reset forgets the outbox, the link faults and a stopped timer, as a fresh process would', async () => {
    const leader = await cluster.waitForUndisputedLeader(10_000);
    const id = leader.node_id;
    await admin(id, 'link', { delay_ms: 100 });
    await admin(id, 'timer', { paused: true });
    await admin(id, 'hold', { held: true });
    await waitFor(
      'a heartbeat held in the leader’s outbox',
      async () => (await outbox(id)).messages.length > 0,
      {
        timeoutMs: 10_000,
      },
    );
    const r = await admin(id, 'reset', { isolated: false });
    expect(r.status).toBe(200);
    const after = await outbox(id);
    expect(after.held).toBe(false);
    expect(after.messages).toEqual([]);
    const f = (await status(id)).faults;
    expect(f.held_count).toBe(0);
    expect(f.timer_paused).toBe(false);
    expect(f.links).toEqual({});
  });
});
