// A leader's membership endpoints (dissertation §4.1, one server at a time; docs/node-api.md):
// POST /admin/add_learner, /admin/promote, /admin/remove, /admin/replace; GET /admin/membership;
// and POST /admin/snapshot, the snapshot threshold at run time (paper §7).
import { type Static, Type } from '@sinclair/typebox';
import { BaseUrl, Body, Index, NodeId, NodeIdField, Nullable, Text } from './fields.ts';

/** §4.2.1: a new server joins as a learner (it receives the log, never votes) until promoted. */
export const AddLearnerSchema = Body('an add_learner body', {
  id: NodeIdField(),
  url: BaseUrl('where the other nodes reach it: an http(s) base URL such as http://127.0.0.1:5006'),
});
export type AddLearnerBody = Static<typeof AddLearnerSchema>;

/** POST /admin/promote and /admin/remove: the one server to change. */
export const MemberSchema = Body('a membership body', { id: NodeIdField() });
export type MemberBody = Static<typeof MemberSchema>;

/** §4.1: replace = add `new_id` as a learner, promote it once caught up, then remove `old_id`. */
export const ReplaceSchema = Body('a replace body', {
  old_id: NodeIdField(),
  new_id: NodeIdField(),
  new_url: BaseUrl(
    'where the other nodes reach the new server: an http(s) base URL such as http://127.0.0.1:5006',
  ),
});
export type ReplaceBody = Static<typeof ReplaceSchema>;

/** POST /admin/snapshot: paper §7's threshold at run time (SNAPSHOT_ENTRIES until a restart). */
export const SnapshotThresholdSchema = Body('a snapshot body', {
  entries: Type.Integer({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    expected: 'a whole number of applied entries from 1 (etcd 3.5 takes 10000)',
  }),
});
export type SnapshotThresholdBody = Static<typeof SnapshotThresholdSchema>;

export const MEMBERSHIP_ACTIONS = ['add_learner', 'promote', 'remove', 'replace'] as const;
export type MembershipAction = (typeof MEMBERSHIP_ACTIONS)[number];

/** GET /admin/membership, and the configuration in every membership reply. */
export const MembershipViewSchema = Type.Object({
  node_id: NodeId(),
  leader_id: Nullable(NodeId(), 'a node id or null'),
  voters: Type.Array(NodeId()),
  learners: Type.Array(NodeId()),
  addresses: Type.Record(Type.String(), Type.String()),
  /** Whether the latest configuration entry is committed (§4.1: one change at a time). */
  committed: Type.Boolean(),
});
export type MembershipView = Static<typeof MembershipViewSchema>;

/** A change committed: the configuration entry's index and the configuration now in effect. */
export const MembershipReplySchema = Type.Object({
  ok: Type.Literal(true),
  action: Text(),
  detail: Text(),
  index: Index(),
  membership: MembershipViewSchema,
});
export type MembershipReply = Static<typeof MembershipReplySchema>;
