// Log compaction (paper §7, Figure 13; dissertation §5.1): the shell snapshots the state
// machine, the core drops the prefix; a follower whose next entry is gone gets InstallSnapshot.

import { describe, expect, test } from 'vitest';
import { RaftCore } from '../core.ts';
import type { PersistentState, Ready, SnapshotMeta } from '../types.ts';
import {
  appendEntries,
  appendResponse,
  cluster,
  config,
  configEntry,
  coreConfig,
  drain,
  ELECTION_MIN,
  elect,
  entry,
  HEARTBEAT,
  installSnapshot,
  logOfTerms,
  newCore,
  ofType,
  sent,
  settle,
  settleWhere,
  ticks,
} from './harness.ts';

const THREE = config(['1', '2', '3']);
const meta = (index: number, term: number, c = THREE): SnapshotMeta => ({ index, term, config: c });

/** A follower of '2' in term 2 whose log has `terms`, all committed and applied. */
function follower(terms: number[], commit = terms.length): RaftCore {
  const core = newCore({ state: { currentTerm: 2, log: logOfTerms(terms) } });
  core.step(appendEntries('2', '1', 2, terms.length, terms.at(-1) ?? 0, [], commit));
  drain(core);
  return core;
}

describe('paper §7 compaction on one server', () => {
  test('compact(i) drops the log up to i; the snapshot remembers its last index, term and configuration', () => {
    const core = follower([1, 1, 2, 2]);
    expect(core.snapshotMeta(3)).toEqual(meta(3, 2));
    core.compact(3);
    expect(core.firstIndex()).toBe(4);
    expect(core.entries(1, 4)).toEqual([entry(4, 2)]);
    expect(core.termAt(3)).toBe(2); // the snapshot's last term answers the consistency check
    expect(core.termAt(2)).toBe(-1);
    expect(core.snapshot).toEqual(meta(3, 2));
    expect(core.lastIndex()).toBe(4);
  });

  test('only applied entries can be compacted', () => {
    const core = follower([1, 1, 2], 1);
    expect(() => core.compact(2)).toThrow(/must be applied \(lastApplied is 1\)/);
    expect(() => core.snapshotMeta(3)).toThrow(RangeError);
  });

  test('the snapshot carries the configuration in effect at its index (dissertation §5.1)', () => {
    const four = config(['1', '2', '3'], ['4']);
    const core = newCore({
      state: { currentTerm: 2, log: [entry(1, 1), configEntry(2, 2, four), entry(3, 2)] },
    });
    core.step(appendEntries('2', '1', 2, 3, 2, [], 3));
    drain(core);
    expect(core.snapshotMeta(1)?.config).toEqual(THREE);
    expect(core.snapshotMeta(3)?.config).toEqual(four);
  });

  test('a follower whose log starts after a snapshot still accepts an append that overlaps it', () => {
    const core = follower([1, 1, 2]);
    core.compact(3);
    core.step(appendEntries('2', '1', 2, 1, 1, [entry(2, 1), entry(3, 2), entry(4, 2)], 4));
    const [reply] = ofType(sent(core), 'append_entries_response');
    expect(reply).toMatchObject({ success: true, matchIndex: 4 });
    expect(core.commitIndex).toBe(4);
    core.step(appendEntries('2', '1', 2, 0, 0, [entry(1, 1)], 4)); // wholly inside the snapshot
    expect(ofType(sent(core), 'append_entries_response')[0]).toMatchObject({ success: true, matchIndex: 3 });
  });
});

