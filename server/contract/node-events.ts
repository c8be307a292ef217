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

export { RPC_NAMES };

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

type WithoutEnvelope<E> = E extends unknown ? Omit<E, 'seq' | 'at' | 'node_id'> : never;
/** What the node emits; the event stream adds seq, at and node_id. */
export type NodeEventBody = WithoutEnvelope<NodeEvent>;
export type NodeEventType = NodeEvent['type'];
