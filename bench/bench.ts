// `npm run bench`: this project's 5-node cluster measured the way issue 15 asks, optionally
// side by side with a 5-member etcd in the same invocation, with the same load harness.
//
//   npm run bench                      # this project only
//   npm run bench -- --vs-etcd         # also etcd; `npm run bench --vs-etcd` works too (npm
//                                      # passes it as npm_config_vs_etcd, with a warning)
//   options: --seconds 10 --warmup 1 --reps 5 --idle 20 --base-port 5301 --out DIR
//            --shared DIR (default ../shared/bench) --quick (3 s runs, 2 reps, 5 s idle: checks the tooling)
//
// Per system: a fresh cluster (hb 50 / election 300, this node's defaults) → idle CPU/RSS over
// --idle s → `set` at concurrency 1, 16, 64 (../shared/bench/load.mjs) → `get` at 1 and 16
// (read-load.ts) → stop; then for each failover setting (hb 50/el 300, hb 100/el 1000) a fresh
// cluster and --reps SIGKILLs of the leader (load.mjs --failover). Results go to
// bench/results/<date>/ as results.json, results.md and latency-throughput.svg.
// Run it in your own network namespace on a shared machine (ip netns exec <ns> npm run bench).

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EtcdSystem, etcdMissing } from './etcd-system.ts';
import { latencyChart } from './latency-chart.ts';
import { killLoadGenerators, runLoad } from './load-runner.ts';
import { pollUntil } from './poll.ts';
import { machineLine, measureUsage, type UsageReport } from './proc-usage.ts';
import { RaftSystem } from './raft-system.ts';
import { resultsTable } from './report-table.ts';
import type { BenchResults, FailoverResult, LoadResult, SystemResult } from './results.ts';
import { type BenchSystem, type Timers, timersLabel } from './system.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: a } = parseArgs({
  options: {
    'vs-etcd': { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    reps: { type: 'string', default: '5' },
    idle: { type: 'string', default: '20' },
    'base-port': { type: 'string', default: '5301' },
    out: { type: 'string' },
    shared: { type: 'string', default: path.resolve(ROOT, '../shared/bench') },
    quick: { type: 'boolean', default: false },
  },
});
const vsEtcd = a['vs-etcd'] || process.env.npm_config_vs_etcd === 'true';
const SECONDS = a.quick ? 3 : Number(a.seconds);
const WARMUP = Number(a.warmup);
const REPS = a.quick ? 2 : Number(a.reps);
const IDLE_S = a.quick ? 5 : Number(a.idle);
const LOAD_MJS = path.join(a.shared!, 'load.mjs');
const ETCD_SH = path.join(a.shared!, 'etcd-cluster.sh');

/** hb 50 / election 300 is this node's default (server/node/config.ts) and etcd's tuned setting. */
const FAST: Timers = { heartbeatMs: 50, electionMs: 300 };
/** etcd's defaults. */
const SLOW: Timers = { heartbeatMs: 100, electionMs: 1000 };
const SET_CONCURRENCY = [1, 16, 64];
const GET_CONCURRENCY = [1, 16];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);

function usageAfterWarmup(sys: BenchSystem): { start(): void; end(): UsageReport } {
  let m: ReturnType<typeof measureUsage> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    // The measured window of a load run starts after its warm-up (and the child's own start).
    start() {
      timer = setTimeout(() => (m = measureUsage(sys.pids())), WARMUP * 1000 + 200);
    },
    end() {
      if (timer) clearTimeout(timer);
      return (m ?? measureUsage(sys.pids())).end();
    },
  };
}

async function throughput(sys: BenchSystem, op: 'set' | 'get', c: number): Promise<LoadResult> {
  // An overloaded machine can cost a leader between runs: wait for the next one.
  const leader = await pollUntil(() => sys.leader(), `a ${sys.name} leader before the ${op} run`, 30_000, 50);
  const before = (await sys.leaderCounters?.()) ?? null;
  const usage = usageAfterWarmup(sys);
  const argv =
    op === 'set'
      ? [LOAD_MJS, '--target', sys.name, '--endpoints', sys.endpoints().join(','), '-c', String(c)]
      : [
          '--import',
          'tsx',
          path.join(ROOT, 'bench/read-load.ts'),
          '--target',
          sys.name,
          '--endpoint',
          leader,
        ];
  argv.push(...(op === 'get' ? ['-c', String(c)] : []), '-t', String(SECONDS), '--warmup', String(WARMUP));
  const { result } = await runLoad(argv, {}, () => usage.start());
  const u = usage.end();
  // Counters are per node: compare them only if the same node led before and after the run.
  const sameLeader = (await sys.leader()) === leader;
  const after = sameLeader ? ((await sys.leaderCounters?.()) ?? null) : null;
  const delta = (k: string) => (before && after ? after[k]! - before[k]! : 0);
  const ratio = (x: number, y: number) => (y > 0 ? Math.round((x / y) * 100) / 100 : null);
  const perFsync =
    typeof result.ops_per_leader_fsync === 'number'
      ? result.ops_per_leader_fsync
      : ratio(delta('entries_persisted'), delta('fsyncs'));
  const r: LoadResult = {
    op,
    concurrency: c,
    ops_per_s: result.ops_per_s as number,
    p50_ms: result.p50_ms as number,
    p99_ms: result.p99_ms as number,
    max_ms: result.max_ms as number,
    errors: (result.errors as number) ?? 0,
    usage: u,
    per_leader_fsync: perFsync,
    leader_rpcs_per_write: op === 'set' ? ratio(delta('append_entries_sent'), delta('proposals')) : null,
    leader_counters_delta: after ? Object.fromEntries(Object.keys(after).map((k) => [k, delta(k)])) : null,
    raw: result,
  };
  say(
    `${sys.name} ${op} c=${c}: ${r.ops_per_s} ops/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, max ${r.max_ms} ms; ` +
      `members ${u.cpu_total_pct}% CPU; machine ${u.host_busy_pct}% busy`,
  );
  return r;
}

