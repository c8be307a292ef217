// Leader election rules of the paper (§5.1, §5.2, §5.4.1, §8), one test per rule.

import { describe, expect, test } from 'vitest';
import type { RaftCore } from '../core.ts';
import type { Message } from '../types.ts';
import {
  appendEntries,
  appendResponse,
  drain,
  ELECTION_MAX,
  ELECTION_MIN,
  elect,
  entry,
  HEARTBEAT,
  logOfTerms,
  newCore,
  ofType,
  requestVote,
  sent,
  ticks,
  voteResponse,
} from './harness.ts';

/** A core in each role at term 1 (leader and candidate made the way the paper does). */
function inRole(role: 'follower' | 'candidate' | 'leader'): RaftCore {
  const core = newCore();
  if (role === 'candidate') core.campaign();
  if (role === 'leader') elect(core, ['2']);
  if (role === 'follower') core.step(appendEntries('2', '1', 1, 0, 0));
  drain(core);
  expect(core.role).toBe(role);
  expect(core.currentTerm).toBe(1);
  return core;
}

describe('§5.1 terms', () => {
  const higherTermMessages: Array<[string, Message]> = [
    ['request_vote', requestVote('3', '1', 5)],
    ['request_vote_response', voteResponse('3', '1', 5, false)],
    ['append_entries', appendEntries('3', '1', 5, 0, 0)],
    ['append_entries_response', appendResponse('3', '1', 5, false, 0)],
  ];
  for (const role of ['follower', 'candidate', 'leader'] as const) {
    for (const [kind, msg] of higherTermMessages) {
      test(`a ${role} seeing a higher term in ${kind} adopts it and becomes follower (§5.1)`, () => {
        const core = inRole(role);
        core.step(msg);
        expect(core.currentTerm).toBe(5);
        expect(core.role).toBe('follower');
        expect(core.votedFor === null || core.votedFor === '3').toBe(true);
        expect(core.leaderId).toBe(kind === 'append_entries' ? '3' : null);
        expect(drain(core).hardState?.currentTerm).toBe(5);
      });
    }
  }

  test('a stale append_entries is rejected with the current term and changes nothing (§5.1)', () => {
    const core = newCore({ state: { currentTerm: 3, votedFor: null, log: logOfTerms([1, 2]) } });
    drain(core);
    core.step(appendEntries('2', '1', 2, 2, 2, [], 2));
    const [reply] = ofType(sent(core), 'append_entries_response');
    expect(reply).toMatchObject({ to: '2', term: 3, success: false });
    expect(core.currentTerm).toBe(3);
    expect(core.leaderId).toBeNull();
    expect(core.commitIndex).toBe(0);
  });

  test('a stale request_vote is refused with the current term (§5.1)', () => {
    const core = newCore({ state: { currentTerm: 3, votedFor: null, log: [] } });
    core.step(requestVote('2', '1', 2));
    expect(ofType(sent(core), 'request_vote_response')).toEqual([
      expect.objectContaining({ to: '2', term: 3, voteGranted: false }),
    ]);
    expect(core.votedFor).toBeNull();
  });

  test('stale responses are ignored: an old vote does not make a candidate leader (§5.1)', () => {
    const core = newCore();
    core.campaign();
    core.campaign(); // term 2
    drain(core);
    core.step(voteResponse('2', '1', 1, true));
    core.step(voteResponse('3', '1', 1, true));
    expect(core.role).toBe('candidate');
    expect(core.currentTerm).toBe(2);
  });
});

