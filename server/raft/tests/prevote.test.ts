// PreVote (dissertation §9.6): before raising its term, a server asks whether it could win;
// one that could not (partitioned, or behind) disturbs nobody. One test per rule.

import { describe, expect, test } from 'vitest';
import {
  appendEntries,
  type CoreOptions,
  cluster,
  drain,
  ELECTION_MIN,
  HEARTBEAT,
  logOfTerms,
  newCore,
  ofType,
  preVote,
  preVoteResponse,
  sent,
  settle,
  settleWhere,
  ticks,
} from './harness.ts';

const withPreVote = { preVote: true };

/** A node with PreVote on that timed out: a pre-candidate whose pre_vote requests are taken. */
function preCandidate(opts: CoreOptions) {
  const core = newCore({ ...withPreVote, ...opts });
  core.campaign();
  drain(core);
  return core;
}

describe('dissertation §9.6 PreVote', () => {
  test('an election timeout starts a PreVote: term and vote unchanged, pre_vote for term+1 to every voter', () => {
    const core = newCore({
      ...withPreVote,
      members: ['1', '2', '3', '4', '5'],
      state: { currentTerm: 4, log: logOfTerms([2, 4]) },
    });
    drain(core);
    ticks(core, ELECTION_MIN);
    expect(core.role).toBe('pre_candidate');
    expect(core.currentTerm).toBe(4);
    expect(core.votedFor).toBeNull();
    const ready = drain(core);
    expect(ready.hardState).toBeUndefined(); // nothing to persist: no term, no vote
    const asks = ofType(ready.messages, 'pre_vote');
    expect(asks.map((m) => m.to).sort()).toEqual(['2', '3', '4', '5']);
    for (const m of asks)
      expect(m).toMatchObject({ term: 5, candidateId: '1', lastLogIndex: 2, lastLogTerm: 4 });
    expect(ofType(ready.messages, 'request_vote')).toEqual([]);
  });

  test('a PreVote for a later term with an up-to-date log is granted, and the voter changes nothing', () => {
    const core = newCore({
      ...withPreVote,
      state: { currentTerm: 3, votedFor: '3', log: logOfTerms([1, 3]) },
    });
    drain(core);
    ticks(core, ELECTION_MIN - 1);
    core.step(preVote('2', '1', 4, 2, 3));
    const ready = drain(core);
    expect(ofType(ready.messages, 'pre_vote_response')).toEqual([
      { type: 'pre_vote_response', from: '1', to: '2', term: 4, voteGranted: true },
    ]);
    expect(ready.hardState).toBeUndefined();
    expect([core.currentTerm, core.votedFor]).toEqual([3, '3']);
    core.tick(); // the timer was not reset by the grant: its own timeout still fires
    expect(core.role).toBe('pre_candidate');
  });

  test('a PreVote from a candidate whose log is behind is refused (§5.4.1), naming the current term', () => {
    const core = newCore({ ...withPreVote, state: { currentTerm: 3, log: logOfTerms([1, 3]) } });
    core.step(preVote('2', '1', 4, 5, 2));
    expect(ofType(sent(core), 'pre_vote_response')[0]).toMatchObject({ term: 3, voteGranted: false });
    expect(core.currentTerm).toBe(3);
  });

  test('a PreVote for this very term is refused by a server that knows a leader or voted for another', () => {
    const follower = newCore({ ...withPreVote, state: { currentTerm: 2 } });
    follower.step(appendEntries('3', '1', 2, 0, 0));
    drain(follower);
    follower.step(preVote('2', '1', 2));
    expect(ofType(sent(follower), 'pre_vote_response')[0]?.voteGranted).toBe(false);
    const voted = newCore({ ...withPreVote, state: { currentTerm: 2, votedFor: '3' } });
    voted.step(preVote('2', '1', 2));
    expect(ofType(sent(voted), 'pre_vote_response')[0]?.voteGranted).toBe(false);
  });

  test('a pre-candidate granted PreVotes by a majority starts the real election: term+1, votes for itself', () => {
    const core = preCandidate({ state: { currentTerm: 4 } });
    core.step(preVoteResponse('2', '1', 5, true));
    expect(core.role).toBe('candidate');
    expect([core.currentTerm, core.votedFor]).toEqual([5, '1']);
    const ready = drain(core);
    expect(ready.hardState).toEqual({ currentTerm: 5, votedFor: '1' });
    expect(ofType(ready.messages, 'request_vote').map((m) => m.term)).toEqual([5, 5]);
  });

  test('a pre-candidate refused by a majority keeps its term and asks again after another timeout', () => {
    const core = preCandidate({ members: ['1', '2', '3'], state: { currentTerm: 4 } });
    core.step(preVoteResponse('2', '1', 4, false));
    core.step(preVoteResponse('3', '1', 4, false));
    expect([core.role, core.currentTerm]).toEqual(['pre_candidate', 4]);
    ticks(core, ELECTION_MIN);
    expect(ofType(sent(core), 'pre_vote').map((m) => m.term)).toEqual([5, 5]);
    expect(core.currentTerm).toBe(4);
  });

  test('a grant for an earlier PreVote round, or for another term, does not count', () => {
    const core = preCandidate({ state: { currentTerm: 4 } });
    core.step(preVoteResponse('2', '1', 6, true));
    expect(core.role).toBe('pre_candidate');
  });

  test('a refusal carrying a higher term makes the pre-candidate adopt it and follow', () => {
    const core = preCandidate({ state: { currentTerm: 4 } });
    core.step(preVoteResponse('2', '1', 9, false));
    expect([core.role, core.currentTerm]).toEqual(['follower', 9]);
  });

  test('a pre-candidate that hears from a leader of its term goes back to following it', () => {
    const core = preCandidate({ state: { currentTerm: 4 } });
    core.step(appendEntries('2', '1', 4, 0, 0));
    expect([core.role, core.leaderId, core.currentTerm]).toEqual(['follower', '2', 4]);
  });

  test('a single-voter cluster wins its PreVote and its election at once', () => {
    const core = newCore({ ...withPreVote, members: ['1'] });
    ticks(core, ELECTION_MIN);
    expect([core.role, core.currentTerm]).toEqual(['leader', 1]);
  });

  test('setPreVote switches it at run time, for the next election', () => {
    const core = newCore({ ...withPreVote });
    expect(core.switches.preVote).toBe(true);
    core.setPreVote(false);
    core.campaign();
    expect([core.role, core.currentTerm]).toEqual(['candidate', 1]);
    expect(newCore({ preVote: undefined }).switches.preVote).toBe(true); // on by default in CoreConfig
  });

  test('a follower partitioned alone keeps its term, so healing does not depose the leader (the disruptive server)', () => {
    for (const pre of [false, true]) {
      const cores = cluster(['1', '2', '3'], { preVote: pre });
      const leader = cores.get('1')!;
      leader.propose([{ command: 'set a=1' }]);
      settle(cores);
      // '3' hears nothing for several election timeouts and keeps timing out.
      const isolated = cores.get('3')!;
      for (let i = 0; i < 5 * ELECTION_MIN; i++) {
        for (const c of cores.values()) c.tick();
        settleWhere(cores, (m) => m.from !== '3' && m.to !== '3');
      }
      // Healed: a few heartbeats reach '3' again.
      for (let i = 0; i < 2 * HEARTBEAT; i++) {
        leader.tick();
        settle(cores);
      }
      if (pre) {
        expect(isolated.currentTerm).toBe(1);
        expect([leader.role, leader.currentTerm]).toEqual(['leader', 1]);
        expect(isolated.leaderId).toBe('1');
      } else {
        // Its answer carries the higher term: the healthy leader steps down (§5.1).
        expect(isolated.currentTerm).toBeGreaterThan(1);
        expect(leader.currentTerm).toBe(isolated.currentTerm);
        expect(leader.role).toBe('follower');
      }
    }
  });
});
