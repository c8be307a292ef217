// A node's GET /events: one server-sent event per thing it does, each `id: <seq>` and one
// `data:` line of JSON (docs/lab-api.md, "Node events"). The lab relays them to the browser.
import { type Static, type TProperties, Type } from '@sinclair/typebox';
import { Flag, Index, Millis, NodeId, Nullable, OneOf, Term, Text } from './fields.ts';
import { ROLES } from './node-status.ts';

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

/** install_snapshot: paper §7, one event for the whole (chunked) transfer's last chunk and its answer. */
export const RPC_NAMES = ['request_vote', 'append_entries', 'install_snapshot'] as const;

export const NodeEventSchema = Type.Union([
  event('state', {
    state: OneOf(ROLES),
    term: Term(),
    leader_id: Nullable(NodeId(), 'a node id or null'),
  }),
  event('term', { term: Term() }),
  event('rpc', {
    dir: OneOf(['send', 'recv']),
    rpc: OneOf(RPC_NAMES),
    kind: OneOf(['request', 'response']),
    /** The sender's "<node>.<n>": pairs a request with its response on both nodes. */
    id: Text(),
    from: NodeId(),
    to: NodeId(),
    term: Term(),
    /** How many entries an append_entries carried (0 otherwise). */
    entries: Index(),
    /** An empty append_entries, or the answer to one. */
    heartbeat: Flag(),
    /** vote_granted / success on responses; null on requests. */
    result: Nullable(Type.Boolean(), 'true, false or null'),
  }),
  event('commit', { commit_index: Index() }),
  event('admin', { action: Text(), detail: Text() }),
]);
export type NodeEvent = Static<typeof NodeEventSchema>;
/** An RPC sent or received: what the message timeline draws. */
export type RpcEvent = Extract<NodeEvent, { type: 'rpc' }>;
/** A role or leader change. */
export type StateEvent = Extract<NodeEvent, { type: 'state' }>;

type WithoutEnvelope<E> = E extends unknown ? Omit<E, 'seq' | 'at' | 'node_id'> : never;
/** What the node emits; the event stream adds seq, at and node_id. */
export type NodeEventBody = WithoutEnvelope<NodeEvent>;
export type NodeEventType = NodeEvent['type'];
