// The shapes of the lab's HTTP API and live channel, as docs/lab-api.md defines them.
// The web app only reads these; the lab server owns the contract (lab-types.contract.ts checks
// at type-check time that what the server sends still reads as these). Lessons, cells, run
// results, node status and snapshots are the server's own types: type-only imports are erased
// by Vite, so no server code reaches the bundle. The live channel's messages are the web's view.

export type {
  LessonSummary,
  NotebookBlock as Block,
  NotebookCell as Cell,
  NotebookLesson as Lesson,
} from '../../server/lab/lesson-library.ts';

import type { CellType } from '../../server/lessons/lesson-types.ts';

export type { AssertResult } from '../../server/lab/run/evaluate-assert.ts';

export type {
  Hop as RedirectHop,
  ReceivedResponse as HttpResponseSeen,
  SentRequest as HttpRequestSent,
} from '../../server/lab/run/http-exchange.ts';

import type { RunResult } from '../../server/lab/run/run-cell.ts';
import type { ActionResult } from '../../server/lab/run/run-cluster-cell.ts';

export type { CheckAssertionResult as CheckAssertion } from '../../server/lab/run/run-check-cell.ts';
export type { RunErrorInfo as RunError } from '../../server/lab/run/run-error.ts';
export type { CaptureResult, HttpEntryResult as HttpEntry } from '../../server/lab/run/run-http-cell.ts';
export type { ActionResult, CellType, RunResult };

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
