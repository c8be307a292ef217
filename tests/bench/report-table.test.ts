import { describe, expect, it } from 'vitest';
import type { UsageReport } from '../../bench/proc-usage.ts';
import { resultsTable } from '../../bench/report-table.ts';
import type { BenchResults, LoadResult, SystemResult } from '../../bench/results.ts';

const usage = (cpu: number): UsageReport => ({
  seconds: 20,
  cpu_pct: [cpu],
  cpu_total_pct: cpu,
  wakeups_per_s: [10],
  rss_mib: [50],
  rss_total_mib: 50,
  host_busy_pct: 40,
  host_load1: 1,
});

const set = (c: number, ops: number, p50: number): LoadResult => ({
  op: 'set',
  concurrency: c,
  ops_per_s: ops,
  p50_ms: p50,
  p99_ms: p50 * 3,
  max_ms: p50 * 5,
  errors: 0,
  usage: usage(50),
  per_leader_fsync: 1,
  leader_rpcs_per_write: null,
  leader_counters_delta: null,
  raw: {},
});

const system = (name: 'raft' | 'etcd', ops: number, p50: number, idleCpu = 10): SystemResult => ({
  name,
  timers: { heartbeatMs: 50, electionMs: 300 },
  first_leader_ms: [900, 1100, 1000],
  idle: usage(idleCpu),
  idle_slow_timers: null,
  set: [set(1, ops, p50)],
  get: [],
  failover: [
    {
      timers: { heartbeatMs: 50, electionMs: 300 },
      reps: 5,
      recovered: 5,
      window_median_ms: 400,
      window_max_ms: 500,
      windows_ms: [],
      raw: {},
    },
  ],
});

const results = (systems: SystemResult[]): BenchResults => ({
  date: '2026-01-01 00:00',
  machine: 'test',
  settings: { seconds: 10, warmup_s: 1, reps: 5, idle_s: 20, load_script: 'load.mjs' },
  host_load1_start: 1,
  host_load1_end: 1,
  systems,
});

const row = (md: string, figure: string) => md.split('\n').find((l) => l.startsWith(`| ${figure}`));

describe('benchmark results table', () => {
  it('gives each figure as this project ÷ etcd, beside both values and the goal', () => {
    const md = resultsTable(results([system('raft', 100, 12), system('etcd', 400, 3, 0)]));
    expect(row(md, '`set` c=1 throughput')).toBe(
      '| `set` c=1 throughput (ops/s) | 100 | 400 | 0.25 | ≥ 1.0 |',
    );
    expect(row(md, '`set` c=1 p50')).toBe('| `set` c=1 p50 (ms) | 12 | 3 | 4 | ≤ 1.0 |');
    expect(row(md, 'failover (hb 50 / election 300) max')).toContain('≤ 900 ms (1.5 × ceiling)');
    expect(row(md, 'start → first leader')).toContain('| 1000 | 1000 | 1 |');
  });

  it('leaves a ratio out when etcd has no figure to divide by', () => {
    const md = resultsTable(results([system('raft', 100, 12, 20), system('etcd', 400, 3, 0)]));
    expect(row(md, 'CPU idle, all members')).toBe(
      '| CPU idle, all members (% of a core) | 20 | 0 | – | < 5 % (absolute) |',
    );
  });

  it('shows one value column when only this project was measured', () => {
    const md = resultsTable(results([system('raft', 100, 12, 20)]));
    expect(md).toContain('| figure | value |');
    expect(row(md, '`set` c=1 throughput')).toBe('| `set` c=1 throughput (ops/s) | 100 |');
  });
});
