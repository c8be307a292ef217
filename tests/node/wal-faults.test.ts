// Disk faults under the write-ahead log (issue 10, "Disk faults"): whatever happens to the
// last record and the space after it — cut at any byte, pages zero- or random-filled, bytes
// flipped anywhere — the log either comes back as exactly the records before the damage, or
// refuses to open with an error naming the file and the offset. It never serves a log it
// half-read, and a torn tail is told from corruption by whether an intact record follows.

import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WAL_FILE, Wal, WalCorruptError, type WalUpdate } from '../../server/node/storage/wal.ts';
import { Prng } from '../../server/raft/simulation/prng.ts';
import type { Entry, PersistentState } from '../../server/raft/types.ts';
import { undoAfterTest } from '../support/undo-after-test.ts';

const PAGE = 4096;
const { tempDir } = undoAfterTest('raft-wal-faults-');

const cmd = (index: number, term: number, command: string): Entry => ({
  index,
  term,
  type: 'command',
  command,
});

/**
 * A log of a few small records and a last one of about 12 KB (a batch of large values), as
 * bytes, with where each record ends and the state after each.
 */
async function sampleLog(): Promise<{ bytes: Buffer; ends: number[]; states: PersistentState[] }> {
  const dir = await tempDir();
  const updates: WalUpdate[] = [
    { hardState: { currentTerm: 2, votedFor: '1' } },
    { entries: [cmd(1, 2, 'set a=1'), cmd(2, 2, 'set b=2')] },
    { entries: [cmd(3, 2, 'delete a')], hardState: { currentTerm: 3, votedFor: null } },
    { entries: [0, 1, 2].map((i) => cmd(4 + i, 3, `set big${i}=${String(i).repeat(4000)}`)) },
  ];
  const { wal } = await Wal.open(dir);
  const ends = [(await fs.stat(path.join(dir, WAL_FILE))).size];
  const states: PersistentState[] = [structuredClone(wal.state)];
  for (const u of updates) {
    await wal.append(u);
    ends.push(wal.stats.fileBytes);
    states.push(structuredClone(wal.state));
  }
  await wal.close();
  const bytes = await fs.readFile(path.join(dir, WAL_FILE));
  expect(ends.at(-1)! - ends.at(-2)!).toBeGreaterThan(12_000);
  return { bytes, ends, states };
}

type Opened = { state: PersistentState; dropped: number } | { error: Error };

async function open(bytes: Uint8Array): Promise<Opened> {
  const dir = await tempDir();
  await fs.writeFile(path.join(dir, WAL_FILE), bytes);
  try {
    const { wal, state } = await Wal.open(dir);
    const dropped = wal.stats.droppedTailBytes;
    await wal.close();
    return { state, dropped };
  } catch (e) {
    return { error: e as Error };
  }
}

/** The state after the records that end at or before `damageAt` (the last intact one). */
const stateBefore = (log: { ends: number[]; states: PersistentState[] }, damageAt: number) =>
  log.states[log.ends.filter((end) => end <= damageAt).length - 1]!;

