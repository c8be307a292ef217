// A protocol-level adversary, straight into the core (the node's door refuses most of these with
// a 400 first: tests/node/adversary.test.ts). Each message is one no real peer would send; the
// core must neither throw nor commit or hand out for applying anything it should not.

import { describe, expect, test } from 'vitest';
import type { RaftCore } from '../core.ts';
import { MAX_TERM_LEAD } from '../message-checks.ts';
import type { Entry, Message } from '../types.ts';
import {
  appendEntries,
  drain,
  entry,
  logOfTerms,
  newCore,
  observable,
  ofType,
  requestVote,
} from './harness.ts';

/** A follower of leader 2 at `term`, holding `terms` with the first `commit` entries committed and applied. */
function follower(terms: number[], term: number, commit: number): { core: RaftCore; applied: Entry[] } {
  const core = newCore({ state: { currentTerm: term, log: logOfTerms(terms) } });
  core.step(appendEntries('2', '1', term, commit, commit === 0 ? 0 : terms[commit - 1]!, [], commit));
  const applied = drain(core).committed;
  return { core, applied };
}

/** Steps `msg` and returns what came out; the core must not throw. */
function step(core: RaftCore, msg: unknown) {
  expect(() => core.step(msg as Message)).not.toThrow();
  return drain(core);
}

describe('a protocol-level adversary against the core (the door bypassed)', () => {
  test(`a term more than 2^32 above the node's own is ignored; exactly 2^32 above is adopted (§5.1)`, () => {
    const { core } = follower([1, 1], 1, 2);
    const before = observable(core);
    for (const term of [2 ** 52, 1 + MAX_TERM_LEAD + 1, Number.MAX_SAFE_INTEGER]) {
      const out = step(core, requestVote('3', '1', term, 9, 1));
      expect(out.messages).toEqual([]);
      expect(out.hardState).toBeUndefined();
      expect(observable(core)).toEqual(before);
    }
    step(core, requestVote('3', '1', 1 + MAX_TERM_LEAD, 9, 1));
    expect(core.currentTerm).toBe(1 + MAX_TERM_LEAD);
  });

  test('a prev_log_index far beyond the log is refused by the consistency check; nothing is appended or committed', () => {
    const { core } = follower([1, 1, 1], 1, 2);
    const out = step(core, appendEntries('2', '1', 1, 2 ** 50, 1, [entry(2 ** 50 + 1, 1)], 2 ** 50 + 1));
    expect(ofType(out.messages, 'append_entries_response')[0]).toMatchObject({
      success: false,
      conflictIndex: 4,
    });
    expect(out.entries).toEqual([]);
    expect(out.committed).toEqual([]);
    expect(core.commitIndex).toBe(2);
    expect(core.lastIndex()).toBe(3);
  });

  test.each<[string, Entry[]]>([
    ['entries whose terms decrease', [entry(3, 2), entry(4, 1)]],
    ['entries with a gap in their indexes', [entry(3, 2), entry(5, 2)]],
    ['entries that do not start right after prev_log_index', [entry(4, 2)]],
    ['an entry of a term above the message term', [entry(3, 3)]],
  ])('%s are dropped whole: no term adopted, nothing appended, committed or answered', (_what, entries) => {
    const { core } = follower([1, 1], 1, 2);
    const before = observable(core);
    const out = step(core, appendEntries('2', '1', 2, 2, 1, entries, 4));
    expect(out.messages).toEqual([]);
    expect(out.entries).toEqual([]);
    expect(out.committed).toEqual([]);
    expect(observable(core)).toEqual(before);
  });

  test('a leader_commit beyond anything sent commits only up to the last entry the message covers (Figure 2, step 5)', () => {
    const { core } = follower([1, 1], 1, 1);
    const out = step(core, appendEntries('2', '1', 1, 2, 1, [entry(3, 1)], 1_000_000));
    expect(core.commitIndex).toBe(3);
    expect(out.committed.map((e) => e.index)).toEqual([2, 3]);
    expect(step(core, appendEntries('2', '1', 1, 3, 1, [], 2 ** 53 - 1)).committed).toEqual([]);
    expect(core.commitIndex).toBe(3);
  });

  test("a leader_commit beyond the match never applies an old leader's entry the new leader does not have", () => {
    // Entry 3 (term 1) came from the old leader and was never committed; leader 3 of term 2 has
    // only entries 1–2 in common with us, so its heartbeat matches at 2 whatever its commit says.
    const { core } = follower([1, 1, 1], 1, 2);
    const out = step(core, appendEntries('3', '1', 2, 2, 1, [], 3));
    expect(ofType(out.messages, 'append_entries_response')[0]).toMatchObject({
      success: true,
      matchIndex: 2,
    });
    expect(out.committed).toEqual([]);
    expect(core.commitIndex).toBe(2);
  });

  test('a second leader for the same term is ignored (§5.2: one leader per term)', () => {
    const { core } = follower([1, 1], 1, 2);
    step(core, appendEntries('2', '1', 2, 2, 1, [], 2));
    const before = observable(core);
    const out = step(core, appendEntries('3', '1', 2, 2, 1, [entry(3, 2, 'set evil=1')], 3));
    expect(out.messages).toEqual([]);
    expect(out.entries).toEqual([]);
    expect(out.committed).toEqual([]);
    expect(observable(core)).toEqual(before);
    // The first leader of the term is still followed.
    expect(
      ofType(step(core, appendEntries('2', '1', 2, 2, 1, [], 2)).messages, 'append_entries_response')[0],
    ).toMatchObject({ success: true });
  });
});
