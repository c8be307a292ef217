// Closed-loop read load for `get`, the one figure the shared load.mjs (writes only) does not
// measure. It follows load.mjs's method so the figures sit beside its write figures: C workers,
// --warmup s unmeasured then --seconds s measured, one kept-alive http.Agent, latency = send →
// successful answer, same percentile rule (nearest rank). Run as a child process:
//
//   node --import tsx bench/read-load.ts --target raft|etcd --endpoint URL [-c 16] [-t 10]
//
// raft: POST /client_command {"command":"get kN"} to the leader (a read through the log); a
// 307 from a node that is no longer leader moves the worker to the Location, as load.mjs does.
// etcd: POST /v3/kv/range {"key": b64("kN")} to the leader (linearizable: etcd's ReadIndex).
// Prints one JSON line: {target, op: "get", concurrency, seconds, ok, errors, ops_per_s, p50_ms, ...}.

import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    target: { type: 'string' },
    endpoint: { type: 'string' },
    concurrency: { type: 'string', short: 'c', default: '1' },
    seconds: { type: 'string', short: 't', default: '10' },
    warmup: { type: 'string', default: '1' },
    keyspace: { type: 'string', default: '1000' },
  },
});
if ((o.target !== 'raft' && o.target !== 'etcd') || !o.endpoint) {
  console.error('usage: read-load.ts --target raft|etcd --endpoint URL [-c N] [-t S] [--warmup S]');
  process.exit(2);
}
const target = o.target;
const C = Number(o.concurrency);
const SECONDS = Number(o.seconds);
const WARMUP = Number(o.warmup);
const KEYSPACE = Number(o.keyspace);
/** The leader we send to; a raft follower's 307 moves it (leaders change under load). */
let ep = new URL(o.endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(64, C * 2), maxFreeSockets: 256 });

function post(path: string, body: string): Promise<{ status: number; text: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(body);
    const req = http.request(
      {
        host: ep.hostname,
        port: ep.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            location: res.headers.location,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout after 5000ms')));
    req.on('error', reject);
    req.end(data);
  });
}

const errorSamples: Record<string, number> = {};

/** Resolves true on a successful read; notes why otherwise. */
async function readOnce(key: string): Promise<boolean> {
  const r =
    target === 'etcd'
      ? await post('/v3/kv/range', JSON.stringify({ key: Buffer.from(key).toString('base64') }))
      : await post('/client_command', JSON.stringify({ command: `get ${key}` }));
  const ok =
    r.status === 200 &&
    (target === 'etcd' ? r.text.includes('"header"') : !r.text.includes('"success":false'));
  if (r.status === 307 && r.location) ep = new URL(new URL(r.location).origin);
  if (!ok) {
    const k = `${r.status} ${r.text.slice(0, 80)}`;
    errorSamples[k] = (errorSamples[k] ?? 0) + 1;
  }
  return ok;
}

const pct = (s: number[], p: number) =>
  s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : null;
const r2 = (x: number | null) => (x == null ? null : Math.round(x * 100) / 100);

const now = () => performance.now();
const tMeas = now() + WARMUP * 1000;
const tEnd = tMeas + SECONDS * 1000;
const lats: number[] = [];
let errors = 0;
let seq = 0;
await Promise.all(
  Array.from({ length: C }, async () => {
    while (now() < tEnd) {
      const t0 = now();
      let ok = false;
      try {
        ok = await readOnce(`k${seq++ % KEYSPACE}`);
      } catch (e) {
        const k = (e as Error).message.slice(0, 80);
        errorSamples[k] = (errorSamples[k] ?? 0) + 1;
      }
      const t1 = now();
      if (!ok) {
        if (t1 >= tMeas) errors++;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if (t1 >= tMeas && t1 < tEnd) lats.push(t1 - t0);
    }
  }),
);
lats.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    target,
    op: 'get',
    concurrency: C,
    seconds: SECONDS,
    ok: lats.length,
    errors,
    ops_per_s: r2(lats.length / SECONDS),
    p50_ms: r2(pct(lats, 50)),
    p99_ms: r2(pct(lats, 99)),
    max_ms: r2(lats.at(-1) ?? null),
    mean_ms: r2(lats.reduce((a, b) => a + b, 0) / (lats.length || 1)),
    ...(Object.keys(errorSamples).length ? { error_samples: errorSamples } : {}),
  }),
);
agent.destroy();
