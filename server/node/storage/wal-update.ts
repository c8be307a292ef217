// What one Ready changes on disk (Figure 2's persistent state: currentTerm, votedFor, log[]),
// as a write-ahead-log record's JSON payload: {"hs": {"term", "voted_for"}?, "truncate_from"?,
// "entries"?}. Encoding, decoding and applying it live here, shared by writing (wal.ts) and
// replaying (wal-replay.ts), so both agree on what a possible change is.

import type { Entry, HardState, PersistentState } from '../../raft/types.ts';

/** What one Ready changes on disk (applied in this order: hardState, truncateFrom, entries). */
export interface WalUpdate {
  hardState?: HardState;
  truncateFrom?: number;
  entries?: Entry[];
}

interface RecordJson {
  hs?: { term: number; voted_for: string | null };
  truncate_from?: number;
  entries?: Entry[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Every payload is a JSON object, so it starts with this byte ('{'). */
export const PAYLOAD_FIRST_BYTE = 0x7b;

export function encodeUpdate(u: WalUpdate): Uint8Array {
  const r: RecordJson = {};
  if (u.hardState) r.hs = { term: u.hardState.currentTerm, voted_for: u.hardState.votedFor };
  if (u.truncateFrom !== undefined) r.truncate_from = u.truncateFrom;
  if (u.entries && u.entries.length > 0) r.entries = u.entries;
  return encoder.encode(JSON.stringify(r));
}

/** The update a payload holds, or a sentence saying why it is not one. */
export function decodeUpdate(payload: Uint8Array): WalUpdate | string {
  let r: unknown;
  try {
    r = JSON.parse(decoder.decode(payload));
  } catch (e) {
    return `payload is not JSON (${(e as Error).message})`;
  }
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
export function applyUpdate(st: PersistentState, u: WalUpdate, dryRun: boolean): string | null {
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
