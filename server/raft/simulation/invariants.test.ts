// The checker must be able to fail: each property is shown a violation made with real cores.

import { describe, expect, test } from 'vitest';
import {
  appendEntries,
  appendResponse,
  configEntry,
  drain,
  elect,
  entry,
  logOfTerms,
  newCore,
} from '../tests/harness.ts';
import type { Entry, PersistentState, RequestVoteResponse } from '../types.ts';
import { SafetyChecker, SafetyViolation } from './invariants.ts';

const grant = (from: string, to: string, term: number): RequestVoteResponse => ({
  type: 'request_vote_response',
  from,
  to,
  term,
  voteGranted: true,
});

const empty = (): PersistentState => ({ currentTerm: 0, votedFor: null, log: [] });
const THREE = { voters: ['1', '2', '3'], learners: [] };

/**
 * Node 1 as a follower that took `log` from leader 2 in `term` with leaderCommit `commit`, and a
 * checker that has seen that commit.
 */
function committedFollower(log: Entry[], term: number, commit: number) {
  const checker = new SafetyChecker(THREE);
  const core = newCore();
  core.step(appendEntries('2', '1', term, 0, 0, log, commit));
  checker.commitSeen('1', core, 1, []);
  return { checker, core };
}

describe('SafetyChecker', () => {
  test('two leaders of one term break election safety', () => {
    const checker = new SafetyChecker(THREE);
    const a = newCore({ id: '1' });
    const b = newCore({ id: '2' });
    elect(a, ['3']);
    elect(b, ['3']);
    checker.voteSent(grant('3', '1', 1));
    checker.leaderSeen('1', a);
    expect(() => checker.leaderSeen('2', b)).toThrow(/election safety/);
  });

  test('a leader without a majority of votes of its own term is caught', () => {
    const checker = new SafetyChecker(THREE);
    const core = newCore();
    core.campaign();
    checker.voteSent(grant('2', '1', 1)); // a vote of term 1...
    core.campaign();
    elect(core, ['2']); // ...does not elect it in term 3
    expect(core.currentTerm).toBe(3);
    expect(() => checker.leaderSeen('1', core)).toThrow(/only 1 votes/);
  });

  test('two different entries under one (index, term) break log matching', () => {
    const checker = new SafetyChecker(THREE);
    const a = newCore({ id: '1' });
    a.step(appendEntries('2', '1', 1, 0, 0, [entry(1, 1, 'set a=1')]));
    checker.readyTaken('1', a, a.ready(), empty());
    const b = newCore({ id: '3' });
    b.step(appendEntries('2', '3', 1, 0, 0, [entry(1, 1, 'set a=2')]));
    expect(() => checker.readyTaken('3', b, b.ready(), empty())).toThrow(/log matching/);
  });

  test('a truncation that deletes a committed entry is caught', () => {
    const { checker, core } = committedFollower([entry(1, 1), entry(2, 1)], 1, 2);
    const disk = { currentTerm: 1, votedFor: null, log: core.entries(1, 2) };
    drain(core);
    const truncating = { entries: [entry(2, 3)], messages: [], committed: [], truncateFrom: 2 };
    expect(() => checker.readyTaken('1', core, truncating, disk)).toThrow(/deleted committed entry 2/);
  });

  test('a leader of a later term without a committed entry breaks leader completeness', () => {
    const { checker } = committedFollower([entry(1, 1)], 1, 1);
    const empty = newCore({ id: '3', state: { currentTerm: 1 } });
    elect(empty, ['1']);
    checker.voteSent(grant('1', '3', 2));
    expect(() => checker.leaderSeen('3', empty)).toThrow(/leader completeness/);
  });

  test('applying different entries at one index breaks state machine safety', () => {
    const checker = new SafetyChecker(THREE);
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1]) } });
    core.step(appendEntries('2', '1', 1, 1, 1, [], 1));
    checker.commitSeen('1', core, 1, []);
    const [committed] = drain(core).committed;
    checker.applied('1', committed!, null);
    const other: Entry = { ...committed!, command: 'set other=1' };
    expect(() => checker.applied('2', other, null)).toThrow(SafetyViolation);
  });

  test('a node granting two votes in one term is caught', () => {
    const checker = new SafetyChecker(THREE);
    checker.voteSent(grant('1', '2', 3));
    checker.voteSent(grant('1', '2', 3));
    expect(() => checker.voteSent(grant('1', '3', 3))).toThrow(/voted for both/);
  });

  test('a vote, a term or an acknowledgement sent before it is on disk is caught', () => {
    const checker = new SafetyChecker(THREE);
    const disk: PersistentState = { currentTerm: 2, votedFor: null, log: [entry(1, 1)] };
    expect(() => checker.durableBeforeSend(disk, grant('1', '2', 2))).toThrow(/before persisting/);
    expect(() => checker.durableBeforeSend(disk, grant('1', '2', 3))).toThrow(/disk says 2/);
    const ack = { type: 'append_entries_response', from: '1', to: '2', term: 2, success: true } as const;
    checker.durableBeforeSend(disk, { ...ack, matchIndex: 1 });
    expect(() => checker.durableBeforeSend(disk, { ...ack, matchIndex: 2 })).toThrow(/acknowledged index 2/);
  });

  test('a retried request applied again, however much later, is caught (§6.3)', () => {
    const checker = new SafetyChecker(THREE);
    const e = (index: number): Entry => ({ ...entry(index, 1, 'set x=1'), client_id: '1', request_id: '1' });
    checker.requestApplied(e(2), { result: null, duplicate: false, refused: false });
    checker.requestApplied(e(3), { result: null, duplicate: true, refused: false });
    checker.requestApplied(e(900), { result: null, duplicate: false, refused: true });
    expect(() => checker.requestApplied(e(1000), { result: '1', duplicate: false, refused: false })).toThrow(
      /applied twice/,
    );
  });
});