describe('paper §7 InstallSnapshot, the leader', () => {
  test('a follower whose next entry was compacted gets InstallSnapshot, then nothing else until it answers', () => {
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1, 1, 1]) } });
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 2, true, 4));
    drain(core);
    core.compact(0); // nothing applied yet: a no-op
    expect(core.commitIndex).toBe(4);
    core.compact(4);
    // '3' rejects with a hint below the snapshot: its next entry is gone.
    core.step(appendResponse('3', '1', 2, false, 0, { conflictIndex: 1 }));
    const ready = drain(core);
    const [snap] = ofType(ready.messages, 'install_snapshot');
    expect(snap).toMatchObject({ to: '3', term: 2, leaderId: '1', snapshot: meta(4, 2) });
    expect(snap!.data).toBeUndefined(); // the shell attaches its data
    core.propose([{ command: 'set a=1' }]);
    expect(ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '3')).toEqual([]);
    // Heartbeats still reach it, so it does not time out while the snapshot travels.
    ticks(core, HEARTBEAT);
    expect(ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '3')).toHaveLength(1);
  });

  test('once the follower answers, the leader sends what follows the snapshot', () => {
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1, 1, 1]) } });
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 2, true, 4));
    drain(core);
    core.compact(4);
    core.propose([{ command: 'set a=1' }]);
    core.step(appendResponse('3', '1', 2, false, 0, { conflictIndex: 1 }));
    drain(core);
    core.step({ type: 'install_snapshot_response', from: '3', to: '1', term: 2, matchIndex: 4 });
    const [next] = ofType(drain(core).messages, 'append_entries').filter((m) => m.to === '3');
    expect(next).toMatchObject({ prevLogIndex: 4, prevLogTerm: 2 });
    expect(next!.entries.map((e) => e.index)).toEqual([5]);
  });

  test('a snapshot that is never answered is offered again after unreachable()', () => {
    const core = newCore({ state: { currentTerm: 1, log: logOfTerms([1]) } });
    elect(core, ['2']);
    core.step(appendResponse('2', '1', 2, true, 2));
    drain(core);
    core.compact(2);
    core.step(appendResponse('3', '1', 2, false, 0, { conflictIndex: 1 }));
    expect(ofType(drain(core).messages, 'install_snapshot')).toHaveLength(1);
    core.unreachable('3');
    ticks(core, HEARTBEAT);
    expect(ofType(drain(core).messages, 'install_snapshot')).toHaveLength(1);
  });

  test('a cluster catches up a follower that was away while the leader compacted', () => {
    const cores = cluster(['1', '2', '3']);
    const leader = cores.get('1')!;
    const away = cores.get('3')!;
    for (let i = 0; i < 10; i++) {
      leader.propose([{ command: `set k${i}=${i}` }]);
      settleWhere(cores, (m) => m.to !== '3' && m.from !== '3');
    }
    leader.compact(leader.lastApplied);
    expect(leader.firstIndex()).toBe(12);
    // Healed: the appends pipelined to '3' are given up on after an election timeout.
    const delivered = [];
    for (let t = 0; t < ELECTION_MIN + HEARTBEAT; t++) {
      leader.tick();
      delivered.push(...settle(cores));
    }
    expect(delivered.some((m) => m.type === 'install_snapshot' && m.to === '3')).toBe(true);
    expect(away.snapshot.index).toBe(11);
    expect(away.commitIndex).toBe(11);
    leader.propose([{ command: 'set z=1' }]);
    settle(cores);
    expect(away.entries(12, 12).map((e) => e.command)).toEqual(['set z=1']);
  });
});

