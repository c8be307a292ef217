import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '../../server/contract/cluster-view.ts';
import type { NodeEvent } from '../../server/contract/node-events.ts';
import { LiveState } from './live-state.ts';

const snapshot = (at: number): ClusterSnapshot => ({
  at,
  leaderId: '2',
  term: 3,
  nodes: [
    {
      id: '2',
      name: 'node2',
      url: 'http://127.0.0.1:5002',
      up: true,
      paused: false,
      partitionedFrom: [],
      status: null,
      error: null,
    },
  ],
});

const rpcAt = (at: number): NodeEvent => ({
  seq: at,
  at,
  node_id: '1',
  type: 'rpc',
  dir: 'send',
  rpc: 'append_entries',
  kind: 'request',
  id: `${at}`,
  from: '1',
  to: '2',
  term: 1,
  entries: 0,
  heartbeat: true,
  result: null,
});

describe('live state', () => {
  it('keeps the newest snapshot, learns the nodes from it and the lab clock offset', () => {
    const live = new LiveState();
    const labNow = Date.now() + 60_000;
    live.apply({ seq: 1, type: 'snapshot', snapshot: snapshot(labNow) });
    expect(live.snapshot?.leaderId).toBe('2');
    expect(live.nodes.map((n) => n.name)).toEqual(['node2']);
    expect(Math.abs(live.now() - labNow)).toBeLessThan(1000);
  });

  it('tells only the subscribers of the changed part', () => {
    const live = new LiveState();
    const calls: string[] = [];
    live.on(['history'], () => calls.push('history'));
    live.on(['snapshot'], () => calls.push('snapshot'));
    live.apply({ seq: 1, type: 'action', text: 'kill node3', ok: true, detail: 'killed', source: 'panel' });
    expect(calls).toEqual(['history']);
    expect(live.history[0]).toMatchObject({ text: 'kill node3', source: 'panel' });
  });

  it('lists actions newest first and tracks running cells until they finish', () => {
    const live = new LiveState();
    live.apply({ seq: 1, type: 'action', text: 'kill node3', ok: true, detail: '', source: 'cell' });
    live.apply({ seq: 2, type: 'action', text: 'restart node3', ok: true, detail: '', source: 'panel' });
    expect(live.history.map((h) => h.text)).toEqual(['restart node3', 'kill node3']);
    live.apply({ seq: 3, type: 'run', phase: 'started', runId: 'r1', lessonId: 'l', cellId: 'c2' });
    live.apply({
      seq: 4,
      type: 'run',
      phase: 'attempt',
      runId: 'r1',
      lessonId: 'l',
      cellId: 'c2',
      attempt: 3,
      detail: 'waiting for: leaders == 1',
      waitingFor: ['leaders == 1'],
      deadlineAt: 5000,
    });
    expect(live.running.get('l/c2')).toEqual({
      attempt: 3,
      detail: 'waiting for: leaders == 1',
      waitingFor: ['leaders == 1'],
      deadlineAt: 5000,
    });
    live.apply({ seq: 5, type: 'run', phase: 'finished', runId: 'r1', lessonId: 'l', cellId: 'c2' });
    expect(live.running.size).toBe(0);
  });

  it('takes the history and the cluster generation from the hello, so they survive a reload', () => {
    const live = new LiveState();
    live.apply({
      type: 'hello',
      seq: 9,
      backend: 'local',
      nodes: [],
      snapshot: { at: 0, leaderId: null, term: 0, nodes: [] },
      history: [
        {
          text: 'kill {{leader}}',
          shown: 'kill node3',
          ok: true,
          detail: 'node3 killed',
          source: 'cell',
          at: 1,
        },
      ],
      generation: 'g2',
    });
    expect(live.history).toMatchObject([
      { text: 'kill {{leader}}', shown: 'kill node3', detail: 'node3 killed' },
    ]);
    expect(live.generation).toBe('g2');
    live.apply({
      seq: 10,
      type: 'action',
      text: 'reset',
      ok: true,
      detail: '',
      source: 'panel',
      generation: 'g3',
    });
    expect(live.generation).toBe('g3');
  });

  it('forgets RPCs older than the timeline can show', () => {
    const live = new LiveState();
    live.apply({ seq: 1, type: 'event', event: rpcAt(1_000) });
    live.apply({ seq: 2, type: 'event', event: rpcAt(10_000) });
    live.apply({ seq: 3, type: 'event', event: rpcAt(20_000) });
    expect(live.rpcs.map((e) => e.at)).toEqual([10_000, 20_000]);
  });

  it('collects safety warnings until dismissed', () => {
    const live = new LiveState();
    live.apply({ seq: 1, type: 'warning', kind: 'two-leaders', detail: 'node1 and node2 both lead term 4' });
    expect(live.warnings).toHaveLength(1);
    live.dismissWarnings();
    expect(live.warnings).toHaveLength(0);
  });
});
