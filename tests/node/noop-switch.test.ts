// §8's no-op as a switch (NOOP_ON_ELECTION, POST /admin/noop), on three real nodes: off, a new
// leader appends nothing of its own; on again, the next leader appends its no-op at once.

import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../server/contract/raft-rpc.ts';
import { bearer, clusterWithAdminForSuite, command, http } from './cluster-fixture.ts';

const auth = bearer();
const { cluster, admin } = clusterWithAdminForSuite({
  size: 3,
  basePort: 14611,
  env: { NOOP_ON_ELECTION: '0' },
});

const ids = () => cluster.nodes().map((n) => n.id);

describe.sequential('the §8 no-op switch', () => {
  it('NOOP_ON_ELECTION=0: the elected leader appends no no-op, and /status says noop_on_election false', async () => {
    const leader = await cluster.waitForLeader(5000);
    expect(leader.log).toEqual([]);
    for (const id of ids()) {
      const s = await http(`${cluster.url(id)}/status`);
      expect(s.body.faults).toMatchObject({ noop_on_election: false });
    }
    const url = cluster.url(leader.node_id);
    const r = await command(url, 'set a=1');
    expect(r.status).toBe(200);
    expect((await http(`${url}/log`)).body.entries).toMatchObject([{ index: 1, type: 'command' }]);
  });

  it('POST /admin/noop {"enabled": true} turns it back on: the next leader appends a no-op of its term', async () => {
    for (const id of ids()) {
      const r = await admin(id, 'noop', { enabled: true });
      expect(r.status).toBe(200);
      expect(r.body.faults).toMatchObject({ noop_on_election: true });
    }
    expect((await http(`${cluster.url('1')}/admin/faults`, { headers: auth })).body).toMatchObject({
      noop_on_election: true,
    });
    const old = await cluster.waitForLeader(5000);
    const others = ids().filter((id) => id !== old.node_id);
    await admin(old.node_id, 'partition', { peers: others });
    const next = await cluster.waitFor(
      (ss) =>
        ss.find(
          (s) =>
            s &&
            s.state === 'leader' &&
            s.node_id !== old.node_id &&
            s.term > old.term &&
            s.commit_index >= 2,
        ),
      10_000,
      'a new leader that committed its no-op',
    );
    const last = next.log.at(-1) as LogEntry;
    expect(last).toMatchObject({ index: 2, term: next.term, type: 'noop' });
    await Promise.all(ids().map((id) => admin(id, 'heal')));
  });

  it('POST /admin/noop refuses a body without a boolean `enabled`, saying what to send', async () => {
    const r = await admin('1', 'noop', { enabled: 'off' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain("field 'enabled' must be true");
    expect((await http(`${cluster.url('1')}/status`)).body.faults).toMatchObject({ noop_on_election: true });
  });
});
