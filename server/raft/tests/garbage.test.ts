// The core must survive anything it is handed: learners craft messages by hand.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Message } from '../types.ts';
import {
  appendEntries,
  appendResponse,
  drain,
  elect,
  entry,
  newCore,
  observable,
  requestVote,
  sent,
} from './harness.ts';

describe('bad input', () => {
  const garbage: Array<[string, unknown]> = [
    ['a message claiming to come from this node itself', requestVote('1', '1', 5)],
    ['a request_vote whose candidate is not its sender', { ...requestVote('2', '1', 5), candidateId: '3' }],
    ['an append whose leader is not its sender', { ...appendEntries('2', '1', 5, 0, 0), leaderId: '3' }],
    ['a message addressed to another node', { ...requestVote('2', '1', 5), to: '3' }],
    ['a negative term', requestVote('2', '1', -1)],
    ['a fractional index', appendEntries('2', '1', 5, 1.5, 1)],
    ['entries with a gap', appendEntries('2', '1', 5, 0, 0, [entry(1, 1), entry(3, 1)])],
    ['entries of a term above the message term', appendEntries('2', '1', 2, 0, 0, [entry(1, 3)])],
    ['a prevLogTerm above the message term', appendEntries('2', '1', 2, 1, 3)],
    [
      'an entry of an unknown type',
      appendEntries('2', '1', 5, 0, 0, [{ ...entry(1, 1), type: 'weird' as 'noop' }]),
    ],
    ['a vote response without a verdict', { type: 'request_vote_response', from: '2', to: '1', term: 9 }],
    ['an unknown message type', { type: 'heartbeat', from: '2', to: '1', term: 9 }],
    [
      'an install_snapshot without its snapshot',
      { type: 'install_snapshot', from: '2', to: '1', term: 9, leaderId: '2' },
    ],
    [
      'an install_snapshot whose configuration has a voter twice',
      {
        type: 'install_snapshot',
        from: '2',
        to: '1',
        term: 9,
        leaderId: '2',
        snapshot: { index: 5, term: 2, config: { voters: ['1', '1'], learners: [] } },
      },
    ],
    [
      'a config entry without a configuration',
      appendEntries('2', '1', 5, 0, 0, [{ ...entry(1, 1), type: 'config', command: null }]),
    ],
    ['a timeout_now without its leader', { type: 'timeout_now', from: '2', to: '1', term: 9 }],
    ['null', null],
    ['a string', 'append_entries'],
  ];
  for (const [what, msg] of garbage) {
    test(`${what} is ignored and leaves the state untouched`, () => {
      const core = newCore();
      elect(core, ['2']);
      const before = observable(core);
      expect(() => core.step(msg as Message)).not.toThrow();
      expect(observable(core)).toEqual(before);
      expect(sent(core).filter((m) => m.type !== 'append_entries')).toEqual([]);
    });
  }

  test('a success claiming entries the leader never had does not move commitIndex', () => {
    const core = newCore();
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 50));
    expect(core.commitIndex).toBe(0);
    expect(core.progress()?.['2']?.matchIndex).toBe(0);
  });

  test('no sequence of arbitrary messages makes a node throw, lose committed entries or go back in term', () => {
    const id = fc.constantFrom('1', '2', '3', '9');
    const idx = fc.integer({ min: -1, max: 8 });
    const term = fc.integer({ min: 0, max: 6 });
    const anEntry = fc.record({
      index: idx,
      term,
      type: fc.constantFrom('command', 'noop'),
      command: fc.constantFrom('set a=1', null),
    });
    const message = fc.oneof(
      fc.record({
        type: fc.constant('request_vote'),
        from: id,
        to: fc.constant('1'),
        term,
        candidateId: id,
        lastLogIndex: idx,
        lastLogTerm: term,
      }),
      fc.record({
        type: fc.constant('request_vote_response'),
        from: id,
        to: fc.constant('1'),
        term,
        voteGranted: fc.boolean(),
      }),
      fc.record({
        type: fc.constant('append_entries'),
        from: id,
        to: fc.constant('1'),
        term,
        leaderId: id,
        prevLogIndex: idx,
        prevLogTerm: term,
        entries: fc.array(anEntry, { maxLength: 4 }),
        leaderCommit: idx,
      }),
      fc.record({
        type: fc.constant('append_entries_response'),
        from: id,
        to: fc.constant('1'),
        term,
        success: fc.boolean(),
        matchIndex: idx,
        conflictIndex: fc.option(idx, { nil: undefined }),
        conflictTerm: fc.option(term, { nil: undefined }),
      }),
    );
    const action = fc.oneof(
      message,
      fc.constant('tick' as const),
      fc.constant('propose' as const),
      fc.constant('campaign' as const),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const core = newCore();
        let committed: ReturnType<typeof core.entries> = [];
        let lastTerm = 0;
        for (const a of actions) {
          if (a === 'tick') core.tick();
          else if (a === 'propose') core.propose([{ command: 'set x=1' }]);
          else if (a === 'campaign') core.campaign();
          else core.step(a as unknown as Message);
          drain(core);
          expect(core.currentTerm).toBeGreaterThanOrEqual(lastTerm);
          lastTerm = core.currentTerm;
          expect(core.entries(1, committed.length)).toEqual(committed);
          expect(core.commitIndex).toBeLessThanOrEqual(core.lastIndex());
          committed = core.entries(1, core.commitIndex);
        }
      }),
      { numRuns: 300 },
    );
  });
});
