// Benchmark: reset-to-leader time as a learner meets it — a lesson's `reset` (POST
// /api/cluster/actions {action: "reset"}, what a cluster cell sends) until a leader is known and
// answering (its /status says leader and it commits a `get`). It starts the lab of any checkout
// (`npm start`'s main.ts, local backend) and talks to it over HTTP only, so the same script
// measures an older commit ("before") and this one ("after") in one sitting:
//
//   npx tsx bench/reset-to-leader.ts [--root DIR] [--runs 20] [--port 7190] [--base-port 7101]
//
// Prints one line per reset, the median, min and max in ms, failures, and the load average
// before and after (the machine may be shared). Numbers, not assertions. Run it inside your
// network namespace.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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

async function json(
  url: string,
  init?: RequestInit,
  timeoutMs = 5000,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
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
    const v = await probe().catch((e: Error) => {
      if (/the lab exited/.test(e.message)) throw e;
      return null;
    });
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
  const startLab = () => {
    const c = spawn(
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
    child = c;
    return until('the lab answers /api/cluster', 180_000, async () => {
      if (c.exitCode !== null) throw new Error(`the lab exited (code ${c.exitCode})`);
      const r = await json(`${lab}/api/cluster`);
      return r.status === 200 ? (r.body as { nodes: { url: string }[] }) : null;
    });
  };
  try {
    // An older lab gives its nodes 20 s to start, which a loaded machine can miss: try again.
    let cluster: { nodes: { url: string }[] } | null = null;
    for (let attempt = 1; !cluster; attempt++) {
      cluster = await startLab().catch((e: Error) => {
        if (attempt === 3) throw e;
        console.log(`lab start ${attempt} failed (${e.message}); again`);
        return null;
      });
    }
    const urls = cluster.nodes.map((n) => n.url);
    await until('a first leader', RUN_LIMIT_MS, () => answeringLeader(urls));
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    console.log(`load average before: ${load()}`);
    const times: number[] = [];
    const failures: string[] = [];
    for (let i = 0; i < runs; i++) {
      // Something in the log first, so each reset really has state to wipe.
      const leader = await until('a leader before reset', RUN_LIMIT_MS, () => answeringLeader(urls)).catch(
        () => urls[0],
      );
      await json(`${leader}/client_command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: `set bench=${i}` }),
      }).catch(() => undefined);
      const t0 = performance.now();
      const r = await json(
        `${lab}/api/cluster/actions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'reset', source: 'cell' }),
        },
        RUN_LIMIT_MS,
      );
      if (r.status !== 200 || (r.body as { ok?: boolean }).ok === false) {
        // Counted, not hidden: a reset that fails (e.g. a node process slow to start) is a result too.
        failures.push(`reset ${i + 1} failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        console.log(failures.at(-1));
        continue;
      }
      const leaderAfter = await until('a leader after reset', RUN_LIMIT_MS, () =>
        answeringLeader(urls),
      ).catch((e: Error) => e);
      if (leaderAfter instanceof Error) {
        failures.push(`reset ${i + 1}: ${leaderAfter.message}`);
        console.log(failures.at(-1));
        continue;
      }
      const ms = performance.now() - t0;
      times.push(ms);
      console.log(`reset ${String(i + 1).padStart(2)}: ${ms.toFixed(0)} ms`);
    }
    console.log(`load average after: ${load()}`);
    console.log(
      JSON.stringify({
        bench: 'reset-to-leader',
        root,
        runs,
        failed: failures.length,
        median_ms: Math.round(median(times)),
        min_ms: Math.round(Math.min(...times)),
        max_ms: Math.round(Math.max(...times)),
      }),
    );
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
