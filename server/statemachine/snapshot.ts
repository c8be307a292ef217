// The state machine's snapshot format (for Raft snapshots, paper §7): the key-value map, the
// client sessions and the index they reflect, as bytes a node can store or send.
//
//   "RAFTKVSN" (8 bytes) | u32 LE payload length | i32 LE CRC-32 of payload | payload
//
// The framing is the write-ahead log's (record-codec.ts); the payload is UTF-8 JSON
// {"format": "raft-lab-kv", "version": 1, "applied_index", "kv": [[key, value], …] (sorted by key),
// "sessions": [[client_id, floor, [[sequence, result], …]], …] (least recently active first)}.
// Every list has one defined order, so equal states give identical bytes. Decoding checks the
// magic, the checksum, the version and every field: a damaged or impossible snapshot is refused
// whole, never half-loaded.

import { encodeRecord, HEADER_BYTES, readRecord } from '../node/storage/record-codec.ts';
import { parseCommand } from './command.ts';
import type { SessionJson } from './sessions.ts';

const MAGIC = new TextEncoder().encode('RAFTKVSN');
const FORMAT = 'raft-lab-kv';
export const SNAPSHOT_VERSION = 1;

export interface StateMachineSnapshot {
  appliedIndex: number;
  /** Sorted by key. */
  kv: [string, string][];
  sessions: SessionJson[];
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export function encodeSnapshot(s: StateMachineSnapshot): Uint8Array {
  const payload = new TextEncoder().encode(
    JSON.stringify({
      format: FORMAT,
      version: SNAPSHOT_VERSION,
      applied_index: s.appliedIndex,
      kv: s.kv,
      sessions: s.sessions,
    }),
  );
  const record = encodeRecord(payload);
  const out = new Uint8Array(MAGIC.length + record.length);
  out.set(MAGIC, 0);
  out.set(record, MAGIC.length);
  return out;
}

/** Reads a snapshot; throws SnapshotError naming what is wrong. Limits are the sessions' (sessions.ts). */
export function decodeSnapshot(
  bytes: Uint8Array,
  perClient: number,
  maxClients: number,
): StateMachineSnapshot {
  if (bytes.length < MAGIC.length + HEADER_BYTES || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new SnapshotError('not a Raft Lab state-machine snapshot (it does not start with RAFTKVSN)');
  }
  const r = readRecord(bytes, MAGIC.length);
  if (r.kind !== 'record')
    throw new SnapshotError(`the snapshot is damaged (${r.kind === 'invalid' ? r.reason : 'empty'})`);
  if (r.end !== bytes.length)
    throw new SnapshotError(`the snapshot has ${bytes.length - r.end} unexpected bytes after its end`);
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.payload));
  } catch (e) {
    throw new SnapshotError(`the snapshot's payload is not JSON (${(e as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new SnapshotError(`the snapshot is not a valid state: ${what}`);
  };
  if (typeof o !== 'object' || o === null || o.format !== FORMAT) fail(`format is not "${FORMAT}"`);
  if (o.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `snapshot version ${JSON.stringify(o.version)} is not readable by this node (it reads version ${SNAPSHOT_VERSION})`,
    );
  }
  const nat = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
  const appliedIndex = o.applied_index;
  if (!nat(appliedIndex, 0)) fail('applied_index is not a non-negative integer');
  if (!Array.isArray(o.kv)) fail('kv is not a list');
  let lastKey = '';
  for (const pair of o.kv as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) fail('a kv item is not a [key, value] pair');
    const [k, v] = pair as unknown[];
    if (typeof k !== 'string' || typeof v !== 'string') fail('a kv item is not two strings');
    // A pair is valid exactly when `set k=v` would store it: one home for what keys and values may be.
    const asSet = parseCommand(`set ${k}=${v}`);
    if (!('op' in asSet) || asSet.op !== 'set' || asSet.key !== k || asSet.value !== v)
      fail(
        `${JSON.stringify(k).slice(0, 60)} = ${JSON.stringify(v).slice(0, 60)} is not a valid key and value`,
      );
    if (lastKey !== '' && (k as string) <= lastKey) fail('keys are not sorted and unique');
    lastKey = k as string;
  }
  if (!Array.isArray(o.sessions) || o.sessions.length > maxClients)
    fail(`sessions is not a list of at most ${maxClients}`);
  const ids = new Set<number>();
  for (const s of o.sessions as unknown[]) {
    if (!Array.isArray(s) || s.length !== 3) fail('a session is not [client_id, floor, results]');
    const [id, floor, results] = s as unknown[];
    if (!nat(id, 1) || (id as number) > (appliedIndex as number) || ids.has(id as number))
      fail(`client id ${JSON.stringify(id)} is not a unique index up to applied_index`);
    ids.add(id as number);
    if (!nat(floor, 0)) fail(`session ${id}: floor is not a non-negative integer`);
    if (!Array.isArray(results) || results.length > perClient)
      fail(`session ${id}: results is not a list of at most ${perClient}`);
    let last = floor as number;
    for (const res of results as unknown[]) {
      const [sequence, result] = Array.isArray(res) && res.length === 2 ? (res as unknown[]) : [];
      if (!nat(sequence, last + 1))
        fail(`session ${id}: a result is not [sequence above the floor, in order, result]`);
      if (result !== null && typeof result !== 'string') fail(`session ${id}: a result is not text or null`);
      last = sequence as number;
    }
  }
  return {
    appliedIndex: appliedIndex as number,
    kv: o.kv as [string, string][],
    sessions: o.sessions as SessionJson[],
  };
}
