// Reading a write-ahead log back at start: every record in order, each one checked, applied
// to an empty state. Damage is either a torn tail or corruption, decided by what follows it:
//
// - A crash while the last record was being written can leave any part of it on disk, in any
//   order (disks and filesystems do not promise to write pages in order: the header page may
//   still be zeros while later pages landed). The log writes one record at a time and waits for
//   its fsync, so a torn record is always the last one: no intact record can follow it. Damage
//   with nothing intact after it is such a torn tail: it was never acknowledged, so it is
//   dropped, and the log goes on from the last intact record.
// - Damage followed by an intact record cannot come from a crash: bytes were lost in the middle.
//   Those records may hold entries this node acknowledged, so it refuses to start rather than
//   forget them (a node must never take back what it acknowledged, Figure 2).
//
// "Intact" means what record-codec.ts's findIntactRecord checks (length, checksum, and a
// payload that decodes as an update); its comment argues why bytes that are not a record
// practically never pass.

import type { PersistentState } from '../../raft/types.ts';
import { findIntactRecord, readRecord } from './record-codec.ts';
import { applyUpdate, decodeUpdate, PAYLOAD_FIRST_BYTE } from './wal-update.ts';

export const MAGIC = new TextEncoder().encode('RAFTWAL1');

/** A torn last record that was dropped: where it started, how many bytes, and why it was not a record. */
export interface TornTail {
  offset: number;
  bytes: number;
  reason: string;
  /** Intact records kept before it. */
  recordsKept: number;
}

export class WalCorruptError extends Error {
  override name = 'WalCorruptError';
}

/**
 * What an operator should do when the log is damaged. Safe on purpose: a node that comes back
 * with an emptied or shortened log may vote for a leader that lacks committed entries, so the
 * data must be kept and a node that lost its data must rejoin through a membership change.
 */
const SAFE_ADVICE =
  'Keep the data directory exactly as it is: do not delete, empty or move it to "start fresh" — a node that ' +
  'comes back having forgotten entries it acknowledged can help elect a leader that lacks committed entries. ' +
  'Leave this node stopped (the others keep serving while a majority of the cluster is up), copy the directory ' +
  'aside for inspection, and restore the file from a backup if you have one; a node whose data is lost must ' +
  'rejoin the cluster through a membership change. See "When the write-ahead log is damaged" in docs/node-api.md.';

/** Replays a whole file; returns the state, where the last intact record ends, and a torn tail if one was dropped. */
export function replay(
  buf: Uint8Array,
  file: string,
): { state: PersistentState; validEnd: number; torn: TornTail | null } {
  const head = buf.subarray(0, MAGIC.length);
  if (buf.length < MAGIC.length || !head.every((b, i) => b === MAGIC[i])) {
    throw new WalCorruptError(
      `${file} is not a Raft Lab write-ahead log (it does not start with RAFTWAL1). ` +
        'Check DATA_DIR: it must be an empty directory or one a Raft Lab node wrote. ' +
        SAFE_ADVICE,
    );
  }
  const state: PersistentState = { currentTerm: 0, votedFor: null, log: [] };
  let offset = MAGIC.length;
  let n = 0;
  for (;;) {
    const r = readRecord(buf, offset);
    if (r.kind === 'end') return { state, validEnd: offset, torn: null };
    if (r.kind === 'invalid') {
      const next = findIntactRecord(
        buf,
        offset + 1,
        PAYLOAD_FIRST_BYTE,
        (p) => typeof decodeUpdate(p) !== 'string',
      );
      if (next === null) {
        const torn = { offset, bytes: buf.length - offset, reason: r.reason, recordsKept: n };
        return { state, validEnd: offset, torn };
      }
      throw new WalCorruptError(
        `${file} is damaged at byte ${offset} (record ${n + 1}: ${r.reason}), and an intact record follows at ` +
          `byte ${next.offset}: this is not a write torn by a crash but damage in the middle of the log, and the ` +
          'records after it may hold entries this node acknowledged. The node refuses to start rather than forget ' +
          `them. ${SAFE_ADVICE}`,
      );
    }
    const update = decodeUpdate(r.payload);
    const problem = typeof update === 'string' ? update : applyUpdate(state, update, false);
    if (problem !== null) {
      throw new WalCorruptError(
        `${file}: record ${n + 1} at byte ${offset} has a valid checksum but ${problem}; the node refuses to ` +
          `start rather than guess what it held. ${SAFE_ADVICE}`,
      );
    }
    offset = r.end;
    n++;
  }
}

export function describeTornTail(file: string, t: TornTail): string {
  return (
    `dropped a torn last record of ${t.bytes} bytes at byte ${t.offset} of ${file} (${t.reason}; ` +
    `nothing intact follows it, so a crash cut its write short and it was never acknowledged). ` +
    `The log goes on after record ${t.recordsKept}.`
  );
}
