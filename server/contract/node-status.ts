// A node's read-only views (docs/node-api.md): GET /status and GET /log.
import { type Static, Type } from '@sinclair/typebox';
import { FaultsViewSchema } from './admin.ts';
import { Body, Index, NodeId, Nullable, OneOf, Term } from './fields.ts';
import { LogEntrySchema } from './raft-rpc.ts';
import { SwitchesViewSchema } from './raft-switches.ts';
import type { Rule } from './wire-check.ts';

/** `pre_candidate`: dissertation §9.6, a PreVote round that has not raised the term. */
export const ROLES = ['follower', 'pre_candidate', 'candidate', 'leader'] as const;
export type Role = (typeof ROLES)[number];

/** /status shows at most this many of the newest entries; /log pages through the rest. */
export const STATUS_LOG_LIMIT = 1000;

const count = () => Type.Integer({ minimum: 0 });

export const NodeMetricsSchema = Type.Object({
  readies: count(),
  append_entries_sent: count(),
  append_entries_with_entries_sent: count(),
  entries_sent: count(),
  request_votes_sent: count(),
  rpc_failures: count(),
  /** append_entries this node answered `success: false` (stale term, or the §5.3 consistency check). */
  append_entries_refused: count(),
  proposals: count(),
  proposal_batches: count(),
  fsyncs: count(),
  entries_persisted: count(),
  entries_per_fsync: Type.Number({ minimum: 0 }),
  wal_bytes: count(),
  wal_compactions: count(),
  /** Bytes of a torn last record dropped when the log was opened (a crash mid-write). */
  wal_dropped_tail_bytes: count(),
  /** Writes the disk refused for lack of space (each retried). */
  disk_full_errors: count(),
});
export type NodeMetrics = Static<typeof NodeMetricsSchema>;

export const NodeStatusSchema = Type.Object({
  node_id: NodeId(),
  /** `node_id` again, under the name the shared load harness (../shared/bench/load.mjs) reads. */
  id: NodeId(),
  state: OneOf(ROLES),
  term: Term(),
  voted_for: Nullable(NodeId(), 'a node id or null'),
  leader_id: Nullable(NodeId(), 'a node id or null'),
  /** `leader_id` again, for the shared load harness. */
  leader: Nullable(NodeId(), 'a node id or null'),
  leader_url: Nullable(Type.String(), 'a URL or null'),
  commit_index: Index(),
  last_applied: Index(),
  /** The index of `log[0]`: `log` holds at most the newest STATUS_LOG_LIMIT entries. */
  log_start: Index(),
  /** The whole log's length (its last index). */
  log_length: Index(),
  log: Type.Array(LogEntrySchema),
  kv: Type.Record(Type.String(), Type.String()),
  peers: Type.Array(Type.Object({ id: NodeId(), url: Type.String() })),
  /** Leader only: Figure 2's nextIndex/matchIndex per follower; null otherwise. */
  progress: Nullable(
    Type.Record(Type.String(), Type.Object({ next_index: Index(), match_index: Index() })),
    'an object or null',
  ),
  faults: FaultsViewSchema,
  /** Dissertation §9.6, §6.2/§4.2.3, §6.4: the Raft switches in effect (POST /admin/switches). */
  switches: SwitchesViewSchema,
  /** Dissertation §3.10: on a leader handing over leadership, the node it hands to; else null. */
  transferee: Nullable(NodeId(), 'a node id or null'),
  /** The disk refuses writes (full): Readies are held, commands answered 503 disk_full. */
  storage: Type.Object({ disk_full: Type.Boolean(), detail: Nullable(Type.String(), 'a sentence or null') }),
  metrics: NodeMetricsSchema,
});
export type NodeStatus = Static<typeof NodeStatusSchema>;

/** GET /log?from=N&limit=M; query values arrive as text. */
export const LogQuerySchema = Body('the /log query', {
  from: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', expected: 'an integer from 1' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', expected: 'an integer from 1 to 1000' })),
});
export type LogQuery = Static<typeof LogQuerySchema>;

export const logQueryRules: Rule<LogQuery> = (q) => {
  const from = Number(q.from ?? 1);
  if (from < 1 || !Number.isSafeInteger(from)) {
    return `query parameter 'from' must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got ${q.from}`;
  }
  const limit = Number(q.limit ?? 100);
  if (limit < 1 || limit > 1000)
    return `query parameter 'limit' must be an integer from 1 to 1000, got ${q.limit}`;
  return null;
};

/** The numbers a checked query stands for (defaults: from 1, limit 100). */
export const logRange = (q: LogQuery) => ({ from: Number(q.from ?? 1), limit: Number(q.limit ?? 100) });

export const LogPageSchema = Type.Object({
  node_id: NodeId(),
  from: Index(),
  entries: Type.Array(LogEntrySchema),
  last_index: Index(),
  commit_index: Index(),
  /** The `from` of the following page, or null at the end. */
  next: Nullable(Index(), 'an index or null'),
});
export type LogPage = Static<typeof LogPageSchema>;
