// The lab's live channel, ws://host/api/live (docs/lab-api.md, "Live channel"): what the lab
// pushes to the browser, and the two things a browser may say.
import { type Static, Type } from '@sinclair/typebox';
import { BACKEND_KINDS, ClusterNodeSchema, ClusterSnapshotSchema } from './cluster-view.ts';
import { Body, Flag, Index, Millis, OneOf, Text } from './fields.ts';
import { ACTION_SOURCES, RunResultSchema } from './lab-api.ts';
import { NodeEventSchema } from './node-events.ts';
import { ViewDirectiveSchema } from './view.ts';

export const SAFETY_WARNING_KINDS = ['two-leaders', 'log-divergence'] as const;

/** What Raft promises never happens, seen by the lab: two leaders in a term, committed logs that differ. */
export const SafetyWarningSchema = Type.Object({
  kind: OneOf(SAFETY_WARNING_KINDS),
  detail: Type.String(),
});
export type SafetyWarning = Static<typeof SafetyWarningSchema>;

const seq = () => Index({ expected: 'the message number (increasing)' });

/** A cluster action in the notebook's history panel. */
const HistoryItemFields = {
  text: Type.String(),
  /** `text` with the nodes its {{variables}} named (`kill node3` for `kill {{leader}}`). */
  shown: Type.Optional(Type.String()),
  ok: Flag(),
  detail: Type.String(),
  source: OneOf(ACTION_SOURCES),
  /** Epoch ms on the lab's clock. */
  at: Type.Optional(Millis()),
};
export const HistoryItemSchema = Type.Object(HistoryItemFields);
export type HistoryItemBody = Static<typeof HistoryItemSchema>;

export const LiveMessageSchema = Type.Union([
  Type.Object({ seq: seq(), type: Type.Literal('snapshot'), snapshot: ClusterSnapshotSchema }),
  /**
   * A node event relayed from that node's /events stream, with the node's own SSE id and its
   * number in the lab's recording of this cluster (GET /api/trace pages by it).
   */
  Type.Object({
    seq: seq(),
    type: Type.Literal('event'),
    event: NodeEventSchema,
    event_id: Type.Optional(Type.String()),
    record: Type.Optional(Index()),
  }),
  /** A lesson's cell said what the picture shows (`show`, `hide`, `highlight`). */
  Type.Object({ seq: seq(), type: Type.Literal('view'), directive: ViewDirectiveSchema }),
  Type.Object({
    seq: seq(),
    type: Type.Literal('run'),
    phase: OneOf(['started', 'attempt', 'finished']),
    runId: Type.String(),
    lessonId: Type.String(),
    cellId: Type.String(),
    /** On retries (http `retry`, a check still waiting). */
    attempt: Type.Optional(Index()),
    detail: Type.Optional(Type.String()),
    /** A waiting check or `wait`: what does not hold yet, and when it gives up (epoch ms, lab clock). */
    waitingFor: Type.Optional(Type.Array(Type.String())),
    deadlineAt: Type.Optional(Millis()),
    /** When finished. */
    result: Type.Optional(RunResultSchema),
  }),
  Type.Object({
    seq: seq(),
    type: Type.Literal('action'),
    ...HistoryItemFields,
    /** The cluster generation after it (a `reset` starts a new one: older outputs are marked). */
    generation: Type.Optional(Type.String()),
  }),
  Type.Object({
    seq: seq(),
    type: Type.Literal('warning'),
    kind: OneOf(SAFETY_WARNING_KINDS),
    detail: Type.String(),
  }),
]);
export type LiveMessage = Static<typeof LiveMessageSchema>;

type WithoutSeq<M> = M extends unknown ? Omit<M, 'seq'> : never;
/** What the lab publishes; the hub numbers it. */
export type LiveBody = WithoutSeq<LiveMessage>;

/** The first message of a fresh connection: the whole picture. */
export const HelloSchema = Type.Object({
  type: Type.Literal('hello'),
  /** The newest seq in the stream at that moment (not a new one): resume from it. */
  seq: seq(),
  backend: OneOf(BACKEND_KINDS),
  nodes: Type.Array(ClusterNodeSchema),
  snapshot: ClusterSnapshotSchema,
  /** false when a resume was asked for but the messages after it are no longer buffered. */
  resumed: Type.Optional(Type.Literal(false)),
  /** The newest cluster actions, newest first: the history panel survives a reload. */
  history: Type.Optional(Type.Array(HistoryItemSchema)),
  /** Which fresh cluster this is (outputs of another generation are from an earlier run). */
  generation: Type.Optional(Type.String()),
});
export type HelloMessage = Static<typeof HelloSchema>;

/** Answers to what the browser says; these carry no seq. */
export const PongSchema = Type.Object({ type: Type.Literal('pong') });
export const LiveErrorSchema = Type.Object({
  type: Type.Literal('error'),
  error: OneOf(['bad_json', 'unknown_message', 'too_late']),
  detail: Text(),
});
export type LiveError = Static<typeof LiveErrorSchema>;

/** What the browser's live client hands on: the numbered messages and the hello. */
export type LiveChannelMessage = LiveMessage | HelloMessage;

/** Everything the browser can receive on the live channel. */
export type LiveServerMessage = LiveChannelMessage | Static<typeof PongSchema> | LiveError;

/** What a browser may send: resume (as its first message) or ping. */
export const LiveClientMessageSchema = Type.Union(
  [
    Body('a resume message', {
      type: Type.Literal('resume'),
      seq: Index({ expected: 'the last seq the client saw' }),
    }),
    Body('a ping message', { type: Type.Literal('ping') }),
  ],
  { expected: '{"type":"resume","seq":N} or {"type":"ping"}', title: 'a live message' },
);
export type LiveClientMessage = Static<typeof LiveClientMessageSchema>;
