// The shapes of the lab's HTTP API and live channel, as docs/lab-api.md defines them.
// The web app only reads these; the lab server owns the contract (lab-types.contract.ts checks
// at type-check time that what the server sends still reads as these). Lessons, cells, node
// status and snapshots are the server's own types: type-only imports are erased by Vite, so no
// server code reaches the bundle.

export type {
  LessonSummary,
  NotebookBlock as Block,
  NotebookCell as Cell,
  NotebookLesson as Lesson,
} from '../../server/lab/lesson-library.ts';

import type { CellType } from '../../server/lessons/lesson-types.ts';

export type { CellType };

export interface HttpRequestSent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface RedirectHop {
  method: string;
  url: string;
  status: number;
  location: string | null;
  durationMs: number;
}

export interface HttpResponseSeen {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  bodyText: string;
  durationMs: number;
}

export interface AssertResult {
  text: string;
  ok: boolean;
  actual?: unknown;
  expected?: unknown;
  message?: string | null;
}

export interface CaptureResult {
  name: string;
  value: unknown;
  ok: boolean;
  message?: string | null;
}

export interface HttpEntry {
  /** null when the request could not be built (e.g. an unknown variable): see `error`. */
  request: HttpRequestSent | null;
  hops: RedirectHop[];
  response: HttpResponseSeen | null;
  attempts: number;
  asserts: AssertResult[];
  captures: CaptureResult[];
  error?: { message: string; hint?: string | null } | null;
}

export interface ActionResult {
  text: string;
  ok: boolean;
  detail: string;
  durationMs?: number;
}

export interface CheckAssertion {
  text: string;
  ok: boolean;
  expected?: string | null;
  seen?: string | null;
  hint?: string | null;
}

export interface RunError {
  message: string;
  hint?: string | null;
  line?: number | null;
}

export interface RunResult {
  runId: string;
  lessonId: string;
  cellId: string;
  type: CellType;
  ok: boolean;
  count: number;
  startedAt: number;
  durationMs: number;
  error: RunError | null;
  variables?: Record<string, unknown>;
  http?: { entries: HttpEntry[] } | null;
  cluster?: { actions: ActionResult[]; snapshot?: ClusterSnapshot | null } | null;
  check?: { assertions: CheckAssertion[] } | null;
}

import type { ClusterSnapshot } from '../../server/lab/cluster/snapshot.ts';

export type { LogEntry, NodeStatus } from '../../server/cluster/node-status.ts';
export type { ClusterSnapshot, NodeView } from '../../server/lab/cluster/snapshot.ts';

export interface ClusterNodeInfo {
  id: string;
  name: string;
  url: string;
}

export interface ClusterInfo {
  backend: 'local' | 'docker' | 'remote';
  nodes: ClusterNodeInfo[];
  snapshot: ClusterSnapshot | null;
  faults: string[];
}

export interface ActionResponse {
  ok: boolean;
  actions: ActionResult[];
  snapshot: ClusterSnapshot | null;
}

/** A node event relayed from that node's /events stream. */
export interface NodeEvent {
  seq: number;
  at: number;
  node_id: string;
  type: 'state' | 'term' | 'rpc' | 'commit' | 'admin' | string;
  // rpc
  dir?: 'send' | 'recv';
  rpc?: 'request_vote' | 'append_entries';
  kind?: 'request' | 'response';
  id?: string;
  from?: string;
  to?: string;
  term?: number;
  entries?: number;
  heartbeat?: boolean;
  result?: boolean | null;
  // state
  state?: string;
  leader_id?: string | null;
  // commit
  commit_index?: number;
  // admin
  action?: string;
  detail?: string;
}

export type LiveMessage =
  | {
      seq: number;
      type: 'hello';
      backend: string;
      nodes: ClusterNodeInfo[];
      snapshot: ClusterSnapshot | null;
    }
  | { seq: number; type: 'snapshot'; snapshot: ClusterSnapshot }
  | { seq: number; type: 'event'; event: NodeEvent }
  | {
      seq: number;
      type: 'run';
      phase: 'started' | 'attempt' | 'finished';
      runId: string;
      lessonId: string;
      cellId: string;
      attempt?: number;
      result?: RunResult;
    }
  | { seq: number; type: 'action'; text: string; ok: boolean; detail: string; source: 'panel' | 'cell' }
  | { seq: number; type: 'warning'; kind: 'two-leaders' | 'log-divergence' | string; detail: string };
