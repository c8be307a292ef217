// One Ready at a time (server/raft/README.md): the shell persists a Ready before it takes the
// next, so the write-ahead log is never written by two Readies at once. A leader's appends
// leave before its own write (dissertation §10.2.1), and an append to a cut follower fails at
// once, on the spot: that failure reaches the core and asks for the loop again while the loop
// is still starting. It must wait its turn. Found by the 10-minute chaos run (issue 10): leaders
// exited with "entry N+2 does not follow index N" while N+1 was still being written.
//
// In-process and without sockets: one node (a cluster of one voter) with a learner it cannot
// reach, and a log file whose fdatasync waits until the test lets it go.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/node/config.ts';
import { RaftNode } from '../../server/node/node.ts';
import { Wal } from '../../server/node/storage/wal.ts';
import { waitFor } from '../support/wait-for.ts';
import { GatedDisk } from './gated-disk.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Lets every callback already queued for the check phase run (submit() pumps from setImmediate). */
const afterImmediates = () => new Promise((r) => setImmediate(r));

describe('the Ready loop', () => {
  it('a leader whose early append to a cut follower fails at once still writes one Ready at a time: every entry is on disk after restart (dissertation §10.2.1)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'raft-ready-loop-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    const disk = new GatedDisk();
    const fatal: unknown[] = [];
    // No PEERS: a cluster of one voter, leader after one election timeout.
    const config = loadConfig({ NODE_ID: '1', PORT: '15999', HOST: '127.0.0.1', DATA_DIR: dir });
    const node = await RaftNode.open(config, {
      wal: { openFile: disk.open },
      onFatal: (e) => fatal.push(e),
    });
    cleanups.push(() => node.stop());
    node.start();
    await waitFor(
      'a leader with its no-op applied',
      () => node.role === 'leader' && node.status().last_applied >= 1,
    );
    // A learner the leader cannot reach: every append to it fails at once, on the spot.
    node.faults.partition(['2'], 'both');
    disk.closed = true;
    // Its configuration entry (§4.1) and the first append to it leave in one Ready.
    const added = node.changeMembership({ kind: 'add_learner', id: '2', address: 'http://127.0.0.1:9' });
    expect(added).toMatchObject({ ok: true, entry: { index: 2 } });
    await waitFor('the configuration entry written and waiting for its fdatasync', () => disk.held === 1);
    // A command arrives while that Ready is still being persisted.
    const command = node.submit({ command: 'set a=1' });
    await afterImmediates();
    expect(fatal).toEqual([]);
    expect(disk.held).toBe(1);
    disk.release();
    expect(await command).toMatchObject({ kind: 'ok', index: 3 });
    expect(fatal).toEqual([]);
    expect(disk.maxInFlight).toBe(1);

    await node.stop();
    const { wal, state } = await Wal.open(dir);
    await wal.close();
    expect(state.log.map((e) => [e.index, e.command])).toEqual([
      [1, null],
      [2, null],
      [3, 'set a=1'],
    ]);
  });
});
