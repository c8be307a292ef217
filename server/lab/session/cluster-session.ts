// One cluster and everything the lab keeps about it: the backend, the poller and event streams
// feeding the live hub, the safety watch, each lesson's variables, and the run queue.
// No module-level state: one lab process could hold several sessions.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { ActionOutcome, RunResult } from '../../contract/lab-api.ts';
import type { HelloMessage } from '../../contract/live.ts';
import { parseCheckCell } from '../../lessons/parse-check-cell.ts';
import { parseClusterAction } from '../../lessons/parse-cluster-cell.ts';
import type { ClusterBackend } from '../cluster/backend.ts';
import { takeSnapshot, trimLogs } from '../cluster/snapshot.ts';
import { addMoments } from '../history/check-moment.ts';
import { RunRecorder } from '../history/recorder.ts';
import { LiveHub } from '../live/live-hub.ts';
import { NodeEventStream } from '../live/node-events.ts';
import { SafetyWatch } from '../live/safety-watch.ts';
import { StatusPoller } from '../live/status-poller.ts';
import { HostGuard } from '../run/host-guard.ts';
import { type CellToRun, runCell } from '../run/run-cell.ts';
import { runClusterAction } from '../run/run-cluster-cell.ts';
import type { RunContext } from '../run/run-context.ts';
import { RunQueue } from './run-queue.ts';

export interface SessionOptions {
  /** Poll /status this often (ms); 0 = no poller (headless checks need none). */
  pollIntervalMs?: number;
  /** Follow every node's /events stream (the live view's timeline). */
  followEvents?: boolean;
}

/** Safety warnings are not judged for a moment after a reset: old and new terms would look alike. */
const AFTER_RESET_QUIET_MS = 1000;

export class ClusterSession {
  readonly hub = new LiveHub();
  readonly guard: HostGuard;
  /** Every node event, status sample and action of this cluster's run (time travel, traces, history checks). */
  readonly recorder: RunRecorder;
  private readonly queue = new RunQueue();
  private readonly safety = new SafetyWatch();
  private readonly variables = new Map<string, Record<string, unknown>>();
  private readonly poller: StatusPoller | null;
  private readonly streams: NodeEventStream[] = [];
  private runCount = 0;
  private quietUntil = 0;
  private resetting = false;

  constructor(
    readonly backend: ClusterBackend,
    private readonly options: SessionOptions = {},
  ) {
    this.guard = new HostGuard(backend.nodes());
    this.recorder = new RunRecorder(backend.kind, backend.nodes());
    const interval = options.pollIntervalMs ?? 200;
    this.poller = interval > 0 ? new StatusPoller(backend, (s) => this.onSnapshot(s), interval) : null;
  }

  async start(): Promise<void> {
    await this.backend.start();
    this.poller?.start();
    if (this.following) {
      for (const node of this.backend.nodes()) {
        const stream = new NodeEventStream(node.url, (event, id) => {
          const r = this.recorder.record(event, id);
          this.hub.publish({ type: 'event', event, record: r.n, ...(id !== null ? { event_id: id } : {}) });
        });
        this.streams.push(stream);
        stream.start();
      }
    }
  }

  async stop(): Promise<void> {
    this.poller?.stop();
    for (const s of this.streams) s.stop();
    this.streams.length = 0;
    await this.backend.stop();
  }

  /** A fresh look at every node, with full logs (not the trimmed one the browser gets). */
  snapshot(): Promise<ClusterSnapshot> {
    return takeSnapshot(this.backend);
  }

  /** The newest polled snapshot, trimmed for the browser (a fresh one when nothing was polled yet). */
  async liveSnapshot(): Promise<ClusterSnapshot> {
    return trimLogs(this.poller?.last ?? (await this.snapshot()));
  }

  async hello(): Promise<HelloMessage> {
    return {
      type: 'hello',
      seq: this.hub.lastSeq,
      backend: this.backend.kind,
      nodes: this.backend.nodes(),
      snapshot: await this.liveSnapshot(),
    };
  }

  variablesOf(lessonId: string): Record<string, unknown> {
    let vars = this.variables.get(lessonId);
    if (!vars) {
      vars = {};
      this.variables.set(lessonId, vars);
    }
    return vars;
  }

  forgetVariables(lessonId: string): void {
    this.variables.delete(lessonId);
  }

  /** Queues a cell run; resolves with its result once it ran. */
  run(cell: Omit<CellToRun, 'runId' | 'count'>): Promise<RunResult> {
    return this.queue.enqueue(async () => {
      const count = ++this.runCount;
      const runId = `r${count}`;
      const ids = { runId, lessonId: cell.lessonId, cellId: cell.cellId };
      this.hub.publish({ type: 'run', phase: 'started', ...ids });
      const ctx = this.context(this.variablesOf(cell.lessonId), 'cell', (attempt, detail) =>
        this.hub.publish({ type: 'run', phase: 'attempt', ...ids, attempt, detail }),
      );
      const result = await runCell({ ...cell, runId, count }, ctx);
      if (result.check && !result.ok) {
        addMoments(parseCheckCell(cell.source), result.check, this.recorder, ctx.captured);
      }
      this.hub.publish({ type: 'run', phase: 'finished', ...ids, result });
      return result;
    });
  }

  /** One cluster action from the panel (or an API client), queued with the runs. */
  action(text: string, source: 'panel' | 'cell' = 'panel'): Promise<ActionOutcome> {
    const action = parseClusterAction(text);
    return this.queue.enqueue(async () => {
      const ctx = this.context({}, source, () => {});
      const result = await runClusterAction({ text: text.trim(), action }, ctx);
      return { ok: result.ok, actions: [result], snapshot: trimLogs(await this.snapshot()) };
    });
  }

  private context(
    captured: Record<string, unknown>,
    source: 'panel' | 'cell',
    progress: RunContext['progress'],
  ): RunContext {
    return {
      backend: this.watchedBackend(),
      guard: this.guard,
      captured,
      snapshot: () => this.snapshot(),
      progress,
      actionDone: (a) => {
        this.recorder.action({ at: Date.now(), text: a.text, ok: a.ok, detail: a.detail, source });
        this.hub.publish({ type: 'action', text: a.text, ok: a.ok, detail: a.detail, source });
      },
      view: (directive) => this.hub.publish({ type: 'view', directive }),
      ...(this.following ? { history: () => this.recorder.eventsSinceReset() } : {}),
    };
  }

  /** The backend, with `reset` telling the safety watch to forget the old cluster. */
  private watchedBackend(): ClusterBackend {
    const backend = this.backend;
    const reset = async () => {
      this.resetting = true;
      this.recorder.reset(Date.now());
      try {
        await backend.reset();
      } finally {
        this.safety.forget();
        this.resetting = false;
        this.quietUntil = Date.now() + AFTER_RESET_QUIET_MS;
      }
    };
    return new Proxy(backend, {
      get: (target, prop) => {
        if (prop === 'reset') return reset;
        const value = Reflect.get(target, prop, target);
        // Bound to the real backend so its #private fields keep working.
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Whether the node event streams are followed (and so recorded). */
  private get following(): boolean {
    return this.options.followEvents ?? true;
  }

  private onSnapshot(snapshot: ClusterSnapshot): void {
    this.hub.publish({ type: 'snapshot', snapshot: trimLogs(snapshot) });
    this.recorder.sample(snapshot);
    if (this.resetting || Date.now() < this.quietUntil) return;
    for (const w of this.safety.observe(snapshot)) {
      console.warn(`SAFETY: ${w.detail}`);
      this.hub.publish({ type: 'warning', ...w });
    }
  }
}