describe('§5.2 leader election', () => {
  test('a follower that hears nothing for an election timeout becomes candidate and asks every peer', () => {
    const core = newCore({ members: ['1', '2', '3', '4', '5'], state: { log: logOfTerms([1, 1, 2]) } });
    ticks(core, ELECTION_MIN - 1);
    expect(core.role).toBe('follower');
    core.tick();
    expect(core.role).toBe('candidate');
    expect(core.currentTerm).toBe(1);
    expect(core.votedFor).toBe('1');
    const ready = drain(core);
    expect(ready.hardState).toEqual({ currentTerm: 1, votedFor: '1' });
    const votes = ofType(ready.messages, 'request_vote');
    expect(votes.map((m) => m.to).sort()).toEqual(['2', '3', '4', '5']);
    for (const v of votes)
      expect(v).toMatchObject({ term: 1, candidateId: '1', lastLogIndex: 3, lastLogTerm: 2 });
  });

  test('a candidate whose election times out (split vote) starts a new one in a higher term', () => {
    const core = newCore();
    core.campaign();
    drain(core);
    ticks(core, ELECTION_MIN);
    expect(core.role).toBe('candidate');
    expect(core.currentTerm).toBe(2);
    expect(ofType(sent(core), 'request_vote')).toHaveLength(2);
  });

  test('a candidate becomes leader with votes from a majority, counting each voter once', () => {
    const core = newCore({ members: ['1', '2', '3', '4', '5'] });
    core.campaign();
    core.step(voteResponse('2', '1', 1, true));
    core.step(voteResponse('2', '1', 1, true)); // duplicate
    core.step(voteResponse('3', '1', 1, false));
    core.step(voteResponse('4', '1', 1, false));
    expect(core.role).toBe('candidate');
    core.step(voteResponse('5', '1', 1, true));
    expect(core.role).toBe('leader');
    expect(core.leaderId).toBe('1');
  });

  test('a single-node cluster elects itself at once', () => {
    const core = newCore({ members: ['1'] });
    ticks(core, ELECTION_MIN);
    expect(core.role).toBe('leader');
  });

  test('a candidate that receives append_entries from a leader of its term becomes follower (§5.2)', () => {
    const core = inRole('candidate');
    core.step(appendEntries('2', '1', 1, 0, 0));
    expect(core.role).toBe('follower');
    expect(core.leaderId).toBe('2');
    expect(core.currentTerm).toBe(1);
  });

  test('a follower grants at most one vote per term (§5.2)', () => {
    const core = newCore({ members: ['1', '2', '3', '4', '5'] });
    core.step(requestVote('2', '1', 1, 0, 0, 'a'));
    core.step(requestVote('3', '1', 1, 0, 0, 'b'));
    core.step(requestVote('2', '1', 1, 0, 0, 'c')); // a retry of the same candidate is granted again
    const replies = ofType(drain(core).messages, 'request_vote_response');
    expect(replies.map((r) => [r.to, r.rpcId, r.voteGranted])).toEqual([
      ['2', 'a', true],
      ['3', 'b', false],
      ['2', 'c', true],
    ]);
    expect(core.votedFor).toBe('2');
    core.step(requestVote('3', '1', 2));
    expect(ofType(sent(core), 'request_vote_response')[0]?.voteGranted).toBe(true);
    expect(core.votedFor).toBe('3');
  });

  test('a leader or candidate refuses to vote for another node in its own term (it voted for itself)', () => {
    for (const role of ['candidate', 'leader'] as const) {
      const core = inRole(role);
      core.step(requestVote('3', '1', 1));
      expect(ofType(sent(core), 'request_vote_response')[0]?.voteGranted).toBe(false);
      expect(core.role).toBe(role);
    }
  });

  test('a leader steps down for a hand-made request_vote with a higher term: no pre-vote, no stickiness', () => {
    const core = inRole('leader');
    core.step(requestVote('3', '1', 7, 0, 0));
    expect(core.role).toBe('follower');
    expect(core.currentTerm).toBe(7);
    // §5.4.1: the request's log is behind (the leader holds a no-op), so the vote is refused.
    expect(ofType(sent(core), 'request_vote_response')[0]).toMatchObject({ term: 7, voteGranted: false });
  });

  test('granting a vote resets the election timer; refusing one does not (§5.2)', () => {
    const granted = newCore();
    ticks(granted, ELECTION_MIN - 1);
    granted.step(requestVote('2', '1', 1));
    ticks(granted, ELECTION_MIN - 1);
    expect(granted.role).toBe('follower');

    const refused = newCore({ state: { log: logOfTerms([3]), currentTerm: 3 } });
    ticks(refused, ELECTION_MIN - 1);
    refused.step(requestVote('2', '1', 4, 5, 2)); // behind on the last term → refused
    refused.tick();
    expect(refused.role).toBe('candidate');
  });

  test('append_entries from the current leader resets the election timer; from a stale leader it does not', () => {
    const core = newCore({ state: { currentTerm: 2 } });
    ticks(core, ELECTION_MIN - 1);
    core.step(appendEntries('2', '1', 2, 0, 0));
    ticks(core, ELECTION_MIN - 1);
    expect(core.role).toBe('follower');
    core.step(appendEntries('3', '1', 1, 0, 0));
    core.tick();
    expect(core.role).toBe('candidate');
  });

  test('election timeouts are drawn at random from [min, max] and re-drawn at each reset (§5.2)', () => {
    const timeoutFor = (r: number) => {
      const core = newCore({ random: () => r });
      let n = 0;
      while (core.role === 'follower') {
        core.tick();
        n++;
      }
      return n;
    };
    expect(timeoutFor(0)).toBe(ELECTION_MIN);
    expect(timeoutFor(0.999999)).toBe(ELECTION_MAX);
    expect(timeoutFor(0.5)).toBe(ELECTION_MIN + Math.floor(0.5 * (ELECTION_MAX - ELECTION_MIN + 1)));
    // Re-drawn: the second timeout of one node uses the next random number.
    const draws = [0, 0.999999];
    const core = newCore({ random: () => draws.shift() ?? 0 });
    ticks(core, ELECTION_MIN);
    expect(core.currentTerm).toBe(1); // first timeout: min
    ticks(core, ELECTION_MAX - 1);
    expect(core.currentTerm).toBe(1);
    core.tick();
    expect(core.currentTerm).toBe(2); // second timeout: max
  });
});

