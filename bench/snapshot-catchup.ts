// How long a follower that lost its disk takes to catch up after many writes, without snapshots
// and with them (issue 13, "Measured"); and each node's memory (RSS) and data directory then.
//
//   ip netns exec <ns> npx tsx bench/snapshot-catchup.ts [--writes 50000] [--base-port 5301]
//
// For each mode: a fresh 5-node cluster, `writes` commands through the leader (64 in flight),
// then one follower is killed, its data deleted, and it rejoins by the documented path (remove →
// restart empty with JOINING=1 → add_learner); the time from add_learner until it has applied
// everything the leader had committed is the catch-up time. Then promote, and measure.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from '../server/cluster/local-cluster.ts';
import { membershipChange } from '../server/lab/cluster/membership-client.ts';

const { values } = parseArgs({
  options: { writes: { type: 'string', default: '50000' }, 'base-port': { type: 'string', default: '5301' } },
});
const WRITES = Number(values.writes);
const BASE_PORT = Number(values['base-port']);
const TOKEN = 'bench-snapshots';
const IN_FLIGHT = 64;

const modes: { name: string; env: Record<string, string> }[] = [
  { name: 'no snapshots', env: { SNAPSHOT_ENTRIES: String(Number.MAX_SAFE_INTEGER) } },
  { name: 'snapshots (default 10,000)', env: {} },
];

async function writeAll(c: LocalCluster): Promise<void> {
  let leader = (await c.waitForLeader(60_000)).leader_url!;
  let next = 0;
  const worker = async () => {
    while (next < WRITES) {
      const i = next++;
      for (;;) {
        const res = await fetch(`${leader}/client_command`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ command: `set k${i % 1000}=${i}` }),
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        }).catch(() => null);
        if (res?.status === 200) {
          await res.arrayBuffer();
          break;
        }
        leader = (await c.waitForLeader(60_000)).leader_url!;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

const rssMb = (pid: number | null) =>
  pid === null
    ? 0
    : Number(
        execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
          .toString()
          .trim(),
      ) / 1024;
const duMb = (dir: string) => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) / 1024;

for (const mode of modes) {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'raft-bench-snap-'));
  const c = new LocalCluster({
    size: 5,
    basePort: BASE_PORT,
    dataRoot,
    adminToken: TOKEN,
    env: { COMMAND_TIMEOUT_MS: '30000', ...mode.env },
  });
  try {
    await c.start(120_000);
    const w0 = Date.now();
    await writeAll(c);
    const writeS = (Date.now() - w0) / 1000;
    const leader = await c.waitForLeader(60_000);
    const lost = ['1', '2', '3', '4', '5'].find((id) => id !== leader.node_id)!;
    const leaderUrl = c.url(leader.node_id);
    await c.kill(lost);
    await c.wipeNode(lost);
    await membershipChange(leaderUrl, TOKEN, 'remove', { id: lost }, 60_000);
    await c.startNode(lost, { joining: true }, 120_000);
    const target = (await c.waitForLeader(60_000)).commit_index;
    const t0 = Date.now();
    await membershipChange(leaderUrl, TOKEN, 'add_learner', { id: lost, url: c.url(lost) }, 60_000);
    const caught = await c.waitFor(
      (ss) => {
        const s = ss[Number(lost) - 1];
        return s && s.last_applied >= target ? s : null;
      },
      600_000,
      `node ${lost} to catch up`,
    );
    const catchUpS = (Date.now() - t0) / 1000;
    await membershipChange(leaderUrl, TOKEN, 'promote', { id: lost }, 60_000);
    const statuses = await c.statuses(5000);
    console.log(
      `\n## ${mode.name}: ${WRITES} writes in ${writeS.toFixed(1)} s; load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log(
      `wiped node ${lost} caught up in ${catchUpS.toFixed(2)} s (to index ${target}; snapshot_index ${caught.snapshot_index}, ` +
        `${caught.metrics.snapshots_installed} snapshot(s) installed)`,
    );
    console.log('| node | role | snapshot_index | log entries held | RSS MB | data dir MB |');
    console.log('|---|---|---|---|---|---|');
    for (const [i, n] of c.nodes().entries()) {
      const s = statuses[i];
      const held = s ? s.log_length - s.snapshot_index : 0;
      console.log(
        `| ${n.id}${n.id === lost ? ' (wiped)' : ''} | ${s?.state ?? 'down'} | ${s?.snapshot_index ?? '-'} | ${held} | ${rssMb(n.pid).toFixed(1)} | ${duMb(c.dataDir(n.id)).toFixed(2)} |`,
      );
    }
  } finally {
    await c.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  }
}
