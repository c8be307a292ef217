// What the lab tells the browser about the cluster (docs/lab-api.md, "Cluster"): the members,
// the faults its backend can inject, and snapshots of every node's /status.
import { type Static, Type } from '@sinclair/typebox';
import { ALL_FAULTS, type Fault } from './fault-words.ts';
import { Flag, Millis, NodeId, Nullable, OneOf, Term, Text } from './fields.ts';
import { NodeStatusSchema } from './node-status.ts';

export const BACKEND_KINDS = ['local', 'docker', 'remote', 'swarm'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** Every fault; `local` and `docker` offer all of them, `remote` what a node's /admin API can do. */
export { ALL_FAULTS, type Fault };

export const ClusterNodeSchema = Type.Object({
  /** The node's NODE_ID, e.g. "3". */
  id: NodeId(),
  /** The name lessons use, e.g. "node3". */
  name: Text(),
  /** Where the lab reaches it, e.g. "http://127.0.0.1:5003". */
  url: Text(),
  /**
   * Other URLs that mean this node, e.g. its ADVERTISE_URL (what it puts in redirects and
   * leader_url) and its in-network address under Docker. The lab accepts them in cells and
   * redirects but always sends to `url`.
   */
  aliases: Type.Optional(Type.Array(Type.String())),
});
export type ClusterNode = Static<typeof ClusterNodeSchema>;

export const NodeViewSchema = Type.Object({
  id: NodeId(),
  name: Text(),
  url: Text(),
  aliases: Type.Optional(Type.Array(Type.String())),
  /** The backend's view: the process/container runs (always true for `remote`). */
  up: Flag(),
  paused: Flag(),
  partitionedFrom: Type.Array(NodeId()),
  /** null when the node did not answer (down, paused or unreachable). */
  status: Nullable(NodeStatusSchema, "the node's /status or null"),
  error: Nullable(Type.String(), 'why there is no status, or null'),
});
export type NodeView = Static<typeof NodeViewSchema>;

export const ClusterSnapshotSchema = Type.Object({
  at: Millis(),
  /** The leader with the highest term among the nodes that answered, or null. */
  leaderId: Nullable(NodeId(), 'a node id or null'),
  /** The highest term any answering node reports. */
  term: Term(),
  /**
   * The highest term the lab has seen since the cluster was last reset, kept while no node
   * answers: each node's currentTerm is on its disk (Figure 2) and comes back with it.
   */
  lastKnownTerm: Type.Optional(Term()),
  nodes: Type.Array(NodeViewSchema),
});
export type ClusterSnapshot = Static<typeof ClusterSnapshotSchema>;

/** GET /api/cluster */
export const ClusterInfoSchema = Type.Object({
  backend: OneOf(BACKEND_KINDS),
  nodes: Type.Array(ClusterNodeSchema),
  snapshot: ClusterSnapshotSchema,
  faults: Type.Array(OneOf(ALL_FAULTS)),
});
export type ClusterInfo = Static<typeof ClusterInfoSchema>;
