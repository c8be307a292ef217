// A node's /admin/* bodies (docs/node-api.md): fault injection for the lessons.
import { type Static, Type } from '@sinclair/typebox';
import { Body, Flag, NodeId, NodeIdField, OneOf, Text } from './fields.ts';

export const MIN_SPEED = 0.05;
export const MAX_SPEED = 10;

export const CUT_DIRECTIONS = ['both', 'inbound', 'outbound'] as const;
export type CutDirection = (typeof CUT_DIRECTIONS)[number];

/** POST /admin/partition: cut this node off from `peers` (cuts accumulate). */
export const PartitionSchema = Body('a partition body', {
  peers: Type.Array(NodeIdField(), {
    minItems: 1,
    maxItems: 64,
    expected: 'a non-empty array of node ids such as ["2","3"]',
  }),
  direction: Type.Optional(OneOf(CUT_DIRECTIONS)),
});
export type PartitionBody = Static<typeof PartitionSchema>;

/** POST /admin/speed: timers run at `factor` × normal speed (0.1 = slow motion). */
export const SpeedSchema = Body('a speed body', {
  factor: Type.Number({
    minimum: MIN_SPEED,
    maximum: MAX_SPEED,
    expected: `a number from ${MIN_SPEED} to ${MAX_SPEED} (1 = normal speed, 0.1 = ten times slower)`,
  }),
});
export type SpeedBody = Static<typeof SpeedSchema>;

/** POST /admin/noop: whether a new leader appends §8's no-op (off only to show Figure 8). */
export const NoopSchema = Body('a noop body', {
  enabled: Flag('true (a new leader appends a no-op, §8) or false (it does not)'),
});
export type NoopBody = Static<typeof NoopSchema>;

/**
 * POST /admin/reset: a fresh node in the same process (term 0, no vote, empty log and data
 * directory, every fault healed). `isolated`: it comes back cut off from every peer until
 * /admin/heal, so a peer not reset yet cannot give it the old cluster's term or entries.
 */
export const ResetSchema = Body('a reset body', {
  isolated: Type.Optional(Flag('true (stay cut off from every peer until /admin/heal) or false')),
});
export type ResetBody = Static<typeof ResetSchema>;

/** POST /admin/heal, /pause, /resume take no fields (an absent body reads as {}). */
export const NoFieldsSchema = Body('an admin body', {});

/** GET /admin/faults, and `faults` in /status. */
export const FaultsViewSchema = Type.Object({
  node_id: NodeId(),
  paused: Flag(),
  speed: Type.Number(),
  cut_inbound: Type.Array(NodeId()),
  cut_outbound: Type.Array(NodeId()),
  /** §8: a new leader appends a no-op of its term; false only to show Figure 8 literally. */
  noop_on_election: Flag(),
});
export type FaultsView = Static<typeof FaultsViewSchema>;

export const ADMIN_ACTIONS = [
  'partition',
  'heal',
  'pause',
  'resume',
  'speed',
  'noop',
  'switches',
  'reset',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** Every /admin POST answers this (and emits an `admin` event). */
export const AdminReplySchema = Type.Object({
  ok: Type.Literal(true),
  action: OneOf(ADMIN_ACTIONS),
  detail: Text(),
  faults: FaultsViewSchema,
});
export type AdminReply = Static<typeof AdminReplySchema>;
