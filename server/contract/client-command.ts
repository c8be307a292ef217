// POST /client_command (docs/node-api.md): what a client sends and every answer it can get.
import { type Static, Type } from '@sinclair/typebox';
import { Body, Index, NodeId, Nullable, OneOf, SessionNumber, Term, Text } from './fields.ts';
import { READ_MODES } from './read-modes.ts';
import type { Rule } from './wire-check.ts';

export const ClientCommandSchema = Body('a client_command body', {
  command: Text('a string such as "set x=42", "get x" or "delete x"'),
  /**
   * Dissertation §6.3: the pair makes a retry idempotent. client_id is the number `register`
   * answered; request_id the client's sequence number (a retry reuses its number).
   */
  client_id: Type.Optional(SessionNumber('the number "register" answered')),
  request_id: Type.Optional(SessionNumber('a sequence number: 1, 2, 3, … (a retry reuses its number)')),
});
export type ClientCommandBody = Static<typeof ClientCommandSchema>;

export const clientCommandRules: Rule<ClientCommandBody> = (b) => {
  if ((b.client_id === undefined) !== (b.request_id === undefined)) {
    return "give both 'client_id' and 'request_id' (they make a retry idempotent), or neither; a client_id comes from the command \"register\"";
  }
  if (b.client_id !== undefined && /^\s*register\s*$/i.test(b.command)) {
    return "'register' opens a new session: send it without client_id and request_id";
  }
  return null;
};

/** 200: committed and applied. `result` is the value read, or the value before a set/delete. */
export const CommandAppliedSchema = Type.Object({
  node_id: NodeId(),
  success: Type.Literal(true),
  index: Index(),
  term: Term(),
  result: Nullable(Type.String(), 'the result text, or null'),
  /** A retry answered from the session table (§6.3), not applied again. */
  duplicate: Type.Optional(Type.Literal(true)),
  /** `register` (§6.3): the new session's client_id, the index of its entry. */
  client_id: Type.Optional(Index()),
  /**
   * A `get` answered without a log entry, and how (server/contract/read-modes.ts): `read_index`
   * or `lease` (linearizable, dissertation §6.4), or `unsafe_local` (may be stale). Absent when
   * the read went through the log; `index` is then its entry, else the read index.
   */
  read: Type.Optional(OneOf(READ_MODES)),
});

/** Why a command was not (or not yet) applied; every code says what the client should do. */
export const CLIENT_COMMAND_ERRORS = [
  'bad_request',
  'not_leader',
  'no_leader',
  'timeout',
  'overwritten',
  'shutting_down',
  /** §6.3: the client's session was discarded; register again (earlier requests may or may not have been applied). */
  'session_expired',
  /** §6.3: the result of this retry was discarded; it may or may not have been applied. */
  'request_expired',
  /** The node's disk is full: the command was not proposed; retry later or at another node. */
  'disk_full',
  /** Dissertation §3.10: the leader is handing leadership over; retry in a moment (at the new leader). */
  'transferring',
] as const;

/**
 * Refusals after which the command was certainly not applied (never proposed, or its entry was
 * replaced, §5.3): sending it again is safe even without a client session.
 */
export const NOT_APPLIED_ERRORS: readonly (typeof CLIENT_COMMAND_ERRORS)[number][] = [
  'not_leader',
  'no_leader',
  'shutting_down',
  'disk_full',
  'transferring',
  'overwritten',
];

export const CommandRefusedSchema = Type.Object({
  node_id: NodeId(),
  success: Type.Literal(false),
  error: OneOf(CLIENT_COMMAND_ERRORS),
  detail: Text(),
  /** not_leader: where to go instead (also in the 307's Location). */
  leader_id: Type.Optional(Nullable(NodeId(), 'a node id or null')),
  leader_url: Type.Optional(Nullable(Type.String(), 'a URL or null')),
  /** timeout / overwritten: the entry the command got. */
  index: Type.Optional(Index()),
  term: Type.Optional(Term()),
});

export const ClientCommandAnswerSchema = Type.Union([CommandAppliedSchema, CommandRefusedSchema]);
export type ClientCommandAnswer = Static<typeof ClientCommandAnswerSchema>;
export type CommandRefused = Static<typeof CommandRefusedSchema>;
