// Snapshots and log compaction on real node processes (paper §7): a node past SNAPSHOT_ENTRIES
// snapshots and drops its log prefix on disk and in memory, restarts from the snapshot plus the
// rest of its log, and a follower behind the leader's first index is brought back with a chunked
// POST /install_snapshot. Small thresholds and chunks keep it quick.

import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../server/cluster/local-cluster.ts';
import { ADMIN_TOKEN, adminOf, clusterPerTest, command, http, type NodeStatus } from './cluster-fixture.ts';

/** Three nodes of their own for a test, on `basePort` and up (stopped and deleted after it). */
const cluster3 = clusterPerTest({ size: 3, adminToken: ADMIN_TOKEN, env: { COMMAND_TIMEOUT_MS: '10000' } });

/** `n` commands through the leader, a few at a time (each batch is one fsync). */
async function write(c: LocalCluster, n: number, prefix = 'k'): Promise<NodeStatus> {
  let leader = await c.waitForLeader(30_000);
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, j) =>
      command(leader.leader_url!, `set ${prefix}${i + j}=${i + j}`),
    );
    const answers = await Promise.all(batch);
    if (answers.some((a) => a.status !== 200)) leader = await c.waitForLeader(30_000);
  }
  return leader;
}

const statusOf = async (c: LocalCluster, id: string) =>
  (await http(`${c.url(id)}/status`)).body as unknown as NodeStatus;

