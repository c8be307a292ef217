// Issue 13's node figures, on a fresh 5-node cluster of real processes (data on disk, fsync on,
// the node's default timers: heartbeat 50 ms, election 300–600 ms):
//   rejoin:   leaderless time after a partitioned follower rejoins (dissertation §9.6), PreVote
//             off vs on — the follower is cut off for --cut-ms, then healed; "leaderless" runs from
//             the first poll with no leader that every node follows until there is one again
//             (0 when the leader never falls); median of --trials;
//   reads:    `get` latency at concurrency 1 and throughput at 16 (bench/read-load.ts), through
//             the log (READ_MODE=log, the behaviour before ReadIndex) vs ReadIndex (§6.4);
//   transfer: POST /admin/transfer_leadership round trips (§3.10), --trials times, to each
//             follower in turn: the node's took_ms and the time until the target leads.
//
//   ip netns exec <ns> npx tsx bench/prevote-reads-transfer.ts [--only rejoin,reads,transfer]
//       [--trials 10] [--cut-ms 3000] [--seconds 10] [--base-port 6201]
// Prints a table per part and one JSON line with every figure.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster, type NodeStatus } from '../server/cluster/local-cluster.ts';
import { killLoadGenerators, runLoad } from './load-runner.ts';

const { values: o } = parseArgs({
  options: {
    only: { type: 'string', default: 'rejoin,reads,transfer' },
    trials: { type: 'string', default: '10' },
    'cut-ms': { type: 'string', default: '3000' },
    seconds: { type: 'string', default: '10' },
    'base-port': { type: 'string', default: '6201' },
  },
});
const parts = new Set(o.only.split(','));
const TRIALS = Number(o.trials);
const CUT_MS = Number(o['cut-ms']);
const TOKEN = 'bench-issue-13';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const dataRoot = mkdtempSync(path.join(os.tmpdir(), 'raft-bench-13-'));
const cluster = new LocalCluster({ dataRoot, size: 5, basePort: Number(o['base-port']), adminToken: TOKEN });
const ids = () => cluster.nodes().map((n) => n.id);
const admin = async (id: string, action: string, body: unknown) => {
  const r = await fetch(`${cluster.url(id)}/admin/${action}`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`node ${id} /admin/${action} answered ${r.status}: ${json.detail}`);
  return json;
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** The leader every answering node follows in its term, or null. */
function settled(ss: (NodeStatus | null)[]): NodeStatus | null {
  const l = ss.find((s) => s?.state === 'leader');
  if (!l) return null;
  const following = ss.filter((s) => s && s.term === l.term && s.leader_id === l.node_id).length;
  return following > ss.length / 2 ? l : null;
}
const settledLeader = () => cluster.waitFor((ss) => settled(ss), 30_000, 'a settled leader');

/** One rejoin: cut a follower off for CUT_MS, heal, and measure how long the cluster had no leader. */
async function rejoinOnce(): Promise<{
  leaderlessMs: number;
  termRise: number /** terms ahead of the leader at the heal */;
  followerTerm: number;
}> {
  const leader = await settledLeader();
  const f = ids().find((id) => id !== leader.node_id)!;
  await admin(f, 'partition', { peers: ids().filter((p) => p !== f), direction: 'both' });
  await pause(CUT_MS);
  const followerTerm = ((await cluster.statuses(1000))[Number(f) - 1]?.term ?? 0) - leader.term;
  await admin(f, 'heal', {});
  const healed = performance.now();
  let lostAt: number | null = null;
  for (;;) {
    const ss = await cluster.statuses(1000);
    const now = performance.now();
    const l = settled(ss);
    if (l === null && lostAt === null) lostAt = now;
    if (l !== null && lostAt !== null)
      return { leaderlessMs: now - lostAt, termRise: l.term - leader.term, followerTerm };
    // The leader kept its place for two election timeouts past the heal and the rejoined node follows it.
    if (lostAt === null && now - healed > 1500 && ss[Number(f) - 1]?.leader_id === leader.node_id)
      return { leaderlessMs: 0, termRise: (l?.term ?? leader.term) - leader.term, followerTerm };
    await pause(5);
  }
}

async function rejoin(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const preVote of [false, true]) {
    await Promise.all(ids().map((id) => admin(id, 'switches', { pre_vote: preVote })));
    const runs = [];
    for (let i = 0; i < TRIALS; i++) runs.push(await rejoinOnce());
    const ms = runs.map((r) => Math.round(r.leaderlessMs));
    const key = preVote ? 'prevote_on' : 'prevote_off';
    out[key] = {
      leaderless_ms: ms,
      median_ms: median(ms),
      elections: runs.filter((r) => r.termRise > 0).length,
    };
    console.log(
      `rejoin, PreVote ${preVote ? 'on ' : 'off'}: leaderless median ${median(ms)} ms over ${TRIALS} (${ms.join(', ')}); ` +
        `leader changed term in ${runs.filter((r) => r.termRise > 0).length}/${TRIALS}; the cut-off follower was ` +
        `${Math.min(...runs.map((r) => r.followerTerm))}–${Math.max(...runs.map((r) => r.followerTerm))} terms ahead at the heal`,
    );
  }
  return out;
}

