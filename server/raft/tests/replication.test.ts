// Log replication rules (§5.3, §5.4) on the follower's and on the leader's side.

import { describe, expect, test } from 'vitest';
import type { RaftCore } from '../core.ts';
import {
  appendEntries,
  appendResponse,
  drain,
  elect,
  entry,
  HEARTBEAT,
  logOfTerms,
  newCore,
  ofType,
  sent,
  settle,
  ticks,
} from './harness.ts';

/** A follower at term `term` holding a log with the given terms. */
function follower(terms: number[], term = Math.max(1, ...terms), commitIndex = 0): RaftCore {
  const core = newCore({ state: { currentTerm: term, log: logOfTerms(terms) } });
  if (commitIndex > 0)
    core.step(appendEntries('2', '1', term, commitIndex, terms[commitIndex - 1]!, [], commitIndex));
  drain(core);
  return core;
}

describe('§5.3 the follower side of append_entries', () => {
  test('the consistency check rejects an append that would leave a gap, hinting at the log end', () => {
    const core = follower([1, 1]);
    core.step(appendEntries('2', '1', 1, 4, 1, [entry(5, 1)]));
    const [reply] = ofType(sent(core), 'append_entries_response');
    expect(reply).toMatchObject({ success: false, conflictIndex: 3 });
    expect(reply?.conflictTerm).toBeUndefined();
    expect(core.lastIndex()).toBe(2);
  });

  test('the consistency check rejects a mismatched prevLogTerm, hinting at the first index of that term', () => {
    const core = follower([1, 2, 2, 2], 3);
    core.step(appendEntries('2', '1', 3, 4, 3, [entry(5, 3)]));
    expect(ofType(sent(core), 'append_entries_response')[0]).toMatchObject({
      success: false,
      conflictTerm: 2,
      conflictIndex: 2,
    });
    expect(core.lastIndex()).toBe(4);
  });

  test('a matching append is accepted and answered with the last index it covers', () => {
    const core = follower([1, 1]);
    core.step(appendEntries('2', '1', 1, 2, 1, [entry(3, 1), entry(4, 1)]));
    const ready = drain(core);
    expect(ready.entries.map((e) => e.index)).toEqual([3, 4]);
    expect(ofType(ready.messages, 'append_entries_response')[0]).toMatchObject({
      success: true,
      matchIndex: 4,
    });
  });

  test('a conflicting entry and all that follow it are deleted, then the new ones appended (§5.3)', () => {
    const core = follower([1, 1, 1, 1], 2);
    core.step(appendEntries('2', '1', 2, 2, 1, [entry(3, 2, 'set new=1')]));
    const ready = drain(core);
    expect(ready.truncateFrom).toBe(3);
    expect(ready.entries).toEqual([entry(3, 2, 'set new=1')]);
    expect(core.lastIndex()).toBe(3);
    expect(core.termAt(3)).toBe(2);
  });

  test('a stale or duplicate append never truncates entries the follower already matches', () => {
    const core = follower([1, 1, 1, 1, 1]);
    const old = appendEntries('2', '1', 1, 1, 1, [entry(2, 1), entry(3, 1)]);
    core.step(old);
    core.step(old);
    const ready = drain(core);
    expect(ready.truncateFrom).toBeUndefined();
    expect(ready.entries).toEqual([]);
    expect(core.lastIndex()).toBe(5);
    for (const r of ofType(ready.messages, 'append_entries_response')) {
      expect(r).toMatchObject({ success: true, matchIndex: 3 });
    }
  });

  test('a follower advances commitIndex to min(leaderCommit, index of last new entry) (§5.3)', () => {
    const core = follower([1, 1, 1, 1]);
    core.step(appendEntries('2', '1', 1, 1, 1, [entry(2, 1)], 4));
    expect(core.commitIndex).toBe(2); // not 4: entries 3..4 were not checked by this append
    core.step(appendEntries('2', '1', 1, 4, 1, [], 3));
    expect(core.commitIndex).toBe(3);
    core.step(appendEntries('2', '1', 1, 4, 1, [], 1));
    expect(core.commitIndex).toBe(3); // commitIndex never goes back
    expect(drain(core).committed.map((e) => e.index)).toEqual([1, 2, 3]);
  });

  test('a follower never loses a committed entry, even to a hand-made append of a higher term', () => {
    const core = follower([1, 1, 1], 1, 3);
    expect(core.commitIndex).toBe(3);
    core.step(appendEntries('3', '1', 9, 1, 1, [entry(2, 9), entry(3, 9)]));
    const ready = drain(core);
    expect(ready.truncateFrom).toBeUndefined();
    expect(core.entries(1, 3).map((e) => e.term)).toEqual([1, 1, 1]);
    expect(ofType(ready.messages, 'append_entries_response')[0]?.success).toBe(false);
  });
});