describe('torn tail or corruption: decided by whether an intact record follows the damage', () => {
  it('the issue-10 input: a final record of ~12 KB whose first 4 KiB (header included) are zeros is a torn tail, dropped', async () => {
    const log = await sampleLog();
    const lastStart = log.ends.at(-2)!;
    const torn = Buffer.from(log.bytes);
    torn.fill(0, lastStart, lastStart + PAGE);
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, WAL_FILE), torn);
    const { wal, state } = await Wal.open(dir);
    expect(state).toEqual(log.states.at(-2));
    expect(wal.tornTail).toMatchObject({ offset: lastStart, bytes: torn.length - lastStart, recordsKept: 3 });
    // The torn bytes are cut off; the next record follows the last intact one and survives a restart.
    await wal.append({ entries: [cmd(4, 3, 'set after=crash')] });
    await wal.close();
    const again = await Wal.open(dir);
    await again.wal.close();
    expect(again.wal.tornTail).toBeNull();
    expect(again.state.log.map((e) => e.command).at(-1)).toBe('set after=crash');
  });

  it('damage with an intact record after it is corruption: refused, naming the file and offset, with safe advice', async () => {
    const log = await sampleLog();
    const second = log.ends[1]!;
    const damaged = Buffer.from(log.bytes);
    damaged.fill(0, second, second + 10); // record 2's header: zeros, as a lost page would leave
    const r = await open(damaged);
    expect('error' in r && r.error).toBeInstanceOf(WalCorruptError);
    const message = (r as { error: Error }).error.message;
    expect(message).toMatch(
      new RegExp(`raft\\.wal is damaged at byte ${second} .*intact record follows at byte ${log.ends[2]}`),
    );
    expect(message).toContain('Keep the data directory exactly as it is');
    expect(message).toContain('membership change');
    expect(message).toContain('docs/node-api.md');
    expect(message).not.toMatch(/move the data directory away|rejoin empty/);
  });

  it('truncated at every offset of its last record, the log comes back as the records before it', async () => {
    const log = await sampleLog();
    const lastStart = log.ends.at(-2)!;
    for (let cut = lastStart; cut < log.bytes.length; cut += cut < lastStart + 64 ? 1 : 97) {
      const r = await open(log.bytes.subarray(0, cut));
      expect(r, `cut at ${cut}`).toEqual({ state: log.states.at(-2), dropped: cut - lastStart });
    }
  });

  it('every page-aligned run of the last record and the space after it, zero- or random-filled, is dropped as a torn tail', async () => {
    const log = await sampleLog();
    const lastStart = log.ends.at(-2)!;
    // The file as a crash may leave it: two more pages the filesystem allotted past the end.
    const spare = 2 * PAGE;
    const firstPage = Math.floor(lastStart / PAGE);
    const pages = Math.ceil((log.bytes.length + spare) / PAGE);
    const rng = new Prng(10);
    let cases = 0;
    for (let from = firstPage; from < pages; from++) {
      for (let to = from + 1; to <= pages; to++) {
        for (const fill of ['zero', 'random'] as const) {
          const bytes = Buffer.concat([log.bytes, Buffer.alloc(spare)]);
          const start = Math.max(from * PAGE, lastStart); // the page holding the header starts in the record before: spare it
          const end = Math.min(to * PAGE, bytes.length);
          for (let i = start; i < end; i++) bytes[i] = fill === 'zero' ? 0 : rng.int(0, 255);
          const r = await open(bytes);
          const what = `${fill} fill of bytes ${start}-${end}`;
          expect('state' in r, `${what}: ${'error' in r ? r.error.message : ''}`).toBe(true);
          const damagedLast = start < log.bytes.length;
          expect((r as { state: PersistentState }).state, what).toEqual(
            damagedLast ? log.states.at(-2) : log.states.at(-1),
          );
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(20);
  });

  it('bytes flipped anywhere: the records before the first damage come back, or the open is refused naming file and offset (property)', async () => {
    const log = await sampleLog();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: log.bytes.length - 1 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 255 }),
        async (positions, mask) => {
          const bytes = Buffer.from(log.bytes);
          for (const p of positions) bytes[p]! ^= mask;
          const first = Math.min(...positions);
          const r = await open(bytes);
          if (first < log.ends[0]!) {
            expect('error' in r && r.error.message).toMatch(/does not start with RAFTWAL1/);
            return;
          }
          // Records are [ends[i], ends[i + 1]); r0 holds the first damage.
          const records = log.ends.slice(0, -1).map((start, i) => ({ start, end: log.ends[i + 1]! }));
          const r0 = records.findIndex((rec) => first < rec.end);
          const damagedStart = records[r0]!.start;
          const intactAfter = records
            .slice(r0 + 1)
            .some((rec) => !positions.some((p) => p >= rec.start && p < rec.end));
          if (intactAfter) {
            expect('error' in r, 'an intact record follows: refuse').toBe(true);
            expect((r as { error: Error }).error.message).toMatch(
              new RegExp(`${WAL_FILE} is damaged at byte ${damagedStart} `),
            );
          } else {
            expect(r).toEqual({
              state: stateBefore(log, damagedStart),
              dropped: log.bytes.length - damagedStart,
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
