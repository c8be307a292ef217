// Reset-to-leader time as a learner meets it: a lesson's `reset` (POST /api/cluster/actions
// {action: "reset"}, as a cluster cell or the panel sends it) until a leader is known and
// answering (its /status says leader and it commits a `get`). Runs the lab of any checkout, so
// the same script measures an older commit ("before") and this one ("after"):
//   npx tsx bench/reset-time.ts [--root DIR] [--runs 20] [--port 7190] [--base-port 7101]
// Prints every run, then median, min and max in ms. Start it inside your network namespace.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({
  options: {
    root: { type: 'string', default: HERE },
    runs: { type: 'string', default: '20' },
    port: { type: 'string', default: '7190' },
    'base-port': { type: 'string', default: '7101' },
  },
});
const root = resolve(values.root);
const runs = Number(values.runs);
const lab = `http://127.0.0.1:${values.port}`;
/** Give up on one reset (ms): far above either version's worst case. */
const RUN_LIMIT_MS = 60_000;

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

async function until<T>(what: string, limitMs: number, probe: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The URL of a node that says it leads and commits a read, or null. */
async function answeringLeader(urls: string[]): Promise<string | null> {
  const statuses = await Promise.all(
    urls.map((u) =>
      json(`${u}/status`)
        .then((r) => ({ u, body: r.body as { role?: string; state?: string } }))
        .catch(() => null),
    ),
  );
  const leader = statuses.find((s) => s && (s.body.role ?? s.body.state) === 'leader');
  if (!leader) return null;
  const r = await json(`${leader.u}/client_command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'get x' }),
    redirect: 'manual',
  });
  return r.status === 200 ? leader.u : null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'reset-time-'));
  let child: ChildProcess | null = null;
  const stop = async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      // The lab stops its own cluster on SIGINT; its group is ours (detached).
      process.kill(-child.pid, 'SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    child = spawn(
      join(root, 'node_modules', '.bin', 'tsx'),
      [
        'server/lab/main.ts',
        '--port',
        values.port,
        '--base-port',
        values['base-port'],
        '--data',
        join(scratch, 'data'),
        '--workspace',
        join(scratch, 'workspace'),
      ],
      { cwd: root, detached: true, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const cluster = await until('the lab answers /api/cluster', 120_000, async () => {
      const r = await json(`${lab}/api/cluster`);
      return r.status === 200 ? (r.body as { nodes: { url: string }[] }) : null;
    });
    const urls = cluster.nodes.map((n) => n.url);
    await until('a first leader', RUN_LIMIT_MS, () => answeringLeader(urls));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await json(`${lab}/api/cluster/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'reset', source: 'cell' }),
      });
      if (r.status !== 200 || (r.body as { ok?: boolean }).ok === false)
        throw new Error(`reset failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      await until('a leader after reset', RUN_LIMIT_MS, () => answeringLeader(urls));
      const ms = performance.now() - t0;
      times.push(ms);
      console.log(`run ${i + 1}: ${ms.toFixed(0)} ms`);
    }
    console.log(
      `reset → leader answering, ${runs} runs (${root}): median ${median(times).toFixed(0)} ms, ` +
        `min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`,
    );
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
