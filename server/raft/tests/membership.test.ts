// Membership changes one server at a time (dissertation §4.1), learners that catch up before
// they vote (§4.2.1), removing the leader (§4.2.2), and the 2015 raft-dev fix.

import { describe, expect, test } from 'vitest';
import type { RaftCore } from '../core.ts';
import type { Configuration, MembershipResult } from '../types.ts';
import {
  appendEntries,
  appendResponse,
  cluster,
  config,
  configEntry,
  drain,
  ELECTION_MAX,
  ELECTION_MIN,
  elect,
  entry,
  HEARTBEAT,
  leaderOfTerm1,
  newCore,
  ofType,
  requestVote,
  sent,
  settle,
  ticks,
  voteResponse,
} from './harness.ts';

/** Leader '1' of term 1 in {1,2,3}, its no-op committed and acknowledged by both followers. */
const leader = (): RaftCore => leaderOfTerm1({}, ['2', '3']);

function ok(r: MembershipResult): number {
  if (!r.ok) throw new Error(`refused: ${r.reason}: ${r.detail}`);
  return r.entry.index;
}

describe('dissertation §4.1 configuration entries', () => {
  test('a change is an entry holding the whole new configuration, in effect on the leader at once', () => {
    const core = leader();
    const index = ok(core.changeMembership({ kind: 'add_learner', id: '4', address: 'http://h:5004' }));
    expect(core.entries(index, index)).toEqual([
      configEntry(index, 1, {
        voters: ['1', '2', '3'],
        learners: ['4'],
        addresses: { '4': 'http://h:5004' },
      }),
    ]);
    expect(core.configuration.learners).toEqual(['4']); // before it commits
    const ready = drain(core);
    expect(ready.configuration?.learners).toEqual(['4']);
    expect(
      ofType(ready.messages, 'append_entries')
        .map((m) => m.to)
        .sort(),
    ).toEqual(['2', '3', '4']);
  });

  test('a follower uses a configuration as soon as it is in its log, and goes back when the entry is cut', () => {
    const core = newCore();
    const c4 = config(['1', '2', '3', '4']);
    core.step(appendEntries('2', '1', 1, 0, 0, [entry(1, 1), configEntry(2, 1, c4)], 1));
    expect(core.configuration).toEqual(c4);
    expect(drain(core).configuration).toEqual(c4);
    core.step(appendEntries('3', '1', 2, 1, 1, [entry(2, 2)], 1)); // a new leader never had it
    expect(core.configuration).toEqual(config(['1', '2', '3']));
    expect(drain(core).configuration).toEqual(config(['1', '2', '3']));
  });

  test('one change at a time: another change before the last one commits is refused', () => {
    const core = leader();
    ok(core.changeMembership({ kind: 'add_learner', id: '4' }));
    const r = core.changeMembership({ kind: 'remove', id: '3' });
    expect(r).toMatchObject({ ok: false, reason: 'change_in_progress' });
    core.step(appendResponse('2', '1', 1, true, 2));
    expect(core.commitIndex).toBe(2);
    ok(core.changeMembership({ kind: 'remove', id: '3' }));
  });

  test('a leader that has not committed an entry of its term refuses a change (raft-dev, 2015)', () => {
    const core = newCore({ noopOnElection: false, state: { currentTerm: 1, log: [entry(1, 1)] } });
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 2, true, 1));
    expect(core.commitIndex).toBe(0);
    expect(core.changeMembership({ kind: 'add_learner', id: '4' })).toMatchObject({
      ok: false,
      reason: 'no_commit_in_term',
    });
    core.propose([{ command: 'set a=1' }]);
    core.step(appendResponse('2', '1', 2, true, 2));
    expect(core.commitIndex).toBe(2);
    ok(core.changeMembership({ kind: 'add_learner', id: '4' }));
  });

  test('only single-server changes of the current configuration', () => {
    const core = leader();
    expect(core.changeMembership({ kind: 'add_learner', id: '2' })).toMatchObject({
      reason: 'already_member',
    });
    expect(core.changeMembership({ kind: 'promote', id: '2' })).toMatchObject({ reason: 'not_learner' });
    expect(core.changeMembership({ kind: 'promote', id: '9' })).toMatchObject({ reason: 'not_member' });
    expect(core.changeMembership({ kind: 'remove', id: '9' })).toMatchObject({ reason: 'not_member' });
    const alone = newCore({ members: ['1'] });
    alone.campaign();
    drain(alone);
    expect(alone.changeMembership({ kind: 'remove', id: '1' })).toMatchObject({ reason: 'last_voter' });
    expect(newCore().changeMembership({ kind: 'remove', id: '2' })).toMatchObject({ reason: 'not_leader' });
  });

  test('a server processes messages from servers outside its configuration', () => {
    const core = newCore(); // {1,2,3}
    core.step(appendEntries('7', '1', 1, 0, 0, [entry(1, 1)], 0));
    expect([core.leaderId, core.lastIndex()]).toEqual(['7', 1]);
    core.step(requestVote('8', '1', 2, 1, 1));
    expect(ofType(sent(core), 'request_vote_response').at(-1)?.voteGranted).toBe(true);
  });

  test('quorums follow the configuration: after a promotion, commitment needs 3 of 4', () => {
    const core = leader();
    const add = ok(core.changeMembership({ kind: 'add_learner', id: '4' }));
    core.step(appendResponse('2', '1', 1, true, add));
    core.step(appendResponse('4', '1', 1, true, add)); // a learner that keeps up
    const promote = ok(core.changeMembership({ kind: 'promote', id: '4' }));
    expect(core.configuration.voters).toEqual(['1', '2', '3', '4']);
    core.step(appendResponse('2', '1', 1, true, promote));
    expect(core.commitIndex).toBe(add); // 2 of 4 is no majority
    core.step(appendResponse('4', '1', 1, true, promote));
    expect(core.commitIndex).toBe(promote);
  });
});