describe('§5.3 the leader side', () => {
  test('a proposal on a follower is refused and names the leader it knows', () => {
    const core = follower([1]);
    core.step(appendEntries('2', '1', 1, 1, 1));
    expect(core.propose([{ command: 'set x=1' }])).toEqual({
      ok: false,
      reason: 'not_leader',
      leaderId: '2',
    });
    const candidate = newCore();
    candidate.campaign();
    expect(candidate.propose([{ command: 'set x=1' }])).toEqual({
      ok: false,
      reason: 'not_leader',
      leaderId: null,
    });
    expect(core.lastIndex()).toBe(1);
  });

  test('a leader appends proposals as entries of its term with the client ids kept', () => {
    const core = newCore();
    elect(core, ['2']);
    const result = core.propose([
      { command: 'set a=1', client_id: 'c', request_id: '7' },
      { command: 'get a' },
    ]);
    expect(result).toEqual({
      ok: true,
      entries: [
        { index: 2, term: 1, type: 'command', command: 'set a=1', client_id: 'c', request_id: '7' },
        { index: 3, term: 1, type: 'command', command: 'get a' },
      ],
    });
  });

  test('after a rejection the leader backs up a whole term at a time (fast back-up)', () => {
    // Leader log terms: 1 1 1 4 4 5 5 6 6 6 (the paper's Figure 7 leader).
    const core = newCore({ state: { currentTerm: 7, log: logOfTerms([1, 1, 1, 4, 4, 5, 5, 6, 6, 6]) } });
    elect(core, ['2']); // term 8, no-op at 11
    core.step(appendResponse('2', '1', 8, false, 0, { conflictTerm: 3, conflictIndex: 7 }));
    const probe = ofType(sent(core), 'append_entries').find((m) => m.to === '2');
    expect(probe?.prevLogIndex).toBe(6); // the leader has no term 3: jump to the follower's first index of it
    core.step(appendResponse('2', '1', 8, false, 0, { conflictTerm: 4, conflictIndex: 4 }));
    const next = ofType(sent(core), 'append_entries').find((m) => m.to === '2');
    expect(next?.prevLogIndex).toBe(5); // the leader has term 4 up to 5: retry just after it
    expect(next?.entries.map((e) => e.index)).toEqual([6, 7, 8, 9, 10, 11]);
  });

  test('each Figure 7 follower catches up with the leader within one round trip per differing term', () => {
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followers: number[][] = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6], // (a)
      [1, 1, 1, 4], // (b)
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], // (c)
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], // (d)
      [1, 1, 1, 4, 4, 4, 4], // (e)
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], // (f)
    ];
    for (const terms of followers) {
      const leader = newCore({ state: { currentTerm: 7, log: logOfTerms(leaderTerms) } });
      const other = newCore({ id: '2', state: { currentTerm: 7, log: logOfTerms(terms) } });
      // Node 3 votes for the leader, so the Figure 7 follower sits at node 2.
      elect(leader, ['3']);
      ticks(leader, HEARTBEAT); // the first probe went out with elect(); the heartbeat re-sends it
      const cores = new Map([
        ['1', leader],
        ['2', other],
      ]);
      const delivered = settle(cores);
      expect(other.entries(1, 99)).toEqual(leader.entries(1, 99));
      const rejections = ofType(delivered, 'append_entries_response').filter((m) => !m.success).length;
      expect(rejections).toBeLessThanOrEqual(new Set(terms).size);
    }
  });
});

