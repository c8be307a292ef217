// A node's Raft switches (dissertation §9.6, §6.2, §4.2.3, §6.4) and leadership transfer
// (§3.10): POST /admin/switches, POST /admin/transfer_leadership, and `switches` in /status.
// Dependency-light words (READ_MODES) are shared with the lesson language and the lab.
import { type Static, Type } from '@sinclair/typebox';
import { Body, Flag, Millis, NodeId, NodeIdField, OneOf, Term, Text } from './fields.ts';
import { READ_MODES } from './read-modes.ts';

export { READ_MODES, type ReadModeName } from './read-modes.ts';

/** GET /admin/switches, and `switches` in /status. */
export const SwitchesViewSchema = Type.Object({
  /** §9.6: a would-be candidate first asks whether it could win, without raising its term. */
  pre_vote: Flag(),
  /** §6.2 CheckQuorum and §4.2.3 leader stickiness, together. */
  check_quorum: Flag(),
  /** How `get` is answered: see READ_MODES. */
  read_mode: OneOf(READ_MODES),
});
export type SwitchesView = Static<typeof SwitchesViewSchema>;

/** POST /admin/switches: any of the switches; the others stay as they are. */
export const SwitchesSchema = Body('a switches body', {
  pre_vote: Type.Optional(Flag('true (PreVote, dissertation §9.6) or false (plain Raft)')),
  check_quorum: Type.Optional(
    Flag('true (CheckQuorum and leader stickiness, dissertation §6.2/§4.2.3) or false (plain Raft)'),
  ),
  read_mode: Type.Optional(OneOf(READ_MODES)),
});
export type SwitchesBody = Static<typeof SwitchesSchema>;

export const SwitchesReplySchema = Type.Object({
  ok: Type.Literal(true),
  action: Type.Literal('switches'),
  detail: Text(),
  switches: SwitchesViewSchema,
});
export type SwitchesReply = Static<typeof SwitchesReplySchema>;

/** POST /admin/transfer_leadership on the leader: hand leadership to `to` (§3.10). */
export const TransferSchema = Body('a transfer_leadership body', {
  to: NodeIdField(),
});
export type TransferBody = Static<typeof TransferSchema>;

/** 200: `to` leads now (in `term`); it took `took_ms` from the request. */
export const TransferReplySchema = Type.Object({
  ok: Type.Literal(true),
  action: Type.Literal('transfer_leadership'),
  from: NodeId(),
  to: NodeId(),
  term: Term(),
  took_ms: Millis(),
  detail: Text(),
});
export type TransferReply = Static<typeof TransferReplySchema>;

/**
 * Why a transfer did not happen: `not_leader` (409, names the leader), `unknown_node`/`self`
 * (400), `transfer_in_progress` (409), `abandoned` (504: not done within an election timeout;
 * the leader takes commands again).
 */
export const TRANSFER_ERRORS = ['not_leader', 'transfer_in_progress', 'abandoned', 'bad_request'] as const;