describe('§5.4.1 election restriction', () => {
  // The voter's log has terms [1, 2, 2] (last index 3, last term 2).
  const cases: Array<[string, number, number, boolean]> = [
    ['a lower last term, even with a longer log', 10, 1, false],
    ['the same last term and a shorter log', 2, 2, false],
    ['the same last term and the same length', 3, 2, true],
    ['the same last term and a longer log', 4, 2, true],
    ['a higher last term, even with a shorter log', 1, 3, true],
  ];
  for (const [what, lastLogIndex, lastLogTerm, granted] of cases) {
    test(`a vote is ${granted ? 'granted' : 'refused'} to a candidate with ${what} (§5.4.1)`, () => {
      const core = newCore({ state: { currentTerm: 3, log: logOfTerms([1, 2, 2]) } });
      core.step(requestVote('2', '1', 4, lastLogIndex, lastLogTerm));
      expect(ofType(sent(core), 'request_vote_response')[0]?.voteGranted).toBe(granted);
      expect(core.votedFor).toBe(granted ? '2' : null);
    });
  }
});

describe('leaders', () => {
  test('a new leader sets every nextIndex just past its log and every matchIndex to 0 (Figure 2)', () => {
    const core = newCore({ state: { currentTerm: 1, log: [entry(1, 1), entry(2, 1)] } });
    expect(core.progress()).toBeNull();
    elect(core, ['2']);
    expect(core.progress()).toEqual({
      '2': { nextIndex: 3, matchIndex: 0 },
      '3': { nextIndex: 3, matchIndex: 0 },
    });
  });

  test('a new leader appends a no-op of its term at once and sends it to every follower (§8)', () => {
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1, 1]) } });
    const ready = elect(core, ['2']);
    expect(core.lastIndex()).toBe(3);
    expect(core.entries(3, 3)).toEqual([{ index: 3, term: 2, type: 'noop', command: null }]);
    expect(ready.entries).toEqual([{ index: 3, term: 2, type: 'noop', command: null }]);
    const appends = ofType(ready.messages, 'append_entries');
    expect(appends.map((m) => m.to).sort()).toEqual(['2', '3']);
    for (const m of appends) {
      expect(m).toMatchObject({ term: 2, leaderId: '1', prevLogIndex: 2, prevLogTerm: 1 });
      expect(m.entries.map((e) => e.type)).toEqual(['noop']);
    }
  });

  test('a leader sends heartbeats every heartbeatTicks, even while appends are unanswered (§5.2)', () => {
    const core = newCore();
    elect(core, ['2']);
    for (let round = 0; round < 3; round++) {
      ticks(core, HEARTBEAT - 1);
      expect(ofType(sent(core), 'append_entries')).toHaveLength(0);
      core.tick();
      const beats = ofType(sent(core), 'append_entries');
      expect(beats.map((m) => m.to).sort()).toEqual(['2', '3']);
      for (const m of beats) expect(m.term).toBe(1);
    }
    expect(core.role).toBe('leader');
  });

  test('a leader never starts an election of its own, however long it ticks', () => {
    const core = newCore();
    elect(core, ['2']);
    ticks(core, ELECTION_MAX * 5);
    expect(core.role).toBe('leader');
    expect(core.currentTerm).toBe(1);
  });
});
