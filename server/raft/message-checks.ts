// Structural sanity of messages handed to the core. The HTTP shell validates what
// clients send, but the core must stay correct whatever it is given: a message that
// cannot be a real Raft message is dropped before it can touch any state.

import type { Configuration, Entry, Message } from './types.ts';

/**
 * How far above a node's own term a message's term may be. A higher term is adopted (Figure 2)
 * and a real peer may be many elections ahead after a partition, but never 2^32 of them. Without
 * a bound, one hand-made message could put a node's term just below 2^53: its peers would follow
 * it there, and elections past 2^53 - 1 cannot be counted exactly, so the cluster could never
 * elect a leader again. With it, getting there takes some two million messages.
 */
export const MAX_TERM_LEAD = 2 ** 32;

const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isId = (s: unknown): s is string => typeof s === 'string' && s.length > 0;
const isOptional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const isIdList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every(isId) && new Set(v).size === v.length;

/** Voters and learners are lists of distinct ids, nobody is both, addresses are strings. */
export function isConfiguration(c: unknown): c is Configuration {
  if (typeof c !== 'object' || c === null) return false;
  const x = c as Record<string, unknown>;
  if (!isIdList(x.voters) || !isIdList(x.learners)) return false;
  if (x.learners.some((l) => (x.voters as string[]).includes(l))) return false;
  return isOptional(
    x.addresses,
    (a) => typeof a === 'object' && a !== null && Object.values(a).every((u) => typeof u === 'string'),
  );
}

function isEntry(e: unknown): e is Entry {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  if (!isIndex(x.index) || x.index < 1 || !isIndex(x.term) || x.term < 1) return false;
  if (x.type === 'noop') return x.command === null || x.command === undefined;
  if (x.type === 'config')
    return (x.command === null || x.command === undefined) && isConfiguration(x.config);
  return (
    x.type === 'command' &&
    typeof x.command === 'string' &&
    isOptional(x.client_id, (v) => typeof v === 'string') &&
    isOptional(x.request_id, (v) => typeof v === 'string')
  );
}

/** True when `m` is shaped like a Message and internally consistent (e.g. entries are contiguous). */
export function isWellFormed(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  if (!isId(x.from) || !isId(x.to) || !isIndex(x.term)) return false;
  if (!isOptional(x.rpcId, (v) => typeof v === 'string')) return false;
  switch (x.type) {
    case 'request_vote':
      return isWellFormedVote(x) && isOptional(x.leadershipTransfer, (v) => typeof v === 'boolean');
    case 'pre_vote':
      return isWellFormedVote(x);
    case 'request_vote_response':
    case 'pre_vote_response':
      return typeof x.voteGranted === 'boolean';
    case 'append_entries':
      return isWellFormedAppend(x) && isOptional(x.readRound, isIndex);
    case 'append_entries_response':
      return (
        typeof x.success === 'boolean' &&
        isIndex(x.matchIndex) &&
        isOptional(x.conflictIndex, (v) => isIndex(v) && v >= 1) &&
        isOptional(x.conflictTerm, isIndex) &&
        isOptional(x.readRound, isIndex)
      );
    case 'install_snapshot':
      return isId(x.leaderId) && isWellFormedSnapshot(x.snapshot, x.term as number);
    case 'install_snapshot_response':
      return isIndex(x.matchIndex);
    case 'timeout_now':
      return isId(x.leaderId);
    default:
      return false;
  }
}

function isWellFormedVote(x: Record<string, unknown>): boolean {
  return (
    isId(x.candidateId) &&
    isIndex(x.lastLogIndex) &&
    isIndex(x.lastLogTerm) &&
    x.lastLogTerm <= (x.term as number) &&
    (x.lastLogIndex === 0) === (x.lastLogTerm === 0)
  );
}

/** A snapshot replaces at least one entry, of a term no later than the leader's. */
function isWellFormedSnapshot(s: unknown, term: number): boolean {
  if (typeof s !== 'object' || s === null) return false;
  const x = s as Record<string, unknown>;
  return (
    isIndex(x.index) &&
    x.index >= 1 &&
    isIndex(x.term) &&
    x.term >= 1 &&
    x.term <= term &&
    isConfiguration(x.config)
  );
}

function isWellFormedAppend(x: Record<string, unknown>): boolean {
  const term = x.term as number;
  if (!isId(x.leaderId) || !isIndex(x.prevLogIndex) || !isIndex(x.prevLogTerm) || !isIndex(x.leaderCommit)) {
    return false;
  }
  if (x.prevLogTerm > term || (x.prevLogIndex === 0) !== (x.prevLogTerm === 0)) return false;
  if (!Array.isArray(x.entries)) return false;
  // Entries must continue right after prevLogIndex, with terms that never decrease and
  // never exceed the leader's term (a leader only ever holds entries of terms <= its own).
  let prevTerm = x.prevLogTerm;
  for (let i = 0; i < x.entries.length; i++) {
    const e: unknown = x.entries[i];
    if (!isEntry(e) || e.index !== x.prevLogIndex + 1 + i || e.term < prevTerm || e.term > term) return false;
    prevTerm = e.term;
  }
  return true;
}
