// POST /client_command (docs/node-api.md): what a client sends and every answer it can get.
import { type Static, Type } from '@sinclair/typebox';
import { Body, ClientKey, Index, NodeId, Nullable, OneOf, Term, Text } from './fields.ts';
import type { Rule } from './wire-check.ts';

export const ClientCommandSchema = Body('a client_command body', {
  command: Text('a string such as "set x=42", "get x" or "delete x"'),
  /** Dissertation §6.3: the pair makes a retry idempotent. */
  client_id: Type.Optional(ClientKey()),
  request_id: Type.Optional(ClientKey()),
});
export type ClientCommandBody = Static<typeof ClientCommandSchema>;

export const clientCommandRules: Rule<ClientCommandBody> = (b) =>
  (b.client_id === undefined) !== (b.request_id === undefined)
    ? "give both 'client_id' and 'request_id' (they make a retry idempotent), or neither"
    : null;

/** 200: committed and applied. `result` is the value read, or the value before a set/delete. */
export const CommandAppliedSchema = Type.Object({
  node_id: NodeId(),
  success: Type.Literal(true),
  index: Index(),
  term: Term(),
  result: Nullable(Type.String(), 'the result text, or null'),
  /** A retry answered from the session table (§6.3), not applied again. */
  duplicate: Type.Optional(Type.Literal(true)),
});

/** Why a command was not (or not yet) applied; every code says what the client should do. */
export const CLIENT_COMMAND_ERRORS = [
  'bad_request',
  'not_leader',
  'no_leader',
  'timeout',
  'overwritten',
  'shutting_down',
] as const;

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
