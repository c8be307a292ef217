// The fault test's committed-log recorder (log-recorder.ts) against a real node that takes
// snapshots (paper §7): what it read as entries committed survives the snapshot that drops them
// from the node; a reader that comes only at the end sees a hole, and says where.

import { afterEach, describe, expect, it } from 'vitest';
import { fetchStatus } from '../../server/cluster/node-status.ts';
import { startInProcessNode } from '../support/in-process-node.ts';
import { waitFor } from '../support/wait-for.ts';
import { CommittedLogRecorder } from './log-recorder.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the committed-log recorder', () => {
  it('keeps the committed entries a snapshot later drops from the node, and names what no one read', async () => {
    const { node, url, stop } = await startInProcessNode({
      NODE_ID: '1',
      PORT: '15191',
      SNAPSHOT_ENTRIES: '8',
    });
    cleanups.push(stop);
    await waitFor('a leader (a cluster of one)', () => node.role === 'leader');
    const status = async () => {
      const r = await fetchStatus(url);
      if (!('status' in r)) throw new Error(r.error);
      return r.status;
    };

    const during = new CommittedLogRecorder();
    const late = new CommittedLogRecorder();
    for (let i = 1; i <= 12; i++) {
      expect(await node.submit({ command: `set k=${i}` })).toMatchObject({ kind: 'ok' });
      await during.observe(url, await status());
    }
    const end = await status();
    expect(end.snapshot_index).toBeGreaterThanOrEqual(8); // the node dropped its first entries
    await during.observe(url, end, { again: true });
    await late.observe(url, end, { again: true });

    const seen = during.union();
    expect(seen.missing).toEqual([]);
    expect(seen.log.map((e) => e.index)).toEqual(Array.from({ length: end.commit_index }, (_, k) => k + 1));
    expect(seen.log.filter((e) => e.type === 'command').map((e) => e.command)).toEqual(
      Array.from({ length: 12 }, (_, k) => `set k=${k + 1}`),
    );
    expect(during.anomalies).toEqual([]);
    expect(late.union().missing).toEqual([`1–${end.snapshot_index}`]);
  });
});
