// The node's latest Raft snapshot on disk (paper §7): `raft.snap` in DATA_DIR.
//
//   "RAFTSNP1" (8 bytes) | record(metadata JSON {index, term, config}) | record(state-machine image)
//
// Records use the write-ahead log's framing (length + CRC-32, record-codec.ts); the image is the
// state machine's own RAFTKVSN bytes (server/statemachine/snapshot.ts), checked again when it is
// restored. A snapshot is written whole to raft.snap.tmp, fsync'd, renamed over raft.snap and
// the directory fsync'd: a crash leaves the old snapshot or the new one, never half of one (a
// leftover .tmp is a torn write and is deleted at start). Damage found in raft.snap itself is
// never half-loaded and never skipped: the log entries it replaced are gone from the WAL, so
// the node refuses to start with safe advice (SnapshotCorruptError).

import path from 'node:path';
import type { SnapshotMeta } from '../../raft/types.ts';
import { readDurableFile, writeFileAtomically } from './durable-file.ts';
import { encodeRecord, readRecord } from './record-codec.ts';

export const SNAPSHOT_FILE = 'raft.snap';
const MAGIC = new TextEncoder().encode('RAFTSNP1');

/** A snapshot as the node keeps it: what it stands for, and the state machine's bytes. */
export interface StoredSnapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export class SnapshotCorruptError extends Error {
  override name = 'SnapshotCorruptError';
}

/**
 * Safe on purpose (like the WAL's advice): the entries this snapshot replaced were deleted from
 * the log, so neither an older state nor an empty directory is a safe fallback for this node.
 */
const SAFE_ADVICE =
  'Keep the data directory exactly as it is (copy it aside for inspection): the log entries this snapshot ' +
  'replaced were already deleted, so the node cannot rebuild its state without it, and starting it empty as ' +
  'itself could make it vote twice in a term. Leave it stopped and replace it through a membership change: ' +
  'remove it on the leader (POST /admin/remove), start it with an empty DATA_DIR and JOINING=1, add it as a ' +
  'learner (POST /admin/add_learner), promote it once caught up (POST /admin/promote). See "Losing a disk" ' +
  'in docs/node-api.md.';

/** Writes `snap` durably as `dir`/raft.snap (temp file, fsync, rename, directory fsync). */
export async function writeSnapshotFile(dir: string, snap: StoredSnapshot): Promise<void> {
  const meta = encodeRecord(new TextEncoder().encode(JSON.stringify(snap.meta)));
  const data = encodeRecord(snap.data);
  await writeFileAtomically(path.join(dir, SNAPSHOT_FILE), [MAGIC, meta, data]);
}

/**
 * Reads `dir`/raft.snap: null when there is none. A leftover raft.snap.tmp (a write torn by a
 * crash, never renamed, so never relied on) is deleted. Throws SnapshotCorruptError naming the
 * damage when the file is not a whole, intact snapshot.
 */
export async function readSnapshotFile(dir: string): Promise<StoredSnapshot | null> {
  const file = path.join(dir, SNAPSHOT_FILE);
  const buf = await readDurableFile(file);
  if (buf === null) return null;
  const fail = (what: string): never => {
    throw new SnapshotCorruptError(`${file} is damaged: ${what}. The node refuses to start. ${SAFE_ADVICE}`);
  };
  if (buf.length < MAGIC.length || !MAGIC.every((b, i) => buf[i] === b))
    fail('it does not start with RAFTSNP1');
  const metaRec = readRecord(buf, MAGIC.length);
  if (metaRec.kind !== 'record')
    return fail(`its metadata record is ${metaRec.kind === 'invalid' ? metaRec.reason : 'missing'}`);
  const dataRec = readRecord(buf, metaRec.end);
  if (dataRec.kind !== 'record')
    return fail(`its state-machine record is ${dataRec.kind === 'invalid' ? dataRec.reason : 'missing'}`);
  if (dataRec.end !== buf.length) fail(`${buf.length - dataRec.end} unexpected bytes follow its end`);
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaRec.payload));
  } catch (e) {
    return fail(`its metadata is not JSON (${(e as Error).message})`);
  }
  const nat = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const ids = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (
    typeof meta !== 'object' ||
    meta === null ||
    !nat(meta.index) ||
    !nat(meta.term) ||
    typeof meta.config !== 'object' ||
    meta.config === null ||
    !ids(meta.config.voters) ||
    !ids(meta.config.learners)
  )
    fail('its metadata is not {index, term, config: {voters, learners}}');
  return { meta, data: dataRec.payload.slice() };
}
