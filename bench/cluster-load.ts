// Benchmark: write throughput, latency and leader failover of a local 5-node cluster, measured
// with the workplace's shared load generator (../shared/bench/load.mjs, the same one that
// measures etcd), so the numbers compare with etcd's on the same machine.
//
//   npx tsx bench/cluster-load.ts [--clients 16] [--seconds 10] [--reps 5] [--base-port 5101]
//
// Prints load.mjs's JSON lines plus this cluster's batching (entries per fsync). Numbers, not
// assertions: run it on a quiet machine and say which machine in the README.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from '../server/cluster/local-cluster.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    reps: { type: 'string', default: '5' },
    'base-port': { type: 'string', default: '5101' },
    'load-script': { type: 'string' },
  },
});

const root = path.resolve(import.meta.dirname, '..');
const loadScript = args['load-script'] ?? path.resolve(root, '../shared/bench/load.mjs');
if (!existsSync(loadScript)) {
  console.error(`cluster-load: ${loadScript} not found; pass --load-script PATH to the shared load.mjs`);
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'raft-bench-'));
const cluster = new LocalCluster({ dataRoot: path.join(work, 'data'), basePort: Number(args['base-port']) });
const endpoints = cluster
  .nodes()
  .map((n) => n.url)
  .join(',');

/** Runs load.mjs and resolves with its stdout lines. */
function load(extra: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [loadScript, '--target', 'raft', '--endpoints', endpoints, ...extra],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`load.mjs exited ${code}`)),
    );
  });
}

async function entriesPerFsync(): Promise<string> {
  const s = (await cluster.statuses()).find((x) => x?.state === 'leader') as
    | { metrics?: { entries_per_fsync?: number; fsyncs?: number } }
    | undefined;
  return `leader so far: fsyncs ${s?.metrics?.fsyncs ?? '?'}, entries per fsync ${s?.metrics?.entries_per_fsync ?? '?'}`;
}

try {
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  await cluster.start();
  await cluster.waitForLeader(10_000);
  for (const c of [1, Number(args.clients)]) {
    console.log(await load(['-c', String(c), '-t', args.seconds!, '--label', `throughput-c${c}`]));
    console.log(`  ${await entriesPerFsync()}`);
  }
  // Failover: SIGKILL the leader while a client writes; time until a new leader is elected and
  // until the first write after the kill succeeds. (load.mjs's --failover reads `leader`/`id`
  // from /status, which this node names `leader_id`/`node_id`, so it is measured here.)
  const elected: number[] = [];
  const firstWrite: number[] = [];
  for (let rep = 0; rep < Number(args.reps); rep++) {
    const old = await cluster.waitForLeader(10_000);
    const t0 = performance.now();
    await cluster.kill(old.node_id);
    const next = await cluster.waitFor(
      (all) => all.find((s) => s?.state === 'leader' && s.term > old.term) ?? null,
      10_000,
    );
    elected.push(performance.now() - t0);
    for (;;) {
      const r = await fetch(`${cluster.url(next.node_id)}/client_command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: `set failover=${rep}` }),
      }).catch(() => null);
      if (r?.ok) break;
    }
    firstWrite.push(performance.now() - t0);
    await cluster.restart(old.node_id);
  }
  const ms = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
  console.log(
    `failover (SIGKILL of the leader), ${args.reps} reps: new leader after ${ms(elected)} ms; first write after ${ms(firstWrite)} ms`,
  );
} finally {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
