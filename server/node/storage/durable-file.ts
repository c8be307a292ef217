// Whole-file writes that survive a crash, shared by the write-ahead log (wal.ts) and the
// snapshot file (snapshot-file.ts): write `file`.tmp, fsync it, rename it over `file`, fsync the
// directory. A crash leaves the old file or the new one, never half of one; a leftover .tmp is a
// torn write that was never renamed, so never relied on, and is deleted when the file is read.

import fs from 'node:fs/promises';
import path from 'node:path';

/** The one file operation writeAt needs; the WAL's test hooks wrap it to inject ENOSPC. */
export type WritableFile = Pick<fs.FileHandle, 'write'>;

/** Writes all of `data` at `position` (bytes): a write may be short (e.g. when the disk fills up), so loop. */
export async function writeAt(h: WritableFile, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await h.write(data, done, data.length - done, position + done);
    // A regular file's write only stops short for lack of space; one that writes nothing says so.
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

/** Creates (or empties) `file`, writes `chunks` one after another and fsyncs it. */
export async function writeSynced(file: string, chunks: Uint8Array[]): Promise<void> {
  const h = await fs.open(file, 'w');
  try {
    let position = 0;
    for (const c of chunks) {
      await writeAt(h, c, position);
      position += c.length;
    }
    await h.sync();
  } finally {
    await h.close();
  }
}

/** rename() is only durable once the directory itself is synced. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await fs.rename(from, to);
  const d = await fs.open(path.dirname(to), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Replaces `file` with `chunks` through `file`.tmp; throws what the file system throws. */
export async function writeFileAtomically(file: string, chunks: Uint8Array[]): Promise<void> {
  await writeSynced(`${file}.tmp`, chunks);
  await renameDurably(`${file}.tmp`, file);
}

/** Deletes a torn `file`.tmp, then reads `file`: null when there is none. */
export async function readDurableFile(file: string): Promise<Uint8Array | null> {
  await fs.rm(`${file}.tmp`, { force: true });
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
