// A pass-through HTTP proxy in front of each node, used only for load.mjs's failover probe.
//
// Why: load.mjs --failover waits until every endpoint's GET /status names a leader, and it reads
// the fields `id` and `leader`; this node's /status calls them `node_id` and `leader_id`
// (docs/node-api.md), so without help every follower looks leaderless and the probe never
// starts. The shared harness is read-only and must not be copied, so this proxy adds the two
// aliases to /status answers and rewrites a 307's Location to the matching proxy; every other
// byte passes through. It adds one loopback hop (~0.1–0.3 ms) to each write, which is
// negligible against a failover window of hundreds of ms and counts against this project.
// Drop it once load.mjs also reads node_id/leader_id.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StatusAdapter {
  /** One proxy URL per target, in the same order. */
  endpoints: string[];
  close(): Promise<void>;
}

/** Starts one proxy per target URL on ephemeral loopback ports. */
export async function startStatusAdapter(targets: readonly string[]): Promise<StatusAdapter> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const servers: http.Server[] = [];
  const proxyOf = new Map<string, string>();
  for (const target of targets) {
    const t = new URL(target);
    const server = http.createServer((req, res) => {
      const up = http.request(
        { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers, agent },
        (ur) => {
          const headers = { ...ur.headers };
          const loc = headers.location;
          if (typeof loc === 'string') {
            const origin = new URL(loc).origin;
            const proxy = proxyOf.get(origin);
            if (proxy) headers.location = proxy + loc.slice(origin.length);
          }
          if (req.method !== 'GET' || !req.url?.startsWith('/status') || ur.statusCode !== 200) {
            res.writeHead(ur.statusCode ?? 502, headers);
            ur.pipe(res);
            return;
          }
          const chunks: Buffer[] = [];
          ur.on('data', (c: Buffer) => chunks.push(c));
          ur.on('end', () => {
            let body = Buffer.concat(chunks);
            try {
              const s = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
              body = Buffer.from(JSON.stringify({ ...s, id: s.node_id, leader: s.leader_id }));
            } catch {
              // Not JSON: pass it on unchanged.
            }
            headers['content-length'] = String(body.length);
            res.writeHead(200, headers);
            res.end(body);
          });
        },
      );
      up.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'node_unreachable', detail: e.message }));
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    proxyOf.set(t.origin, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return {
    endpoints: targets.map((t) => proxyOf.get(new URL(t).origin)!),
    async close() {
      agent.destroy();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
