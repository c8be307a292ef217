// No node outlives the lab: not after Ctrl-C/SIGTERM, and not when the lab is killed with
// SIGKILL (even a node that is paused with SIGSTOP at that moment).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface RunningLab {
  child: ChildProcess;
  url: string;
  pids: number[];
  output: () => string;
  exited: Promise<number | null>;
}

const started: { lab: RunningLab; dataRoot: string }[] = [];

function alive(pid: number): boolean {
  try {
    // A zombie (dead, not yet reaped by whoever inherited it) counts as gone.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntil(what: string, test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the lab itself (not through a wrapper) so a signal reaches the lab's own process. */
async function startLab(port: number, basePort: number): Promise<RunningLab> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'raft-lab-proc-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/lab/main.ts',
      '--port',
      String(port),
      '--base-port',
      String(basePort),
      '--data',
      dataRoot,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lab: RunningLab = { child, url: '', pids: [], output: () => out, exited };
  started.push({ lab, dataRoot });
  await waitUntil(
    'the lab says it is running',
    () => out.includes('Raft Lab is running') || child.exitCode !== null,
    90_000,
  );
  if (child.exitCode !== null) throw new Error(`the lab exited: ${out}`);
  lab.url = /open (http:\S+)/.exec(out)![1]!;
  lab.pids = [...out.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  return lab;
}

afterEach(async () => {
  for (const { lab, dataRoot } of started.splice(0)) {
    // Only if a test failed half-way: take down what it left.
    if (lab.child.exitCode === null) lab.child.kill('SIGKILL');
    for (const pid of lab.pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataRoot, { recursive: true, force: true });
  }
});

describe('the lab leaves no node process behind', () => {
  it('when killed with SIGKILL, even while a node is paused', async () => {
    const lab = await startLab(16480, 16401);
    expect(lab.pids).toHaveLength(5);
    expect(lab.pids.every(alive)).toBe(true);
    const res = await fetch(`${lab.url}/api/cluster/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pause node2' }),
    });
    expect((await res.json()).ok).toBe(true);
    expect(readFileSync(`/proc/${lab.pids[1]}/stat`, 'utf8')).toMatch(/^\d+ \(.*\) T/);

    lab.child.kill('SIGKILL');
    await lab.exited;
    await waitUntil('every node process is gone', () => lab.pids.every((pid) => !alive(pid)), 20_000);
  }, 120_000);

  it('when stopped with SIGTERM (as Ctrl-C does), exiting cleanly', async () => {
    const lab = await startLab(16481, 16411);
    lab.child.kill('SIGTERM');
    expect(await lab.exited).toBe(0);
    expect(lab.pids.filter(alive)).toEqual([]);
  }, 120_000);
});