async function reads(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const leader = await settledLeader();
  const url = cluster.url(leader.node_id);
  for (let k = 0; k < 100; k++)
    await fetch(`${url}/client_command`, {
      method: 'POST',
      body: JSON.stringify({ command: `set k${k}=v${k}` }),
    });
  for (const mode of ['log', 'read_index'] as const) {
    await Promise.all(ids().map((id) => admin(id, 'switches', { read_mode: mode })));
    for (const c of [1, 16]) {
      const l = await settledLeader();
      const argv = [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'read-load.ts'),
        '--target',
        'raft',
        '--endpoint',
        cluster.url(l.node_id),
        '-c',
        String(c),
        '-t',
        o.seconds,
        '--keyspace',
        '100',
      ];
      const { result } = await runLoad(argv);
      out[`${mode}_c${c}`] = result;
      console.log(
        `reads via ${mode.padEnd(10)} c=${String(c).padEnd(2)}: ${result.ops_per_s} ops/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, errors ${result.errors}`,
      );
    }
  }
  await Promise.all(ids().map((id) => admin(id, 'switches', { read_mode: 'read_index' })));
  return out;
}

async function transfer(): Promise<Record<string, unknown>> {
  const took: number[] = [];
  const untilLeads: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const leader = await settledLeader();
    const others = ids().filter((id) => id !== leader.node_id);
    const to = others[i % others.length]!;
    const t0 = performance.now();
    const r = await admin(leader.node_id, 'transfer_leadership', { to });
    took.push(Number(r.took_ms));
    await cluster.waitFor((ss) => settled(ss)?.node_id === to, 10_000, `node ${to} leading`);
    untilLeads.push(Math.round(performance.now() - t0));
  }
  console.log(
    `transfer: took_ms (node) median ${median(took)} (${took.join(', ')}); until every node follows the target median ${median(untilLeads)} ms (${untilLeads.join(', ')})`,
  );
  return {
    took_ms: took,
    median_took_ms: median(took),
    until_settled_ms: untilLeads,
    median_until_settled_ms: median(untilLeads),
  };
}

const results: Record<string, unknown> = { load_average: os.loadavg().map((x) => Math.round(x * 10) / 10) };
try {
  await cluster.start(120_000);
  await settledLeader();
  if (parts.has('rejoin')) results.rejoin = await rejoin();
  if (parts.has('reads')) results.reads = await reads();
  if (parts.has('transfer')) results.transfer = await transfer();
  results.load_average_end = os.loadavg().map((x) => Math.round(x * 10) / 10);
  console.log(JSON.stringify(results));
} finally {
  killLoadGenerators();
  await cluster.stop();
  rmSync(dataRoot, { recursive: true, force: true });
}
