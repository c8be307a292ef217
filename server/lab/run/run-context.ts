// What running a cell may use: the cluster, the host guard, this lesson's variables, and a
// way to report progress (retries) to the live channel.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { NodeEvent } from '../../contract/node-events.ts';
import type { ViewDirective } from '../../contract/view.ts';
import type { ClusterBackend } from '../cluster/backend.ts';
import type { HostGuard } from './host-guard.ts';
import type { VariableValue } from './variables.ts';

export interface RunContext {
  backend: ClusterBackend;
  guard: HostGuard;
  /** The lesson's captured variables; a capture writes here. */
  captured: Record<string, VariableValue>;
  /** A fresh look at every node, full logs included. */
  snapshot: () => Promise<ClusterSnapshot>;
  /** A retry or a waiting step, for the live channel. */
  progress: (attempt: number, detail: string) => void;
  /** Called after every cluster action (the live channel shows it in the notebook's history). */
  actionDone?: (action: { text: string; ok: boolean; detail: string }) => void;
  /** Tells the picture what to show (`show`, `hide`, `highlight`); absent when no one looks. */
  view?: (directive: ViewDirective) => void;
  /** The node events recorded since the last reset (history checks); absent when none are recorded. */
  history?: () => readonly NodeEvent[];
}

/** Resolves after ms; used for retry intervals and `wait 2s`, never as synchronisation in tests. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
