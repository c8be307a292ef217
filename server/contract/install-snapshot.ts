// POST /install_snapshot (paper §7, Figure 13): a leader sends its snapshot to a follower whose
// next entry it no longer holds, in chunks (offset, data, done). The body's `data` is base64;
// the whole snapshot's length and CRC-32 let the follower check it before it installs anything.

import { type Static, Type } from '@sinclair/typebox';
import { BaseUrl, Body, Flag, Index, NodeId, NodeIdField, Term } from './fields.ts';
import { ConfigurationSchema } from './raft-rpc.ts';
import type { Rule } from './wire-check.ts';

/** Most bytes of snapshot data in one chunk: base64 (4/3) keeps the body under the 1 MiB limit. */
export const MAX_SNAPSHOT_CHUNK_BYTES = 512 * 1024;

export const InstallSnapshotSchema = Body('an install_snapshot body', {
  term: Term(),
  leader_id: NodeIdField(),
  leader_url: Type.Optional(BaseUrl()),
  /** Figure 13's lastIncludedIndex / lastIncludedTerm: the last entry the snapshot replaces. */
  last_included_index: Index({ minimum: 1 }),
  last_included_term: Term({ minimum: 1 }),
  /** The configuration in effect at last_included_index (dissertation §4.1). */
  config: ConfigurationSchema,
  /** Byte offset of this chunk in the whole snapshot (0 for the first chunk). */
  offset: Index(),
  /** This chunk's bytes, base64. */
  data: Type.String({
    pattern: '^[A-Za-z0-9+/]*={0,2}$',
    maxLength: Math.ceil(MAX_SNAPSHOT_CHUNK_BYTES / 3) * 4,
    expected: `base64 of at most ${MAX_SNAPSHOT_CHUNK_BYTES} bytes`,
  }),
  /** True on the last chunk. */
  done: Flag('true on the last chunk, false before it'),
  /** The whole snapshot's length in bytes, and its CRC-32 (as a signed 32-bit integer). */
  total_bytes: Index({ minimum: 1 }),
  crc32: Type.Integer({ minimum: -(2 ** 31), maximum: 2 ** 31 - 1, expected: 'a signed 32-bit CRC-32' }),
});
export type InstallSnapshotBody = Static<typeof InstallSnapshotSchema>;

/** What a chunk's base64 decodes to, in bytes. */
export function base64Bytes(data: string): number {
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - pad;
}

/** Chunks tile the snapshot: offset + length <= total_bytes, and `done` exactly at the end. */
export const installSnapshotRules: Rule<InstallSnapshotBody> = (b) => {
  if (b.data.length % 4 !== 0) return "field 'data' is not base64 (its length is not a multiple of 4)";
  if (b.last_included_term > b.term) {
    return `last_included_term (${b.last_included_term}) cannot be above the leader's term (${b.term})`;
  }
  const end = b.offset + base64Bytes(b.data);
  if (end > b.total_bytes) {
    return `the chunk ends at byte ${end}, beyond total_bytes ${b.total_bytes}`;
  }
  if (b.done !== (end === b.total_bytes)) {
    return b.done
      ? `done is true but the chunk ends at byte ${end} of ${b.total_bytes}`
      : `done is false but the chunk reaches the end (${b.total_bytes} bytes)`;
  }
  return null;
};

export const InstallSnapshotReplySchema = Type.Object({
  node_id: NodeId(),
  term: Term(),
  /** Bytes of this snapshot the follower holds so far (the next chunk's offset). */
  bytes_received: Index(),
  /** On the last chunk, once installed (or found not needed): the last index its log matches the leader's. */
  match_index: Type.Optional(Index()),
});
export type InstallSnapshotReply = Static<typeof InstallSnapshotReplySchema>;
