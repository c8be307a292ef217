// One fault-test run on real processes (issue 10): five nodes on loopback, concurrent clients,
// the nemesis, a /status sampler; then heal, settle, and check the history and the logs
// (checks.ts). On failure, everything needed to understand it is written to a folder, and a
// short explanation names the anomaly and the seed to replay.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalCluster } from '../../server/cluster/local-cluster.ts';
import { fetchStatus } from '../../server/cluster/node-status.ts';
import { Prng } from '../../server/raft/simulation/prng.ts';
import { RESULTS_PER_CLIENT } from '../../server/statemachine/sessions.ts';
import { type CommittedEntry, checkRun } from './checks.ts';
import { ChaosClient } from './client.ts';
import type { FaultKind, HistoryOp } from './history.ts';
import { CommittedLogRecorder } from './log-recorder.ts';
import { FAULT_KINDS, Nemesis } from './nemesis.ts';

export interface ChaosOptions {
  seed: number;
  /** How long clients and the nemesis run (the heal, settle and check come after). */
  durationMs: number;
  clients: number;
  /** Nodes listen on basePort … basePort + 4. */
  basePort: number;
  /** Where a failing run's folder is written. */
  outDir: string;
  /** The checker gives up (verdict unknown) after this long. */
  checkerBudgetMs: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  durationMs: number;
  ops: { total: number; ok: number; failed: number; unknown: number };
  /** Every HTTP request of those operations, by verdict. */
  attempts: { ok: number; failed: number; unknown: number };
  faults: Record<FaultKind, number>;
  /** valid: every check passed; invalid: an anomaly; unknown: the checker ran out of time. */
  verdict: 'valid' | 'invalid' | 'unknown';
  anomalies: string[];
  undecided: string[];
  checkerMs: number;
  committedEntries: number;
  retriedInLog: number;
  leaderTerms: number;
  /** Harness problems (a request the node refused as malformed). */
  problems: string[];
  /** The folder with the history, schedule and logs (failing runs only). */
  folder: string | null;
  /** A short explanation, with the seed to replay. */
  summary: string;
}

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
/** Node i takes a snapshot every SNAPSHOT_ENTRIES_BASE + 500 × i applied entries. */
const SNAPSHOT_ENTRIES_BASE = 2000;
const ADMIN_TOKEN = 'chaos-admin';

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => {});
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'raft-chaos-'));
  const logDir = path.join(dataRoot, 'logs');
  await fs.mkdir(logDir);
  const cluster = new LocalCluster({
    size: 5,
    basePort: o.basePort,
    dataRoot,
    adminToken: ADMIN_TOKEN,
    logDir,
    env: { COMMAND_TIMEOUT_MS: '2000' },
    // Snapshots (paper §7) every few thousand entries, at different points on each node: they
    // happen under the faults, and some node still holds each committed entry while the
    // recorder reads it (log-recorder.ts).
    nodeEnv: (id) => ({ SNAPSHOT_ENTRIES: String(SNAPSHOT_ENTRIES_BASE + 500 * Number(id)) }),
  });
  try {
    // Generous limits for starting and settling: on a loaded 2-core machine a node took 20 s to load.
    await cluster.start(90_000);
    await cluster.waitForLeader(60_000);
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const rng = new Prng(o.seed);
    const history: HistoryOp[] = [];
    const urls = cluster.nodes().map((n) => n.url);
    const clientOpts = { urls, now, requestTimeoutMs: 3000, opDeadlineMs: 8000 };
    const clients = Array.from(
      { length: o.clients },
      (_, i) => new ChaosClient(String(i + 1), clientOpts, rng.fork(), history, KEYS),
    );
    const nemesis = new Nemesis({
      cluster,
      adminToken: ADMIN_TOKEN,
      rng: rng.fork(),
      now,
      history,
      keys: KEYS,
      requestTimeoutMs: 3000,
      log: (line) => log(`nemesis ${line}`),
    });
    const leaders = new Map<number, Set<string>>();
    // Committed entries are read as they commit: a snapshot drops them from the nodes later.
    const recorder = new CommittedLogRecorder();
    const reading = new Map<string, Promise<void>>();
    let running = true;
    const stop = () => !running || now() >= o.durationMs;
    const sampler = (async () => {
      while (running) {
        await Promise.all(
          cluster.nodes().map(async (n) => {
            if (!n.up || n.paused) return;
            const r = await fetchStatus(n.url, 300);
            if (!('status' in r)) return;
            if (r.status.state === 'leader') {
              const ids = leaders.get(r.status.term) ?? new Set();
              ids.add(r.status.node_id);
              leaders.set(r.status.term, ids);
            }
            // One read per node at a time, beside the sampling: a stopped node holds only its own.
            if (!reading.has(n.url)) {
              const read = recorder
                .observe(n.url, r.status, { timeoutMs: 2000 })
                .catch(() => {})
                .finally(() => reading.delete(n.url));
              reading.set(n.url, read);
            }
          }),
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    log(`seed ${o.seed}: ${o.clients} clients and the nemesis for ${Math.round(o.durationMs / 1000)} s`);
    await Promise.all([...clients.map((c) => c.run(stop)), nemesis.run(stop)]);

    // Heal, let the cluster settle, and commit one last command so every node learns the final commit index.
    await nemesis.healAll();
    const settleProblems: string[] = [];
    let final = await clients[0]!.perform('get', KEYS[0]!);
    for (let i = 1; i < 8 && final.outcome !== 'ok'; i++) final = await clients[0]!.perform('get', KEYS[0]!);
    if (final.outcome !== 'ok')
      settleProblems.push('no leader committed a command within 60 s after healing');
    running = false;
    await sampler;
    await Promise.all(reading.values());
    let statuses = await cluster.statuses();
    try {
      statuses = await cluster.waitFor(
        (ss) =>
          ss.every((s) => s && s.commit_index >= (final.index ?? 0) && s.last_applied === s.commit_index) &&
          new Set(ss.map((s) => s!.commit_index)).size === 1 &&
          ss,
        90_000,
        'every node to apply the same committed prefix',
      );
    } catch (e) {
      settleProblems.push(`the cluster did not settle after healing: ${(e as Error).message}`);
    }
    const finalKv = new Map<string, Record<string, string>>();
    for (const [i, s] of statuses.entries()) {
      if (!s) continue;
      await recorder.observe(urls[i]!, s, { again: true });
      finalKv.set(s.node_id, s.kv);
    }
    const logs = recorder.logs();

    const checkStarted = Date.now();
    const committed = recorder.union();
    const {
      anomalies: found,
      undecided,
      replay,
    } = checkRun({
      history,
      leaders,
      nodeLogs: await readLogs(logDir),
      logs,
      committed,
      recorderAnomalies: recorder.anomalies,
      finalKv,
      resultsPerClient: RESULTS_PER_CLIENT,
      deadline: checkStarted + o.checkerBudgetMs,
    });
    const anomalies = [...nemesis.problems, ...settleProblems, ...found];
    const checkerMs = Date.now() - checkStarted;
    const verdict = anomalies.length > 0 ? 'invalid' : undecided.length > 0 ? 'unknown' : 'valid';
    const count = (x: HistoryOp['outcome']) => history.filter((h) => h.outcome === x).length;
    const attempts = (x: HistoryOp['outcome']) =>
      history.reduce((n, h) => n + h.attempts.filter((a) => a.verdict === x).length, 0);
    const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const f of nemesis.schedule) faults[f.kind]++;
    const report: ChaosReport = {
      seed: o.seed,
      durationMs: o.durationMs,
      ops: { total: history.length, ok: count('ok'), failed: count('failed'), unknown: count('unknown') },
      attempts: { ok: attempts('ok'), failed: attempts('failed'), unknown: attempts('unknown') },
      faults,
      verdict,
      anomalies,
      undecided,
      checkerMs,
      committedEntries: committed.log.length,
      retriedInLog: replay?.retriedInLog ?? 0,
      leaderTerms: leaders.size,
      problems: clients.flatMap((c) => c.problems),
      folder: null,
      summary: '',
    };
    if (verdict !== 'valid' || report.problems.length > 0) {
      report.folder = await writeFolder(o, report, history, nemesis, leaders, logs, logDir);
    }
    report.summary = summarize(report);
    return report;
  } finally {
    await cluster.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  }
}

/** The nodes' log files in `logDir`, by file name. */
async function readLogs(logDir: string): Promise<Map<string, string>> {
  const logs = new Map<string, string>();
  for (const f of await fs.readdir(logDir)) logs.set(f, await fs.readFile(path.join(logDir, f), 'utf8'));
  return logs;
}

async function writeFolder(
  o: ChaosOptions,
  report: ChaosReport,
  history: HistoryOp[],
  nemesis: Nemesis,
  leaders: Map<number, Set<string>>,
  logs: Map<string, CommittedEntry[]>,
  logDir: string,
): Promise<string> {
  const folder = path.resolve(
    o.outDir,
    `chaos-seed${o.seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  await fs.mkdir(path.join(folder, 'nodes'), { recursive: true });
  const json = (name: string, v: unknown) =>
    fs.writeFile(path.join(folder, name), `${JSON.stringify(v, null, 1)}\n`);
  await json('report.json', { ...report, folder });
  await json('history.json', history);
  await json('nemesis.json', nemesis.schedule);
  await json('leaders.json', Object.fromEntries([...leaders].map(([term, ids]) => [term, [...ids]])));
  for (const [id, entries] of logs) await json(`nodes/node-${id}.raft-log.json`, entries);
  for (const f of await fs.readdir(logDir))
    await fs.copyFile(path.join(logDir, f), path.join(folder, 'nodes', f));
  return folder;
}

function summarize(r: ChaosReport): string {
  const faults = Object.entries(r.faults)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `chaos run, seed ${r.seed}, ${Math.round(r.durationMs / 1000)} s: verdict ${r.verdict.toUpperCase()}`,
    `  operations: ${r.ops.total} (ok ${r.ops.ok}, failed ${r.ops.failed}, unknown ${r.ops.unknown}); ` +
      `their requests: ok ${r.attempts.ok}, failed ${r.attempts.failed}, unknown ${r.attempts.unknown}`,
    `  faults: ${faults || 'none'}`,
    `  committed entries ${r.committedEntries}; retried requests in the log ${r.retriedInLog}; leader terms seen ${r.leaderTerms}; checker ${r.checkerMs} ms`,
  ];
  for (const a of r.anomalies.slice(0, 6)) lines.push(`  ANOMALY: ${a}`);
  if (r.anomalies.length > 6)
    lines.push(`  … and ${r.anomalies.length - 6} more anomalies (all in report.json)`);
  for (const u of r.undecided) lines.push(`  UNDECIDED: ${u}`);
  for (const p of r.problems) lines.push(`  HARNESS PROBLEM: ${p}`);
  if (r.folder) lines.push(`  history, nemesis schedule and every node's log: ${r.folder}`);
  if (r.verdict !== 'valid')
    lines.push(
      `  replay: CHAOS_SEED=${r.seed} CHAOS_DURATION_S=${Math.round(r.durationMs / 1000)} npm run test:chaos`,
    );
  return lines.join('\n');
}