describe('dissertation §4.2.1 learners', () => {
  test('a learner’s acknowledgements do not count toward commitment', () => {
    const core = leader();
    const add = ok(core.changeMembership({ kind: 'add_learner', id: '4' }));
    core.step(appendResponse('4', '1', 1, true, add));
    expect(core.commitIndex).toBe(1);
  });

  test('a learner never campaigns', () => {
    const core = newCore({ id: '4', members: ['1', '2', '3'], learners: ['4'] });
    ticks(core, ELECTION_MAX * 3);
    expect([core.role, core.currentTerm]).toEqual(['follower', 0]);
    core.campaign();
    expect(core.role).toBe('follower');
  });

  test('a learner’s vote does not count', () => {
    const core = newCore({ members: ['1', '2', '3'], learners: ['4'] });
    core.campaign();
    core.step(voteResponse('4', '1', 1, true));
    expect(core.role).toBe('candidate');
    core.step(voteResponse('2', '1', 1, true));
    expect(core.role).toBe('leader');
  });

  test('candidates ask voters only; learners are not asked', () => {
    const core = newCore({ learners: ['4'] });
    core.campaign();
    expect(ofType(sent(core), 'request_vote').map((m) => m.to)).toEqual(['2', '3']);
  });

  test('a learner’s answers do not confirm a read (§6.4)', () => {
    const core = leader();
    const add = ok(core.changeMembership({ kind: 'add_learner', id: '4' }));
    core.step(appendResponse('2', '1', 1, true, add));
    drain(core);
    core.readIndex('r');
    const round = Math.max(...ofType(drain(core).messages, 'append_entries').map((m) => m.readRound ?? 0));
    core.step({ ...appendResponse('4', '1', 1, true, add), readRound: round });
    expect(drain(core).readStates).toBeUndefined();
  });

  test('a learner is promoted only once it keeps up: its last catch-up round took at most an election timeout', () => {
    const core = leader();
    const add = ok(core.changeMembership({ kind: 'add_learner', id: '4' }));
    core.step(appendResponse('2', '1', 1, true, add));
    ticks(core, ELECTION_MIN + 1);
    drain(core);
    core.step(appendResponse('4', '1', 1, true, add)); // the first round took too long
    expect(core.changeMembership({ kind: 'promote', id: '4' })).toMatchObject({
      ok: false,
      reason: 'learner_behind',
    });
    expect(core.replication()?.['4']).toMatchObject({ learner: true, caughtUp: false, matchIndex: add });
    ticks(core, HEARTBEAT);
    drain(core);
    core.step(appendResponse('4', '1', 1, true, add)); // the next one is quick
    expect(core.replication()?.['4']?.caughtUp).toBe(true);
    ok(core.changeMembership({ kind: 'promote', id: '4' }));
  });

  test('a server joining a running cluster knows no configuration: it never campaigns until the log makes it a voter', () => {
    const core = newCore({ id: '4', joining: true });
    expect(core.configuration).toEqual(config([]));
    ticks(core, ELECTION_MAX * 3);
    expect(core.currentTerm).toBe(0);
    const withFour: Configuration = config(['1', '2', '3'], ['4']);
    core.step(appendEntries('1', '4', 1, 0, 0, [entry(1, 1), configEntry(2, 1, withFour)], 2));
    drain(core);
    expect(core.snapshotMeta(1)).toBeUndefined(); // the configuration before entry 2 was never in its log
    expect(core.snapshotMeta(2)?.config).toEqual(withFour);
    ticks(core, ELECTION_MAX * 3);
    expect(core.currentTerm).toBe(1);
    core.step(appendEntries('1', '4', 1, 2, 1, [configEntry(3, 1, config(['1', '2', '3', '4']))], 3));
    ticks(core, ELECTION_MAX);
    expect(core.role).toBe('candidate');
  });
});

