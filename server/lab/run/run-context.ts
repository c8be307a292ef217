// What running a cell may use: the cluster, the host guard, this lesson's variables, what was
// done since the last reset, the Stop signal, and a way to report progress to the live channel.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { ActionResult, RunMode } from '../../contract/lab-api.ts';
import type { NodeEvent } from '../../contract/node-events.ts';
import type { ViewDirective } from '../../contract/view.ts';
import type { ClusterBackend } from '../cluster/backend.ts';
import type { ActedNode, HistoryRecord } from '../session/action-log.ts';
import type { LabClientSession } from './client-session.ts';
import type { HostGuard } from './host-guard.ts';
import type { VariableValue } from './variables.ts';

/** A run still going: what it waits for and until when (the notebook shows a countdown). */
export interface RunProgress {
  attempt: number;
  detail: string;
  /** The check lines (or the condition) not holding yet. */
  waitingFor?: string[];
  /** Epoch ms (the lab's clock) when the wait gives up. */
  deadlineAt?: number;
}

export interface RunContext {
  backend: ClusterBackend;
  guard: HostGuard;
  /** The lab's client session with the cluster: what makes a retried write safe (client-session.ts). */
  clientSession: LabClientSession;
  /** The lesson's captured variables; a capture writes here. */
  captured: Record<string, VariableValue>;
  /** A fresh look at every node, full logs included. */
  snapshot: () => Promise<ClusterSnapshot>;
  /** A retry or a waiting step, for the live channel. */
  progress: (p: RunProgress) => void;
  /** Aborted when the learner presses Stop: every wait and request ends at once. */
  signal: AbortSignal;
  /** What was done to the cluster since it was last reset (for `you killed a follower`). */
  history: () => readonly HistoryRecord[];
  /** Called after every cluster action (the history panel and history facts read it). */
  actionDone?: (action: ActionResult, acted: { action: string; nodes: ActedNode[] }) => void;
  /** Called after every request an http cell sent (for `you sent POST /request_vote`). */
  requestSent?: (sent: { method: string; url: string; status: number | null }) => Promise<void>;
  /** Learner steps: the learner's own answer, or the lesson's default (Run all, lessons:check). */
  mode: RunMode;
  /** predict / choose: the option the learner picked. */
  answer?: string;
  /** predict: the cell whose run decides the prediction. */
  afterCellId?: string;
  /** Tells the picture what to show (`show`, `hide`, `highlight`); absent when no one looks. */
  view?: (directive: ViewDirective) => void;
  /** The node events recorded since the last reset (`dropped request_vote`…); absent when none are recorded. */
  recorded?: () => readonly NodeEvent[];
}

/** Why a run was stopped: the learner's Stop, or the lab shutting down (Ctrl-C, SIGTERM). */
export type StopReason = 'stop' | 'shutdown';

/** Thrown when a run is stopped; run-cell.ts reports the run as stopped, and why. */
export class RunStopped extends Error {
  constructor(readonly reason: StopReason = 'stop') {
    super('stopped');
    this.name = 'RunStopped';
  }
}

/** The RunStopped for an aborted signal: its abort reason says whether the lab is shutting down. */
export function stoppedBy(signal: AbortSignal): RunStopped {
  return new RunStopped(signal.reason === 'shutdown' ? 'shutdown' : 'stop');
}

/**
 * Resolves after ms (retry intervals, polling, `wait 2s`); rejects with RunStopped as soon as
 * `signal` aborts. Never used as synchronisation in tests.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(stoppedBy(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(stoppedBy(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Throws RunStopped when Stop was pressed: call between steps that cannot be interrupted. */
export function stopIfAsked(signal: AbortSignal): void {
  if (signal.aborted) throw stoppedBy(signal);
}

/**
 * `promise`, or RunStopped as soon as Stop is pressed (what it was doing — e.g. a look at the
 * nodes — finishes unobserved), so Stop ends a wait at once, not after the current look.
 */
export function untilStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(stoppedBy(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stoppedBy(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A signal that aborts on Stop or after `timeoutMs`, for one request. */
export function requestSignal(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}
