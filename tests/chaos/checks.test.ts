// The fault test's other checks (checks.ts) on small histories and logs whose answer is known.

import { describe, expect, it } from 'vitest';
import {
  type CommittedEntry,
  checkAcknowledgedWrites,
  checkCommittedPrefixes,
  checkKeys,
  checkLeadersPerTerm,
  checkNoNodeStoppedItself,
  replayCommittedLog,
} from './checks.ts';
import type { HistoryOp } from './history.ts';

let nextId = 0;
function op(fields: Partial<HistoryOp> & Pick<HistoryOp, 'kind' | 'invokedAt'>): HistoryOp {
  return {
    id: nextId++,
    client: '1',
    key: 'k',
    completedAt: fields.invokedAt + 1,
    outcome: 'ok',
    attempts: [],
    ...fields,
  };
}

describe('acknowledged writes stay visible', () => {
  it('flags a get that, after an acknowledged set, sees an older value nothing could have written later', () => {
    const history = [
      op({ kind: 'set', value: 'a', invokedAt: 0, result: null }),
      op({ kind: 'set', value: 'b', invokedAt: 10, result: 'a' }),
      op({ kind: 'get', invokedAt: 20, result: 'a' }),
    ];
    const [anomaly] = checkAcknowledgedWrites(history);
    expect(anomaly).toMatch(/lost or stale write on key k: #\d+ client 1: set k=b .* saw a/);
    expect(checkKeys(history, Date.now() + 5000).anomalies[0]).toMatch(/key k is not linearizable/);
  });

  it('accepts a get that sees a concurrent or later write, or an unknown one that may have landed after', () => {
    expect(
      checkAcknowledgedWrites([
        op({ kind: 'set', value: 'a', invokedAt: 0, result: null }),
        op({ kind: 'set', value: 'c', invokedAt: 5, completedAt: null, outcome: 'unknown' }),
        op({ kind: 'get', invokedAt: 20, result: 'c' }),
        op({ kind: 'delete', invokedAt: 30, completedAt: 50, result: 'c' }),
        op({ kind: 'get', invokedAt: 40, result: null }),
      ]),
    ).toEqual([]);
  });
});

describe('leaders and committed logs', () => {
  it('flags two leaders in one term', () => {
    expect(
      checkLeadersPerTerm(
        new Map([
          [3, new Set(['1'])],
          [4, new Set(['2', '5'])],
        ]),
      ),
    ).toEqual(['two leaders in term 4: nodes 2 and 5 both said state=leader']);
  });

  it('flags committed logs that differ at some index', () => {
    const e = (index: number, command: string): CommittedEntry => ({
      index,
      term: 1,
      type: 'command',
      command,
    });
    const logs = new Map([
      ['1', [e(1, 'set a=1'), e(2, 'set b=1')]],
      ['2', [e(1, 'set a=1'), e(2, 'set b=2'), e(3, 'get a')]],
      ['3', [e(1, 'set a=1')]],
    ]);
    expect(checkCommittedPrefixes(logs)).toEqual([expect.stringMatching(/nodes 1 and 2 differ at index 2/)]);
    // Holes (entries a snapshot dropped before they were read) are not differences; what follows is compared.
    const holes = new Map([
      ['1', [e(1, 'set a=1'), e(2, 'set b=1'), e(3, 'get a')]],
      ['2', [e(1, 'set a=1'), undefined, e(3, 'get b')] as CommittedEntry[]],
    ]);
    expect(checkCommittedPrefixes(holes)).toEqual([expect.stringMatching(/nodes 1 and 2 differ at index 3/)]);
  });
});

describe("the nodes' logs", () => {
  it('name every node that stopped itself, with the reason it gave', () => {
    const logs = new Map([
      [
        'node-4.log',
        [
          '2026-11-30T13:53:22.239Z [node 4] leader in term 6',
          '2026-11-30T13:53:22.908Z [node 4] cannot continue safely, exiting: Error: refusing to write an impossible log change: entry 2187 does not follow index 2185',
          '2026-11-30T13:53:22.920Z --- exited (code 1)',
        ].join('\n'),
      ],
      ['node-1.log', '2026-11-30T13:53:12.992Z --- exited (SIGKILL)\n'],
    ]);
    expect(checkNoNodeStoppedItself(logs)).toEqual([
      expect.stringMatching(
        /^node 4 stopped itself \(node-4\.log, 2026-11-30T13:53:22\.908Z\): Error: refusing .* 2187/,
      ),
    ]);
  });
});

describe('replaying the committed log', () => {
  const entry = (index: number, command: string, client?: [number, number]): CommittedEntry => ({
    index,
    term: 1,
    type: 'command',
    command,
    ...(client ? { client_id: String(client[0]), request_id: String(client[1]) } : {}),
  });
  const log = [
    entry(1, 'register'),
    entry(2, 'set x=1', [1, 1]),
    entry(3, 'set x=2', [1, 2]),
    entry(4, 'set x=1', [1, 1]), // a retry of request 1: must not be applied again
  ];

  it('counts retries that reached the log and expects them not to be applied twice', () => {
    const history = [
      op({
        kind: 'set',
        value: '1',
        key: 'x',
        invokedAt: 0,
        result: null,
        index: 4,
        session: { clientId: 1, sequence: 1 },
      }),
    ];
    const r = replayCommittedLog(log, history, new Map([['1', { x: '2' }]]), 16);
    expect(r).toEqual({ anomalies: [], retriedInLog: 1, kv: { x: '2' } });
  });

  it('flags a node whose map shows a retry applied twice, and an answer the log does not give', () => {
    const history = [op({ kind: 'get', key: 'x', invokedAt: 0, result: '1', index: 3 })];
    const r = replayCommittedLog(
      [...log, entry(5, 'get x')],
      [...history, op({ kind: 'get', key: 'x', invokedAt: 9, result: '1', index: 5 })],
      new Map([['2', { x: '1' }]]),
      16,
    );
    expect(r.anomalies).toEqual([
      expect.stringMatching(/answered from index 3, which holds .*set x=2/),
      expect.stringMatching(/get x → 1 .*: the committed log gives 2 at index 5/),
      expect.stringMatching(/node 2's final map differs from its committed log on x \(node: 1, log: 2\)/),
    ]);
  });
});
