// CPU time and resident memory of processes, read from Linux's /proc (the benchmark's nodes,
// etcd members), and how busy the whole machine was meanwhile (others' runs share it).

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Clock ticks per second of /proc/PID/stat's utime/stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

interface CpuMark {
  at: number;
  /** Per pid: user+system CPU seconds so far (null once it is gone). */
  cpu: (number | null)[];
  /** Per pid: voluntary context switches of its main thread so far (each is a sleep → wake-up). */
  wakeups: (number | null)[];
  /** Whole machine from /proc/stat: busy and total jiffies. */
  hostBusy: number;
  hostTotal: number;
}

export interface UsageReport {
  seconds: number;
  /** Per process, % of one core over the interval (null if it died meanwhile). */
  cpu_pct: (number | null)[];
  /** Per process, wake-ups of its main thread (voluntary context switches) per second. */
  wakeups_per_s: (number | null)[];
  cpu_total_pct: number;
  /** Per process, resident set at the end, MiB. */
  rss_mib: (number | null)[];
  rss_total_mib: number;
  /** The whole machine (every user), % of all cores busy over the interval. */
  host_busy_pct: number;
  host_load1: number;
}

function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / USER_HZ; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

/** Resident set size of `pid` in MiB, or null if it is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

function wakeups(pid: number): number | null {
  try {
    const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function hostJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0);
  const idle = (line[3] ?? 0) + (line[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

function mark(pids: readonly number[]): CpuMark {
  const h = hostJiffies();
  return {
    at: performance.now(),
    cpu: pids.map(cpuSeconds),
    wakeups: pids.map(wakeups),
    hostBusy: h.busy,
    hostTotal: h.total,
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Starts measuring `pids`; `end()` gives CPU % over the interval and RSS at its end. */
export function measureUsage(pids: readonly number[]): { end(): UsageReport } {
  const start = mark(pids);
  return {
    end(): UsageReport {
      const stop = mark(pids);
      const seconds = (stop.at - start.at) / 1000;
      const cpu_pct = pids.map((_, i) => {
        const a = start.cpu[i];
        const b = stop.cpu[i];
        return a == null || b == null ? null : r1(((b - a) / seconds) * 100);
      });
      const rss_mib = pids.map(rssMiB);
      const wakeups_per_s = pids.map((_, i) => {
        const a = start.wakeups[i];
        const b = stop.wakeups[i];
        return a == null || b == null ? null : Math.round((b - a) / seconds);
      });
      return {
        seconds: r1(seconds),
        cpu_pct,
        cpu_total_pct: r1(cpu_pct.reduce<number>((s, x) => s + (x ?? 0), 0)),
        wakeups_per_s,
        rss_mib,
        rss_total_mib: r1(rss_mib.reduce<number>((s, x) => s + (x ?? 0), 0)),
        host_busy_pct: r1(((stop.hostBusy - start.hostBusy) / (stop.hostTotal - start.hostTotal || 1)) * 100),
        host_load1: r1(loadavg()[0]!),
      };
    },
  };
}

/** One line about the machine, for the results' header. */
export function machineLine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
}
