// Figure 2: a leader's own new entries are persistent state even when no follower ever acks
// them. Lesson 11 (Figure 8) relies on it: S5, a leader cut off from every peer, stores
// `set f=3`, answers 503 timeout, is SIGKILLed and restarted, and must still hold the entry,
// or it would vote for a server whose log lacks it (§5.4.1). Real processes, a real SIGKILL.

import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, adminOf, clusterPerTest, command, http } from './cluster-fixture.ts';

const start = clusterPerTest({ size: 3, adminToken: ADMIN_TOKEN, env: { COMMAND_TIMEOUT_MS: '1500' } });

describe('a lone leader', () => {
  it("keeps an entry no follower stored through SIGKILL and restart (Figure 2's persistent log)", async () => {
    const cluster = await start(15441);
    const admin = adminOf(cluster);
    const leader = (await cluster.waitForLeader(20_000)).node_id;
    const others = cluster
      .nodes()
      .map((n) => n.id)
      .filter((id) => id !== leader);
    await admin(leader, 'partition', { peers: others });
    await Promise.all(others.map((id) => admin(id, 'partition', { peers: [leader] })));

    const r = await command(cluster.url(leader), 'set f=3');
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: 'timeout' });
    const index = r.body.index as number;
    expect(index).toBeGreaterThan(0);

    await cluster.kill(leader);
    await cluster.restart(leader);
    const log = await http(`${cluster.url(leader)}/log?from=${index}&limit=1`);
    expect(log.status).toBe(200);
    expect(log.body.entries).toMatchObject([{ index, command: 'set f=3' }]);
  });
});
