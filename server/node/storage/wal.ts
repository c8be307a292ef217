// Durable Raft state (Figure 2, "Persistent state on all servers": currentTerm, votedFor, log[])
// as an append-only write-ahead log. One record per Ready, written with ONE write and ONE
// fdatasync (group commit): a crash leaves either the whole Ready on disk or none of it.
// On open the log is replayed; a torn last record is dropped and cut off, damage in the middle
// stops the node (it may have acknowledged those entries: refusing beats silently forgetting).

import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Entry, HardState, PersistentState } from '../../raft/types.ts';
import { encodeRecord, readRecord } from './record-codec.ts';

const MAGIC = new TextEncoder().encode('RAFTWAL1');
export const WAL_FILE = 'raft.wal';

/** What one Ready changes on disk (applied in this order: hardState, truncateFrom, entries). */
export interface WalUpdate {
  hardState?: HardState;
  truncateFrom?: number;
  entries?: Entry[];
}

export interface WalOptions {
  /** Rewrite the file once it is at least this big and over half of it is garbage. */
  compactMinBytes?: number;
}

export interface WalStats {
  fsyncs: number;
  records: number;
  entriesWritten: number;
  compactions: number;
  fileBytes: number;
  /** Bytes of a torn final record dropped when the log was opened. */
  droppedTailBytes: number;
}

export class WalCorruptError extends Error {
  override name = 'WalCorruptError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class Wal {
  readonly file: string;
  private handle: fs.FileHandle;
  private size: number;
  private hard: HardState;
  private log: Entry[];
  /** Encoded size of each live entry, to estimate how much of the file is garbage. */
  private entryBytes: number[];
  private liveBytes: number;
  private readonly compactMinBytes: number;
  readonly stats: WalStats;
  private closed = false;

  private constructor(
    dir: string,
    handle: fs.FileHandle,
    size: number,
    state: PersistentState,
    opts: WalOptions,
  ) {
    this.file = path.join(dir, WAL_FILE);
    this.handle = handle;
    this.size = size;
    this.hard = { currentTerm: state.currentTerm, votedFor: state.votedFor };
    this.log = state.log;
    this.entryBytes = state.log.map((e) => JSON.stringify(e).length + 1);
    this.liveBytes = this.entryBytes.reduce((a, b) => a + b, 0);
    this.compactMinBytes = opts.compactMinBytes ?? 4 * 1024 * 1024;
    this.stats = {
      fsyncs: 0,
      records: 0,
      entriesWritten: 0,
      compactions: 0,
      fileBytes: size,
      droppedTailBytes: 0,
    };
  }

