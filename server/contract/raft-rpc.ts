// The two Raft RPCs between nodes (paper Figure 2) and their replies, as JSON in the seed's
// snake_case (docs/node-api.md). A node checks every request with these before it reaches the
// core, and every reply before it steps it in.

import { type Static, Type } from '@sinclair/typebox';
import { MAX_TERM_LEAD } from '../raft/message-checks.ts';
import type { Entry } from '../raft/types.ts';
import { BaseUrl, Body, ClientKeyText, Flag, Index, NodeId, NodeIdField, OneOf, Term } from './fields.ts';
import type { Rule } from './wire-check.ts';

/** Dissertation §4: the voters and learners a `config` entry sets, and where each is reached. */
export const ConfigurationSchema = Type.Object(
  {
    voters: Type.Array(NodeId(), { maxItems: 64, expected: 'the node ids that vote' }),
    learners: Type.Array(NodeId(), { maxItems: 64, expected: 'the node ids that only receive the log' }),
    addresses: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 300 }), {
        expected: 'node id → base URL',
      }),
    ),
  },
  { title: 'a configuration', expected: 'a configuration {voters, learners}', additionalProperties: false },
);

/** One log entry: the same shape on the wire, on disk, in /status and /log. */
export const LogEntrySchema = Type.Object(
  {
    index: Index(),
    term: Term(),
    /** §8: a new leader appends a no-op of its own term so earlier entries can commit. */
    /** Dissertation §4.1: a `config` entry carries a new configuration, in effect once appended. */
    type: OneOf(['command', 'noop', 'config']),
    command: Type.Union([Type.String(), Type.Null()], {
      expected: 'a command string such as "set x=42" (null for a noop)',
    }),
    /** Dissertation §6.3: who sent the command, for exactly-once retries (as the leader got them). */
    client_id: Type.Optional(ClientKeyText()),
    request_id: Type.Optional(ClientKeyText()),
    config: Type.Optional(ConfigurationSchema),
  },
  { title: 'an entry', expected: 'an entry {index, term, type, command}', additionalProperties: false },
);
/**
 * An entry as checked: exactly the core's Entry (server/raft/types.ts), which the dependency-free
 * core declares itself; ENTRY_MATCHES_CORE fails to compile if the two ever drift apart.
 */
export type LogEntry = Static<typeof LogEntrySchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const ENTRY_MATCHES_CORE: Same<LogEntry, Entry> = true;

export const RequestVoteSchema = Body('a request_vote body', {
  term: Term(),
  candidate_id: NodeIdField(),
  last_log_index: Index(),
  last_log_term: Term(),
  /** Dissertation §3.10: an election a TimeoutNow started; voters answer it despite leader stickiness. */
  leadership_transfer: Type.Optional(Flag()),
});
export type RequestVoteBody = Static<typeof RequestVoteSchema>;

/**
 * Dissertation §9.6, POST /pre_vote: "would you vote for me in `term`?" (its term + 1). The same
 * fields as request_vote, on its own endpoint so that nobody can take it for a real vote;
 * answered like one (`RequestVoteReplySchema`), but no term or vote changes anywhere.
 */
export const PreVoteSchema = Body('a pre_vote body', {
  term: Term(),
  candidate_id: NodeIdField(),
  last_log_index: Index(),
  last_log_term: Term(),
});
export type PreVoteBody = Static<typeof PreVoteSchema>;

/** Dissertation §3.10, POST /timeout_now: the leader hands over; the receiver campaigns at once. */
export const TimeoutNowSchema = Body('a timeout_now body', {
  term: Term(),
  leader_id: NodeIdField(),
});
export type TimeoutNowBody = Static<typeof TimeoutNowSchema>;

/** The answer to timeout_now only says it arrived: the election that follows is the real answer. */
export const TimeoutNowReplySchema = Type.Object({ node_id: NodeId(), term: Term() });
export type TimeoutNowReply = Static<typeof TimeoutNowReplySchema>;

export const AppendEntriesSchema = Body('an append_entries body', {
  term: Term(),
  leader_id: NodeIdField(),
  /** Where clients should go: the leader's ADVERTISE_URL (for redirects). */
  leader_url: Type.Optional(BaseUrl()),
  prev_log_index: Index(),
  prev_log_term: Term(),
  /** [] for a heartbeat; never missing (§5.3: a heartbeat is an AppendEntries with no entries). */
  entries: Type.Array(LogEntrySchema, { expected: 'an array of entries ([] for a heartbeat)' }),
  leader_commit: Index(),
  /** Dissertation §6.4: the leader's heartbeat round for reads; the follower echoes it back. */
  read_round: Type.Optional(Index()),
});
export type AppendEntriesBody = Static<typeof AppendEntriesSchema>;

