// What the fault test records: every client operation with its invocation and completion
// times and its outcome, and every fault the nemesis injected. Times are milliseconds since
// the run started.

export type OpKind = 'set' | 'get' | 'delete';

/**
 * ok: the cluster answered with a result. failed: it did not happen, for sure (refused before
 * it was proposed, or its entry was replaced). unknown: it may or may not have taken effect
 * (a timeout, a dropped connection): the checker may place it anywhere after its invocation.
 */
export type Outcome = 'ok' | 'failed' | 'unknown';

/** One HTTP request of an operation (an operation is retried with the same session and sequence). */
export interface Attempt {
  node: string;
  at: number;
  /** HTTP status, or 0 when no answer came. */
  status: number;
  /** The node's `error` code, or what went wrong on the wire (timeout, refused, reset). */
  error?: string;
  /** failed = this request surely did not take effect; unknown = it may have. */
  verdict: Outcome;
}

export interface HistoryOp {
  id: number;
  /** The chaos client that ran it ("nemesis" for the large batches the nemesis writes). */
  client: string;
  kind: OpKind;
  key: string;
  /** set: the (unique) value written. */
  value?: string;
  invokedAt: number;
  /** null while running, and for an unknown outcome. */
  completedAt: number | null;
  outcome: Outcome;
  /** ok: get → the value; set/delete → the previous value. */
  result?: string | null;
  /** The session (client_id from `register`) and sequence number, for set and delete. */
  session?: { clientId: number; sequence: number };
  /** ok: the log index of the entry that answered, and whether it was a deduplicated retry. */
  index?: number;
  duplicate?: boolean;
  /**
   * A `get` answered without a log entry (dissertation §6.4: `read_index` or `lease`): `index` is
   * then the read index, which holds some other entry; the linearizability checker judges it.
   */
  read?: string;
  attempts: Attempt[];
}

export type FaultKind =
  | 'kill-leader'
  | 'kill-random'
  | 'pause'
  | 'partition-halves'
  | 'partition-isolate-leader'
  | 'partition-bridge'
  | 'slow-timers'
  | 'crash-during-large-batch'
  | 'torn-wal-tail';

export interface FaultEvent {
  kind: FaultKind;
  at: number;
  /** When it was healed (null if the run ended first; the final heal undoes it). */
  healedAt: number | null;
  /** Which nodes, and any detail (e.g. the partition groups, the tail planted). */
  detail: string;
}

/** Shortens long values (large batches write kilobytes) for messages. */
export function brief(v: string | null | undefined): string {
  if (v === undefined) return '?';
  if (v === null) return 'null';
  return v.length > 24 ? `${v.slice(0, 16)}…(${v.length} chars)` : v;
}

export function describeOp(op: HistoryOp): string {
  const what =
    op.kind === 'set'
      ? `set ${op.key}=${brief(op.value)}`
      : op.kind === 'get'
        ? `get ${op.key}`
        : `delete ${op.key}`;
  const when = `${(op.invokedAt / 1000).toFixed(3)}–${op.completedAt === null ? '?' : (op.completedAt / 1000).toFixed(3)} s`;
  const out = op.outcome === 'ok' ? ` → ${brief(op.result)}` : ` (${op.outcome})`;
  return `#${op.id} client ${op.client}: ${what}${out} [${when}${op.index !== undefined ? `, index ${op.index}` : ''}]`;
}
