// The cluster's admin token never reaches a learner: the lab passes it to the nodes' /admin for
// its own actions, but no cell's output, request shown, error, variable, live message or node
// answer ever contains it. Against a real local cluster (3 node processes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellType } from '../../server/contract/lab-api.ts';
import { LocalBackend } from '../../server/lab/cluster/local-backend.ts';
import { ClusterSession } from '../../server/lab/session/cluster-session.ts';

const BASE_PORT = 16331;
let backend: LocalBackend;
let session: ClusterSession;
let dataRoot: string;
let token: string;

beforeAll(async () => {
  dataRoot = mkdtempSync(join(tmpdir(), 'raft-lab-token-'));
  backend = new LocalBackend({ size: 3, basePort: BASE_PORT, dataRoot });
  session = new ClusterSession(backend, { pollIntervalMs: 0, followEvents: false });
  await session.start();
  // The one place a test may read it: to look for it everywhere else.
  token = (backend as unknown as { token: string }).token;
  expect(token.length).toBeGreaterThan(10);
}, 90_000);

afterAll(async () => {
  await session?.stop();
  rmSync(dataRoot, { recursive: true, force: true });
});

const run = (type: CellType, source: string) =>
  session.run({ lessonId: 'secrecy', cellId: 'x', type, source });

describe('the admin token', () => {
  it('appears in no cell result, whatever the cell tries', async () => {
    const results = [];
    for (const [type, source] of [
      ['cluster', 'wait leader 30s'],
      ['http', 'GET {{node1}}/admin/faults'],
      ['http', 'POST {{leader}}/admin/partition\nContent-Type: application/json\n{"peers":["2"]}'],
      ['http', 'POST {{node1}}/admin/heal\nAuthorization: Bearer {{admin_token}}'],
      ['http', 'POST {{node1}}/admin/heal\nAuthorization: Bearer {{ADMIN_TOKEN}}'],
      ['http', 'POST {{node1}}/admin/heal\nAuthorization: Bearer {{token}}'],
      ['http', 'GET {{node1}}/status\n\nHTTP 200\n[Captures]\nall: body'],
      ['http', 'GET {{node2}}/log?from=1'],
      ['http', 'GET {{node1}}/admin/faults?token={{all}}'],
      ['cluster', 'partition node1 | node2,node3'],
      ['cluster', 'heal'],
      ['cluster', 'speed 0.5'],
      ['cluster', 'speed 1'],
      ['cluster', 'noop off'],
      ['cluster', 'noop on'],
      ['cluster', 'pause node3'],
      ['cluster', 'resume node3'],
      ['cluster', 'kill node2'],
      ['cluster', 'restart node2'],
      ['cluster', 'kill node9'],
      ['cluster', 'wait leader 30s'],
      ['check', 'leaders == 1\nevery node: kv.x == "1"'],
    ] as [CellType, string][]) {
      const r = await run(type, source);
      results.push(r);
      expect(JSON.stringify(r), `${type}: ${source}`).not.toContain(token);
    }
    // The cells did reach the nodes: /admin refused them, the lab's own actions worked.
    expect(JSON.stringify(results[1])).toContain('401');
    expect(results[9]!.ok).toBe(true);
  }, 180_000);

  it('appears in nothing the browser is sent, nor in any node answer', async () => {
    expect(JSON.stringify(await session.hello())).not.toContain(token);
    expect(JSON.stringify(await session.liveSnapshot())).not.toContain(token);
    for (const n of backend.nodes()) {
      for (const path of ['/status', '/log', '/admin/faults']) {
        const text = await (await fetch(`${n.url}${path}`)).text();
        expect(text, `${n.name} ${path}`).not.toContain(token);
      }
    }
  });
});
