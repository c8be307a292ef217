// Leadership transfer (dissertation §3.10): the leader stops taking commands, brings the
// target up to date, sends it TimeoutNow; the target campaigns at once and voters answer it
// even while they hear from the old leader. Abandoned after an election timeout.

import { describe, expect, test } from 'vitest';
import {
  appendEntries,
  appendResponse,
  cluster,
  drain,
  ELECTION_MIN,
  leaderOfTerm1,
  newCore,
  ofType,
  requestVote,
  sent,
  settle,
  ticks,
  timeoutNow,
} from './harness.ts';

describe('dissertation §3.10 leadership transfer', () => {
  test('to an up-to-date voter: TimeoutNow at once', () => {
    const core = leaderOfTerm1();
    expect(core.transferLeadership('2')).toEqual({ ok: true });
    expect(ofType(drain(core).messages, 'timeout_now')).toEqual([
      { type: 'timeout_now', from: '1', to: '2', term: 1, leaderId: '1' },
    ]);
    expect(core.transferee).toBe('2');
  });

  test('to a lagging voter: first its log is brought up to date, then TimeoutNow', () => {
    const core = leaderOfTerm1();
    core.transferLeadership('3');
    expect(ofType(drain(core).messages, 'timeout_now')).toEqual([]); // its no-op is still on the way
    core.step(appendResponse('3', '1', 1, true, 1));
    expect(ofType(drain(core).messages, 'timeout_now').map((m) => m.to)).toEqual(['3']);
    core.step(appendResponse('3', '1', 1, true, 1));
    expect(ofType(drain(core).messages, 'timeout_now')).toEqual([]); // sent once
  });

  test('during a transfer the leader takes no new commands, so the target can catch up', () => {
    const core = leaderOfTerm1();
    core.transferLeadership('3');
    expect(core.propose([{ command: 'set a=1' }])).toEqual({
      ok: false,
      reason: 'transferring',
      leaderId: '1',
      transferee: '3',
    });
  });

  test('a transfer not finished within an election timeout is abandoned and commands are taken again', () => {
    const core = leaderOfTerm1();
    core.transferLeadership('3');
    ticks(core, ELECTION_MIN - 1);
    expect(core.transferee).toBe('3');
    core.tick();
    expect(core.transferee).toBeNull();
    expect(core.propose([{ command: 'set a=1' }]).ok).toBe(true);
  });

  test('only to another voter of the configuration, and only by the leader', () => {
    const core = leaderOfTerm1();
    expect(core.transferLeadership('1')).toMatchObject({ ok: false, reason: 'self' });
    expect(core.transferLeadership('9')).toMatchObject({ ok: false, reason: 'not_voter' });
    const follower = newCore();
    expect(follower.transferLeadership('2')).toMatchObject({ ok: false, reason: 'not_leader' });
  });

  test('TimeoutNow makes the target campaign at once, without PreVote, its request_vote marked as a transfer', () => {
    const core = newCore({ preVote: true });
    core.step(appendEntries('2', '1', 1, 0, 0));
    drain(core);
    core.step(timeoutNow('2', '1', 1));
    expect([core.role, core.currentTerm]).toEqual(['candidate', 2]);
    const asks = ofType(drain(core).messages, 'request_vote');
    expect(asks.map((m) => [m.to, m.leadershipTransfer])).toEqual([
      ['2', true],
      ['3', true],
    ]);
  });

  test('voters answer a transfer’s request_vote even while they hear from the leader (stickiness does not apply)', () => {
    const core = newCore({ checkQuorum: true, random: () => 0.99 });
    ticks(core, ELECTION_MIN);
    core.step(appendEntries('2', '1', 1, 0, 0));
    drain(core);
    core.step(requestVote('3', '1', 2));
    expect(sent(core)).toEqual([]); // sticky
    core.step({ ...requestVote('3', '1', 2), leadershipTransfer: true });
    expect(ofType(sent(core), 'request_vote_response')[0]).toMatchObject({ term: 2, voteGranted: true });
  });

  test('a TimeoutNow from anyone but the leader of the term, or to a leader, is ignored', () => {
    const core = newCore();
    core.step(appendEntries('2', '1', 1, 0, 0));
    core.step(timeoutNow('3', '1', 1));
    expect(core.role).toBe('follower');
    const lead = leaderOfTerm1();
    lead.step(timeoutNow('2', '1', 1));
    expect(lead.role).toBe('leader');
  });

  test('end to end: leadership moves to the target in the next term, with every entry kept', () => {
    for (const opts of [{}, { preVote: true, checkQuorum: true }]) {
      const cores = cluster(['1', '2', '3'], opts);
      const old = cores.get('1')!;
      old.propose([{ command: 'set a=1' }]);
      settle(cores);
      expect(old.transferLeadership('3').ok).toBe(true);
      settle(cores);
      const target = cores.get('3')!;
      expect([target.role, target.currentTerm]).toEqual(['leader', 2]);
      expect([old.role, old.leaderId]).toEqual(['follower', '3']);
      expect(target.entries(2, 2).map((e) => e.command)).toEqual(['set a=1']);
    }
  });
});
