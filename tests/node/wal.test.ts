// The write-ahead log (server/node/storage/wal.ts): what was appended comes back after a
// restart, a torn final record is dropped cleanly, damage in the middle stops the node.

import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WAL_FILE,
  Wal,
  WalCorruptError,
  type WalState,
  type WalUpdate,
} from '../../server/node/storage/wal.ts';
import type { Entry } from '../../server/raft/types.ts';
import { undoAfterTest } from '../support/undo-after-test.ts';
import { waitFor } from '../support/wait-for.ts';
import { GatedDisk } from './gated-disk.ts';

const { tempDir } = undoAfterTest('raft-wal-');

const cmd = (index: number, term: number, command = `set k${index}=v${index}`): Entry => ({
  index,
  term,
  type: 'command',
  command,
});

async function reopen(dir: string): Promise<WalState> {
  const { wal, state } = await Wal.open(dir);
  await wal.close();
  return state;
}

/** Writes `updates`, returning the file size and expected state after each one. */
async function writeAll(dir: string, updates: WalUpdate[]) {
  const { wal } = await Wal.open(dir);
  const header = (await fs.stat(path.join(dir, WAL_FILE))).size;
  const after: { size: number; state: WalState }[] = [
    { size: header, state: { currentTerm: 0, votedFor: null, log: [], base: 0 } },
  ];
  for (const u of updates) {
    await wal.append(u);
    const s = wal.state;
    after.push({ size: wal.stats.fileBytes, state: { ...s, log: s.log.map((e) => ({ ...e })) } });
  }
  await wal.close();
  return after;
}