describe('SafetyChecker, the dissertation’s additions', () => {
  test('a leader elected with votes from learners (not voters of its configuration) is caught', () => {
    const checker = new SafetyChecker(THREE);
    const core = newCore({ members: ['1', '2', '3'], learners: ['4', '5'] });
    core.campaign();
    checker.voteSent(grant('4', '1', 1));
    checker.voteSent(grant('5', '1', 1));
    elect(core, []);
    // A buggy tally counting learners: the checker counts only voters.
    expect(() => checker.leaderSeen('1', core)).toThrow(/only 1 votes of that term from voters 1,2,3/);
  });

  test('a read confirmed below what was committed when it began is a stale read', () => {
    const { checker } = committedFollower([entry(1, 1), entry(2, 1)], 1, 2);
    const mustReach = checker.readBegins();
    expect(mustReach).toBe(2);
    checker.readConfirmed('1', { id: 'ok', index: 2 }, mustReach);
    expect(() => checker.readConfirmed('1', { id: 'r', index: 1 }, mustReach)).toThrow(/stale read/);
  });

  test('a snapshot that is not exactly the committed prefix is caught', () => {
    const log = [entry(1, 1), entry(2, 1), entry(3, 2)];
    const { checker } = committedFollower(log, 2, 3);
    const meta = { index: 2, term: 1, config: THREE };
    checker.snapshotHolds('1', meta, log.slice(0, 2));
    expect(() => checker.snapshotHolds('1', meta, [entry(1, 1), entry(2, 1, 'set x=9')])).toThrow(
      /not the committed one/,
    );
    expect(() => checker.snapshotHolds('1', { ...meta, term: 2 }, log.slice(0, 2))).toThrow(/says term 2/);
    expect(() => checker.snapshotHolds('1', meta, log.slice(0, 1))).toThrow(/holds 1 entries/);
    const five = { voters: ['1', '2', '3', '4', '5'], learners: [] };
    expect(() => checker.snapshotHolds('1', { ...meta, config: five }, log.slice(0, 2))).toThrow(
      /configuration/,
    );
  });

  test('a snapshot installed over newer committed entries (their deletion) is caught', () => {
    const log = [entry(1, 1), entry(2, 1), entry(3, 1)];
    const { checker, core } = committedFollower(log, 1, 3);
    const disk: PersistentState = {
      currentTerm: 1,
      votedFor: null,
      log: log.slice(1),
      snapshot: { index: 1, term: 1, config: THREE },
    };
    const restore = {
      snapshot: { meta: { index: 2, term: 1, config: THREE }, data: log.slice(0, 2) },
      truncateFrom: 2,
      entries: [],
      messages: [],
      committed: [],
    };
    expect(() => checker.readyTaken('1', core, restore, disk)).toThrow(/deleted committed entry 2/);
  });

  test('a configuration entry changing two servers at once, or before the previous one committed, is caught', () => {
    const make = () => {
      const checker = new SafetyChecker(THREE);
      const core = newCore();
      elect(core, ['2']);
      core.step(appendResponse('2', '1', 1, true, 1));
      checker.commitSeen('1', core, 1, []);
      return { checker, core, disk: empty() };
    };
    const ready = (entries: Entry[]) => ({ entries, messages: [], committed: [] });
    const two = make();
    const jump = configEntry(2, 1, { voters: ['1', '2', '3', '4', '5'], learners: [] });
    expect(() => two.checker.readyTaken('1', two.core, ready([jump]), two.disk)).toThrow(
      /changed 4,5 at once/,
    );
    const early = make();
    const a = configEntry(2, 1, { voters: ['1', '2', '3'], learners: ['4'] });
    const b = configEntry(3, 1, { voters: ['1', '2', '3'], learners: ['4', '5'] });
    expect(() => early.checker.readyTaken('1', early.core, ready([a, b]), early.disk)).toThrow(
      /before the one at 2 committed/,
    );
  });

  test('a configuration change before the leader committed an entry of its term is caught (raft-dev 2015)', () => {
    const checker = new SafetyChecker(THREE);
    const core = newCore({ noopOnElection: false });
    elect(core, ['2']);
    const change = configEntry(1, 1, { voters: ['1', '2', '3'], learners: ['4'] });
    expect(() =>
      checker.readyTaken('1', core, { entries: [change], messages: [], committed: [] }, empty()),
    ).toThrow(/before committing an entry of its term 1/);
  });

  test('a commitIndex that goes back while a node runs is caught', () => {
    const checker = new SafetyChecker(THREE);
    checker.commitMoved('1', 3, 3);
    expect(() => checker.commitMoved('1', 3, 2)).toThrow(/went back from 3 to 2/);
  });

  test('acknowledging a snapshot before it is on disk is caught', () => {
    const checker = new SafetyChecker(THREE);
    const disk = { currentTerm: 2, votedFor: null, log: [entry(1, 1)] };
    const ack = { type: 'install_snapshot_response', from: '1', to: '2', term: 2 } as const;
    checker.durableBeforeSend(disk, { ...ack, matchIndex: 1 });
    expect(() => checker.durableBeforeSend(disk, { ...ack, matchIndex: 5 })).toThrow(/acknowledged index 5/);
    checker.durableBeforeSend(
      { ...disk, snapshot: { index: 5, term: 2, config: THREE } },
      { ...ack, matchIndex: 5 },
    );
  });

  test('a PreVote may name the next term, nothing further', () => {
    const checker = new SafetyChecker(THREE);
    const disk = { currentTerm: 2, votedFor: null, log: [] };
    const ask = {
      type: 'pre_vote',
      from: '1',
      to: '2',
      candidateId: '1',
      lastLogIndex: 0,
      lastLogTerm: 0,
    } as const;
    checker.durableBeforeSend(disk, { ...ask, term: 3 });
    expect(() => checker.durableBeforeSend(disk, { ...ask, term: 4 })).toThrow(/sent term 4/);
  });
});

test('a log whose terms go down after its snapshot is caught', () => {
  const checker = new SafetyChecker(THREE);
  // As a restart that kept an old suffix after a newer snapshot would hold it.
  const core = newCore({
    state: { currentTerm: 3, log: [entry(3, 1)], snapshot: { index: 2, term: 3, config: THREE } },
  });
  expect(() => checker.fullCheck([['1', core]])).toThrow(/entry 3 of term 1 follows term 3/);
});
