// The Markdown table of one benchmark run: each figure for this project, for etcd (with
// --vs-etcd) and as a ratio (this project ÷ etcd), with the goal from issue 15 beside it.

import type { UsageReport } from './proc-usage.ts';
import type { BenchResults, LoadResult, SystemResult } from './results.ts';
import { timersLabel } from './system.ts';

interface Row {
  figure: string;
  value: (s: SystemResult) => number | null | undefined;
  unit?: string;
  goal?: string;
}

const median = (xs: number[]): number | null => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const load = (op: 'set' | 'get', c: number) => (s: SystemResult) =>
  (op === 'set' ? s.set : s.get).find((r) => r.concurrency === c);

function loadRows(op: 'set' | 'get', c: number, goals: { tput?: string; p50?: string } = {}): Row[] {
  const r = load(op, c);
  const name = `\`${op}\` c=${c}`;
  return [
    { figure: `${name} throughput`, unit: 'ops/s', value: (s) => r(s)?.ops_per_s, goal: goals.tput },
    { figure: `${name} p50`, unit: 'ms', value: (s) => r(s)?.p50_ms, goal: goals.p50 },
    { figure: `${name} p99`, unit: 'ms', value: (s) => r(s)?.p99_ms },
    { figure: `${name} max`, unit: 'ms', value: (s) => r(s)?.max_ms },
  ];
}

function usageRows(
  label: string,
  u: (s: SystemResult) => UsageReport | null | undefined,
  goal?: string,
): Row[] {
  return [
    { figure: `CPU ${label}, all members`, unit: '% of a core', value: (s) => u(s)?.cpu_total_pct, goal },
    {
      figure: `CPU ${label}, busiest member`,
      unit: '% of a core',
      value: (s) => maxOf(u(s)?.cpu_pct),
    },
    { figure: `RSS ${label}, all members`, unit: 'MiB', value: (s) => u(s)?.rss_total_mib },
    { figure: `RSS ${label}, largest member`, unit: 'MiB', value: (s) => maxOf(u(s)?.rss_mib) },
  ];
}

const maxOf = (xs: (number | null)[] | undefined) => {
  const v = (xs ?? []).filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
};

function failoverRows(index: number, s0: SystemResult): Row[] {
  const t = s0.failover[index]?.timers;
  if (!t) return [];
  const label = `failover (${timersLabel(t)})`;
  const fast = t.heartbeatMs === 50 && t.electionMs === 300;
  return [
    {
      figure: `${label} median`,
      unit: 'ms',
      value: (s) => s.failover[index]?.window_median_ms,
      goal: fast ? '≤ 1.0' : undefined,
    },
    {
      figure: `${label} max`,
      unit: 'ms',
      value: (s) => s.failover[index]?.window_max_ms,
      goal: fast ? `≤ ${1.5 * 2 * t.electionMs} ms (1.5 × ceiling)` : undefined,
    },
  ];
}

const fmt = (x: number | null | undefined): string =>
  x == null ? '–' : Math.abs(x) >= 100 ? String(Math.round(x)) : String(Math.round(x * 100) / 100);

/** The results as Markdown: a header with machine and settings, then one table. */
export function resultsTable(r: BenchResults): string {
  const [raft, etcd] = [r.systems.find((s) => s.name === 'raft'), r.systems.find((s) => s.name === 'etcd')];
  const first = raft ?? etcd!;
  const rows: Row[] = [
    ...loadRows('set', 1, { tput: '≥ 1.0', p50: '≤ 1.0' }),
    ...loadRows('set', 16, { tput: '≥ 1.0' }),
    ...loadRows('set', 64, { tput: '≥ 1.0' }),
    ...loadRows('get', 1),
    ...loadRows('get', 16),
    ...first.failover.flatMap((_, i) => failoverRows(i, first)),
    {
      figure: 'start → first leader (median of starts)',
      unit: 'ms',
      value: (s) => median(s.first_leader_ms),
    },
    ...usageRows('idle', (s) => s.idle, '< 5 % (absolute)'),
    ...(first.idle_slow_timers
      ? [
          {
            figure: `CPU idle with ${timersLabel(first.failover[1]?.timers ?? first.timers)}, all members`,
            unit: '% of a core',
            value: (s: SystemResult) => s.idle_slow_timers?.cpu_total_pct,
          },
        ]
      : []),
    ...[16, 64].flatMap((c) => usageRows(`under \`set\` c=${c}`, (s) => load('set', c)(s)?.usage)),
    ...[1, 16, 64].map(
      (c): Row => ({
        figure: `writes per leader fsync, \`set\` c=${c}`,
        value: (s) => load('set', c)(s)?.per_leader_fsync,
      }),
    ),
    ...[1, 16, 64].map(
      (c): Row => ({
        figure: `append_entries sent by the leader per write, \`set\` c=${c}`,
        value: (s) => load('set', c)(s)?.leader_rpcs_per_write,
      }),
    ),
  ];
  const head = etcd && raft ? '| figure | this project | etcd | this ÷ etcd | goal |' : '| figure | value |';
  const sep = etcd && raft ? '|---|---:|---:|---:|---|' : '|---|---:|';
  const lines = rows.map((row) => {
    const name = row.unit ? `${row.figure} (${row.unit})` : row.figure;
    if (!(etcd && raft)) return `| ${name} | ${fmt(row.value(first))} |`;
    const a = row.value(raft);
    const b = row.value(etcd);
    const ratio = a != null && b != null && b !== 0 ? fmt(a / b) : '–';
    return `| ${name} | ${fmt(a)} | ${fmt(b)} | ${ratio} | ${row.goal ?? ''} |`;
  });
  const timers = r.systems.map((s) => `${s.name}: ${timersLabel(s.timers)}`).join('; ');
  const loads = (s: SystemResult) =>
    [...s.set, ...s.get].map((x: LoadResult) => x.usage.host_busy_pct).filter((x) => x != null);
  const busy = r.systems
    .map((s) => `${s.name} runs: machine ${fmt(median(loads(s)))}% busy (median, all users)`)
    .join('; ');
  return [
    `# Benchmark ${r.date}`,
    '',
    `Machine: ${r.machine}. Load average ${r.host_load1_start} at the start, ${r.host_load1_end} at the end; ${busy}.`,
    `Each throughput figure: ${r.settings.warmup_s} s warm-up then ${r.settings.seconds} s measured, closed loop, ` +
      `5 members, data on disk, fsync before acknowledging; writes by ${r.settings.load_script}, reads by bench/read-load.ts. ` +
      `Timers for throughput and idle: ${timers}. Failover: ${r.settings.reps} SIGKILLs of the leader per timer setting, ` +
      'window = kill → first successful write sent after it. Idle: ' +
      `${r.settings.idle_s} s, nobody connected.`,
    '',
    head,
    sep,
    ...lines,
    '',
  ].join('\n');
}
