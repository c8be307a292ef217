// Process conventions of a node (server/node/main.ts, server/cluster/local-cluster.ts):
// quick clean exit on SIGTERM, exit when stdin closes, death on SIGHUP, and no orphans
// when the parent dies, even for a frozen (SIGSTOPped) node.

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, processState } from '../support/process-state.ts';
import { undoAfterTest } from '../support/undo-after-test.ts';
import { waitFor } from '../support/wait-for.ts';
import { http } from './cluster-fixture.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const { later, tempDir } = undoAfterTest('raft-proc-');

function killOnCleanup(pid: number | undefined): void {
  later(() => {
    if (pid !== undefined && alive(pid)) {
      process.kill(pid, 'SIGKILL');
    }
  });
}

async function startNode(port: number, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const dataDir = await tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/node/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      NODE_ID: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...extraEnv,
    },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  killOnCleanup(child.pid);
  await waitFor(
    `the node on port ${port} to answer /status`,
    () =>
      http(`http://127.0.0.1:${port}/status`).then(
        (r) => r.status === 200,
        () => false,
      ),
    { timeoutMs: 15_000 },
  );
  return child;
}

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

describe('node process', () => {
  it('exits cleanly (code 0) well under a second after SIGTERM', async () => {
    const child = await startNode(15131);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const { code } = await exitOf(child);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('exits when its stdin closes, with EXIT_WHEN_STDIN_CLOSES=1', async () => {
    const child = await startNode(15132, { EXIT_WHEN_STDIN_CLOSES: '1' });
    child.stdin!.end();
    expect((await exitOf(child)).code).toBe(0);
  });

  it('dies on SIGHUP', async () => {
    const child = await startNode(15133);
    child.kill('SIGHUP');
    const { code, signal } = await exitOf(child);
    expect(code === 129 || signal === 'SIGHUP').toBe(true);
  });

  it('refuses to start with a bad setting and says which one', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/node/main.ts'], {
      cwd: REPO,
      env: { ...process.env, NODE_ID: '1', PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    killOnCleanup(child.pid);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    expect((await exitOf(child)).code).toBe(1);
    expect(err).toContain("PORT must be an integer from 1 to 65535, got 'eighty'");
  });

  it('leaves no node behind, not even a frozen one, when the parent is SIGKILLed', async () => {
    const dataRoot = await tempDir();
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/node/fixtures/cluster-parent.ts', '15134', dataRoot],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    killOnCleanup(parent.pid);
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('['));
        if (line) resolve(JSON.parse(line) as number[]);
      });
      parent.once('exit', () => reject(new Error(`the parent exited before starting its cluster: ${out}`)));
    });
    for (const pid of pids) killOnCleanup(pid);
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
    // node2 is stopped (the kernel stops it once the signal is delivered; poll for it).
    await waitFor('node2 to be stopped', () => processState(pids[1]!) === 'T');
    parent.kill('SIGKILL');
    await waitFor('every node to die with its parent', () => pids.every((p) => !alive(p)), {
      timeoutMs: 10_000,
    });
  });
});
