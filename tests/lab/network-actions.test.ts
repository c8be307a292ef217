// The message-level cluster actions against a REAL local cluster (docs/lesson-format.md,
// "Messages, links and timers"): hold, timers, wait candidate, deliver and drop held requests,
// a staged split vote, link faults, the view words — and that heal and reset undo them. The
// session follows the nodes' event streams, so the history checks see what the learner did.
import { describe, expect, it } from 'vitest';
import type { LiveMessage } from '../../server/contract/live.ts';
import { sessionForSuite } from './start-test-session.ts';

const BASE_PORT = 14721;
const t = sessionForSuite({
  basePort: BASE_PORT,
  lessonId: 'network-actions-test',
  session: { followEvents: true, pollIntervalMs: 200 },
  // Plain §5.2 elections, as lesson 2½ holds them: no PreVote round, no leader stickiness.
  firstCell: 'wait leader 20s\nprevote off\ncheckquorum off',
});
const { run, expectOk } = t;

async function expectNoLinkFaults(): Promise<void> {
  const s = await t.session.snapshot();
  expect(s.nodes.map((n) => n.status?.faults.links)).toEqual(s.nodes.map(() => ({})));
  expect(t.backend.network.changed).toBe(false);
}

describe.sequential('message-level cluster actions', () => {
  it('hold, let one timer run out, then deliver and drop its request_votes one at a time', async () => {
    await expectOk(
      'cluster',
      'speed 0.5\nhold\npause timers\nresume timer {{follower}}\nwait candidate 30s\npause timers',
    );
    await expectOk('check', 'every node: faults.held == true\nevery node: faults.timer_paused == true');
    const delivered = await expectOk('cluster', 'deliver next request_vote');
    expect(delivered.cluster!.actions[0]!.detail).toMatch(
      /^delivered request_vote \S+ node\d→node\d \(term \d+\)$/,
    );
    const dropped = await expectOk('cluster', 'drop next request_vote');
    expect(dropped.cluster!.actions[0]!.detail).toMatch(/^dropped request_vote/);
    await expectOk('check', 'dropped request_vote >= 1\ndelivered request_vote >= 1');
  });

  it('says what is held when nothing matches, and what to do when nothing is held', async () => {
    const none = await run('cluster', 'deliver next request_vote from node1 to node1');
    expect(none.ok).toBe(false);
    expect(none.cluster!.actions[0]!.detail).toContain('no held request_vote from node1 to node1');
    expect(none.cluster!.actions[0]!.detail).toContain('Held now:');
    await expectOk('cluster', 'heal\nwait leader 20s');
    const idle = await run('cluster', 'drop next');
    expect(idle.cluster!.actions[0]!.detail).toContain('run `hold` first');
  });

  it('heal undoes the hold, link faults and stopped timers on every node', async () => {
    await expectOk(
      'cluster',
      'hold\npause timers\nlink node1->node2 delay 100ms jitter 10ms loss 10%\nwires delay 20ms',
    );
    await expectOk('check', 'node1.faults.links.2.delay_ms == 20\nnode3.faults.links.5.delay_ms == 20');
    await expectOk('cluster', 'link node1->node2 delay 100ms loss 10%');
    await expectOk('check', 'node1.faults.links.2.loss == 0.1\nnode2.faults.links.1.delay_ms == 20');
    await expectOk('cluster', 'heal');
    await expectOk(
      'check',
      'every node: faults.held == false\nevery node: faults.timer_paused == false\nevery node: faults.held_count == 0',
    );
    await expectNoLinkFaults();
    await expectOk('cluster', 'wait leader 20s');
  });

  it('stages a split vote: every follower times out at once, then the timers resolve it in a later term (§5.2)', async () => {
    await expectOk('cluster', 'hold\npause timers\ntimeout followers\nrelease');
    await expectOk('check', 'max candidates in a term >= 2');
    await expectOk('cluster', 'resume timers\nwait leader 30s');
    await expectOk('check', 'timeout: 20s\nsplit votes >= 1\nleaders == 1');
  });

  it('show, hide and highlight tell the picture what to show on the live channel', async () => {
    const seen: LiveMessage[] = [];
    const off = t.session.hub.subscribe((m) => {
      if (m.type === 'view') seen.push(m);
    });
    try {
      await expectOk('cluster', 'show heartbeats\nhide timeline\nhighlight node3\nhighlight off');
    } finally {
      off();
    }
    expect(seen.map((m) => (m.type === 'view' ? m.directive : null))).toEqual([
      { kind: 'show', part: 'heartbeats' },
      { kind: 'hide', part: 'timeline' },
      { kind: 'highlight', node: '3', message: null },
      { kind: 'highlight', node: null, message: null },
    ]);
  });

  it('reset gives a whole network: nothing held, no link faults, timers running', async () => {
    await expectOk('cluster', 'hold\npause timer node2\nwires delay 30ms');
    await expectOk('cluster', 'reset');
    await expectOk('check', 'every node: faults.held == false\nevery node: faults.timer_paused == false');
    await expectNoLinkFaults();
    // A node restarted later does not get the old faults back.
    await expectOk('cluster', 'kill node2\nrestart node2\nwait leader 20s');
    await expectOk('check', 'node2.faults.held == false\nnode2.faults.timer_paused == false');
  });

  it('a new partition never lifts a cut both partitions keep: the hold, held requests and stopped timers stay through it (issue 11)', async () => {
    // Lesson 11 failed once: moving between partitions healed every node first, and in that
    // moment its isolated S2 gave a vote. A heal also drops held requests, which shows it here.
    await expectOk(
      'cluster',
      'partition node1 | node2,node3,node4,node5\nhold\npause timers\ntimeout followers',
    );
    const before = await t.backend.network.heldMessages();
    expect(before.length).toBeGreaterThan(0);
    await expectOk('cluster', 'partition node1 | node2,node3 | node4,node5');
    const after = await t.backend.network.heldMessages();
    expect(after.map((m) => m.id)).toEqual(expect.arrayContaining(before.map((m) => m.id)));
    await expectOk('check', 'every node: faults.held == true\nevery node: faults.timer_paused == true');
    const cuts = (await t.session.snapshot()).nodes.map((n) => [n.id, n.status?.faults.cut_outbound]);
    expect(cuts).toEqual([
      ['1', ['2', '3', '4', '5']],
      ['2', ['1', '4', '5']],
      ['3', ['1', '4', '5']],
      ['4', ['1', '2', '3']],
      ['5', ['1', '2', '3']],
    ]);
    await expectOk('cluster', 'heal\nwait leader 20s');
  });

  it('a restarted node gets the cluster’s hold and its stopped timer back', async () => {
    await expectOk('cluster', 'hold\npause timer node4\nkill node4\nrestart node4');
    await expectOk('check', 'node4.faults.held == true\nnode4.faults.timer_paused == true');
    await expectOk('cluster', 'heal\nwait leader 20s');
  });

  it('the trace of the run has the events with the nodes’ ids, the samples and the actions', async () => {
    const trace = t.session.recorder.trace();
    expect(trace.format).toBe('raft-lab-trace');
    expect(trace.events.length).toBeGreaterThan(100);
    expect(trace.events[0]!.id).toMatch(/^[0-9a-z]+-\d+$/);
    expect(trace.events.some((e) => e.event.type === 'rpc_held')).toBe(true);
    expect(trace.events.some((e) => e.event.type === 'rpc_lost' && e.event.reason === 'dropped')).toBe(true);
    expect(trace.events.some((e) => e.event.type === 'election_timer')).toBe(true);
    expect(trace.samples.length).toBeGreaterThan(0);
    expect(trace.actions.some((a) => a.text === 'hold')).toBe(true);
    const page = t.session.recorder.trace({ after: trace.events[9]!.n, limit: 5 });
    expect(page.events.map((e) => e.n)).toEqual(trace.events.slice(10, 15).map((e) => e.n));
    expect(page.more).toBe(true);
  });
});
