// A cluster session on a REAL local cluster feeds the live hub: snapshots ~5×/s (a killed node
// shows as down), node events relayed from each node's /events, followed again after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '../../server/contract/cluster-view.ts';
import type { LiveMessage } from '../../server/contract/live.ts';
import { waitFor } from '../support/wait-for.ts';
import { startTestSession, type TestSession } from './start-test-session.ts';

let t: TestSession;
const messages: LiveMessage[] = [];

const until = <T>(what: string, find: () => T | undefined) =>
  waitFor(what, find, { timeoutMs: 20_000, intervalMs: 50 });

const snapshots = () => messages.flatMap((m) => (m.type === 'snapshot' ? [m.snapshot] : []));
const events = () => messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));

beforeAll(async () => {
  t = await startTestSession(16601, { pollIntervalMs: 200, followEvents: true });
  t.session.hub.subscribe((m) => messages.push(m));
});

afterAll(async () => {
  await t?.stop();
});

describe('live session', () => {
  it('publishes snapshots several times a second, with every node and the leader', async () => {
    const withLeader = await until('a snapshot with a leader', () =>
      snapshots().find((s) => s.leaderId !== null),
    );
    expect(withLeader.nodes.map((n) => n.name)).toEqual(['node1', 'node2', 'node3', 'node4', 'node5']);
    const from = snapshots().length;
    const started = Date.now();
    await until('5 more snapshots', () => (snapshots().length >= from + 5 ? true : undefined));
    expect(Date.now() - started).toBeLessThan(5000);
    const seqs = messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('relays node events (state changes, RPCs) from every node', async () => {
    await until('events from all five nodes', () =>
      new Set(events().map((e) => e.node_id)).size === 5 ? true : undefined,
    );
    expect(events().some((e) => e.type === 'rpc')).toBe(true);
  });

  it('shows a killed node as down, and follows its events again after a restart', async () => {
    await t.backend.kill('4');
    const down = await until('node4 down in a snapshot', () =>
      snapshots().find((s: ClusterSnapshot) => s.nodes[3]!.up === false && s.nodes[3]!.status === null),
    );
    expect(down.nodes[3]!.error).toBe('down');
    const restartedAt = Date.now();
    await t.backend.restart('4');
    await until('events from the restarted node4', () =>
      events().find((e) => e.node_id === '4' && e.at >= restartedAt),
    );
    await until('node4 up again in a snapshot', () =>
      snapshots().find((s) => s.at > restartedAt && s.nodes[3]!.status !== null),
    );
  });
});
