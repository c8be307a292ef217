// A full disk under a node (issue 10, "Disk faults"): the write-ahead log refuses the record
// without leaving any of it behind, the node holds the Ready instead of crashing — nothing is
// sent, answered or applied before it is on disk — new commands get 503 disk_full, /status
// says so, and everything resumes by itself once space returns. Tested with an injected
// ENOSPC in the log's file layer, and with a real tiny tmpfs when this runs as root.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalCluster } from '../../server/cluster/local-cluster.ts';
import { loadConfig } from '../../server/node/config.ts';
import { createNodeServer } from '../../server/node/http-api.ts';
import { RaftNode } from '../../server/node/node.ts';
import { DiskFullError, WAL_FILE, Wal, type WalFile } from '../../server/node/storage/wal.ts';
import type { Entry } from '../../server/raft/types.ts';
import { undoAfterTest } from '../support/undo-after-test.ts';
import { waitFor } from '../support/wait-for.ts';
import { command, http } from './cluster-fixture.ts';

const { later, tempDir } = undoAfterTest('raft-disk-full-');

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/**
 * The log's file with a switchable full disk: while `full`, a write lands its first half and
 * stops short (as write(2) does when the disk fills), the next write fails with ENOSPC; with
 * `failSync`, writes land but fdatasync fails with ENOSPC (delayed allocation).
 */
class FillingDisk {
  full = false;
  failSync = false;
  open = async (file: string): Promise<WalFile> => {
    const h = await fs.open(file, 'r+');
    let shortened = false;
    return {
      write: (async (buf: Uint8Array, offset: number, length: number, position: number) => {
        if (this.full) {
          if (shortened || length < 2) throw noSpace();
          shortened = true;
          return h.write(buf, offset, Math.floor(length / 2), position);
        }
        shortened = false;
        return h.write(buf, offset, length, position);
      }) as WalFile['write'],
      datasync: async () => {
        if (this.failSync) throw noSpace();
        return h.datasync();
      },
      truncate: (len?: number) => h.truncate(len),
      close: () => h.close(),
    };
  };
}

const cmd = (index: number, command: string): Entry => ({ index, term: 1, type: 'command', command });

describe('the write-ahead log on a full disk', () => {
  it('refuses a record it cannot write whole, leaves none of it in the file, and takes it once space returns', async () => {
    const dir = await tempDir();
    const disk = new FillingDisk();
    const { wal } = await Wal.open(dir, { openFile: disk.open });
    await wal.append({ hardState: { currentTerm: 1, votedFor: '1' }, entries: [cmd(1, 'set a=1')] });
    const size = wal.stats.fileBytes;
    disk.full = true;
    const err = await wal.append({ entries: [cmd(2, `set b=${'x'.repeat(5000)}`)] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect((err as Error).message).toMatch(/is full \(ENOSPC\).*resumes by itself once space is freed/);
    expect(wal.diskFull?.detail).toBe((err as Error).message);
    expect((await fs.stat(path.join(dir, WAL_FILE))).size).toBe(size); // the short write was cut off
    // A failed fdatasync: the written pages are not trusted, the record is cut off too.
    disk.full = false;
    disk.failSync = true;
    await expect(wal.append({ entries: [cmd(2, 'set b=2')] })).rejects.toBeInstanceOf(DiskFullError);
    expect((await fs.stat(path.join(dir, WAL_FILE))).size).toBe(size);
    disk.failSync = false;
    await wal.append({ entries: [cmd(2, 'set b=2')] });
    expect(wal.diskFull).toBeNull();
    expect(wal.stats.diskFullErrors).toBe(2);
    await wal.close();
    const again = await Wal.open(dir);
    await again.wal.close();
    expect(again.state.log.map((e) => e.command)).toEqual(['set a=1', 'set b=2']);
  });

  it('appendRetrying holds an update while the disk is full and persists it once there is space', async () => {
    const dir = await tempDir();
    const disk = new FillingDisk();
    const { wal } = await Wal.open(dir, { openFile: disk.open });
    later(() => wal.close());
    disk.full = true;
    let refusals = 0;
    const held = wal.appendRetrying(
      { entries: [cmd(1, 'set a=1')] },
      {
        retryMs: 5,
        stopped: () => false,
        onFull: () => {
          refusals++;
        },
      },
    );
    await waitFor('three refused attempts', () => refusals >= 3);
    expect(wal.state.log).toEqual([]);
    disk.full = false;
    expect(await held).toBe(true);
    expect(wal.state.log.map((e) => e.command)).toEqual(['set a=1']);
    // Stopping while held gives up without writing.
    disk.full = true;
    let stop = false;
    const given = wal.appendRetrying(
      { entries: [cmd(2, 'set b=1')] },
      { retryMs: 5, stopped: () => stop, onFull: () => {} },
    );
    stop = true;
    expect(await given).toBe(false);
    expect(wal.state.log).toHaveLength(1);
  });
});

describe('a node on a full disk', () => {
  it('answers 503 disk_full, shows it in /status, never acknowledges the held entry early, and resumes by itself', async () => {
    const dir = await tempDir();
    const disk = new FillingDisk();
    const port = 15161;
    const config = loadConfig({
      NODE_ID: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      COMMAND_TIMEOUT_MS: '30000',
    });
    const notices: string[] = [];
    const node = await RaftNode.open(config, {
      wal: { openFile: disk.open },
      notice: (m) => notices.push(m),
    });
    const server: Server = await new Promise((resolve) => {
      const s = createNodeServer(node).listen(port, '127.0.0.1', () => resolve(s));
    });
    later(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await node.stop();
    });
    node.start();
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      'a leader (a cluster of one)',
      async () => (await http(`${url}/status`)).body.state === 'leader',
    );
    expect((await command(url, 'set a=1')).body).toMatchObject({ success: true });

    disk.full = true;
    // This command's entry is proposed but cannot be persisted: it waits, unanswered.
    const held = command(url, 'set a=2');
    await waitFor('the node to notice the full disk', async () => {
      const s = (await http(`${url}/status`)).body as {
        storage: { disk_full: boolean; detail: string | null };
      };
      return s.storage.disk_full ? s : null;
    });
    const status = (await http(`${url}/status`)).body;
    expect(status.storage).toMatchObject({ disk_full: true, detail: expect.stringMatching(/ENOSPC/) });
    const refused = await command(url, 'set a=3');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ success: false, error: 'disk_full' });
    expect(refused.body.detail).toMatch(/did not propose the command.*full/);
    const during = (await http(`${url}/status`)).body;
    // The held entry is not applied (nor answered: `held` is still pending).
    expect(during.kv).toEqual({ a: '1' });
    expect(during.last_applied).toBe(status.last_applied);
    expect(during.state).toBe('leader'); // no crash, no restart
    expect(notices.some((n) => /full \(ENOSPC\).*retrying every/.test(n))).toBe(true);

    disk.full = false;
    expect((await held).body).toMatchObject({ success: true, result: '1' });
    const after = (await http(`${url}/status`)).body;
    expect(after.storage).toEqual({ disk_full: false, detail: null });
    expect(after.kv).toEqual({ a: '2' });
    expect((await command(url, 'set a=4')).body).toMatchObject({ success: true, result: '2' });
    expect(notices.at(-1)).toMatch(/accepts writes again/);
  });
});

