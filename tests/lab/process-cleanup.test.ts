// No node outlives the lab: not after Ctrl-C/SIGTERM, and not when the lab is killed with
// SIGKILL (even a node that is paused with SIGSTOP at that moment).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, processState } from '../support/process-state.ts';
import { waitFor } from '../support/wait-for.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface RunningLab {
  child: ChildProcess;
  url: string;
  pids: number[];
  output: () => string;
  exited: Promise<number | null>;
}

const started: { lab: RunningLab; dataRoot: string }[] = [];

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
  await waitFor(
    'the lab to say it is running',
    () => out.includes('Raft Lab is running') || child.exitCode !== null,
    {
      timeoutMs: 90_000,
    },
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
    // The kernel stops node2 once the signal is delivered: wait for it rather than race it.
    await waitFor('node2 to be stopped (state T)', () => processState(lab.pids[1]!) === 'T');

    lab.child.kill('SIGKILL');
    await lab.exited;
    await waitFor('every node process to be gone', () => lab.pids.every((pid) => !alive(pid)), {
      timeoutMs: 20_000,
    });
  }, 120_000);

  it('when stopped with SIGTERM (as Ctrl-C does), exiting cleanly', async () => {
    const lab = await startLab(16481, 16411);
    lab.child.kill('SIGTERM');
    expect(await lab.exited).toBe(0);
    expect(lab.pids.filter(alive)).toEqual([]);
  }, 120_000);
});
