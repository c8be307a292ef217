// A recorded run of one cluster (docs/lab-api.md, "History and traces"): every node event the
// lab received (with the node's own event id), the status samples it took, and the learner's
// cluster actions. GET /api/trace pages through it; the same shape, saved to a file, is what
// the web app opens as a read-only replay.
import { type Static, Type } from '@sinclair/typebox';
import { BACKEND_KINDS, ClusterNodeSchema, ClusterSnapshotSchema } from './cluster-view.ts';
import { Flag, Index, Millis, Nullable, OneOf, Text } from './fields.ts';
import { ACTION_SOURCES } from './lab-api.ts';
import { NodeEventSchema } from './node-events.ts';

export const TRACE_FORMAT = 'raft-lab-trace';

export const TraceEventSchema = Type.Object({
  /** The event's number in this recording, from 1 (pages and live messages name it). */
  n: Index(),
  /** The node's own SSE id (`<process>-<seq>`), or null when the node sent none. */
  id: Nullable(Text(), 'an event id or null'),
  event: NodeEventSchema,
});
export type TraceEvent = Static<typeof TraceEventSchema>;

export const TraceActionSchema = Type.Object({
  at: Millis(),
  text: Type.String(),
  ok: Flag(),
  detail: Type.String(),
  source: OneOf(ACTION_SOURCES),
});
export type TraceAction = Static<typeof TraceActionSchema>;

export const TraceSchema = Type.Object({
  format: Type.Literal(TRACE_FORMAT),
  version: Type.Literal(1),
  exported_at: Millis(),
  backend: OneOf(BACKEND_KINDS),
  nodes: Type.Array(ClusterNodeSchema),
  /** Oldest first. */
  events: Type.Array(TraceEventSchema),
  /** Status samples (the lab's polls, logs cut to their newest entries), oldest first. */
  samples: Type.Array(ClusterSnapshotSchema),
  actions: Type.Array(TraceActionSchema),
  /** When the cluster was reset (a fresh cluster: terms start again from 0). */
  resets: Type.Array(Millis()),
  /** A page only: more events follow (ask again with after = the last event's n). */
  more: Flag(),
});
export type Trace = Static<typeof TraceSchema>;

/** GET /api/trace's query (values arrive as text). */
export const TraceQuerySchema = Type.Object(
  {
    /** Events after this n (a page's last). */
    after: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', expected: 'an event number' })),
    /** Events at or after this time (epoch ms). */
    since: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', expected: 'epoch milliseconds' })),
    /** At most this many events (default: all). */
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$', expected: 'a number of events' })),
    /** `1`: as a file to save (Content-Disposition: attachment). */
    download: Type.Optional(Type.Literal('1')),
  },
  { title: 'the /api/trace query', additionalProperties: false },
);
export type TraceQuery = Static<typeof TraceQuerySchema>;
