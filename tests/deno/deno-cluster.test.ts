// The node's sources run under Deno as they are: three `deno run -A server/node/main.ts`
// processes elect a leader and replicate a command. Skipped LOUDLY when no deno binary exists
// (.ci/run installs one; docs/deno.md says how).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeStatus, oneLeader, waitForCluster as waitFor } from '../containers/cluster-probes.ts';
import { shout } from '../containers/docker-cli.ts';

const root = new URL('../..', import.meta.url).pathname;
/** Where .ci/run installs the npm `deno` package (outside the project, so its lock file stays as it is). */
const KNOWN_PATHS = [
  '/tmp/deno-npm/node_modules/@deno/linux-x64-glibc/deno',
  '/tmp/deno-npm/node_modules/@deno/linux-arm64-glibc/deno',
  '/tmp/deno-npm/node_modules/.bin/deno',
  join(process.env.HOME ?? '/root', '.deno/bin/deno'),
];

function findDeno(): { bin: string } | { bin: null; reason: string } {
  const fromEnv = process.env.DENO_BIN;
  if (fromEnv) {
    return existsSync(fromEnv)
      ? { bin: fromEnv }
      : { bin: null, reason: `DENO_BIN=${fromEnv} does not exist` };
  }
  for (const p of KNOWN_PATHS) if (existsSync(p)) return { bin: p };
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'deno'))) return { bin: join(dir, 'deno') };
  }
  return {
    bin: null,
    reason: `no deno binary: DENO_BIN is unset, none at ${KNOWN_PATHS.join(', ')}, none on PATH`,
  };
}

const found = findDeno();
const deno = found.bin;
if (found.bin === null) {
  shout([
    'SKIPPED: the Deno cluster test (tests/deno/deno-cluster.test.ts)',
    `reason: ${found.reason}`,
    'install: npm install --prefix /tmp/deno-npm deno   (as .ci/run does)',
  ]);
}

// 18900-18989, chosen by pid so that two test runs on one machine do not collide.
const PORTS = [1, 2, 3].map((i) => 18900 + (process.pid % 30) * 3 + i - 1);
const urls = PORTS.map((p) => `http://127.0.0.1:${p}`);
const peers = PORTS.map((p, i) => `${i + 1}=127.0.0.1:${p}`).join(',');

describe.skipIf(!deno)(`the Raft node under Deno (${deno ?? 'no deno binary'})`, () => {
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const dataRoot = mkdtempSync(join(tmpdir(), 'raft-deno-'));

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const hard = setTimeout(() => c.kill('SIGKILL'), 3000);
            c.once('exit', () => {
              clearTimeout(hard);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('three nodes started with `deno run` elect one leader and replicate a command to all three', async () => {
    PORTS.forEach((port, i) => {
      const id = String(i + 1);
      const child = spawn(deno!, ['run', '-A', 'server/node/main.ts'], {
        cwd: root,
        env: {
          ...process.env,
          NODE_ID: id,
          PORT: String(port),
          PEERS: peers,
          DATA_DIR: join(dataRoot, `node-${id}`),
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (b: Buffer) => logs.push(`[deno node ${id}] ${b.toString().trimEnd()}`);
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      children.push(child);
    });

    const leader = await waitFor('one leader among the Deno nodes', () => oneLeader(urls), {
      timeoutMs: 30_000,
    }).catch((err: Error) => {
      throw new Error(`${err.message}\nnode output:\n${logs.join('\n')}`);
    });
    const leaderUrl = urls[Number(leader.node_id) - 1]!;

    const res = await fetch(`${leaderUrl}/client_command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'set x=42' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ success: true });

    for (const url of urls) {
      const s = await waitFor(`x=42 applied on ${url}`, async () => {
        const st = await nodeStatus(url);
        return st?.kv.x === '42' ? st : null;
      });
      expect(s.log.some((e) => e.command === 'set x=42')).toBe(true);
    }
  });
});