export const RequestVoteReplySchema = Type.Object({
  node_id: NodeId(),
  term: Term(),
  vote_granted: Flag(),
});
export type RequestVoteReply = Static<typeof RequestVoteReplySchema>;

export const AppendEntriesReplySchema = Type.Object({
  node_id: NodeId(),
  term: Term(),
  success: Flag(),
  /** On success: prev_log_index + entries.length, the last index known to match the leader. */
  match_index: Index(),
  /** On failure, §5.3's fast back-up hint: the leader skips a whole term per round trip. */
  conflict_index: Type.Optional(Index({ minimum: 1 })),
  conflict_term: Type.Optional(Term()),
  /** The request's read_round, echoed (dissertation §6.4). */
  read_round: Type.Optional(Index()),
});
export type AppendEntriesReply = Static<typeof AppendEntriesReplySchema>;

/** The node-to-node endpoints (POST /<name>); install_snapshot: paper §7 (server/contract/install-snapshot.ts). Events and held messages name them. */
export const RPC_NAMES = [
  'request_vote',
  'pre_vote',
  'append_entries',
  'timeout_now',
  'install_snapshot',
] as const;
export type RpcName = (typeof RPC_NAMES)[number];

// ---- the rules a schema cannot state (Figure 2 and the Log Matching Property)

/** last_log_index/last_log_term describe one entry: both 0 for an empty log, both above 0 otherwise. */
export const requestVoteRules: Rule<RequestVoteBody | PreVoteBody> = (b) => {
  if ((b.last_log_index === 0) !== (b.last_log_term === 0)) {
    return `last_log_index ${b.last_log_index} with last_log_term ${b.last_log_term}: both are 0 for an empty log, both above 0 otherwise`;
  }
  if (b.last_log_term > b.term) {
    return `last_log_term (${b.last_log_term}) cannot be above the candidate's term (${b.term})`;
  }
  return null;
};

/**
 * Figure 2: a leader's log only holds terms <= its currentTerm, never decreasing, each index
 * following the previous one. Anything else would break the Log Matching Property.
 */
export const appendEntriesRules: Rule<AppendEntriesBody> = (b) => {
  if ((b.prev_log_index === 0) !== (b.prev_log_term === 0)) {
    return `prev_log_index ${b.prev_log_index} with prev_log_term ${b.prev_log_term}: both are 0 at the start of the log (there is no entry 0), both above 0 otherwise`;
  }
  if (b.prev_log_term > b.term) {
    return `prev_log_term (${b.prev_log_term}) cannot be above the leader's term (${b.term})`;
  }
  let lastTerm = b.prev_log_term;
  for (let i = 0; i < b.entries.length; i++) {
    const e = b.entries[i]!;
    const where = `entries[${i}].`;
    if (e.index !== b.prev_log_index + i + 1) {
      return `field '${where}index' must be ${b.prev_log_index + i + 1} (prev_log_index + ${i + 1}), got ${e.index}`;
    }
    if (e.term < 1 || e.term > b.term) {
      return `field '${where}term' must be between 1 and the request's term ${b.term}, got ${e.term}`;
    }
    if (e.term < lastTerm) {
      return `field '${where}term' is ${e.term}, lower than the entry before it (${lastTerm}); terms in a log never decrease`;
    }
    lastTerm = e.term;
    if (e.type === 'command' && e.command === null) {
      return `field '${where}command' must be a command string such as "set x=42", got null`;
    }
    if (e.type === 'noop' && e.command !== null)
      return `field '${where}command' must be null for a noop entry`;
  }
  return null;
};

/**
 * Why a request's `term` is too far above `currentTerm` (this node's) to come from a real peer,
 * or null: the core drops such a message (MAX_TERM_LEAD), the door says why.
 */
export function termLeadError(term: number, currentTerm: number): string | null {
  if (term - currentTerm <= MAX_TERM_LEAD) return null;
  return (
    `field 'term' is ${term}, more than 2^32 above this node's term ${currentTerm}; no real peer is ` +
    `that far ahead (send at most ${currentTerm + MAX_TERM_LEAD})`
  );
}

/** The seed's ids are numbers; ours are text. */
export const nodeIdText = (id: string | number): string => String(id);
