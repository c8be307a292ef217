import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../server/cluster/node-status.ts';
import type { ClusterSnapshot, NodeView } from '../../server/contract/cluster-view.ts';
import { SafetyWatch } from '../../server/lab/live/safety-watch.ts';
import { runningNode } from '../support/node-status.ts';

function node(
  id: string,
  state: NodeStatus['state'],
  term: number,
  log: [number, string][],
  commit: number,
): NodeView {
  return runningNode(
    {
      node_id: id,
      state,
      term,
      voted_for: null,
      leader_id: null,
      leader_url: null,
      commit_index: commit,
      last_applied: commit,
      log: log.map(([t, command], i) => ({ index: i + 1, term: t, type: 'command', command })),
      kv: {},
      peers: [],
    },
    `http://127.0.0.1:1600${id}`,
  );
}

const snap = (...nodes: NodeView[]): ClusterSnapshot => ({ at: 0, leaderId: null, term: 0, nodes });

describe('SafetyWatch', () => {
  it('is quiet for a healthy cluster, and for leaders of different terms', () => {
    const w = new SafetyWatch();
    expect(
      w.observe(
        snap(node('1', 'leader', 2, [[1, 'set x=1']], 1), node('2', 'follower', 2, [[1, 'set x=1']], 1)),
      ),
    ).toEqual([]);
    expect(w.observe(snap(node('2', 'leader', 3, [[1, 'set x=1']], 1)))).toEqual([]);
  });

  it('warns once about two leaders in one term, also seen in different snapshots', () => {
    const w = new SafetyWatch();
    expect(w.observe(snap(node('1', 'leader', 4, [], 0)))).toEqual([]);
    const warnings = w.observe(snap(node('3', 'leader', 4, [], 0)));
    expect(warnings).toEqual([{ kind: 'two-leaders', detail: 'node1 and node3 were both leader in term 4' }]);
    expect(w.observe(snap(node('3', 'leader', 4, [], 0)))).toEqual([]);
  });

  it('warns when two committed logs disagree at an index, but not about uncommitted entries', () => {
    const w = new SafetyWatch();
    const ok = w.observe(
      snap(
        node(
          '1',
          'leader',
          2,
          [
            [1, 'set x=1'],
            [2, 'set y=1'],
          ],
          1,
        ),
        node(
          '2',
          'follower',
          2,
          [
            [1, 'set x=1'],
            [2, 'set y=2'],
          ],
          1,
        ),
      ),
    );
    expect(ok).toEqual([]);
    const bad = w.observe(snap(node('5', 'follower', 2, [[1, 'set x=9']], 1)));
    expect(bad).toEqual([
      {
        kind: 'log-divergence',
        detail: 'committed entry 1 differs: node1 had term 1 "set x=1", node5 has term 1 "set x=9"',
      },
    ]);
  });

  it('forgets everything after a reset', () => {
    const w = new SafetyWatch();
    w.observe(snap(node('1', 'leader', 1, [[1, 'set x=1']], 1)));
    w.forget();
    expect(w.observe(snap(node('2', 'leader', 1, [[1, 'set x=2']], 1)))).toEqual([]);
  });
});
