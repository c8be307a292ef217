// CheckQuorum (dissertation §6.2) and leader stickiness (§4.2.3): a leader that lost its
// majority steps down; a server that hears from a leader ignores those who would replace it.

import { describe, expect, test } from 'vitest';
import type { RaftCore } from '../core.ts';
import {
  appendEntries,
  appendResponse,
  cluster,
  drain,
  ELECTION_MAX,
  ELECTION_MIN,
  elect,
  newCore,
  ofType,
  preVote,
  requestVote,
  sent,
  settle,
  settleWhere,
  ticks,
} from './harness.ts';

const sticky = { checkQuorum: true };

/** A follower of leader '2' in term 1 that has just heard from it (and is past its start-up window). */
function stickyFollower(): RaftCore {
  const core = newCore({ ...sticky, random: () => 0.99 });
  ticks(core, ELECTION_MIN);
  core.step(appendEntries('2', '1', 1, 0, 0));
  drain(core);
  expect([core.role, core.leaderId]).toEqual(['follower', '2']);
  return core;
}

describe('dissertation §6.2 CheckQuorum', () => {
  test('a leader that hears from no majority within an election timeout steps down', () => {
    const core = newCore({ ...sticky, members: ['1', '2', '3', '4', '5'] });
    elect(core, ['2', '3']);
    ticks(core, ELECTION_MIN - 1);
    core.step(appendResponse('2', '1', 1, true, 0)); // one follower answered: with itself, 2 of 5
    expect(core.role).toBe('leader');
    core.tick();
    expect([core.role, core.leaderId, core.currentTerm]).toEqual(['follower', null, 1]);
  });

  test('a leader that hears from a majority in every election timeout stays', () => {
    const core = newCore({ ...sticky });
    elect(core, ['2']);
    for (let i = 0; i < 5; i++) {
      ticks(core, ELECTION_MIN - 1);
      core.step(appendResponse('3', '1', 1, true, 0));
      core.tick();
      expect(core.role).toBe('leader');
    }
  });

  test('with CheckQuorum off a leader stays, however long it hears nothing (Figure 2 alone)', () => {
    const core = newCore({ checkQuorum: false });
    elect(core, ['2']);
    ticks(core, ELECTION_MAX * 5);
    expect(core.role).toBe('leader');
  });

  test('a leader cut off from the majority steps down, and its clients can find the new leader', () => {
    const cores = cluster(['1', '2', '3'], { ...sticky });
    const old = cores.get('1')!;
    for (let t = 0; t < 3 * ELECTION_MAX; t++) {
      for (const c of cores.values()) c.tick();
      settleWhere(cores, (m) => m.from !== '1' && m.to !== '1');
    }
    expect(old.role).not.toBe('leader');
    const leaders = [...cores.values()].filter((c) => c.role === 'leader');
    expect(leaders.length).toBe(1);
    expect(leaders[0]!.currentTerm).toBeGreaterThan(1);
  });
});

describe('dissertation §4.2.3 leader stickiness', () => {
  test('a follower that heard from its leader within the minimum election timeout ignores a higher-term request_vote: no term, no vote, no answer', () => {
    const core = stickyFollower();
    ticks(core, ELECTION_MIN - 1);
    core.step(requestVote('3', '1', 7, 10, 1));
    expect([core.currentTerm, core.votedFor, core.role]).toEqual([1, null, 'follower']);
    expect(sent(core)).toEqual([]);
  });

  test('...and a higher-term PreVote too', () => {
    const core = stickyFollower();
    core.step(preVote('3', '1', 7, 10, 1));
    expect(sent(core)).toEqual([]);
    expect(core.currentTerm).toBe(1);
  });

  test('once the minimum election timeout passes without its leader, it votes again', () => {
    const core = stickyFollower();
    ticks(core, ELECTION_MIN - 1);
    core.setCheckQuorum(true);
    core.tick(); // ELECTION_MIN ticks without the leader
    core.step(requestVote('3', '1', 7, 10, 1));
    expect(core.currentTerm).toBe(7);
    expect(ofType(sent(core), 'request_vote_response')[0]?.voteGranted).toBe(true);
  });

  test('a leader under CheckQuorum ignores higher-term vote requests while it leads', () => {
    const core = newCore({ ...sticky });
    elect(core, ['2']);
    core.step(requestVote('3', '1', 9, 50, 1));
    expect([core.role, core.currentTerm]).toEqual(['leader', 1]);
  });

  test('without CheckQuorum, a higher-term request_vote always moves a follower to that term (§5.1)', () => {
    const core = newCore({ checkQuorum: false });
    core.step(appendEntries('2', '1', 1, 0, 0));
    core.step(requestVote('3', '1', 7));
    expect(core.currentTerm).toBe(7);
  });

  test('a server that just started ignores vote requests for a minimum election timeout: it cannot know whom it heard from before', () => {
    const core = newCore({ ...sticky });
    core.step(requestVote('2', '1', 3));
    expect(core.currentTerm).toBe(0);
    ticks(core, ELECTION_MIN - 1);
    core.step(requestVote('2', '1', 3));
    expect(core.currentTerm).toBe(0);
    const later = newCore({ ...sticky, random: () => 0.99 }); // election timeout > min
    ticks(later, ELECTION_MIN);
    later.step(requestVote('2', '1', 3));
    expect(later.currentTerm).toBe(3);
  });

  test('a removed server, campaigning with ever higher terms, cannot disturb a cluster that hears its leader', () => {
    const cores = cluster(['1', '2', '3'], { ...sticky });
    const leader = cores.get('1')!;
    // '4' is no longer in anyone's configuration but still running (it missed its removal).
    const removed = newCore({ id: '4', members: ['1', '2', '3', '4'] });
    cores.set('4', removed);
    for (let t = 0; t < 6 * ELECTION_MAX; t++) {
      for (const [id, c] of cores) if (id === '1' || id === '4' || t % 2 === 0) c.tick();
      settleWhere(cores, (m) => m.to !== '4' || m.type !== 'append_entries');
    }
    expect(removed.currentTerm).toBeGreaterThan(3);
    expect([leader.role, leader.currentTerm]).toEqual(['leader', 1]);
  });

  test('stickiness is the CheckQuorum switch: setCheckQuorum(false) makes a follower vote at once', () => {
    const core = stickyFollower();
    core.setCheckQuorum(false);
    core.step(requestVote('3', '1', 7));
    expect(core.currentTerm).toBe(7);
    expect(newCore({ checkQuorum: undefined }).switches.checkQuorum).toBe(true); // default on
  });

  test('a leader cut off with CheckQuorum on lets the rest elect a new leader, then follows it when healed', () => {
    const cores = cluster(['1', '2', '3'], { ...sticky, preVote: true });
    for (let t = 0; t < 4 * ELECTION_MAX; t++) {
      for (const c of cores.values()) c.tick();
      settleWhere(cores, (m) => m.from !== '1' && m.to !== '1');
    }
    const next = [...cores.entries()].find(([, c]) => c.role === 'leader')!;
    expect(next[0]).not.toBe('1');
    for (let t = 0; t < 2 * ELECTION_MAX; t++) {
      for (const c of cores.values()) c.tick();
      settle(cores);
    }
    expect(cores.get('1')!.leaderId).toBe(next[0]);
    expect(next[1].role).toBe('leader');
  });
});
