// The shape of one `npm run bench` result (results.json), shared by the runner, the Markdown
// table and the chart.

import type { UsageReport } from './proc-usage.ts';
import type { Timers } from './system.ts';

/** One throughput run: load.mjs's (or read-load.ts's) JSON plus what we measured around it. */
export interface LoadResult {
  op: 'set' | 'get';
  concurrency: number;
  ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  /** The members' CPU and memory over the measured window. */
  usage: UsageReport;
  /** Entries (raft) or puts (etcd) per leader fsync during the run, when the system reports it. */
  per_leader_fsync: number | null;
  /** append_entries the leader sent per write during the run (this project only). */
  leader_rpcs_per_write: number | null;
  /** How the leader's /status metrics grew during the run (this project only). */
  leader_counters_delta: Record<string, number> | null;
  /** The harness's whole JSON line. */
  raw: Record<string, unknown>;
}

export interface FailoverResult {
  timers: Timers;
  reps: number;
  recovered: number;
  window_median_ms: number | null;
  window_max_ms: number | null;
  windows_ms: (number | null)[];
  raw: Record<string, unknown>;
}

export interface SystemResult {
  name: 'raft' | 'etcd';
  /** Timers of the cluster used for throughput and idle figures. */
  timers: Timers;
  /** Launch of the processes → first member that says it leads, ms, one per cluster start. */
  first_leader_ms: number[];
  idle: UsageReport;
  /** Idle again, with the slower timers of the second failover cluster. */
  idle_slow_timers: UsageReport | null;
  set: LoadResult[];
  get: LoadResult[];
  failover: FailoverResult[];
}

export interface BenchResults {
  date: string;
  machine: string;
  settings: { seconds: number; warmup_s: number; reps: number; idle_s: number; load_script: string };
  host_load1_start: number;
  host_load1_end: number;
  systems: SystemResult[];
}
