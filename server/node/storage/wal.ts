// Durable Raft state (Figure 2, "Persistent state on all servers": currentTerm, votedFor, log[])
// as an append-only write-ahead log. One record per Ready, written with ONE write and ONE
// fdatasync (group commit): a crash leaves either the whole Ready on disk or a torn last
// record, which replay drops (wal-replay.ts decides torn tail vs. corruption).
//
// A full disk (ENOSPC, EDQUOT) is not fatal: the record's partial bytes are cut off again and
// append() throws DiskFullError, so the caller can hold the Ready and retry (appendRetrying)
// without sending or acknowledging anything that is not on disk.

import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Entry, HardState } from '../../raft/types.ts';
import { readDurableFile, renameDurably, writeAt, writeFileAtomically, writeSynced } from './durable-file.ts';
import { encodeRecord } from './record-codec.ts';
import { MAGIC, replay, type TornTail } from './wal-replay.ts';
import { applyUpdate, encodeUpdate, type WalState, type WalUpdate } from './wal-update.ts';

export { describeTornTail, type TornTail, WalCorruptError } from './wal-replay.ts';
export type { WalState, WalUpdate } from './wal-update.ts';

export const WAL_FILE = 'raft.wal';

/** The file operations the log uses; a test may wrap them to inject errors (e.g. ENOSPC). */
export type WalFile = Pick<fs.FileHandle, 'write' | 'datasync' | 'truncate' | 'close'>;

export interface WalOptions {
  /** Rewrite the file once it is at least this big and over half of it is garbage. */
  compactMinBytes?: number;
  /** Opens the log file for reading and writing (default: fs.open(file, O_RDWR)). */
  openFile?: (file: string) => Promise<WalFile>;
}

export interface WalStats {
  fsyncs: number;
  records: number;
  entriesWritten: number;
  compactions: number;
  fileBytes: number;
  /** Bytes of a torn final record dropped when the log was opened. */
  droppedTailBytes: number;
  /** Appends refused because the disk was full. */
  diskFullErrors: number;
}

/** The disk is full: nothing of the update is on disk; retry once there is space. */
export class DiskFullError extends Error {
  override name = 'DiskFullError';
}

export interface DiskFull {
  /** When the first refused append of this spell happened (ms since the epoch). */
  since: number;
  detail: string;
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);
const defaultOpen = (file: string): Promise<WalFile> => fs.open(file, fsc.O_RDWR);

export class Wal {
  readonly file: string;
  private handle: WalFile;
  private size: number;
  private hard: HardState;
  private log: Entry[];
  /** The last index a snapshot replaced (paper §7): `log` holds the entries after it. */
  private base: number;
  /** Encoded size of each live entry, to estimate how much of the file is garbage. */
  private entryBytes: number[];
  private liveBytes: number;
  private readonly compactMinBytes: number;
  private readonly openFile: (file: string) => Promise<WalFile>;
  readonly stats: WalStats;
  /** The torn last record dropped at open, if any (for the node to log). */
  readonly tornTail: TornTail | null;
  /** Set while the disk refuses writes; cleared by the next append that succeeds. */
  diskFull: DiskFull | null = null;
  private closed = false;
  /** An append is under way: records go one after another, each at the end the last one left. */
  private writing = false;

  private constructor(
    dir: string,
    handle: WalFile,
    size: number,
    state: WalState,
    tornTail: TornTail | null,
    opts: WalOptions,
  ) {
    this.file = path.join(dir, WAL_FILE);
    this.handle = handle;
    this.size = size;
    this.hard = { currentTerm: state.currentTerm, votedFor: state.votedFor };
    this.log = state.log;
    this.base = state.base;
    this.entryBytes = state.log.map((e) => JSON.stringify(e).length + 1);
    this.liveBytes = this.entryBytes.reduce((a, b) => a + b, 0);
    this.compactMinBytes = opts.compactMinBytes ?? 4 * 1024 * 1024;
    this.openFile = opts.openFile ?? defaultOpen;
    this.tornTail = tornTail;
    this.stats = {
      fsyncs: 0,
      records: 0,
      entriesWritten: 0,
      compactions: 0,
      fileBytes: size,
      droppedTailBytes: tornTail?.bytes ?? 0,
      diskFullErrors: 0,
    };
  }