describe('batching and flow control', () => {
  test('many proposals become one Ready (one fsync) and one append per follower', () => {
    const core = newCore({ members: ['1', '2', '3', '4', '5'] });
    elect(core, ['2', '3']);
    for (const p of ['2', '3', '4', '5']) core.step(appendResponse(p, '1', 1, true, 1));
    drain(core);
    core.propose(Array.from({ length: 100 }, (_, i) => ({ command: `set k=${i}` })));
    core.propose([{ command: 'set last=1' }]);
    const ready = drain(core);
    expect(ready.entries).toHaveLength(101);
    const appends = ofType(ready.messages, 'append_entries');
    expect(appends.map((m) => m.to).sort()).toEqual(['2', '3', '4', '5']);
    for (const m of appends) expect(m.entries).toHaveLength(101);
  });

  test('an append never carries more than maxEntriesPerMessage entries', () => {
    const core = newCore({ maxEntriesPerMessage: 10 });
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 1));
    drain(core);
    core.propose(Array.from({ length: 25 }, () => ({ command: 'set a=1' })));
    const toTwo = ofType(sent(core), 'append_entries').filter((m) => m.to === '2');
    expect(toTwo.map((m) => m.entries.length)).toEqual([10, 10, 5]);
    expect(toTwo.map((m) => m.prevLogIndex)).toEqual([1, 11, 21]);
  });

  test('a replicating follower gets a bounded number of appends in flight; the rest wait and go together', () => {
    const core = newCore();
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 1)); // probe answered → pipelining
    drain(core);
    for (let i = 0; i < 10; i++) {
      core.propose([{ command: `set k=${i}` }]);
      drain(core);
    }
    const inFlight = 4;
    core.propose([{ command: 'set k=10' }]);
    core.propose([{ command: 'set k=11' }]);
    expect(ofType(sent(core), 'append_entries').filter((m) => m.to === '2')).toHaveLength(0);
    core.step(appendResponse('2', '1', 1, true, 1 + inFlight));
    const next = ofType(sent(core), 'append_entries').filter((m) => m.to === '2');
    expect(next).toHaveLength(1); // one slot freed: every waiting entry in one append
    expect(next[0]?.prevLogIndex).toBe(1 + inFlight);
    expect(next[0]?.entries.map((e) => e.index)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
  });

  test('a follower being probed gets one append at a time until it answers', () => {
    const core = newCore();
    const first = ofType(elect(core, ['2']).messages, 'append_entries').filter((m) => m.to === '2');
    expect(first).toHaveLength(1); // the probe carrying the no-op
    core.propose([{ command: 'set a=1' }]);
    core.propose([{ command: 'set b=2' }]);
    expect(ofType(sent(core), 'append_entries').filter((m) => m.to === '2')).toHaveLength(0);
    core.step(appendResponse('2', '1', 1, false, 0, { conflictIndex: 1 }));
    const probe = ofType(sent(core), 'append_entries').filter((m) => m.to === '2');
    expect(probe).toHaveLength(1);
    expect(probe[0]?.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    core.propose([{ command: 'set c=3' }]);
    expect(ofType(sent(core), 'append_entries').filter((m) => m.to === '2')).toHaveLength(0);
  });

  test('unreachable(peer) forgets what is in flight, so the next heartbeat retries from matchIndex', () => {
    const core = newCore();
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 1));
    drain(core);
    for (let i = 0; i < 6; i++) {
      core.propose([{ command: `set k=${i}` }]);
      drain(core);
    }
    core.unreachable('2');
    core.tick();
    core.tick();
    const retry = ofType(sent(core), 'append_entries').filter((m) => m.to === '2');
    expect(retry).toHaveLength(1);
    expect(retry[0]?.prevLogIndex).toBe(1);
    expect(retry[0]?.entries.map((e) => e.index)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  test('unreachable(peer) while probing leaves the retry to the next heartbeat (no hammering a dead peer)', () => {
    const core = newCore();
    elect(core, ['2']); // the probe to 2 is out
    core.unreachable('2');
    core.propose([{ command: 'set a=1' }]);
    expect(ofType(sent(core), 'append_entries').filter((m) => m.to === '2')).toHaveLength(0);
    core.tick();
    core.tick();
    const retry = ofType(sent(core), 'append_entries').filter((m) => m.to === '2');
    expect(retry.map((m) => [m.prevLogIndex, m.entries.length])).toEqual([[0, 2]]);
  });

  test('a stale rejection (for entries the follower has since confirmed) does not send nextIndex back', () => {
    const core = newCore();
    elect(core, ['2']);
    core.propose([{ command: 'set a=1' }, { command: 'set b=2' }]);
    core.step(appendResponse('2', '1', 1, true, 3));
    drain(core);
    core.step(appendResponse('2', '1', 1, false, 0, { conflictIndex: 1 }));
    expect(core.progress()?.['2']).toEqual({ nextIndex: 4, matchIndex: 3 });
    expect(ofType(sent(core), 'append_entries').filter((m) => m.to === '2')).toHaveLength(0);
  });

  test('appends lost without a word are given up on after an election timeout and re-sent', () => {
    const core = newCore();
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 1));
    core.propose([{ command: 'set a=1' }]);
    drain(core); // this append is lost
    let retried = false;
    for (let i = 0; i < 20 && !retried; i++) {
      core.tick();
      retried = ofType(sent(core), 'append_entries').some((m) => m.to === '2' && m.entries.length > 0);
    }
    expect(retried).toBe(true);
  });
});
