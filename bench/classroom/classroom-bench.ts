// `npm run bench:classroom`: classroom mode on this machine with N simulated learners.
// Starts the classroom (local backend) in this process, lets N learners join at once, each
// opens their cluster and runs the first K lessons headlessly (each from a fresh cluster, as
// `npm run lessons:check` does) at the same time, then measures the idle cost. Prints:
//   - learners whose every check passed, of N;
//   - join → their cluster has a leader (median, p95, max);
//   - memory per learner cluster (RSS of its five node processes) and idle CPU per cluster.
// Options: --learners N (default 20), --lessons K (default 5), --base-port P (default 6001),
// --idle-seconds S (default 20). Run it in your own network namespace on a shared machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Classroom } from '../../server/lab/classroom/classroom.ts';
import { startClassroomServer } from '../../server/lab/classroom/classroom-server.ts';
import { Roster } from '../../server/lab/classroom/roster.ts';
import { LocalBackend } from '../../server/lab/cluster/local-backend.ts';
import { machineLine, measureUsage } from '../proc-usage.ts';
import { SimulatedLearner } from './simulated-learner.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    learners: { type: 'string', default: '20' },
    lessons: { type: 'string', default: '5' },
    'base-port': { type: 'string', default: '6001' },
    'idle-seconds': { type: 'string', default: '20' },
  },
});
const N = Number(values.learners);
const K = Number(values.lessons);
const basePort = Number(values['base-port']);
const idleSeconds = Number(values['idle-seconds']);

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : Number.NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'raft-lab-bench-class-'));
  const roster = new Roster(dir, { joinCode: 'BENCH', instructorToken: 'bench' });
  const backends = new Map<string, LocalBackend>();
  const classroom = await Classroom.open(roster, {
    dir,
    lessonsDir: join(ROOT, 'lessons'),
    backendFor: async (id, slot, dataRoot) => {
      const b = new LocalBackend({
        size: 5,
        basePort: basePort + slot * 5,
        dataRoot,
        fresh: true,
        startTimeoutMs: 180_000,
      });
      backends.set(id, b);
      return b;
    },
    pool: { maxClusters: N, policy: 'queue', idleMs: 3_600_000, queueWaitMs: 600_000 },
  });
  const lab = await startClassroomServer(classroom, { host: '127.0.0.1', port: 0, root: ROOT, dev: false });
  const stop = async () => {
    await lab.close();
    await classroom.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  console.log(`bench:classroom — ${N} learners, first ${K} lessons each, on ${machineLine()}`);
  const started = Date.now();
  try {
    const lessonIds = classroom
      .lessons()
      .slice(0, K)
      .map((l) => l.id);
    async function oneLearner(name: string, t0: number) {
      const learner = await SimulatedLearner.join(lab.url, name, 'BENCH');
      // Opening the notebook starts the cluster; the learner waits until it has a leader.
      let leaderMs = Number.NaN;
      for (;;) {
        const info = await learner.call<{ snapshot?: { leaderId: string | null } }>('GET', '/api/cluster');
        if (info.status !== 200) throw new Error(`${name}: ${JSON.stringify(info.body)}`);
        if (info.body.snapshot?.leaderId) {
          leaderMs = Date.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const outcomes = [];
      for (const [n, id] of lessonIds.entries()) outcomes.push(await learner.runLesson(id, { reset: n > 0 }));
      return { name, leaderMs, outcomes, error: null };
    }
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const t0 = Date.now();
        const name = `Learner ${i + 1}`;
        // One learner's failure (a refused join, a dropped connection) is a result, not the end of the run.
        try {
          return await oneLearner(name, t0);
        } catch (e) {
          const cause = (e as Error & { cause?: Error }).cause;
          const why = `${(e as Error).message}${cause ? ` (${cause.message})` : ''}`;
          return { name, leaderMs: Number.NaN, outcomes: [], error: why };
        }
      }),
    );
    const activeS = (Date.now() - started) / 1000;
    const allPassed = results.filter(
      (r) =>
        r.error === null &&
        r.outcomes.length === K &&
        r.outcomes.every((o) => o.failures.length === 0 && o.passed === o.checks),
    );
    const leader = results.map((r) => r.leaderMs).filter((ms) => !Number.isNaN(ms));
    for (const r of results) {
      if (r.error !== null) console.log(`  ${r.name}: ${r.error}`);
      for (const o of r.outcomes)
        if (o.failures.length) console.log(`  ${r.name}, ${o.lessonId}: ${o.failures.join(' | ')}`);
    }

    // Idle: nobody sends anything; the clusters keep their heartbeats (the cost of an idle class).
    const pids = [...backends.values()].map((b) => b.pids().filter((p): p is number => p !== null));
    const usage = measureUsage(pids.flat());
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const u = usage.end();
    const perCluster = pids.map((list) => {
      const idx = list.map((p) => pids.flat().indexOf(p));
      return {
        rss: idx.reduce((s, i) => s + (u.rss_mib[i] ?? 0), 0),
        cpu: idx.reduce((s, i) => s + (u.cpu_pct[i] ?? 0), 0),
      };
    });
    const rss = perCluster.map((c) => c.rss);
    const cpu = perCluster.map((c) => c.cpu);
    const lines = [
      `learners with every check passing: ${allPassed.length} of ${N} (${K} lessons each, ${lessonIds.join(', ')})`,
      `join → own cluster has a leader: median ${fmt(median(leader))}, p95 ${fmt(quantile(leader, 0.95))}, max ${fmt(Math.max(...leader))}`,
      `all learners done after ${activeS.toFixed(0)} s`,
      `memory per learner cluster (RSS of 5 nodes): median ${median(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB; all ${N} clusters ${u.rss_total_mib.toFixed(0)} MiB`,
      `idle CPU per cluster over ${u.seconds} s: median ${median(cpu).toFixed(1)}% of one core; all ${N} clusters ${u.cpu_total_pct.toFixed(0)}% (machine busy ${u.host_busy_pct}% of all cores, load ${u.host_load1})`,
      `the lab process itself: RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
    ];
    console.log(lines.map((l) => `  ${l}`).join('\n'));
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
