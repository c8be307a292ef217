// A node counts the append_entries it refuses in /status `metrics.append_entries_refused`, so that
// a lesson can show the consistency check saying "no" (lesson 6) instead of only telling it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessNode, startInProcessNode } from '../support/in-process-node.ts';

const PORT = 15171;
let n: InProcessNode;

beforeAll(async () => {
  // Its peer never answers: the node stays a follower or candidate, never a leader.
  n = await startInProcessNode({ NODE_ID: '1', PORT: String(PORT), PEERS: '2=127.0.0.1:15172' });
});

afterAll(async () => {
  await n?.stop();
});

/**
 * Sends leader 2's append_entries to the node: term 50, prev_log_index/prev_log_term 0, no
 * entries, leader_commit 0, with `fields` replacing those.
 */
async function appendEntries(fields: object): Promise<{ success: boolean; conflict_index?: number }> {
  const body = {
    term: 50,
    leader_id: '2',
    prev_log_index: 0,
    prev_log_term: 0,
    entries: [],
    leader_commit: 0,
    ...fields,
  };
  const res = await fetch(`${n.url}/append_entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { success: boolean; conflict_index?: number };
}

async function refused(): Promise<number> {
  const status = (await (await fetch(`${n.url}/status`)).json()) as {
    metrics: { append_entries_refused: number };
  };
  return status.metrics.append_entries_refused;
}

describe('append_entries refusals in /status metrics', () => {
  it('counts a refusal by the consistency check (§5.3), not an accepted append', async () => {
    expect(await refused()).toBe(0);
    // An empty log has no entry at index 5: Figure 2, AppendEntries receiver rule 2.
    const gap = await appendEntries({ prev_log_index: 5, prev_log_term: 1 });
    expect(gap).toMatchObject({ success: false, conflict_index: 1 });
    expect(await refused()).toBe(1);

    const fits = await appendEntries({
      entries: [{ index: 1, term: 50, type: 'command', command: 'set x=1' }],
    });
    expect(fits.success).toBe(true);
    expect(await refused()).toBe(1);
  });

  it('counts a refusal of a stale term (§5.1)', async () => {
    const stale = await appendEntries({ term: 3 });
    expect(stale.success).toBe(false);
    expect(await refused()).toBe(2);
  });
});