  /**
   * Opens (or creates) the log in `dir` and returns it with the state it holds. A torn last
   * record is cut off (see `tornTail`); damage in the middle throws WalCorruptError.
   */
  static async open(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; state: WalState }> {
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, WAL_FILE);
    let buf = await readDurableFile(file);
    if (buf === null) {
      await writeFileAtomically(file, [MAGIC]);
      buf = MAGIC;
    }
    const { state, validEnd, torn } = replay(buf, file);
    const handle = await (opts.openFile ?? defaultOpen)(file);
    if (validEnd < buf.length) {
      // Cut the torn tail off so the next record follows the last good one.
      await handle.truncate(validEnd);
      await handle.datasync();
    }
    const wal = new Wal(dir, handle, validEnd, state, torn, opts);
    return { wal, state: { ...state, log: [...state.log] } };
  }

  /** The state as persisted so far (a copy of the hard state; the log array is shared, do not mutate). */
  get state(): WalState {
    return { ...this.hard, log: this.log, base: this.base };
  }

  /** The last index a snapshot replaced on disk (0 when the log starts at entry 1). */
  get dropped(): number {
    return this.base;
  }

  /**
   * Persists one Ready's changes: one write, one fdatasync. Resolves when they are durable.
   * Throws DiskFullError (with nothing of the update left in the file) when the disk is full.
   * One append at a time: a second one before the first resolved is refused untouched (it would
   * be checked against, and written over, a log the first has not finished changing).
   */
  async append(update: WalUpdate): Promise<void> {
    if (this.closed) throw new Error('write-ahead log is closed');
    if (this.writing) {
      throw new Error(
        `refusing a second write to ${this.file} while one is still under way: the node must persist one Ready ` +
          'at a time (server/raft/README.md). This is a bug in the node, not damage: nothing of the second write ' +
          'reached the disk, and the node can be restarted on the same data directory.',
      );
    }
    this.writing = true;
    try {
      await this.write(update);
    } finally {
      this.writing = false;
    }
  }

  private async write(update: WalUpdate): Promise<void> {
    const entries = update.entries ?? [];
    if (
      update.hardState === undefined &&
      update.truncateFrom === undefined &&
      (update.dropTo === undefined || update.dropTo <= this.base) &&
      entries.length === 0
    )
      return;
    // Check before writing, so an impossible update never reaches the disk.
    const problem = applyUpdate(this.state, update, true);
    if (problem) throw new Error(`refusing to write an impossible log change: ${problem}`);
    const record = encodeRecord(encodeUpdate(update));
    try {
      await writeAt(this.handle, record, this.size);
      await this.handle.datasync();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!NO_SPACE.has(code)) throw e;
      // Cut off whatever part landed, so a retry writes the record whole at the same place. After
      // a failed fsync the written pages cannot be trusted (Linux may drop them yet call them
      // clean), so they are written anew rather than fsync'd again.
      await this.handle.truncate(this.size).catch(() => {});
      this.stats.diskFullErrors++;
      const detail =
        `the disk holding ${this.file} is full (${code}): a record of ${record.length} bytes could not be written. ` +
        'Nothing of it counts; the node holds it and retries, and resumes by itself once space is freed';
      this.diskFull = { since: this.diskFull?.since ?? Date.now(), detail };
      throw new DiskFullError(detail);
    }
    this.diskFull = null;
    this.size += record.length;
    this.stats.fsyncs++;
    this.stats.records++;
    this.stats.entriesWritten += entries.length;
    this.stats.fileBytes = this.size;
    const next = this.state;
    if (update.truncateFrom !== undefined) {
      const dropped = this.entryBytes.splice(update.truncateFrom - 1 - this.base);
      this.liveBytes -= dropped.reduce((a, b) => a + b, 0);
    }
    if (update.dropTo !== undefined && update.dropTo > this.base) {
      const dropped = this.entryBytes.splice(0, Math.min(this.entryBytes.length, update.dropTo - this.base));
      this.liveBytes -= dropped.reduce((a, b) => a + b, 0);
    }
    applyUpdate(next, update, false);
    this.hard = { currentTerm: next.currentTerm, votedFor: next.votedFor };
    this.base = next.base;
    for (const e of entries) {
      const n = JSON.stringify(e).length + 1;
      this.entryBytes.push(n);
      this.liveBytes += n;
    }
    if (this.size >= this.compactMinBytes && this.size > 2 * (this.liveBytes + 256)) await this.compact();
  }

  /**
   * append(), holding the update while the disk is full: retries every `retryMs` until it is
   * durable (resolves true) or `stopped()` says to give up (resolves false: nothing was written).
   * `onFull` is told each time the disk refused. Other errors are thrown.
   */
  async appendRetrying(
    update: WalUpdate,
    opts: { retryMs: number; stopped: () => boolean; onFull: (e: DiskFullError) => void },
  ): Promise<boolean> {
    for (;;) {
      try {
        await this.append(update);
        return true;
      } catch (e) {
        if (!(e instanceof DiskFullError)) throw e;
        opts.onFull(e);
      }
      await new Promise((r) => setTimeout(r, opts.retryMs));
      if (opts.stopped() || this.closed) return false;
    }
  }

  /**
   * Rewrites the file with only the live state: write temp, fsync, rename, fsync the directory.
   * On a full disk the old file stays as it is (compaction is tried again after a later append).
   */
  async compact(): Promise<void> {
    const chunks: Uint8Array[] = [MAGIC];
    const per = 1000;
    for (let i = 0; i === 0 || i < this.log.length; i += per) {
      const rec: WalUpdate = { entries: this.log.slice(i, i + per) };
      if (i === 0) {
        rec.hardState = { ...this.hard };
        if (this.base > 0) rec.dropTo = this.base;
      }
      chunks.push(encodeRecord(encodeUpdate(rec)));
    }
    const tmp = `${this.file}.tmp`;
    try {
      await writeSynced(tmp, chunks);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      if (NO_SPACE.has((e as NodeJS.ErrnoException).code ?? '')) return;
      throw e;
    }
    await this.handle.close();
    await renameDurably(tmp, this.file);
    this.handle = await this.openFile(this.file);
    this.size = chunks.reduce((a, c) => a + c.length, 0);
    this.stats.compactions++;
    this.stats.fileBytes = this.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
