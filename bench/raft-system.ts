// This project's cluster under the benchmark: five real node processes (LocalCluster, the same
// runner as `npm run cluster`), each with its write-ahead log on disk and fsync before it
// answers, started fresh for every measurement.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { LocalCluster } from '../server/cluster/local-cluster.ts';
import { fetchStatus } from '../server/cluster/node-status.ts';
import type { NodeMetrics } from '../server/contract/node-status.ts';
import { startFailoverControl } from './failover-control.ts';
import { msToFirstLeader } from './poll.ts';
import type { BenchSystem, FailoverHooks, Timers } from './system.ts';

export interface RaftSystemOptions {
  /** Data directories go below here, a new one per start. */
  workDir: string;
  basePort: number;
  size?: number;
  /** Extra Node flags for every node (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Run the nodes' sources through tsx instead of the bundle (profiles name source files). */
  fromSource?: boolean;
  /** Extra environment for every node (e.g. RAFT_TRACE_DIR). */
  env?: Record<string, string>;
}

/** The leader's /status `metrics` counters a benchmark compares before and after its writes. */
const LEADER_COUNTERS = [
  'fsyncs',
  'entries_persisted',
  'append_entries_sent',
  'proposal_batches',
  'proposals',
  'rpc_failures',
] as const satisfies readonly (keyof NodeMetrics)[];

export class RaftSystem implements BenchSystem {
  readonly name = 'raft';
  private cluster: LocalCluster | null = null;
  private starts = 0;

  constructor(private readonly opts: RaftSystemOptions) {}

  async start(timers: Timers): Promise<{ firstLeaderMs: number }> {
    await this.stop();
    const dataRoot = path.join(this.opts.workDir, `raft-${++this.starts}`);
    rmSync(dataRoot, { recursive: true, force: true });
    const cluster = new LocalCluster({
      dataRoot,
      size: this.opts.size ?? 5,
      basePort: this.opts.basePort,
      heartbeatMs: timers.heartbeatMs,
      electionTimeoutMinMs: timers.electionMs,
      electionTimeoutMaxMs: 2 * timers.electionMs,
      nodeFlags: this.opts.nodeFlags,
      fromSource: this.opts.fromSource,
      env: this.opts.env,
    });
    this.cluster = cluster;
    const firstLeaderMs = await msToFirstLeader(
      () => cluster.start(60_000), // generous: on a busy 2-core machine a start can take 20 s
      () => this.leader(),
      60_000,
    );
    return { firstLeaderMs };
  }

  async stop(): Promise<void> {
    const c = this.cluster;
    this.cluster = null;
    if (c) await c.stop();
  }

  endpoints(): string[] {
    return this.need()
      .nodes()
      .map((n) => n.url);
  }

  pids(): number[] {
    return this.need()
      .nodes()
      .map((n) => n.pid)
      .filter((p): p is number => p !== null);
  }

  async leader(): Promise<string | null> {
    const c = this.cluster;
    if (!c) return null;
    const all = await Promise.all(c.nodes().map((n) => fetchStatus(n.url, 300)));
    let best: { url: string; term: number } | null = null;
    all.forEach((r, i) => {
      if ('status' in r && r.status.state === 'leader' && (!best || r.status.term > best.term))
        best = { url: c.nodes()[i]!.url, term: r.status.term };
    });
    return (best as { url: string } | null)?.url ?? null;
  }

  async failoverHooks(): Promise<FailoverHooks> {
    const c = this.need();
    const nodes = c.nodes();
    const control = await startFailoverControl({
      kill: async (i) => {
        const pid = c.nodes()[i]?.pid;
        if (pid == null) throw new Error(`node at index ${i} is not running`);
        process.kill(pid, 'SIGKILL');
        return Date.now();
      },
      restart: (i) => c.restart(nodes[i]!.id, 60_000),
    });
    return {
      endpoints: this.endpoints(),
      args: ['--kill-cmd', control.killCmd, '--restart-cmd', control.restartCmd],
      env: {},
      async close() {
        await control.close();
      },
    };
  }

  /** The leader's write-ahead-log counters (docs/node-api.md, /status `metrics`). */
  async leaderCounters(): Promise<Record<string, number> | null> {
    const url = await this.leader();
    if (!url) return null;
    const r = await fetchStatus(url, 2000);
    if (!('status' in r)) return null;
    const m: Partial<NodeMetrics> = r.status.metrics ?? {};
    return Object.fromEntries(LEADER_COUNTERS.map((name) => [name, m[name] ?? 0]));
  }

  private need(): LocalCluster {
    if (!this.cluster) throw new Error('the raft cluster is not running; start() it first');
    return this.cluster;
  }
}
