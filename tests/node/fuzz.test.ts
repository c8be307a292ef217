// Nothing a client sends can crash a node: random and almost-valid bodies against every
// endpoint of a real node get a JSON answer with a known status, and the node keeps serving.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../server/cluster/local-cluster.ts';
import { clusterForSuite, http } from './cluster-fixture.ts';

const BASE_PORT = 15151;
let cluster: LocalCluster;
clusterForSuite({ size: 3, basePort: BASE_PORT, env: { COMMAND_TIMEOUT_MS: '1000' } }, (c) => {
  cluster = c;
});

const smallNat = fc.oneof(fc.nat({ max: 5 }), fc.constantFrom(-1, 1.5, 2 ** 53, Number.MAX_VALUE));
const anyValue = fc.oneof(
  smallNat,
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
);
const entry = fc.record(
  {
    index: smallNat,
    term: smallNat,
    type: fc.constantFrom('command', 'noop', 'other'),
    command: fc.oneof(fc.constantFrom('set a=1', 'get a', 'frob', ''), anyValue),
  },
  { requiredKeys: [] },
);
const bodies = {
  '/request_vote': fc.record(
    {
      term: smallNat,
      candidate_id: fc.oneof(fc.constantFrom('1', '2', '3', '9'), anyValue),
      last_log_index: smallNat,
      last_log_term: smallNat,
    },
    { requiredKeys: [] },
  ),
  '/append_entries': fc.record(
    {
      term: smallNat,
      leader_id: fc.oneof(fc.constantFrom('1', '2', '3'), anyValue),
      leader_url: fc.oneof(fc.constant('http://127.0.0.1:1'), anyValue),
      prev_log_index: smallNat,
      prev_log_term: smallNat,
      entries: fc.oneof(fc.array(entry, { maxLength: 3 }), anyValue),
      leader_commit: smallNat,
    },
    { requiredKeys: [] },
  ),
  '/client_command': fc.record(
    {
      command: fc.oneof(fc.constantFrom('set a=1', 'get a', 'delete a', 'set =', 'get'), anyValue),
      client_id: anyValue,
      request_id: anyValue,
    },
    { requiredKeys: [] },
  ),
};

describe('a node under random input', () => {
  it('answers every body with JSON and a known status, and keeps serving', async () => {
    const target = cluster.url('2');
    const paths = Object.keys(bodies) as (keyof typeof bodies)[];
    const raw = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('{', '[1,2', '"x"', '5', 'null', '{"term":'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(
          fc.constantFrom(...paths).chain((p): fc.Arbitrary<unknown> => bodies[p]),
          raw.map((r) => ({ raw: r })),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        async (path, body) => {
          const init =
            typeof body === 'object' && body !== null && 'raw' in body && Object.keys(body).length === 1
              ? { raw: String((body as { raw: unknown }).raw), method: 'POST' }
              : { body, method: 'POST' };
          const r = await http(`${target}${path}`, init);
          expect([200, 307, 400, 409, 503]).toContain(r.status);
          expect(r.body._text).toBeUndefined(); // always JSON
          if (r.status >= 400) expect(typeof r.body.detail).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
    const statuses = await cluster.statuses();
    expect(statuses.every((s) => s !== null)).toBe(true);
    expect(cluster.nodes().every((n) => n.up)).toBe(true);
  });
});
