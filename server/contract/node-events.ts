// A node's GET /events: one server-sent event per thing it does, each `id: <seq>` and one
// `data:` line of JSON (docs/lab-api.md, "Node events"). The lab relays them to the browser.
import { type Static, type TProperties, Type } from '@sinclair/typebox';
import { Flag, Index, Millis, NodeId, Nullable, OneOf, Term, Text } from './fields.ts';
import { ROLES } from './node-status.ts';
import { RPC_NAMES } from './raft-rpc.ts';

function event<K extends string, P extends TProperties>(type: K, fields: P) {
  return Type.Object({
    /** Per node, from 1; the SSE id, so a reconnect with Last-Event-ID resumes after it. */
    seq: Index(),
    at: Millis(),
    node_id: NodeId(),
    type: Type.Literal(type),
    ...fields,
  });
}

/**
 * Why a message never arrived: the sender's side of a network cut, a peer that refused the
 * connection or closed it, no answer within RPC_TIMEOUT_MS, dropped by the learner from a held
 * outbox (or by heal/reset), lost on a lossy link, answered with an error status, or pushed out
 * of a full outbox.
 */
export const LOSS_REASONS = [
  'partitioned',
  'peer_down',
  'timed_out',
  'dropped',
  'link_loss',
  'refused',
  'overflow',
] as const;
export type LossReason = (typeof LOSS_REASONS)[number];

/** An election timer counts down (`running`), is held by the learner (`paused`), or a leader has none (`stopped`). */
export const TIMER_STATES = ['running', 'paused', 'stopped'] as const;

/** What names one message on both nodes: the pair (id, kind) is unique per exchange. */
const messageFields = {
  rpc: OneOf(RPC_NAMES),
  kind: OneOf(['request', 'response']),
  /** The sender's "<node>.<n>": pairs a request with its response on both nodes. */
  id: Text(),
  from: NodeId(),
  /** The real destination, also for a message that never got there. */
  to: NodeId(),
  term: Term(),
  /** How many entries an append_entries carried (0 otherwise). */
  entries: Index(),
  /** An empty append_entries, or the answer to one. */
  heartbeat: Flag(),
};

export const NodeEventSchema = Type.Union([
  event('state', {
    state: OneOf(ROLES),
    term: Term(),
    leader_id: Nullable(NodeId(), 'a node id or null'),
  }),
  event('term', { term: Term() }),
  /** A message left its sender (`send`, after any hold) or reached its receiver (`recv`). */
  event('rpc', {
    dir: OneOf(['send', 'recv']),
    ...messageFields,
    /** vote_granted / success on responses; null on requests. */
    result: Nullable(Type.Boolean(), 'true, false or null'),
    /** On `send`: the delay the link adds before it arrives (per-link faults); absent = none. */
    delay_ms: Type.Optional(Millis()),
  }),
  /** The network is held: the request waits in its sender's outbox until delivered or dropped. */
  event('rpc_held', messageFields),
  /** The message will never arrive; emitted by the node that knows it (usually the sender). */
  event('rpc_lost', {
    ...messageFields,
    reason: OneOf(LOSS_REASONS),
    detail: Type.Optional(Text()),
  }),
  /**
   * The election timer was (re)started, paused, or stopped (§5.2). Times are wall-clock ms at
   * the node's current speed factor: it fires `remaining_ms` after `at` unless reset first.
   */
  event('election_timer', {
    state: OneOf(TIMER_STATES),
    timeout_ms: Millis(),
    remaining_ms: Millis(),
  }),
  /** A leader's heartbeat timer fired: it sends append_entries to every follower (§5.2). */
  event('heartbeat', { interval_ms: Millis() }),
  event('commit', { commit_index: Index() }),
  /**
   * A request the core chose not to answer (409 `ignored`), e.g. a vote request refused under
   * leader stickiness (dissertation §4.2.3) or a second leader claiming a term (§5.2).
   */
  event('ignored', { rpc: OneOf(RPC_NAMES), from: NodeId(), term: Term(), detail: Text() }),
  /** Dissertation §3.10: a leadership transfer began, finished or was abandoned. */
  event('transfer', {
    to: NodeId(),
    outcome: OneOf(['started', 'done', 'abandoned']),
    detail: Text(),
  }),
  event('admin', { action: Text(), detail: Text() }),
]);
export type NodeEvent = Static<typeof NodeEventSchema>;
/** An RPC sent or received: what the message timeline draws. */
export type RpcEvent = Extract<NodeEvent, { type: 'rpc' }>;
/** A role or leader change. */
export type StateEvent = Extract<NodeEvent, { type: 'state' }>;
export type RpcHeldEvent = Extract<NodeEvent, { type: 'rpc_held' }>;
export type RpcLostEvent = Extract<NodeEvent, { type: 'rpc_lost' }>;
export type ElectionTimerEvent = Extract<NodeEvent, { type: 'election_timer' }>;
/** Any event about one message. */
export type MessageEvent = RpcEvent | RpcHeldEvent | RpcLostEvent;

type WithoutEnvelope<E> = E extends unknown ? Omit<E, 'seq' | 'at' | 'node_id'> : never;
/** What the node emits; the event stream adds seq, at and node_id. */
export type NodeEventBody = WithoutEnvelope<NodeEvent>;
export type NodeEventType = NodeEvent['type'];