  /** Opens (or creates) the log in `dir` and returns it with the state it holds. */
  static async open(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; state: PersistentState }> {
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, WAL_FILE);
    await fs.rm(`${file}.tmp`, { force: true });
    let buf: Uint8Array;
    try {
      buf = await fs.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await writeFileAtomically(dir, [MAGIC]);
      buf = MAGIC;
    }
    const { state, validEnd } = replay(buf, file);
    const handle = await fs.open(file, fsc.O_RDWR);
    if (validEnd < buf.length) {
      // Cut the torn tail off so the next record follows the last good one.
      await handle.truncate(validEnd);
      await handle.datasync();
    }
    const wal = new Wal(dir, handle, validEnd, state, opts);
    wal.stats.droppedTailBytes = buf.length - validEnd;
    return { wal, state: { ...state, log: [...state.log] } };
  }

  /** The state as persisted so far (a copy of the hard state; the log array is shared, do not mutate). */
  get state(): PersistentState {
    return { ...this.hard, log: this.log };
  }

  /** Persists one Ready's changes: one write, one fdatasync. Resolves when they are durable. */
  async append(update: WalUpdate): Promise<void> {
    if (this.closed) throw new Error('write-ahead log is closed');
    const entries = update.entries ?? [];
    if (update.hardState === undefined && update.truncateFrom === undefined && entries.length === 0) return;
    // Check before writing, so an impossible update never reaches the disk.
    const check = { ...this.hard, log: this.log };
    const problem = applyUpdate(check, update, true);
    if (problem) throw new Error(`refusing to write an impossible log change: ${problem}`);
    const payload = encoder.encode(JSON.stringify(toRecord(update)));
    const record = encodeRecord(payload);
    await this.handle.write(record, 0, record.length, this.size);
    await this.handle.datasync();
    this.size += record.length;
    this.stats.fsyncs++;
    this.stats.records++;
    this.stats.entriesWritten += entries.length;
    this.stats.fileBytes = this.size;
    const next = { ...this.hard, log: this.log };
    applyUpdate(next, update, false);
    this.hard = { currentTerm: next.currentTerm, votedFor: next.votedFor };
    if (update.truncateFrom !== undefined) {
      const dropped = this.entryBytes.splice(update.truncateFrom - 1);
      this.liveBytes -= dropped.reduce((a, b) => a + b, 0);
    }
    for (const e of entries) {
      const n = JSON.stringify(e).length + 1;
      this.entryBytes.push(n);
      this.liveBytes += n;
    }
    if (this.size >= this.compactMinBytes && this.size > 2 * (this.liveBytes + 256)) await this.compact();
  }

  /** Rewrites the file with only the live state: write temp, fsync, rename, fsync the directory. */
  async compact(): Promise<void> {
    const chunks: Uint8Array[] = [MAGIC];
    const per = 1000;
    for (let i = 0; i === 0 || i < this.log.length; i += per) {
      const rec: WalUpdate = { entries: this.log.slice(i, i + per) };
      if (i === 0) rec.hardState = { ...this.hard };
      chunks.push(encodeRecord(encoder.encode(JSON.stringify(toRecord(rec)))));
    }
    const dir = path.dirname(this.file);
    await this.handle.close();
    await writeFileAtomically(dir, chunks);
    this.handle = await fs.open(this.file, fsc.O_RDWR);
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

interface RecordJson {
  hs?: { term: number; voted_for: string | null };
  truncate_from?: number;
  entries?: Entry[];
}

function toRecord(u: WalUpdate): RecordJson {
  const r: RecordJson = {};
  if (u.hardState) r.hs = { term: u.hardState.currentTerm, voted_for: u.hardState.votedFor };
  if (u.truncateFrom !== undefined) r.truncate_from = u.truncateFrom;
  if (u.entries && u.entries.length > 0) r.entries = u.entries;
  return r;
}

function fromRecord(r: unknown): WalUpdate | string {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'record is not a JSON object';
  const o = r as Record<string, unknown>;
  const u: WalUpdate = {};
  if (o.hs !== undefined) {
    const hs = o.hs as Record<string, unknown>;
    if (typeof hs !== 'object' || hs === null || !Number.isSafeInteger(hs.term) || (hs.term as number) < 0) {
      return 'hard state has no valid term';
    }
    if (hs.voted_for !== null && typeof hs.voted_for !== 'string')
      return 'hard state has an invalid voted_for';
    u.hardState = { currentTerm: hs.term as number, votedFor: hs.voted_for as string | null };
  }
  if (o.truncate_from !== undefined) {
    if (!Number.isSafeInteger(o.truncate_from)) return 'truncate_from is not an integer';
    u.truncateFrom = o.truncate_from as number;
  }
  if (o.entries !== undefined) {
    if (!Array.isArray(o.entries)) return 'entries is not an array';
    u.entries = o.entries as Entry[];
  }
  return u;
}

/** Applies (or, with dryRun, only checks) an update; returns what is impossible about it, or null. */
function applyUpdate(
  st: { currentTerm: number; votedFor: string | null; log: Entry[] },
  u: WalUpdate,
  dryRun: boolean,
): string | null {
  let length = st.log.length;
  if (u.truncateFrom !== undefined) {
    if (u.truncateFrom < 1 || u.truncateFrom > length + 1) {
      return `truncate_from ${u.truncateFrom} outside 1..${length + 1}`;
    }
    length = u.truncateFrom - 1;
  }
  for (const e of u.entries ?? []) {
    if (typeof e !== 'object' || e === null || e.index !== length + 1 || !Number.isSafeInteger(e.term)) {
      return `entry ${JSON.stringify(e)?.slice(0, 80)} does not follow index ${length}`;
    }
    length++;
  }
  if (dryRun) return null;
  if (u.hardState) {
    st.currentTerm = u.hardState.currentTerm;
    st.votedFor = u.hardState.votedFor;
  }
  if (u.truncateFrom !== undefined) st.log.length = u.truncateFrom - 1;
  for (const e of u.entries ?? []) st.log.push(e);
  return null;
}

/** Replays a whole file; returns the state and where the last valid record ends. */
function replay(buf: Uint8Array, file: string): { state: PersistentState; validEnd: number } {
  const head = buf.subarray(0, MAGIC.length);
  if (buf.length < MAGIC.length || !head.every((b, i) => b === MAGIC[i])) {
    throw new WalCorruptError(
      `${file} is not a Raft Lab write-ahead log (it does not start with RAFTWAL1); ` +
        'point DATA_DIR at an empty or Raft Lab data directory',
    );
  }
  const state: PersistentState = { currentTerm: 0, votedFor: null, log: [] };
  let offset = MAGIC.length;
  let n = 0;
  for (;;) {
    const r = readRecord(buf, offset);
    if (r.kind === 'end') return { state, validEnd: offset };
    if (r.kind === 'invalid') {
      if (r.reachesEnd) return { state, validEnd: offset };
      throw new WalCorruptError(
        `${file} is damaged at byte ${offset} (record ${n + 1}: ${r.reason}) and valid data follows, ` +
          'so acknowledged entries could be lost. The node refuses to start. Restore the file from a backup, ' +
          'or move the data directory away to rejoin empty (safe only if a majority of the cluster still has the log).',
      );
    }
    let update: WalUpdate | string;
    try {
      update = fromRecord(JSON.parse(decoder.decode(r.payload)));
    } catch (e) {
      update = `payload is not JSON (${(e as Error).message})`;
    }
    const problem = typeof update === 'string' ? update : applyUpdate(state, update, false);
    if (problem !== null) {
      throw new WalCorruptError(
        `${file}: record ${n + 1} at byte ${offset} has a valid checksum but ${problem}; the node refuses to start. ` +
          'Move the data directory away to rejoin empty (safe only if a majority of the cluster still has the log).',
      );
    }
    offset = r.end;
    n++;
  }
}

async function writeFileAtomically(dir: string, chunks: Uint8Array[]): Promise<void> {
  const file = path.join(dir, WAL_FILE);
  const tmp = `${file}.tmp`;
  const h = await fs.open(tmp, 'w');
  try {
    for (const c of chunks) await h.write(c);
    await h.sync();
  } finally {
    await h.close();
  }
  await fs.rename(tmp, file);
  // The rename is only durable once the directory itself is synced.
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
