// The contract with the shell: what a Ready carries, so that nothing is sent before it
// is durable, nothing is applied twice, and a restarted node rebuilds from its log.

import { describe, expect, test } from 'vitest';
import { RaftCore } from '../core.ts';
import type { PersistentState, Ready } from '../types.ts';
import {
  appendEntries,
  coreConfig,
  drain,
  entry,
  newCore,
  ofType,
  requestVote,
  settle,
  ticks,
} from './harness.ts';

describe('Ready', () => {
  test('a granted vote leaves in the same Ready as the votedFor that must be persisted first', () => {
    const core = newCore();
    core.step(requestVote('2', '1', 1, 0, 0, 'rpc-9'));
    const ready = drain(core);
    expect(ready.hardState).toEqual({ currentTerm: 1, votedFor: '2' });
    expect(ready.messages).toEqual([
      { type: 'request_vote_response', from: '1', to: '2', rpcId: 'rpc-9', term: 1, voteGranted: true },
    ]);
  });

  test('a vote granted in a term the node already knew still goes to disk before the reply', () => {
    const core = newCore({ state: { currentTerm: 2, votedFor: null } });
    core.step(requestVote('3', '1', 2));
    const ready = drain(core);
    expect(ready.hardState).toEqual({ currentTerm: 2, votedFor: '3' });
    expect(ofType(ready.messages, 'request_vote_response')[0]?.voteGranted).toBe(true);
  });

  test('an append acknowledgement leaves in the same Ready as the entries it acknowledges', () => {
    const core = newCore();
    core.step({ ...appendEntries('2', '1', 1, 0, 0, [entry(1, 1)]), rpcId: 'x' });
    const ready = drain(core);
    expect(ready.entries).toEqual([entry(1, 1)]);
    expect(ofType(ready.messages, 'append_entries_response')[0]).toMatchObject({
      to: '2',
      rpcId: 'x',
      success: true,
      matchIndex: 1,
    });
  });

  test('nothing is handed out twice, and hasReady() is false once everything was taken', () => {
    const core = newCore();
    core.step(appendEntries('2', '1', 1, 0, 0, [entry(1, 1)], 1));
    expect(core.hasReady()).toBe(true);
    drain(core);
    expect(core.hasReady()).toBe(false);
    const empty = core.ready();
    expect(empty).toEqual({ entries: [], messages: [], committed: [] });
  });

  test('softState reports role, leader and commitIndex changes', () => {
    const core = newCore();
    core.campaign();
    expect(drain(core).softState).toEqual({ role: 'candidate', leaderId: null, commitIndex: 0 });
    core.step(appendEntries('2', '1', 1, 0, 0, [], 0));
    expect(drain(core).softState).toEqual({ role: 'follower', leaderId: '2', commitIndex: 0 });
  });

  test('a truncation of entries the shell already stored is reported as truncateFrom', () => {
    const core = newCore();
    core.step(appendEntries('2', '1', 1, 0, 0, [entry(1, 1), entry(2, 1), entry(3, 1)]));
    drain(core);
    core.step(appendEntries('3', '1', 2, 1, 1, [entry(2, 2)]));
    const ready = drain(core);
    expect(ready.truncateFrom).toBe(2);
    expect(ready.entries).toEqual([entry(2, 2)]);
  });
});

/** A shell in miniature: keeps exactly what each Ready asks to persist. */
function persist(store: PersistentState, ready: Ready): void {
  if (ready.hardState) Object.assign(store, ready.hardState);
  if (ready.truncateFrom !== undefined) store.log = store.log.filter((e) => e.index < ready.truncateFrom!);
  store.log.push(...ready.entries);
}

describe('restart', () => {
  test('a restarted node keeps its term, vote and log, and re-emits the committed prefix as it learns commitIndex', () => {
    const store: PersistentState = { currentTerm: 0, votedFor: null, log: [] };
    // Figure 2's restart: without CheckQuorum a restarted node votes at once (§4.2.3 would make it wait).
    const config = coreConfig();
    let core = new RaftCore(config, store);
    core.step(requestVote('2', '1', 1));
    core.step(appendEntries('2', '1', 1, 0, 0, [entry(1, 1), entry(2, 1), entry(3, 1)], 2));
    let ready = core.ready();
    persist(store, ready);
    core.advance(ready);
    expect(core.lastApplied).toBe(2);

    core = new RaftCore(config, structuredClone(store));
    expect([core.currentTerm, core.votedFor, core.lastIndex()]).toEqual([1, '2', 3]);
    expect(core.commitIndex).toBe(0); // volatile: learnt again from the leader
    expect(core.lastApplied).toBe(0);
    core.step(appendEntries('2', '1', 1, 3, 1, [], 3));
    ready = core.ready();
    expect(ready.entries).toEqual([]); // nothing to persist again
    expect(ready.committed.map((e) => e.index)).toEqual([1, 2, 3]);
  });

  test('config.applied tells a restarted core what the shell already applied', () => {
    const log = [entry(1, 1), entry(2, 1), entry(3, 1)];
    const core = newCore({ applied: 2, state: { currentTerm: 1, log } });
    expect(core.commitIndex).toBe(2);
    expect(core.lastApplied).toBe(2);
    core.step(appendEntries('2', '1', 1, 3, 1, [], 3));
    expect(drain(core).committed.map((e) => e.index)).toEqual([3]);
  });

  test('a whole cluster restarted from disk elects a leader that keeps every committed entry', () => {
    const ids = ['1', '2', '3'];
    const stores = new Map(
      ids.map((id) => [id, { currentTerm: 0, votedFor: null, log: [] } as PersistentState]),
    );
    const make = (id: string) => {
      const core = newCore({
        id,
        random: () => (Number(id) - 1) / 3,
        state: structuredClone(stores.get(id)!),
      });
      const ready = core.ready.bind(core);
      core.ready = () => {
        const r = ready();
        persist(stores.get(id)!, r);
        return r;
      };
      return core;
    };
    let cores = new Map(ids.map((id) => [id, make(id)]));
    ticks(cores.get('1')!, 20);
    settle(cores);
    const leader = [...cores.values()].find((c) => c.role === 'leader')!;
    leader.propose([{ command: 'set a=1' }, { command: 'set b=2' }]);
    settle(cores);
    const committed = leader.entries(1, leader.commitIndex);
    expect(committed).toHaveLength(3);
    cores = new Map(ids.map((id) => [id, make(id)]));
    for (let i = 0; i < 40 && ![...cores.values()].some((c) => c.role === 'leader'); i++) {
      for (const c of cores.values()) c.tick();
      settle(cores);
    }
    const next = [...cores.values()].find((c) => c.role === 'leader')!;
    expect(next.entries(1, committed.length)).toEqual(committed);
  });
});