describe('dissertation §4.2.2 removing the leader, §4.2.3 removed servers', () => {
  test('a leader removed by a change keeps leading without counting itself, and steps down once it commits', () => {
    const core = leader();
    const index = ok(core.changeMembership({ kind: 'remove', id: '1' }));
    expect(core.role).toBe('leader');
    core.step(appendResponse('2', '1', 1, true, index));
    expect(core.commitIndex).toBe(1); // 1 of {2,3}: itself does not count
    core.step(appendResponse('3', '1', 1, true, index));
    expect(core.commitIndex).toBe(index);
    expect([core.role, core.leaderId]).toEqual(['follower', null]);
    ticks(core, ELECTION_MAX * 3);
    expect(core.currentTerm).toBe(1); // and, knowing it was removed, it never campaigns again
  });

  test('a server whose removal is not committed yet still campaigns (it may be needed) without counting its own vote', () => {
    const core = newCore({
      state: { currentTerm: 1, log: [entry(1, 1), configEntry(2, 1, config(['2', '3']))] },
    });
    core.step(appendEntries('2', '1', 1, 2, 1, [], 1));
    ticks(core, ELECTION_MIN);
    expect([core.role, core.currentTerm]).toEqual(['candidate', 2]);
    core.step(voteResponse('2', '1', 2, true));
    expect(core.role).toBe('candidate'); // 1 of {2,3}
    core.step(voteResponse('3', '1', 2, true));
    expect(core.role).toBe('leader');
  });

  test('end to end: add a learner, promote it, remove the old leader; the cluster elects among the new voters', () => {
    const cores = cluster(['1', '2', '3']);
    const joining = newCore({ id: '4', joining: true, members: ['1', '2', '3', '4'] });
    cores.set('4', joining);
    const old = cores.get('1')!;
    ok(old.changeMembership({ kind: 'add_learner', id: '4' }));
    settle(cores);
    for (let i = 0; i < 3 && !old.replication()?.['4']?.caughtUp; i++) {
      ticks(old, HEARTBEAT);
      settle(cores);
    }
    ok(old.changeMembership({ kind: 'promote', id: '4' }));
    settle(cores);
    ok(old.changeMembership({ kind: 'remove', id: '1' }));
    settle(cores);
    expect(old.role).toBe('follower');
    for (let t = 0; t < 3 * ELECTION_MAX && ![...cores.values()].some((c) => c.role === 'leader'); t++) {
      for (const c of cores.values()) c.tick();
      settle(cores);
    }
    const next = [...cores.entries()].find(([, c]) => c.role === 'leader')!;
    expect(['2', '3', '4']).toContain(next[0]);
    expect(next[1].configuration.voters.sort()).toEqual(['2', '3', '4']);
    expect(joining.configuration.voters.sort()).toEqual(['2', '3', '4']);
  });
});

describe('configurations across snapshots', () => {
  test('a server restoring from a snapshot uses the configuration it carries', () => {
    const core = newCore();
    const c = config(['1', '2', '3'], ['5']);
    core.step({
      type: 'install_snapshot',
      from: '2',
      to: '1',
      term: 1,
      leaderId: '2',
      snapshot: { index: 9, term: 1, config: c },
      data: null,
    });
    expect(core.configuration).toEqual(c);
    expect(drain(core).configuration).toEqual(c);
  });
});
