// The lab's `reset` undoes lesson 15's membership changes (dissertation §4.1): a server added
// beyond the first ones is stopped and its data deleted, a removed one comes back, and the
// first nodes form the bootstrap cluster again. Against a real local cluster (3 node processes).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../server/cluster/local-cluster.ts';
import { LocalBackend } from '../../server/lab/cluster/local-backend.ts';

const BASE_PORT = 16351;
let backend: LocalBackend;
let dataRoot: string;

beforeAll(async () => {
  dataRoot = mkdtempSync(join(tmpdir(), 'raft-lab-reset-members-'));
  backend = new LocalBackend({ size: 3, basePort: BASE_PORT, dataRoot });
  await backend.start();
}, 120_000);

afterAll(async () => {
  await backend?.stop();
  rmSync(dataRoot, { recursive: true, force: true });
});

async function statusOf(port: number): Promise<NodeStatus> {
  const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as NodeStatus;
}

/** Polls until the first three agree on one leader whose configuration is `voters`. */
async function leaderWith(voters: string[], timeoutMs: number): Promise<NodeStatus> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const ss = await Promise.all([0, 1, 2].map((i) => statusOf(BASE_PORT + i).catch(() => null)));
    const leader = ss.find((s) => s?.state === 'leader');
    if (leader && [...leader.voters].sort().join() === voters.join() && leader.learners.length === 0)
      return leader;
    last = ss.map((s) => (s ? `${s.node_id}:${s.state}/${s.voters.join('')}` : 'down')).join(' ');
    if (Date.now() > deadline) throw new Error(`no leader with voters ${voters} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the lab reset after membership changes', () => {
  it('stops and deletes an added node, brings a removed one back, and the first three elect again', async () => {
    await leaderWith(['1', '2', '3'], 60_000);
    await backend.addNode('4');
    await backend.promote('4');
    const before = await leaderWith(['1', '2', '3', '4'], 60_000);
    const removed = ['1', '2', '3'].find((id) => id !== before.node_id)!;
    await backend.removeNode(removed);
    expect(backend.nodes().map((n) => n.id)).not.toContain(removed);

    await backend.reset();
    expect(backend.nodes().map((n) => n.id)).toEqual(['1', '2', '3']);
    expect(existsSync(join(dataRoot, 'node-4'))).toBe(false);
    const after = await leaderWith(['1', '2', '3'], 60_000);
    expect(after.term).toBeGreaterThan(0);
    for (const i of [0, 1, 2]) {
      const s = await statusOf(BASE_PORT + i);
      expect(s.snapshot_index).toBe(0);
      expect(s.peers.map((p) => p.id).sort()).toEqual(['1', '2', '3'].filter((id) => id !== s.node_id));
    }
    // Nothing listens where node4 was.
    await expect(statusOf(BASE_PORT + 3)).rejects.toThrow();
  }, 300_000);
});
