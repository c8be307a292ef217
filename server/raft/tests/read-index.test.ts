// Linearizable reads (dissertation §6.4): ReadIndex — the leader's commitIndex, confirmed by a
// heartbeat round answered by a majority after the read arrived — and leases (§6.4.1).

import { describe, expect, test } from 'vitest';
import type { RaftCore } from '../core.ts';
import { leaseTicks } from '../read-index.ts';
import type { Ready } from '../types.ts';
import {
  appendEntries,
  appendResponse,
  drain,
  ELECTION_MIN,
  elect,
  HEARTBEAT,
  leaderOfTerm1,
  newCore,
  ofType,
  ticks,
} from './harness.ts';

/** Leader '1' of term 1 in a cluster of 3 (or `members`), its no-op committed by '2'. */
const leaderWithCommit = (members = ['1', '2', '3'], opts = {}): RaftCore =>
  leaderOfTerm1({ members, ...opts }, members.slice(1));

/** The read round the leader's appends now carry. */
function roundOf(ready: Ready): number {
  const rounds = ofType(ready.messages, 'append_entries').map((m) => m.readRound ?? 0);
  return Math.max(0, ...rounds);
}

describe('dissertation §6.4 ReadIndex', () => {
  test('a read comes back with the commitIndex once a majority answered a heartbeat round sent after it', () => {
    const core = leaderWithCommit();
    expect(core.readIndex('r1')).toEqual({ ok: true });
    const ready = drain(core);
    expect(ready.readStates).toBeUndefined();
    const beats = ofType(ready.messages, 'append_entries');
    expect(beats.map((m) => m.to).sort()).toEqual(['2', '3']); // the round goes out at once
    const round = roundOf(ready);
    expect(round).toBeGreaterThan(0);
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 1 }]);
  });

  test('answers to heartbeats sent before the read do not confirm it', () => {
    const core = leaderWithCommit();
    ticks(core, HEARTBEAT);
    const before = roundOf(drain(core));
    core.readIndex('r1');
    drain(core);
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: before });
    core.step(appendResponse('3', '1', 1, true, 1)); // no round at all
    expect(drain(core).readStates).toBeUndefined();
  });

  test('a failed append answer of the leader’s term still confirms it leads', () => {
    const core = leaderWithCommit();
    core.readIndex('r1');
    const round = roundOf(drain(core));
    core.step({ ...appendResponse('3', '1', 1, false, 0, { conflictIndex: 1 }), readRound: round });
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 1 }]);
  });

  test('a new leader takes reads only once an entry of its term is committed (§6.4 step 1)', () => {
    const core = newCore({
      noopOnElection: false,
      state: { currentTerm: 1, log: [{ index: 1, term: 1, type: 'command', command: 'set a=1' }] },
    });
    elect(core, ['2']);
    expect(core.readIndex('r1').ok).toBe(true);
    const waiting = drain(core);
    expect(roundOf(waiting)).toBe(0); // no round yet: its commitIndex (0) may be behind
    core.step(appendResponse('2', '1', 2, true, 1));
    expect(core.commitIndex).toBe(0); // Figure 8: entry 1 is of term 1
    core.propose([{ command: 'set b=2' }]);
    drain(core);
    core.step(appendResponse('2', '1', 2, true, 2));
    expect(core.commitIndex).toBe(2);
    const round = roundOf(drain(core));
    expect(round).toBeGreaterThan(0);
    core.step({ ...appendResponse('3', '1', 2, true, 2), readRound: round });
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 2 }]);
  });

  test('a deposed leader never confirms: its pending reads are dropped when it steps down', () => {
    const core = leaderWithCommit();
    core.readIndex('r1');
    drain(core);
    core.step(appendEntries('2', '1', 2, 1, 1)); // a leader of term 2 exists
    const ready = drain(core);
    expect(ready.droppedReads).toEqual(['r1']);
    expect(ready.readStates).toBeUndefined();
    expect(core.readIndex('r2')).toEqual({ ok: false, reason: 'not_leader', leaderId: '2' });
  });

  test('answers carrying a higher term depose the leader instead of confirming', () => {
    const core = leaderWithCommit();
    core.readIndex('r1');
    const round = roundOf(drain(core));
    core.step({ ...appendResponse('2', '1', 3, false, 0), readRound: round });
    const ready = drain(core);
    expect(core.role).toBe('follower');
    expect(ready.droppedReads).toEqual(['r1']);
  });

  test('a follower refuses a read and names the leader it knows', () => {
    const core = newCore();
    core.step(appendEntries('2', '1', 1, 0, 0));
    expect(core.readIndex('r1')).toEqual({ ok: false, reason: 'not_leader', leaderId: '2' });
  });

  test('a single-voter leader confirms at once', () => {
    const core = newCore({ members: ['1'] });
    core.campaign();
    drain(core);
    core.readIndex('r1');
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 1 }]);
  });

  test('reads taken before one round goes out share it', () => {
    const core = leaderWithCommit();
    core.readIndex('a');
    core.readIndex('b');
    const round = roundOf(drain(core));
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
    expect(drain(core).readStates?.map((r) => r.id)).toEqual(['a', 'b']);
  });

  test('the read index is the commitIndex when the read arrived, even if more commits before it is confirmed', () => {
    const core = leaderWithCommit();
    core.readIndex('r1');
    const round = roundOf(drain(core));
    core.propose([{ command: 'set a=1' }]);
    drain(core);
    core.step(appendResponse('3', '1', 1, true, 2));
    expect(core.commitIndex).toBe(2);
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 1 }]);
  });
});

