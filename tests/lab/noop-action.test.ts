// The `noop off` / `noop on` cluster action against a REAL local cluster: it reaches every node,
// a restarted node keeps it, and `reset` gives back a default cluster (no-op on, §8).
import { describe, expect, it } from 'vitest';
import { sessionForSuite } from './start-test-session.ts';

const BASE_PORT = 14621;
const { run, expectOk } = sessionForSuite({
  basePort: BASE_PORT,
  lessonId: 'noop-action-test',
  firstCell: 'wait leader 20s',
});

describe.sequential('the noop cluster action', () => {
  it('`noop off` switches the no-op off on every node, and `noop on` back on', async () => {
    const off = await run('cluster', 'noop off');
    expect(off.cluster!.actions[0]).toMatchObject({ ok: true });
    expect(off.cluster!.actions[0]!.detail).toContain('Figure 8');
    await expectOk('check', 'every node: faults.noop_on_election == false');
    await expectOk('cluster', 'noop on');
    await expectOk('check', 'every node: faults.noop_on_election == true');
  });

  it('a node restarted while the no-op is off comes back with it off', async () => {
    await expectOk('cluster', 'noop off');
    await expectOk('cluster', 'kill node2\nrestart node2');
    await expectOk('check', 'node2 is up\nnode2.faults.noop_on_election == false');
  });

  it('`reset` gives a default cluster: the no-op is on again, also for later restarts', async () => {
    await expectOk('cluster', 'noop off');
    await expectOk('cluster', 'reset');
    await expectOk('check', 'every node: faults.noop_on_election == true');
    await expectOk('cluster', 'kill node3\nrestart node3');
    await expectOk('check', 'node3.faults.noop_on_election == true');
  });
});
