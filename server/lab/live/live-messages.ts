// The messages of the live channel (docs/lab-api.md, "Live channel").
import type { BackendKind, ClusterNode } from '../cluster/backend.ts';
import type { ClusterSnapshot } from '../cluster/snapshot.ts';
import type { RunResult } from '../run/run-cell.ts';

/** A node event from its /events stream; passed through as the node sent it. */
export interface NodeEvent {
  seq: number;
  at: number;
  node_id: string;
  type: string;
  [field: string]: unknown;
}

export type LiveBody =
  | { type: 'snapshot'; snapshot: ClusterSnapshot }
  | { type: 'event'; event: NodeEvent }
  | {
      type: 'run';
      phase: 'started' | 'attempt' | 'finished';
      runId: string;
      lessonId: string;
      cellId: string;
      attempt?: number;
      detail?: string;
      result?: RunResult;
    }
  | { type: 'action'; text: string; ok: boolean; detail: string; source: 'panel' | 'cell' }
  | { type: 'warning'; kind: 'two-leaders' | 'log-divergence'; detail: string };

export type LiveMessage = LiveBody & { seq: number };

export interface HelloMessage {
  type: 'hello';
  /** The newest seq in the stream: resume from here after a reconnect. */
  seq: number;
  backend: BackendKind;
  nodes: ClusterNode[];
  snapshot: ClusterSnapshot;
}
