// The etcd anchor under the benchmark: a 5-member etcd 3.4 on loopback, started, stopped,
// killed and restarted by the shared ../shared/bench/etcd-cluster.sh (data on disk, etcd's
// fsync before acknowledging), with its data in our own work directory.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { msToFirstLeader } from './poll.ts';
import type { BenchSystem, FailoverHooks, Timers } from './system.ts';

const TOOLS = ['etcd', 'curl', 'jq'] as const;

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(path.join(d, tool)));
}

/** Null when the anchor can run; otherwise what is missing and how to install it. */
export function etcdMissing(): string | null {
  const missing = TOOLS.filter((t) => !onPath(t));
  if (missing.length === 0) return null;
  return (
    `--vs-etcd needs ${missing.join(', ')} on PATH. On Debian/Ubuntu: ` +
    'apt-get install -y etcd-server curl jq   (etcd 3.4; the shared anchor script uses curl and jq)'
  );
}

export class EtcdSystem implements BenchSystem {
  readonly name = 'etcd';
  private readonly dir: string;
  private running = false;
  private size: number;

  constructor(
    private readonly script: string,
    workDir: string,
    size = 5,
  ) {
    this.dir = path.join(workDir, 'etcd');
    this.size = size;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, ETCD_BENCH_DIR: this.dir };
  }

  private run(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'bash',
        [this.script, ...args],
        { env: this.env(), timeout: 120_000 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`etcd-cluster.sh ${args.join(' ')} failed: ${stderr || err.message}`))
            : resolve(stdout),
      );
    });
  }

  async start(timers: Timers): Promise<{ firstLeaderMs: number }> {
    await this.stop();
    this.running = true;
    const firstLeaderMs = await msToFirstLeader(
      () => this.run('start', String(this.size), String(timers.heartbeatMs), String(timers.electionMs)),
      () => this.leader(),
      60_000,
    );
    return { firstLeaderMs };
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.run('stop');
  }

  endpoints(): string[] {
    return Array.from({ length: this.size }, (_, i) => `http://127.0.0.1:${2379 + 10 * i}`);
  }

  pids(): number[] {
    const pids: number[] = [];
    for (let i = 0; i < this.size; i++) {
      try {
        const pid = Number(readFileSync(path.join(this.dir, `n${i}.pid`), 'utf8').trim());
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes(path.join(this.dir, `n${i}.data`))) pids.push(pid);
      } catch {
        // not running
      }
    }
    return pids;
  }

  async leader(): Promise<string | null> {
    const all = await Promise.all(
      this.endpoints().map(async (ep) => {
        try {
          const r = await fetch(`${ep}/v3/maintenance/status`, {
            method: 'POST',
            body: '{}',
            signal: AbortSignal.timeout(300),
          });
          const j = (await r.json()) as { header?: { member_id?: string }; leader?: string };
          return j.leader && j.leader !== '0' && j.leader === j.header?.member_id ? ep : null;
        } catch {
          return null;
        }
      }),
    );
    return all.find((x) => x !== null) ?? null;
  }

  async failoverHooks(): Promise<FailoverHooks> {
    // load.mjs defaults to etcd-cluster.sh kill-leader / restart, which read ETCD_BENCH_DIR.
    return {
      endpoints: this.endpoints(),
      args: [],
      env: { ETCD_BENCH_DIR: this.dir },
      close: async () => {},
    };
  }
}