describe('paper §7 InstallSnapshot, the follower (Figure 13)', () => {
  test('step 1: a snapshot of an older term is refused with the current term', () => {
    const core = follower([1, 2]);
    core.step(installSnapshot('3', '1', 1, meta(5, 1)));
    expect(ofType(sent(core), 'install_snapshot_response')[0]).toMatchObject({ term: 2, matchIndex: 0 });
    expect(core.snapshot.index).toBe(0);
  });

  test('steps 7–8: a snapshot past its log replaces the log; the Ready carries it to persist and restore', () => {
    const core = follower([1, 2]);
    core.step({ ...installSnapshot('2', '1', 2, meta(5, 2), 'the image'), rpcId: 'x' });
    expect([core.snapshot, core.commitIndex, core.firstIndex(), core.lastIndex()]).toEqual([
      meta(5, 2),
      5,
      6,
      5,
    ]);
    const ready = drain(core);
    expect(ready.snapshot).toEqual({ meta: meta(5, 2), data: 'the image' });
    expect(ready.committed).toEqual([]); // the state machine comes from the snapshot
    expect(ready.messages).toEqual([
      { type: 'install_snapshot_response', from: '1', to: '2', rpcId: 'x', term: 2, matchIndex: 5 },
    ]);
    expect(core.lastApplied).toBe(5);
    core.step(appendEntries('2', '1', 2, 5, 2, [entry(6, 2)], 6));
    expect(drain(core).committed).toEqual([entry(6, 2)]);
  });

  test('step 7: a log that disagrees with the snapshot at its index is discarded entirely (truncateFrom)', () => {
    const core = newCore({ state: { currentTerm: 3, log: logOfTerms([1, 1, 1, 1]) } });
    core.step(appendEntries('2', '1', 3, 4, 1, [], 1));
    drain(core);
    core.step(installSnapshot('2', '1', 3, meta(3, 2)));
    const ready = drain(core);
    expect(ready.snapshot?.meta).toEqual(meta(3, 2));
    expect(ready.truncateFrom).toBe(3); // the conflicting entry 3 and everything after it
    expect(core.lastIndex()).toBe(3);
    expect(core.entries(1, 10)).toEqual([]);
  });

  test('step 6: a snapshot whose last entry the log holds keeps the log and commits up to it', () => {
    const core = follower([1, 1, 2, 2], 1);
    core.step(installSnapshot('2', '1', 2, meta(3, 2)));
    const ready = drain(core);
    expect(ready.snapshot).toBeUndefined();
    expect(ready.committed.map((e) => e.index)).toEqual([2, 3]); // applied from its own log
    expect(core.lastIndex()).toBe(4);
    expect(ofType(ready.messages, 'install_snapshot_response')[0]?.matchIndex).toBe(3);
  });

  test('a snapshot at or below the commitIndex changes nothing: it never replaces newer committed entries', () => {
    const core = follower([1, 1, 2, 2], 4);
    core.step(installSnapshot('2', '1', 2, meta(2, 1)));
    const ready = drain(core);
    expect(ready.snapshot).toBeUndefined();
    expect(ready.truncateFrom).toBeUndefined();
    expect(core.lastIndex()).toBe(4);
    expect(ofType(ready.messages, 'install_snapshot_response')[0]?.matchIndex).toBe(4);
  });

  test('a snapshot from a leader resets the election timer and names the leader (§5.2)', () => {
    const core = newCore({ state: { currentTerm: 2 } });
    ticks(core, ELECTION_MIN - 1);
    core.step(installSnapshot('3', '1', 2, meta(4, 2)));
    ticks(core, ELECTION_MIN - 1);
    expect([core.role, core.leaderId]).toEqual(['follower', '3']);
  });
});

describe('restart from snapshot and log', () => {
  const cfg = coreConfig();

  test('a restarted node holds its snapshot and the entries after it, and applies only those', () => {
    const state: PersistentState = {
      currentTerm: 2,
      votedFor: null,
      log: [entry(4, 2), entry(5, 2)],
      snapshot: meta(3, 2),
    };
    const core = new RaftCore({ ...cfg, applied: 3 }, state);
    expect([core.firstIndex(), core.lastIndex(), core.commitIndex, core.lastApplied]).toEqual([4, 5, 3, 3]);
    core.step(appendEntries('2', '1', 2, 5, 2, [], 5));
    const ready: Ready = drain(core);
    expect(ready.committed.map((e) => e.index)).toEqual([4, 5]);
    expect(ready.truncateFrom).toBeUndefined();
  });

  test('applied below the snapshot is taken as the snapshot: the state machine was restored from it', () => {
    const core = new RaftCore(cfg, { currentTerm: 2, votedFor: null, log: [], snapshot: meta(3, 2) });
    expect(core.lastApplied).toBe(3);
  });

  test('a crash between writing a received snapshot and cutting the log: the old conflicting entries go', () => {
    const stored = [...logOfTerms([1, 1, 1, 1, 1])];
    const core = new RaftCore(
      { ...cfg, applied: 4 },
      { currentTerm: 3, votedFor: null, log: stored, snapshot: meta(4, 2) },
    );
    expect([core.firstIndex(), core.lastIndex()]).toEqual([5, 4]);
    expect(drain(core).truncateFrom).toBe(4); // from the conflicting entry at the snapshot's index on
  });

  test('stored entries at or below the snapshot that agree with it are just ignored', () => {
    const core = new RaftCore(
      { ...cfg, applied: 2 },
      { currentTerm: 2, votedFor: null, log: logOfTerms([1, 2, 2]), snapshot: meta(2, 2) },
    );
    expect([core.firstIndex(), core.lastIndex()]).toEqual([3, 3]);
    expect(drain(core).truncateFrom).toBeUndefined();
  });
});
