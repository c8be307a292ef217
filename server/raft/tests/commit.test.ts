// When entries commit (§5.3, §5.4.2, Figure 8) and how commitment reaches the shell.

import { describe, expect, test } from 'vitest';
import {
  appendEntries,
  appendResponse,
  type CoreOptions,
  drain,
  elect,
  entry,
  logOfTerms,
  newCore,
  ofType,
} from './harness.ts';

/**
 * S1 in Figure 8 (c): five servers, log terms [1, 2], elected again in term 4 by S2 and S3
 * (`opts` may turn the §8 no-op off).
 */
function figure8Leader(opts: CoreOptions = {}) {
  const core = newCore({
    members: ['1', '2', '3', '4', '5'],
    state: { currentTerm: 3, log: logOfTerms([1, 2]) },
    ...opts,
  });
  elect(core, ['2', '3']);
  return core;
}

describe('§5.3/§5.4.2 commitment', () => {
  test('a leader commits an entry once a majority stores it, and not before', () => {
    const core = newCore({ members: ['1', '2', '3', '4', '5'] });
    elect(core, ['2', '3']);
    core.propose([{ command: 'set a=1' }]);
    drain(core);
    core.step(appendResponse('2', '1', 1, true, 2));
    expect(core.commitIndex).toBe(0);
    core.step(appendResponse('3', '1', 1, true, 2));
    expect(core.commitIndex).toBe(2);
    expect(drain(core).committed.map((e) => e.index)).toEqual([1, 2]);
  });

  test('Figure 8: a leader does not commit an entry of an earlier term by counting replicas (§5.4.2)', () => {
    // S1 in Figure 8 (c), leader again in term 4 (no-op at index 3); entry 2 (term 2) reaches a majority.
    const core = figure8Leader();
    expect(core.currentTerm).toBe(4);
    core.step(appendResponse('2', '1', 4, true, 2));
    core.step(appendResponse('3', '1', 4, true, 2));
    expect(core.commitIndex).toBe(0); // index 2 is on a majority but of term 2: not committed
    // Once an entry of the current term is on a majority, everything before it commits too.
    core.step(appendResponse('2', '1', 4, true, 3));
    core.step(appendResponse('3', '1', 4, true, 3));
    expect(core.commitIndex).toBe(3);
  });

  test('without the §8 no-op, an old-term entry on a majority stays uncommitted until an entry of the current term commits (Figure 8)', () => {
    // Figure 8 (c) literally: S1 holds [1, 2], wins term 4 and appends nothing of its own.
    const core = figure8Leader({ noopOnElection: false });
    expect(core.role).toBe('leader');
    expect(core.lastIndex()).toBe(2);
    core.step(appendResponse('2', '1', 4, true, 2));
    core.step(appendResponse('3', '1', 4, true, 2));
    expect(core.commitIndex).toBe(0); // (c): on S1, S2, S3, yet of term 2 — S5 could still overwrite it
    // (e): a client command of term 4 reaches the same majority; index 2 commits with it.
    core.propose([{ command: 'set x=1' }]);
    drain(core);
    core.step(appendResponse('2', '1', 4, true, 3));
    expect(core.commitIndex).toBe(0);
    core.step(appendResponse('3', '1', 4, true, 3));
    expect(core.commitIndex).toBe(3);
    expect(drain(core).committed.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
  });

  test('a leader without the §8 no-op still announces itself to every follower at once', () => {
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1]) }, noopOnElection: false });
    const ready = elect(core, ['2']);
    expect(ready.entries).toEqual([]);
    const appends = ofType(ready.messages, 'append_entries');
    expect(appends.map((m) => m.to).sort()).toEqual(['2', '3']);
    expect(appends.every((m) => m.term === 2 && m.entries.length === 0 && m.prevLogIndex === 1)).toBe(true);
  });

  test('setNoopOnElection switches the §8 no-op for the next election, and it is on by default', () => {
    const core = newCore();
    elect(core, ['2']);
    expect(core.entries(1, core.lastIndex()).map((e) => e.type)).toEqual(['noop']);
    core.setNoopOnElection(false);
    core.step(appendEntries('2', '1', 5, 1, 1)); // a newer leader: step down
    elect(core, ['2']);
    expect(core.currentTerm).toBe(6);
    expect(core.lastIndex()).toBe(1);
    core.setNoopOnElection(true);
    core.step(appendEntries('3', '1', 7, 1, 1));
    elect(core, ['2']);
    expect(core.entries(1, core.lastIndex()).map((e) => [e.type, e.term])).toEqual([
      ['noop', 1],
      ['noop', 8],
    ]);
  });

  test('entries of earlier terms commit indirectly through the new leader’s no-op (§8)', () => {
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1, 1, 1]) } });
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 2, true, 4));
    expect(core.commitIndex).toBe(4);
    expect(drain(core).committed.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
    ]);
  });

  test('a leader tells caught-up followers the new commitIndex without waiting for a heartbeat', () => {
    const core = newCore();
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 1));
    const ready = drain(core);
    expect(core.commitIndex).toBe(1);
    const toTwo = ofType(ready.messages, 'append_entries').find((m) => m.to === '2');
    expect(toTwo?.leaderCommit).toBe(1);
  });

  test('committed entries come out once, in order, and lastApplied follows advance()', () => {
    const core = newCore();
    core.step(appendEntries('2', '1', 1, 0, 0, [entry(1, 1), entry(2, 1), entry(3, 1)], 2));
    const first = core.ready();
    expect(first.entries).toHaveLength(3); // persisted in the same Ready, before applying
    expect(first.committed.map((e) => e.index)).toEqual([1, 2]);
    expect(core.lastApplied).toBe(0);
    core.advance(first);
    expect(core.lastApplied).toBe(2);
    core.step(appendEntries('2', '1', 1, 3, 1, [], 3));
    core.step(appendEntries('2', '1', 1, 3, 1, [], 3));
    const second = drain(core);
    expect(second.committed.map((e) => e.index)).toEqual([3]);
    expect(drain(core).committed).toEqual([]);
    expect(core.lastApplied).toBe(3);
  });
});