async function failover(sys: BenchSystem, timers: Timers): Promise<FailoverResult> {
  const hooks = await sys.failoverHooks();
  try {
    const argv = [LOAD_MJS, '--target', sys.name, '--endpoints', hooks.endpoints.join(','), '--failover'];
    argv.push('--reps', String(REPS), ...hooks.args);
    const { result } = await runLoad(argv, hooks.env);
    const f: FailoverResult = {
      timers,
      reps: result.reps as number,
      recovered: result.recovered as number,
      window_median_ms: result.window_median_ms as number | null,
      window_max_ms: result.window_max_ms as number | null,
      windows_ms: result.windows_ms as (number | null)[],
      raw: result,
    };
    say(`${sys.name} failover (${timersLabel(timers)}): windows ${f.windows_ms.join(', ')} ms`);
    return f;
  } finally {
    await hooks.close();
  }
}

async function idle(sys: BenchSystem): Promise<UsageReport> {
  await sleep(2000); // let start-up work (tsx compile, first elections) finish
  const m = measureUsage(sys.pids());
  await sleep(IDLE_S * 1000);
  const u = m.end();
  say(
    `${sys.name} idle ${u.seconds} s: members ${u.cpu_pct.join(' + ')} = ${u.cpu_total_pct}% of a core; RSS ${u.rss_total_mib} MiB`,
  );
  return u;
}

async function measure(sys: BenchSystem): Promise<SystemResult> {
  const starts: number[] = [];
  const start = async (t: Timers) => {
    const s = await sys.start(t);
    starts.push(s.firstLeaderMs);
    say(`${sys.name} started (${timersLabel(t)}): first leader after ${s.firstLeaderMs} ms`);
  };
  await start(FAST);
  const idleUsage = await idle(sys);
  const set: LoadResult[] = [];
  for (const c of SET_CONCURRENCY) set.push(await throughput(sys, 'set', c));
  const get: LoadResult[] = [];
  for (const c of GET_CONCURRENCY) get.push(await throughput(sys, 'get', c));
  await sys.stop();
  const fo: FailoverResult[] = [];
  let idleSlow: UsageReport | null = null;
  for (const t of [FAST, SLOW]) {
    await start(t);
    if (t === SLOW) idleSlow = await idle(sys);
    fo.push(await failover(sys, t));
    await sys.stop();
  }
  return {
    name: sys.name,
    timers: FAST,
    first_leader_ms: starts,
    idle: idleUsage,
    idle_slow_timers: idleSlow,
    set,
    get,
    failover: fo,
  };
}

// ---- main -----------------------------------------------------------------------------------

if (!existsSync(LOAD_MJS)) {
  console.error(
    `bench: the shared load harness ${LOAD_MJS} is missing; pass --shared DIR (the folder with load.mjs)`,
  );
  process.exit(2);
}
if (vsEtcd) {
  const missing = etcdMissing();
  if (missing) {
    console.error(`bench: ${missing}`);
    process.exit(2);
  }
}
const work = mkdtempSync(path.join(tmpdir(), 'raft-bench-'));
const systems: BenchSystem[] = [new RaftSystem({ workDir: work, basePort: Number(a['base-port']) })];
if (vsEtcd) systems.push(new EtcdSystem(ETCD_SH, work));

let cleaning: Promise<void> | null = null;
let interrupted = false;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killLoadGenerators();
    for (const s of systems) await s.stop().catch((e) => console.error(`bench: stopping ${s.name}: ${e}`));
    rmSync(work, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (interrupted) return; // Ctrl-C reaches us both directly and relayed by tsx
    interrupted = true;
    console.error(`\nbench: ${sig}, stopping every cluster member and load generator...`);
    void cleanup().then(() => process.exit(130));
  });
}

const date = new Date().toISOString().replace(/\..*/, '').replace('T', '_').replaceAll(':', '');
const outDir = path.resolve(a.out ?? path.join(ROOT, 'bench/results', date));
try {
  const load1 = loadavg()[0]!;
  say(`${machineLine()}; ${systems.map((s) => s.name).join(' and ')}; results in ${outDir}`);
  const measured: SystemResult[] = [];
  for (const s of systems) measured.push(await measure(s));
  const results: BenchResults = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    machine: machineLine(),
    settings: {
      seconds: SECONDS,
      warmup_s: WARMUP,
      reps: REPS,
      idle_s: IDLE_S,
      load_script: '../shared/bench/load.mjs',
    },
    host_load1_start: Math.round(load1 * 100) / 100,
    host_load1_end: Math.round(loadavg()[0]! * 100) / 100,
    systems: measured,
  };
  mkdirSync(outDir, { recursive: true });
  const table = resultsTable(results);
  writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'results.md'), table);
  writeFileSync(path.join(outDir, 'latency-throughput.svg'), latencyChart(results));
  console.log(`\n${table}`);
  say(`wrote results.json, results.md and latency-throughput.svg to ${outDir}`);
} catch (e) {
  // After Ctrl-C the interrupted load generator's error is expected: say nothing more.
  if (!interrupted) console.error(`bench: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