describe.sequential('snapshots on real nodes (paper §7)', { timeout: 300_000 }, () => {
  it('a node past SNAPSHOT_ENTRIES snapshots, drops its log prefix, and restarts from the snapshot with every value', async () => {
    const c = await cluster3(15401, { SNAPSHOT_ENTRIES: '40' });
    await write(c, 120);
    const all = await c.waitFor(
      (ss) => (ss.every((s) => s && s.snapshot_index >= 40 && s.last_applied >= 121) ? ss : null),
      60_000,
      'every node to snapshot',
    );
    for (const s of all) {
      expect(s!.log_start).toBe(s!.snapshot_index + 1);
      // Nothing at or below the snapshot is left in the log (it may be empty).
      expect(s!.log.every((e) => e.index > s!.snapshot_index)).toBe(true);
      expect(s!.log_length).toBe(s!.snapshot_index + s!.log.length);
      expect(s!.snapshot_term).toBeGreaterThan(0);
      expect(s!.kv.k0).toBe('0');
    }
    // /log pages from the first entry the log still holds.
    // (The node may take its next snapshot meanwhile: at 121 applied entries with 40 per snapshot.)
    const page = (await http(`${c.url('2')}/log?from=1&limit=5`)).body;
    const now = await statusOf(c, '2');
    expect(page.snapshot_index).toBeGreaterThanOrEqual(all[1]!.snapshot_index);
    expect(page.snapshot_index).toBeLessThanOrEqual(now.snapshot_index);
    expect(page.entries).toEqual([]);
    await fs.access(path.join(c.dataDir('2'), 'raft.snap'));
    const before = all[1]!;
    await c.kill('2');
    await c.restart('2', 90_000);
    const after = await c.waitFor(
      (ss) => (ss[1] && ss[1].last_applied >= before.last_applied ? ss[1] : null),
      30_000,
      'node 2 to apply what it had applied before its restart',
    );
    expect(after.snapshot_index).toBeGreaterThanOrEqual(before.snapshot_index);
    expect(after.kv).toEqual(before.kv);
  });

  it('a follower behind the leader first index gets the snapshot in chunks and catches up (Figure 13)', async () => {
    const c = await cluster3(15411, { SNAPSHOT_ENTRIES: '30', SNAPSHOT_CHUNK_BYTES: '64' });
    const leader = await c.waitForLeader(30_000);
    const behind = ['1', '2', '3'].find((id) => id !== leader.node_id)!;
    await c.kill(behind);
    await write(c, 100);
    const lead = await c.waitFor(
      (ss) => ss.find((s) => s?.state === 'leader' && s.snapshot_index >= 30) ?? null,
      30_000,
      'the leader to snapshot',
    );
    await c.restart(behind, 90_000);
    const caught = await c.waitFor(
      (ss) => {
        const s = ss[Number(behind) - 1];
        return s && s.last_applied >= lead.last_applied && s.snapshot_index > 0 ? s : null;
      },
      60_000,
      `node ${behind} to catch up through install_snapshot`,
    );
    expect(caught.kv).toMatchObject({ k0: '0', k99: '99' });
    const l = await statusOf(c, lead.node_id);
    expect(l.metrics.snapshots_sent).toBeGreaterThanOrEqual(1);
    // 64-byte chunks: a snapshot of 100 keys takes many.
    expect(l.metrics.snapshot_chunks_sent).toBeGreaterThan(l.metrics.snapshot_bytes / 64 - 1);
    const f = await statusOf(c, behind);
    expect(f.metrics.snapshots_installed).toBeGreaterThanOrEqual(1);
  });

  it('/admin/reset forgets the snapshot and the membership changes: no raft.snap, the bootstrap configuration, SNAPSHOT_ENTRIES again', async () => {
    const c = await cluster3(15471, { SNAPSHOT_ENTRIES: '20' });
    const admin = adminOf(c);
    let leader = await write(c, 40);
    // A configuration without node 3 (dissertation §4.1), and a threshold set at run time.
    const gone = ['1', '2', '3'].find((id) => id !== leader.node_id)!;
    const stay = ['1', '2', '3'].filter((id) => id !== gone);
    expect((await admin(leader.node_id, 'remove', { id: gone })).status).toBe(200);
    await c.kill(gone);
    for (const id of stay) expect((await admin(id, 'snapshot', { entries: 5 })).status).toBe(200);
    leader = await write(c, 10, 'after');
    await c.waitFor(
      (ss) => (stay.every((id) => (ss[Number(id) - 1]?.snapshot_index ?? 0) > 20) ? ss : null),
      60_000,
      'both members to snapshot past the removal',
    );
    const answers = await Promise.all(stay.map((id) => admin(id, 'reset', { isolated: true })));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    for (const id of stay) {
      const s = await statusOf(c, id);
      expect(s).toMatchObject({ term: 0, snapshot_index: 0, snapshot_term: 0, log_length: 0, kv: {} });
      expect(s.snapshot_entries).toBe(20);
      expect(s.metrics.snapshot_bytes).toBe(0);
      expect([...s.voters].sort()).toEqual(['1', '2', '3']);
      expect(s.peers.map((p) => p.id).sort()).toEqual(['1', '2', '3'].filter((x) => x !== id));
      await expect(fs.access(path.join(c.dataDir(id), 'raft.snap'))).rejects.toThrow();
    }
    // The two of the bootstrap three still make a majority: they elect and commit again.
    await Promise.all(stay.map((id) => admin(id, 'heal')));
    leader = await c.waitForLeader(30_000);
    expect((await command(c.url(leader.node_id), 'set fresh=1')).status).toBe(200);
  });

  it('install_snapshot checks its body at the door and refuses chunks out of order', async () => {
    const c = await cluster3(15421, {});
    await c.waitForLeader(30_000);
    const url = `${c.url('1')}/install_snapshot`;
    const chunk = {
      term: 1,
      leader_id: '2',
      last_included_index: 5,
      last_included_term: 1,
      config: { voters: ['1', '2', '3'], learners: [] },
      offset: 0,
      data: Buffer.from('abcd').toString('base64'),
      done: false,
      total_bytes: 8,
      crc32: 0,
    };
    const bad = await http(url, { body: { ...chunk, done: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('done is true but the chunk ends at byte 4 of 8');
    const stranger = await http(url, { body: { ...chunk, leader_id: '9' } });
    expect(stranger.status).toBe(400);
    expect(stranger.body.detail).toContain("'leader_id'");
    const gap = await http(url, { body: { ...chunk, offset: 4, done: true, term: 999 } });
    expect(gap.status).toBe(409);
    expect(gap.body.error).toBe('out_of_order');
    // A chunk of an older term is answered with the node's term (Figure 13 step 1).
    const s = await statusOf(c, '1');
    if (s.term > 1) {
      const stale = await http(url, { body: chunk });
      expect(stale.body).toMatchObject({ term: s.term, bytes_received: 0 });
    }
  });
});
