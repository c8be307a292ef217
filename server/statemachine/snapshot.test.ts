import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeRecord } from '../node/storage/record-codec.ts';
import type { Entry } from '../raft/types.ts';
import { KvStateMachine } from './kv.ts';
import { ClientSessions } from './sessions.ts';
import { SnapshotError } from './snapshot.ts';

/** A replica that registered two sessions and applied a mix of commands and retries. */
function busyReplica(sessions = new ClientSessions(4, 3)): { kv: KvStateMachine; next: number } {
  const kv = new KvStateMachine(sessions);
  let index = 0;
  const apply = (command: string, client?: [number, number]) => {
    const e: Entry = { index: ++index, term: 1, type: 'command', command };
    if (client) [e.client_id, e.request_id] = [String(client[0]), String(client[1])];
    return kv.apply(e);
  };
  apply('register'); // client 1
  apply('register'); // client 2
  for (let r = 1; r <= 6; r++) apply(`set k${r % 3}=v${r} é`, [1, r]);
  apply('set z=last', [2, 1]);
  apply('delete k0', [2, 2]);
  apply('register'); // client 11
  return { kv, next: index + 1 };
}

const replay = (bytes: Uint8Array, sessions = new ClientSessions(4, 3)) => {
  const kv = new KvStateMachine(sessions);
  kv.restore(bytes);
  return kv;
};

describe('state machine snapshots (for Raft snapshots, paper §7)', () => {
  test('a restored state machine holds the same map, sessions and applied index, and answers the same', () => {
    const { kv, next } = busyReplica();
    const copy = replay(kv.snapshot());
    expect(copy.kv()).toEqual(kv.kv());
    expect(copy.appliedIndex).toBe(kv.appliedIndex);
    expect(copy.snapshot()).toEqual(kv.snapshot());
    // The sessions came along: same duplicates, same refusals, same eviction order.
    const probes: Entry[] = [
      { index: next, term: 2, type: 'command', command: 'set k1=again', client_id: '1', request_id: '6' },
      { index: next + 1, term: 2, type: 'command', command: 'set k1=old', client_id: '1', request_id: '2' },
      { index: next + 2, term: 2, type: 'command', command: 'register' },
      { index: next + 3, term: 2, type: 'command', command: 'set z=2', client_id: '2', request_id: '3' },
    ];
    expect(probes.map((e) => copy.apply(e))).toEqual(probes.map((e) => kv.apply(e)));
    expect(probes.map((e) => copy.apply(e))[0]).toMatchObject({ duplicate: true });
  });

  test('equal states give identical bytes, whatever order the keys were set in', () => {
    const a = new KvStateMachine();
    const b = new KvStateMachine();
    a.apply({ index: 1, term: 1, type: 'command', command: 'set b=2' });
    a.apply({ index: 2, term: 1, type: 'command', command: 'set a=1' });
    b.apply({ index: 1, term: 1, type: 'command', command: 'set a=1' });
    b.apply({ index: 2, term: 1, type: 'command', command: 'set b=2' });
    expect(a.snapshot()).toEqual(b.snapshot());
    expect(new TextDecoder().decode(a.snapshot().subarray(0, 8))).toBe('RAFTKVSN');
  });

  test('a snapshot damaged anywhere (any byte flipped, or cut short) is refused and the state is untouched', () => {
    const bytes = busyReplica().kv.snapshot();
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const damaged = Uint8Array.from(bytes);
        damaged[at]! ^= mask;
        const target = new KvStateMachine();
        target.apply({ index: 1, term: 1, type: 'command', command: 'set keep=me' });
        expect(() => target.restore(damaged)).toThrow(SnapshotError);
        expect(target.kv()).toEqual({ keep: 'me' });
        expect(target.appliedIndex).toBe(1);
      }),
      { numRuns: 300 },
    );
    for (const cut of [0, 7, 8, 15, bytes.length - 1]) {
      expect(() => replay(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(SnapshotError);
    }
  });

  test('another version, or a checksummed payload describing an impossible state, is refused with the reason', () => {
    const framed = (payload: unknown) => {
      const record = encodeRecord(new TextEncoder().encode(JSON.stringify(payload)));
      return Uint8Array.from([...new TextEncoder().encode('RAFTKVSN'), ...record]);
    };
    const good = {
      format: 'raft-lab-kv',
      version: 1,
      applied_index: 5,
      kv: [['a', '1']],
      sessions: [[2, 0, []]],
    };
    expect(replay(framed(good)).kv()).toEqual({ a: '1' });
    const cases: [unknown, RegExp][] = [
      [{ ...good, version: 2 }, /version 2 is not readable/],
      [
        {
          ...good,
          kv: [
            ['b', '1'],
            ['a', '1'],
          ],
        },
        /sorted/,
      ],
      [{ ...good, kv: [['bad key', '1']] }, /not a valid key and value/],
      [{ ...good, sessions: [[9, 0, []]] }, /up to applied_index/],
      [{ ...good, sessions: [[2, 3, [[2, null]]]] }, /above the floor/],
      [
        {
          ...good,
          sessions: [
            [2, 0, []],
            [3, 0, []],
            [4, 0, []],
            [5, 0, []],
          ],
        },
        /at most 3/,
      ],
      [{ ...good, applied_index: -1 }, /applied_index/],
    ];
    for (const [payload, reason] of cases) expect(() => replay(framed(payload))).toThrow(reason);
    expect(() => replay(new TextEncoder().encode('RAFTWAL1........'))).toThrow(
      /not a Raft Lab state-machine snapshot/,
    );
  });
});
