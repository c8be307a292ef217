// Dissertation §10.2.1: what of a Ready may leave before it is on disk.

import { describe, expect, test } from 'vitest';
import { splitForPersist } from '../early-send.ts';
import { appendEntries, appendResponse, drain, elect, entry, newCore } from './harness.ts';

describe('dissertation §10.2.1: the leader writes its log in parallel with replicating it', () => {
  test("a leader's appends of its new entries leave before its own write", () => {
    const core = newCore();
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 1, true, 1)); // 2 has the no-op: replicating; 3 still probed
    drain(core);
    core.propose([{ command: 'set a=1' }]);
    const rd = core.ready();
    const { early, afterPersist } = splitForPersist(rd, core.role);
    expect(rd.entries.map((e) => e.index)).toEqual([2]);
    expect(early.map((m) => [m.type, m.to, m.type === 'append_entries' && m.entries.length])).toEqual([
      ['append_entries', '2', 1],
    ]);
    expect(afterPersist).toEqual([]);
  });

  test('a leader that reaches no peer still hands its new entry over to be persisted (issue 11, Figure 8)', () => {
    const core = newCore();
    elect(core, ['2']);
    drain(core);
    for (const peer of ['2', '3']) core.unreachable(peer);
    drain(core);
    core.propose([{ command: 'set f=3' }]);
    const rd = core.ready();
    expect(rd.entries.map((e) => [e.index, e.command])).toEqual([[2, 'set f=3']]);
    // Whatever may leave early, the entry itself is always in the Ready's entries to persist.
    const { early, afterPersist } = splitForPersist(rd, core.role);
    expect([...early, ...afterPersist]).toEqual(rd.messages);
  });

  test("a follower's acknowledgement waits for its write (Figure 2)", () => {
    const core = newCore({ id: '2' });
    core.step(appendEntries('1', '2', 1, 0, 0, [entry(1, 1)], 0));
    const rd = core.ready();
    const { early, afterPersist } = splitForPersist(rd, core.role);
    expect(early).toEqual([]);
    expect(afterPersist.map((m) => m.type)).toEqual(['append_entries_response']);
  });

  test("a candidate's vote requests wait for its new term and vote to be durable", () => {
    const core = newCore();
    core.campaign();
    const rd = core.ready();
    expect(rd.hardState?.currentTerm).toBe(1);
    expect(splitForPersist(rd, core.role).early).toEqual([]);
  });

  test("an append telling a commit that counted the leader's own unwritten copy waits for its write (a leader that is the only voter)", () => {
    // §10.2.1: an entry commits once a majority *stored* it. Alone, the leader commits its new
    // entry at once, before its write: a learner told so early could apply an entry that a crash
    // of the leader before its fsync takes back.
    const core = newCore({ members: ['1'] });
    core.campaign();
    drain(core);
    expect(core.role).toBe('leader');
    expect(core.changeMembership({ kind: 'add_learner', id: '2' }).ok).toBe(true);
    drain(core);
    core.step(appendResponse('2', '1', 1, true, 2)); // the learner has everything: replicating
    drain(core);
    core.propose([{ command: 'set a=1' }]);
    const rd = core.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([3]);
    expect(core.commitIndex).toBe(3);
    const { early, afterPersist } = splitForPersist(rd, core.role);
    expect(early).toEqual([]);
    expect(afterPersist.map((m) => [m.type, m.to, m.type === 'append_entries' && m.leaderCommit])).toEqual([
      ['append_entries', '2', 3],
    ]);
  });

  test('nothing leaves early from a Ready that changes the term or vote, or cuts the log', () => {
    const core = newCore();
    elect(core, ['2']);
    core.propose([{ command: 'set a=1' }]);
    const rd = core.ready();
    drain(core);
    const hard = { ...rd, hardState: { currentTerm: 1, votedFor: '1' } };
    expect(splitForPersist(hard, 'leader').early).toEqual([]);
    expect(splitForPersist({ ...rd, truncateFrom: 2 }, 'leader').early).toEqual([]);
    expect(splitForPersist(rd, 'follower').early).toEqual([]);
  });
});