describe('dissertation §6.4.1 leases', () => {
  const lease = { readMode: 'lease' as const, checkQuorum: true };

  test('after a confirmed round, reads are answered at once until the lease runs out', () => {
    const core = leaderWithCommit(['1', '2', '3'], lease);
    core.readIndex('r1');
    const round = roundOf(drain(core));
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 1 }]);
    core.readIndex('r2');
    expect(drain(core).readStates).toEqual([{ id: 'r2', index: 1 }]);
    ticks(core, leaseTicks(ELECTION_MIN));
    drain(core);
    core.readIndex('r3');
    expect(drain(core).readStates).toBeUndefined(); // lease expired: a round again
  });

  test('the lease is shorter than the minimum election timeout, by an allowance for clock drift', () => {
    expect(leaseTicks(ELECTION_MIN)).toBeLessThan(ELECTION_MIN);
    expect(leaseTicks(100)).toBe(89);
  });

  test('each heartbeat round renews the lease', () => {
    const core = leaderWithCommit(['1', '2', '3'], lease);
    for (let i = 0; i < 10; i++) {
      ticks(core, HEARTBEAT);
      const round = roundOf(drain(core));
      core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
      drain(core);
    }
    core.readIndex('r1');
    expect(drain(core).readStates).toEqual([{ id: 'r1', index: 1 }]);
  });

  test('without CheckQuorum (no stickiness to rely on) there is no lease', () => {
    const core = leaderWithCommit(['1', '2', '3'], { readMode: 'lease', checkQuorum: false });
    core.readIndex('r1');
    const round = roundOf(drain(core));
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
    drain(core);
    core.readIndex('r2');
    expect(drain(core).readStates).toBeUndefined();
  });

  test('after a TimeoutNow in its term (which bypasses stickiness) a leader trusts no lease', () => {
    const core = leaderWithCommit(['1', '2', '3'], lease);
    core.readIndex('r1');
    const round = roundOf(drain(core));
    core.step({ ...appendResponse('2', '1', 1, true, 1), readRound: round });
    drain(core);
    core.transferLeadership('2');
    expect(ofType(drain(core).messages, 'timeout_now')).toHaveLength(1);
    core.readIndex('r2');
    expect(drain(core).readStates).toBeUndefined();
  });
});