describe('write-ahead log', () => {
  it('gives back term, vote and log after a restart (round trip)', async () => {
    const dir = await tempDir();
    const { wal, state } = await Wal.open(dir);
    expect(state).toEqual({ currentTerm: 0, votedFor: null, log: [], base: 0 });
    await wal.append({ hardState: { currentTerm: 1, votedFor: '2' } });
    await wal.append({ entries: [{ index: 1, term: 1, type: 'noop', command: null }, cmd(2, 1), cmd(3, 1)] });
    await wal.append({
      hardState: { currentTerm: 2, votedFor: null },
      truncateFrom: 3,
      entries: [cmd(3, 2, 'delete x')],
    });
    await wal.append({
      entries: [{ index: 4, term: 2, type: 'command', command: 'set é=✓', client_id: 'c', request_id: '7' }],
    });
    expect(wal.stats.fsyncs).toBe(4);
    await wal.close();
    expect(await reopen(dir)).toEqual({
      currentTerm: 2,
      votedFor: null,
      base: 0,
      log: [
        { index: 1, term: 1, type: 'noop', command: null },
        cmd(2, 1),
        cmd(3, 2, 'delete x'),
        { index: 4, term: 2, type: 'command', command: 'set é=✓', client_id: 'c', request_id: '7' },
      ],
    });
  });

  it('writes one record and one fsync per update, however many entries it holds (group commit)', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(dir);
    await wal.append({ entries: Array.from({ length: 500 }, (_, i) => cmd(i + 1, 1)) });
    expect(wal.stats).toMatchObject({ fsyncs: 1, records: 1, entriesWritten: 500 });
    await wal.close();
  });

  it('drops the prefix a snapshot replaced (drop_to, paper §7), keeps it dropped across a restart and a compaction', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(dir, { compactMinBytes: 1 });
    await wal.append({
      hardState: { currentTerm: 1, votedFor: '1' },
      entries: Array.from({ length: 5 }, (_, i) => cmd(i + 1, 1)),
    });
    await wal.append({ dropTo: 3 });
    expect(wal.state).toMatchObject({ base: 3, log: [cmd(4, 1), cmd(5, 1)] });
    await expect(wal.append({ entries: [cmd(7, 1)] })).rejects.toThrow(/does not follow index 5/);
    await expect(wal.append({ truncateFrom: 3 })).rejects.toThrow(/outside 4..6/);
    // Dropping what is already gone writes nothing.
    const records = wal.stats.records;
    await wal.append({ dropTo: 2 });
    expect(wal.stats.records).toBe(records);
    // A snapshot past the end (installed from a leader): the log is empty and continues after it.
    await wal.append({ truncateFrom: 5, dropTo: 9, entries: [cmd(10, 2)] });
    await wal.compact();
    await wal.close();
    expect(await reopen(dir)).toEqual({ currentTerm: 1, votedFor: '1', base: 9, log: [cmd(10, 2)] });
  });

  it('refuses to write an entry that does not follow the log', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(dir);
    await expect(wal.append({ entries: [cmd(2, 1)] })).rejects.toThrow(/does not follow index 0/);
    await expect(wal.append({ truncateFrom: 5 })).rejects.toThrow(/outside 1..1/);
    await wal.close();
    expect(await reopen(dir)).toEqual({ currentTerm: 0, votedFor: null, log: [], base: 0 });
  });

  it('refuses a second append while one is being written, untouched, and the first lands whole', async () => {
    const dir = await tempDir();
    const disk = new GatedDisk();
    const { wal } = await Wal.open(dir, { openFile: disk.open });
    disk.closed = true;
    const first = wal.append({ entries: [cmd(1, 1)] });
    await waitFor('the first record written and waiting for its fdatasync', () => disk.held === 1);
    // A possible change on its own (it passes the follow check): only the guard refuses it. Written
    // now it would land at the same offset as the first record, over it.
    const second = wal.append({ hardState: { currentTerm: 2, votedFor: '3' } }).then(
      () => 'written',
      (e: Error) => e.message,
    );
    disk.release();
    await first;
    expect(await second).toMatch(/second write .* while one is still under way: .*one Ready at a time/);
    await wal.append({ entries: [cmd(2, 1)] });
    await wal.close();
    expect(await reopen(dir)).toEqual({
      currentTerm: 0,
      votedFor: null,
      base: 0,
      log: [cmd(1, 1), cmd(2, 1)],
    });
  });

  it('drops a torn last record at every byte offset and keeps everything before it', async () => {
    const dir = await tempDir();
    const after = await writeAll(dir, [
      { hardState: { currentTerm: 3, votedFor: '1' }, entries: [cmd(1, 3), cmd(2, 3)] },
      { entries: [cmd(3, 3, 'set last=record')], hardState: { currentTerm: 4, votedFor: null } },
    ]);
    const full = await fs.readFile(path.join(dir, WAL_FILE));
    const lastStart = after[1]!.size;
    expect(after[2]!.size).toBe(full.length);
    for (let cut = lastStart; cut < full.length; cut++) {
      const d = await tempDir();
      await fs.writeFile(path.join(d, WAL_FILE), full.subarray(0, cut));
      const { wal, state } = await Wal.open(d);
      expect(state, `cut at byte ${cut}`).toEqual(after[1]!.state);
      expect(wal.stats.droppedTailBytes).toBe(cut - lastStart);
      // The torn bytes are gone from the file, so the next record follows the last good one.
      await wal.append({ entries: [cmd(3, 3, 'set after=crash')] });
      await wal.close();
      expect((await reopen(d)).log.map((e) => e.command)).toEqual([
        'set k1=v1',
        'set k2=v2',
        'set after=crash',
      ]);
    }
  });

  it('drops a last record whose bytes were damaged, and a zero-filled tail', async () => {
    const dir = await tempDir();
    const after = await writeAll(dir, [{ entries: [cmd(1, 1)] }, { entries: [cmd(2, 1)] }]);
    const full = await fs.readFile(path.join(dir, WAL_FILE));
    const flipped = Buffer.from(full);
    flipped[full.length - 3]! ^= 0xff;
    const d1 = await tempDir();
    await fs.writeFile(path.join(d1, WAL_FILE), flipped);
    expect(await reopen(d1)).toEqual(after[1]!.state);
    const d2 = await tempDir();
    await fs.writeFile(path.join(d2, WAL_FILE), Buffer.concat([full, Buffer.alloc(4096)]));
    expect(await reopen(d2)).toEqual(after[2]!.state);
  });

  it('refuses to start when a record in the middle is damaged, naming the file and byte', async () => {
    const dir = await tempDir();
    const after = await writeAll(dir, [
      { entries: [cmd(1, 1)] },
      { entries: [cmd(2, 1)] },
      { entries: [cmd(3, 1)] },
    ]);
    const file = path.join(dir, WAL_FILE);
    const full = await fs.readFile(file);
    full[after[1]!.size + 12]! ^= 0x01; // inside record 2's payload
    await fs.writeFile(file, full);
    const err = await Wal.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalCorruptError);
    expect((err as Error).message).toContain(`damaged at byte ${after[1]!.size}`);
    expect((err as Error).message).toContain('refuses to start');
    // Nothing was cut off: the damaged file is left as it was for a human to inspect.
    expect((await fs.readFile(file)).length).toBe(full.length);
  });

  it('refuses a file that is not a Raft Lab write-ahead log', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, WAL_FILE), 'hello');
    await expect(Wal.open(dir)).rejects.toThrow(/does not start with RAFTWAL1/);
  });

  it('compacts a file that is mostly garbage and keeps the same state', async () => {
    const dir = await tempDir();
    const { wal } = await Wal.open(dir, { compactMinBytes: 4096 });
    const big = 'x'.repeat(200);
    for (let round = 0; round < 20; round++) {
      // A leader change overwrites the uncommitted tail again and again (§5.3).
      await wal.append({
        hardState: { currentTerm: round + 1, votedFor: null },
        truncateFrom: round === 0 ? undefined : 2,
        entries: [
          ...(round === 0 ? [cmd(1, 1)] : []),
          ...[2, 3, 4].map((i) => cmd(i, round + 1, `set k=${big}${i}`)),
        ],
      });
    }
    expect(wal.stats.compactions).toBeGreaterThan(0);
    const expected = wal.state;
    const size = wal.stats.fileBytes;
    await wal.close();
    expect((await fs.stat(path.join(dir, WAL_FILE))).size).toBe(size);
    expect(size).toBeLessThan(4096);
    expect(await reopen(dir)).toEqual({ ...expected, log: expected.log });
  });

  it('comes back with exactly the last fully written update after a crash at any instant (property)', async () => {
    // Random Raft-like histories; a crash keeps a prefix of the bytes written.
    const update = fc.record({
      vote: fc.option(fc.constantFrom('1', '2', '3'), { nil: undefined }),
      bumpTerm: fc.boolean(),
      truncateBack: fc.nat({ max: 3 }),
      append: fc.array(fc.constantFrom('set a=1', 'get a', 'delete a', 'set b=2'), { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(update, { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (steps, at) => {
          const dir = await tempDir();
          let term = 1;
          let length = 0;
          const updates: WalUpdate[] = steps.map((s) => {
            const u: WalUpdate = {};
            if (s.bumpTerm || s.vote !== undefined) {
              if (s.bumpTerm) term++;
              u.hardState = { currentTerm: term, votedFor: s.vote ?? null };
            }
            if (s.truncateBack > 0 && length > 0) {
              length = Math.max(0, length - s.truncateBack);
              u.truncateFrom = length + 1;
            }
            u.entries = s.append.map((c) => cmd(++length, term, c));
            return u;
          });
          const after = await writeAll(dir, updates);
          const full = await fs.readFile(path.join(dir, WAL_FILE));
          const cut = after[0]!.size + Math.floor(at * (full.length - after[0]!.size));
          const d = await tempDir();
          await fs.writeFile(path.join(d, WAL_FILE), full.subarray(0, cut));
          const expected = [...after].reverse().find((a) => a.size <= cut)!.state;
          expect(await reopen(d)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
