// Issue 10's faults 1 and 2 on three real node processes: a retry the session no longer
// remembers is refused (never applied twice), and a node whose write-ahead log ends in a torn
// record starts (dropping and reporting it), while one with damage in the middle refuses to
// start with a message naming the file and offset and safe advice.

import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WAL_FILE } from '../../server/node/storage/wal.ts';
import { waitFor } from '../support/wait-for.ts';
import { clusterForSuite, command } from './cluster-fixture.ts';

const cluster = clusterForSuite({ size: 3, basePort: 15181, env: { COMMAND_TIMEOUT_MS: '5000' } });

/** Sends a command to whoever leads (retrying through an election), returning the answer. */
async function toLeader(cmd: string, extra: Record<string, unknown> = {}) {
  return waitFor(
    `an answer to '${cmd.slice(0, 40)}'`,
    async () => {
      const leader = await cluster.waitForLeader(10_000);
      const r = await command(cluster.url(leader.node_id), cmd, extra);
      return r.status === 307 || r.body.error === 'no_leader' ? null : r;
    },
    { timeoutMs: 20_000 },
  );
}

describe.sequential('faults 1 and 2 on real processes', () => {
  it('the issue-10 input (r1, then r2…r17, then r1 again) never applies r1 twice: 410 request_expired', async () => {
    const reg = await toLeader('register');
    expect(reg.body).toMatchObject({ success: true, client_id: expect.any(Number) });
    const client_id = reg.body.client_id;
    expect((await toLeader('set x=1', { client_id, request_id: 1 })).body).toMatchObject({ success: true });
    for (let r = 2; r <= 17; r++) {
      expect((await toLeader(`set x=${r}`, { client_id, request_id: r })).body).toMatchObject({
        success: true,
      });
    }
    const retry = await toLeader('set x=1', { client_id, request_id: 1 });
    expect(retry.status).toBe(410);
    expect(retry.body).toMatchObject({ success: false, error: 'request_expired' });
    expect(retry.body.detail).toMatch(/not applied again/);
    expect((await toLeader('get x')).body.result).toBe('17');
    // A session id no register entry ever gave is refused the same way as an evicted one.
    const stranger = await toLeader('set x=1', { client_id: 999_999, request_id: 1 });
    expect(stranger.status).toBe(410);
    expect(stranger.body.error).toBe('session_expired');
    expect((await toLeader('get x')).body.result).toBe('17');
  });

  it('the same input with a made-up client_id and request ids is refused up front, never applied twice', async () => {
    const ids = { client_id: 'c', request_id: 'r1' };
    await toLeader('set y=1', ids);
    for (let r = 2; r <= 17; r++) await toLeader(`set y=${r}`, { ...ids, request_id: `r${r}` });
    const retry = await toLeader('set y=1', ids);
    expect(retry.status).toBeGreaterThanOrEqual(400);
    expect(retry.status).toBeLessThan(500);
    expect(retry.body.detail).toMatch(/client_id.*register/);
    expect((await toLeader('get y')).body.result).not.toBe('1');
  });

  it('a node whose log ends in a ~12 KB record with its first 4 KiB zeroed starts, drops it, says so, and catches up', async () => {
    const leader = await cluster.waitForLeader(10_000);
    const victim = cluster.nodes().find((n) => n.id !== leader.node_id)!.id;
    await toLeader(`set big=${'b'.repeat(12_000)}`);
    await cluster.kill(victim);
    const file = path.join(cluster.dataDir(victim), WAL_FILE);
    const before = await fs.readFile(file);
    // A torn last record: ~12 KB of a record whose first page (header included) never landed.
    const tail = Buffer.alloc(12_300, 'x');
    tail.fill(0, 0, 4096);
    await fs.writeFile(file, Buffer.concat([before, tail]));
    await cluster.restart(victim);
    const status = (await cluster.statuses())[Number(victim) - 1]!;
    expect((status.metrics as Record<string, number>).wal_dropped_tail_bytes).toBe(tail.length);
    await toLeader('set after=torn');
    await cluster.waitFor(
      (ss) => ss.every((s) => s?.kv.after === 'torn'),
      10_000,
      'every node to apply after=torn',
    );
    expect((await fs.stat(file)).size).toBeGreaterThan(before.length); // it appended after cutting the tail
  });

  it('a node whose log is damaged in the middle refuses to start, naming file and offset, and advises keeping the data', async () => {
    const leader = await cluster.waitForLeader(10_000);
    const victim = cluster.nodes().find((n) => n.id !== leader.node_id)!.id;
    await cluster.kill(victim);
    const file = path.join(cluster.dataDir(victim), WAL_FILE);
    const bytes = await fs.readFile(file);
    const original = Buffer.from(bytes);
    bytes[20]! ^= 0xff; // inside the first record, with many intact records after it
    await fs.writeFile(file, bytes);
    const err = await cluster.restart(victim, 10_000).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message.replace(/\s+/g, ' ');
    expect(message).toContain(`${file} is damaged at byte 8`);
    expect(message).toMatch(/intact record follows at byte \d+/);
    expect(message).toContain('Keep the data directory exactly as it is');
    expect(message).not.toMatch(/move the data directory away|rejoin empty/);
    expect(await fs.readFile(file)).toEqual(bytes); // left untouched for inspection
    // Restored from a backup, the node starts again.
    await fs.writeFile(file, original);
    await cluster.restart(victim);
  });
});