/** Mounts a tmpfs of `bytes` at a new folder; null when this process may not (not root, no mount). */
async function tinyTmpfs(bytes: number): Promise<string | null> {
  if (process.getuid?.() !== 0 || spawnSync('mount', ['--version']).status !== 0) return null;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'raft-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  if (r.status !== 0) {
    await fs.rm(dir, { recursive: true, force: true });
    return null;
  }
  later(async () => {
    execFileSync('umount', [dir]);
    await fs.rm(dir, { recursive: true, force: true });
  });
  return dir;
}

describe('real node processes on a real full disk (tiny tmpfs; needs root)', () => {
  it('a follower whose disk fills holds its log while the others commit, says so, and catches up once space returns', async (ctx) => {
    const tmpfs = await tinyTmpfs(1024 * 1024);
    if (tmpfs === null) return ctx.skip();
    const dataRoot = await tempDir();
    const cluster = new LocalCluster({
      size: 3,
      basePort: 15171,
      dataRoot,
      env: { COMMAND_TIMEOUT_MS: '5000' },
    });
    later(() => cluster.stop());
    // Node 3 keeps its data on the tmpfs (the cluster finds it through the usual path).
    await fs.mkdir(path.join(tmpfs, 'node-3'));
    await fs.symlink(path.join(tmpfs, 'node-3'), cluster.dataDir('3'));
    await cluster.start();
    let leader = await cluster.waitForLeader(10_000);
    if (leader.node_id === '3') {
      // Keep the full disk on a follower: let node 3 step down by restarting it.
      await cluster.restart('3');
      leader = await cluster.waitFor(
        (ss) => ss.find((s) => s?.state === 'leader' && s.node_id !== '3'),
        10_000,
      );
    }
    const url = cluster.url(leader.node_id);
    expect((await command(url, 'set before=1')).body).toMatchObject({ success: true });
    // Fill the disk: whatever is left goes to a filler file (the write stops at ENOSPC).
    const filler = path.join(tmpfs, 'filler');
    await fs.writeFile(filler, Buffer.alloc(2 * 1024 * 1024)).catch(() => {});
    // The others go on committing: 2 of 3 is a majority. Values of 2 KB outgrow the slack left
    // in the last page of node 3's log file.
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 6; i++) {
      last = (await command(url, `set during=${i}${'v'.repeat(2000)}`)).body;
      expect(last).toMatchObject({ success: true });
    }
    const full = await waitFor('node 3 to report its full disk', async () => {
      const s = (await http(`${cluster.url('3')}/status`)).body as Record<string, unknown>;
      return (s.storage as { disk_full: boolean }).disk_full ? s : null;
    });
    expect((full.storage as { detail: string }).detail).toMatch(/ENOSPC/);
    // Node 3 does not claim entries it could not store — the leader never hears an acknowledgement
    // for them (Figure 2: persist before responding) — and it did not crash.
    expect(full.log_length as number).toBeLessThan(last.index as number);
    const leaderView = (await http(`${url}/status`)).body as {
      progress: Record<string, { match_index: number }>;
    };
    expect(leaderView.progress['3']!.match_index).toBeLessThan(last.index as number);
    expect(cluster.nodes().find((n) => n.id === '3')?.up).toBe(true);

    await fs.rm(filler);
    await cluster.waitFor(
      (ss) => {
        const s = ss[2];
        return s && !(s.storage as { disk_full: boolean }).disk_full && s.kv.during === ss[0]?.kv.during;
      },
      20_000,
      'node 3 to catch up after space returned',
    );
  });
});
