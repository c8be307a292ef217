// A node's /admin/* bodies (docs/node-api.md): fault injection for the lessons.
import { type Static, Type } from '@sinclair/typebox';
import { Body, Flag, Index, Millis, NodeId, NodeIdField, OneOf, Term, Text } from './fields.ts';
import { RPC_NAMES } from './raft-rpc.ts';

export const MIN_SPEED = 0.05;
export const MAX_SPEED = 10;

export const CUT_DIRECTIONS = ['both', 'inbound', 'outbound'] as const;
export type CutDirection = (typeof CUT_DIRECTIONS)[number];

/**
 * POST /admin/partition: cut this node off from `peers` (cuts accumulate). With `replace`, the
 * node's cuts become exactly these, in one step (`peers` may then be empty): a move from one
 * partition to the next never opens a cut that both keep.
 */
export const PartitionSchema = Body('a partition body', {
  peers: Type.Array(NodeIdField(), {
    maxItems: 64,
    expected: 'an array of node ids such as ["2","3"] (empty only with "replace": true)',
  }),
  direction: Type.Optional(OneOf(CUT_DIRECTIONS)),
  replace: Type.Optional(
    Flag('true (these become the only cuts) or false (they add to the cuts; the default)'),
  ),
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

/** POST /admin/heal, /pause, /resume, /reconnect take no fields (an absent body reads as {}). */
export const NoFieldsSchema = Body('an admin body', {});

// ---- message-level control (docs/node-api.md, "Messages, links and timers")

/** POST /admin/hold: true keeps every outgoing request in this node's outbox; false releases them, oldest first. */
export const HoldSchema = Body('a hold body', {
  held: Flag('true (hold every outgoing request) or false (release them, oldest first)'),
});
export type HoldBody = Static<typeof HoldSchema>;

/** At most this many requests wait in one outbox; beyond it the oldest is lost ("overflow"). */
export const MAX_HELD_MESSAGES = 2000;

/** POST /admin/deliver and /admin/drop: held requests by id, as GET /admin/outbox lists them. */
export const HeldIdsSchema = Body('a held-messages body', {
  ids: Type.Array(Text('a message id such as "3.17"', { minLength: 1, maxLength: 64 }), {
    minItems: 1,
    maxItems: MAX_HELD_MESSAGES,
    expected: 'a non-empty array of held message ids such as ["3.17"] (GET /admin/outbox lists them)',
  }),
});
export type HeldIdsBody = Static<typeof HeldIdsSchema>;

/** One request waiting in an outbox. */
export const HeldMessageSchema = Type.Object({
  id: Text(),
  rpc: OneOf(RPC_NAMES),
  to: NodeId(),
  term: Term(),
  entries: Index(),
  heartbeat: Flag(),
  /** When it entered the outbox (the node's clock, epoch ms). */
  held_at: Millis(),
});
export type HeldMessage = Static<typeof HeldMessageSchema>;

/** GET /admin/outbox: what this node holds, oldest first. */
export const OutboxViewSchema = Type.Object({
  node_id: NodeId(),
  held: Flag(),
  messages: Type.Array(HeldMessageSchema),
});
export type OutboxView = Static<typeof OutboxViewSchema>;

export const MAX_LINK_DELAY_MS = 10_000;
const Probability = (what: string) =>
  Type.Number({ minimum: 0, maximum: 1, expected: `a probability from 0 to 1 (${what})` });
const LinkMillis = () =>
  Type.Number({
    minimum: 0,
    maximum: MAX_LINK_DELAY_MS,
    expected: `a number of milliseconds from 0 to ${MAX_LINK_DELAY_MS}`,
  });

/** What a directed link from this node does to what it carries; all zero = a perfect link. */
export const LinkFaultsSchema = Type.Object({
  /** Added to every request and reply on the link. */
  delay_ms: LinkMillis(),
  /** ± this much, uniformly, on top of delay_ms. */
  jitter_ms: LinkMillis(),
  /** The chance a request is lost. */
  loss: Probability('0.2 = one request in five is lost'),
  /** The chance a request is sent twice. */
  duplicate: Probability('0.1 = one request in ten arrives twice'),
  /** The chance a request is held back and overtaken by the next one on the link. */
  reorder: Probability('0.3 = three requests in ten arrive after the one sent next'),
});
export type LinkFaults = Static<typeof LinkFaultsSchema>;

/** POST /admin/link: sets the faults of this node's links to `peers` (absent = every peer); omitted fields are 0. */
export const LinkSchema = Body('a link body', {
  peers: Type.Optional(
    Type.Array(NodeIdField(), {
      minItems: 1,
      maxItems: 64,
      expected: 'a non-empty array of node ids such as ["2"] (absent = every peer)',
    }),
  ),
  delay_ms: Type.Optional(LinkFaultsSchema.properties.delay_ms),
  jitter_ms: Type.Optional(LinkFaultsSchema.properties.jitter_ms),
  loss: Type.Optional(LinkFaultsSchema.properties.loss),
  duplicate: Type.Optional(LinkFaultsSchema.properties.duplicate),
  reorder: Type.Optional(LinkFaultsSchema.properties.reorder),
});
export type LinkBody = Static<typeof LinkSchema>;

/** POST /admin/timer: true stops this node's election timer where it is (the node keeps running). */
export const TimerSchema = Body('a timer body', {
  paused: Flag('true (the election timer stops where it is) or false (it runs on)'),
});
export type TimerBody = Static<typeof TimerSchema>;

/** GET /admin/faults, and `faults` in /status. */
export const FaultsViewSchema = Type.Object({
  node_id: NodeId(),
  paused: Flag(),
  speed: Type.Number(),
  cut_inbound: Type.Array(NodeId()),
  cut_outbound: Type.Array(NodeId()),
  /** §8: a new leader appends a no-op of its term; false only to show Figure 8 literally. */
  noop_on_election: Flag(),
  /** Outgoing requests wait in the outbox (POST /admin/hold). */
  held: Flag(),
  /** How many wait there now. */
  held_count: Index(),
  /** The election timer is stopped by the learner (POST /admin/timer). */
  timer_paused: Flag(),
  /** Faults on the links from this node, by peer id; a perfect link is not listed. */
  links: Type.Record(Type.String(), LinkFaultsSchema),
});
export type FaultsView = Static<typeof FaultsViewSchema>;

export const ADMIN_ACTIONS = [
  'partition',
  'heal',
  'reconnect',
  'pause',
  'resume',
  'speed',
  'noop',
  'hold',
  'deliver',
  'drop',
  'link',
  'timer',
  'timeout',
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
