// Starts the real lab (server/lab/main.ts) with its real local cluster as a child process on
// the web tests' ports, waits until it answers with a leader, and stops it (and every node
// it started) afterwards — also when a test failed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/wait-for.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface LabProcess {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export interface LabOptions {
  port: number;
  basePort: number;
  lessons?: string;
  /** Nodes in the cluster (default the lab's, 5). */
  size?: number;
}

export async function startLab(opts: LabOptions): Promise<LabProcess> {
  const work = mkdtempSync(join(tmpdir(), 'raft-lab-e2e-'));
  // `node --import tsx`, not the tsx CLI: the lab is then the test's own child, so if the test
  // run is killed outright the lab sees its parent gone and stops its cluster (lab-shutdown.ts);
  // behind the CLI its parent would be the CLI, which outlives the test.
  const args = [
    '--import',
    'tsx',
    'server/lab/main.ts',
    '--port',
    String(opts.port),
    '--base-port',
    String(opts.basePort),
    '--lessons',
    opts.lessons ?? 'lessons',
    '--workspace',
    join(work, 'workspace'),
    '--data',
    join(work, 'data'),
    ...(opts.size ? ['--size', String(opts.size)] : []),
  ];
  // Its own process group, so stopping it reaches the nodes it spawned even if it misbehaves.
  const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const lab: LabProcess = {
    url,
    output: () => log,
    stop: async () => {
      await stopGroup(child);
      rmSync(work, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      'the lab to answer with a leader',
      async () => {
        if (child.exitCode !== null) throw new Error(`the lab exited (code ${child.exitCode}):\n${log}`);
        const res = await fetch(`${url}/api/cluster`).catch(() => null);
        if (!res?.ok) return false;
        const info = (await res.json()) as { snapshot?: { leaderId?: string | null } };
        return !!info.snapshot?.leaderId;
      },
      // Five node processes may take over a minute to start on a loaded shared machine.
      { timeoutMs: 150_000, intervalMs: 100 },
    );
  } catch (err) {
    await lab.stop();
    throw new Error(`${(err as Error).message}\nlab output:\n${log}`);
  }
  return lab;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 8000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}
