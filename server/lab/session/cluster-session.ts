// One cluster and everything the lab keeps about it: the backend, the poller and event streams
// feeding the live hub, the safety watch, each lesson's variables, and the run queue.
// No module-level state: one lab process could hold several sessions.

import type { ClusterSnapshot } from '../../contract/cluster-view.ts';
import type { ActionOutcome, ActionResult, PredictionOutcome, RunResult } from '../../contract/lab-api.ts';
import type { HelloMessage } from '../../contract/live.ts';
import type { PredictCell } from '../../lessons/lesson-types.ts';
import { parseCheckCell } from '../../lessons/parse-check-cell.ts';
import { parseClusterAction } from '../../lessons/parse-cluster-cell.ts';
import { parsePredictCell } from '../../lessons/parse-learner-cells.ts';
import type { ClusterBackend } from '../cluster/backend.ts';
import { takeSnapshot, trimLogs } from '../cluster/snapshot.ts';
import { addMoments } from '../history/check-moment.ts';
import { RunRecorder } from '../history/recorder.ts';
import { LiveHub } from '../live/live-hub.ts';
import { NodeEventStream } from '../live/node-events.ts';
import { SafetyWatch } from '../live/safety-watch.ts';
import { StatusPoller } from '../live/status-poller.ts';
import { LabClientSession } from '../run/client-session.ts';
import { HostGuard } from '../run/host-guard.ts';
import { type CellToRun, runCell, STOPPED_ERROR } from '../run/run-cell.ts';
import { runClusterAction } from '../run/run-cluster-cell.ts';
import type { RunContext } from '../run/run-context.ts';
import { decidePrediction } from '../run/run-learner-cells.ts';
import { ActionLog, type HistoryRecord } from './action-log.ts';
import { RunQueue } from './run-queue.ts';

export interface SessionOptions {
  /** Poll /status this often (ms); 0 = no poller (headless checks need none). */
  pollIntervalMs?: number;
  /** Follow every node's /events stream (the live view's timeline). */
  followEvents?: boolean;
}

/** What session.run() takes: a cell of a lesson, and for learner steps how to answer. */
export type CellRun = Omit<CellToRun, 'runId' | 'count'>;

/** A prediction locked in, waiting for the cell that decides it. */
interface PendingPrediction {
  predictCellId: string;
  afterCellId: string;
  cell: PredictCell;
  answer: string;
  by: 'learner' | 'default';
}

/** Safety warnings are not judged for a moment after a reset: old and new terms would look alike. */
const AFTER_RESET_QUIET_MS = 1000;
/** How many recent actions a (re)connecting notebook gets for its history panel. */
const HISTORY_IN_HELLO = 50;
/** A snapshot this recent tells a requested node's role well enough for the action log. */
const ROLE_FRESH_MS = 1000;

export class ClusterSession {
  readonly hub = new LiveHub();
  readonly guard: HostGuard;
  /** Every node event, status sample and action of this cluster's run (time travel, traces, history checks). */
  readonly recorder: RunRecorder;
  readonly log = new ActionLog();
  private readonly queue = new RunQueue();
  private readonly safety = new SafetyWatch();
  private readonly clientSession = new LabClientSession();
  private readonly variables = new Map<string, Record<string, unknown>>();
  /** Per lesson, per deciding cell: the predictions locked in and waiting for it. */
  private readonly predictions = new Map<string, Map<string, PendingPrediction[]>>();
  private readonly poller: StatusPoller | null;
  /** Node event streams by node URL. */
  private readonly streams = new Map<string, NodeEventStream>();
  private runCount = 0;
  private quietUntil = 0;
  private resetting = false;
  private startedOnce = false;
  private generations = 0;
  private lastSnapshot: ClusterSnapshot | null = null;
  /** The highest term seen since the last reset (shown while every node is down). */
  private lastKnownTerm = 0;
  /** Which fresh cluster this is: new at start and after every reset (older outputs are marked). */
  generation = newGeneration(0);

  constructor(
    readonly backend: ClusterBackend,
    private readonly options: SessionOptions = {},
  ) {
    this.guard = new HostGuard(() => backend.nodes());
    this.recorder = new RunRecorder(backend.kind, backend.nodes());
    const interval = options.pollIntervalMs ?? 200;
    this.poller = interval > 0 ? new StatusPoller(backend, (s) => this.onSnapshot(s), interval) : null;
  }

  async start(): Promise<void> {
    // A cluster made anew after a stop: its term 1 is not the old one's (no false SAFETY alarm).
    if (this.startedOnce && this.backend.freshAfterStop) {
      this.recorder.reset(Date.now());
      this.newCluster();
    }
    this.startedOnce = true;
    await this.backend.start();
    this.poller?.start();
    this.followEvents();
  }

  /** One event stream per member; called again when the membership changes (§4.1). */
  private followEvents(): void {
    if (!this.following) return;
    const urls = new Set(this.backend.nodes().map((n) => n.url));
    for (const [url, stream] of this.streams) {
      if (urls.has(url)) continue;
      stream.stop();
      this.streams.delete(url);
    }
    for (const url of urls) {
      if (this.streams.has(url)) continue;
      const stream = new NodeEventStream(url, (event, id) => {
        const r = this.recorder.record(event, id);
        this.hub.publish({ type: 'event', event, record: r.n, ...(id !== null ? { event_id: id } : {}) });
      });
      this.streams.set(url, stream);
      stream.start();
    }
  }

  async stop(): Promise<void> {
    this.queue.interrupt('shutdown');
    this.poller?.stop();
    for (const s of this.streams.values()) s.stop();
    this.streams.clear();
    await this.backend.stop();
  }

  /** A fresh look at every node, with full logs (not the trimmed one the browser gets). */
  async snapshot(): Promise<ClusterSnapshot> {
    const s = await takeSnapshot(this.backend);
    this.lastSnapshot = s;
    return s;
  }

  /** The newest polled snapshot, trimmed for the browser (a fresh one when nothing was polled yet). */
  async liveSnapshot(): Promise<ClusterSnapshot> {
    return this.forBrowser(this.poller?.last ?? (await this.snapshot()));
  }

  /** Logs trimmed, and the term that survives a crash of every node. */
  private forBrowser(snapshot: ClusterSnapshot): ClusterSnapshot {
    this.lastKnownTerm = Math.max(this.lastKnownTerm, snapshot.term);
    return { ...trimLogs(snapshot), lastKnownTerm: this.lastKnownTerm };
  }

  async hello(): Promise<HelloMessage> {
    return {
      type: 'hello',
      seq: this.hub.lastSeq,
      backend: this.backend.kind,
      nodes: this.backend.nodes(),
      snapshot: await this.liveSnapshot(),
      history: this.log.recentActions(HISTORY_IN_HELLO).map(historyItem),
      generation: this.generation,
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
    this.predictions.delete(lessonId);
  }

  /**
   * Queues a cell run; resolves with its result once it ran (or was stopped). A prediction that
   * waited for this cell is decided right after it, in the same turn of the queue.
   */
  run(cell: CellRun): Promise<RunResult> {
    const count = ++this.runCount;
    const runId = `r${count}`;
    const ids = { runId, lessonId: cell.lessonId, cellId: cell.cellId };
    return this.queue.enqueue(
      async (signal) => {
        this.hub.publish({ type: 'run', phase: 'started', ...ids });
        const ctx = this.context(this.variablesOf(cell.lessonId), 'cell', signal, cell, (p) =>
          this.hub.publish({ type: 'run', phase: 'attempt', ...ids, ...p }),
        );
        const result = await runCell({ ...cell, runId, count }, ctx);
        result.clusterGeneration = this.generation;
        if (cell.type === 'check' && result.check && !result.ok) {
          // Time travel: each failed expectation links to the moment it stopped holding.
          addMoments(parseCheckCell(cell.source), result.check, this.recorder, ctx.captured);
        }
        if (cell.type === 'predict') this.lockPrediction(cell, result);
        const decided = await this.decidePredictions(cell, ctx);
        if (decided.length > 0) result.predictions = decided;
        this.hub.publish({ type: 'run', phase: 'finished', ...ids, result });
        return result;
      },
      () => {
        const result = stoppedBeforeStart(cell, runId, count, this.generation);
        this.hub.publish({ type: 'run', phase: 'finished', ...ids, result });
        return result;
      },
    );
  }

  /** Stop: ends the running cell and cancels every queued one; returns how many it stopped. */
  interrupt(): number {
    return this.queue.interrupt();
  }

  /** One cluster action from the panel (or an API client), queued with the runs. */
  action(text: string, source: 'panel' | 'cell' = 'panel'): Promise<ActionOutcome> {
    const action = parseClusterAction(text);
    return this.queue.enqueue<ActionOutcome>(
      async (signal) => {
        const ctx = this.context({}, source, signal, null, () => {});
        const result = await runClusterAction({ text: text.trim(), action }, ctx).catch(
          (): ActionResult => ({
            text: text.trim(),
            ok: false,
            detail: STOPPED_ERROR.message,
            durationMs: 0,
          }),
        );
        return { ok: result.ok, actions: [result], snapshot: trimLogs(await this.snapshot()) };
      },
      () => ({
        ok: false,
        actions: [
          {
            text: text.trim(),
            ok: false,
            detail: 'not done: Stop was pressed before it started',
            durationMs: 0,
          },
        ],
        snapshot: trimLogs(this.lastSnapshot ?? { at: Date.now(), leaderId: null, term: 0, nodes: [] }),
      }),
    );
  }

  private lockPrediction(cell: CellRun, result: RunResult): void {
    const locked = result.predict;
    if (!result.ok || !locked) return;
    let pending = this.predictions.get(cell.lessonId);
    if (!pending) {
      pending = new Map();
      this.predictions.set(cell.lessonId, pending);
    }
    // A prediction locked in again replaces its earlier answer.
    for (const [after, list] of pending)
      pending.set(
        after,
        list.filter((p) => p.predictCellId !== cell.cellId),
      );
    pending.set(locked.afterCellId, [
      ...(pending.get(locked.afterCellId) ?? []),
      {
        predictCellId: cell.cellId,
        afterCellId: locked.afterCellId,
        cell: parsePredictCell(cell.source),
        answer: locked.answer,
        by: locked.by,
      },
    ]);
  }

  private async decidePredictions(cell: CellRun, ctx: RunContext): Promise<PredictionOutcome[]> {
    const waiting = this.predictions.get(cell.lessonId);
    const pending = waiting?.get(cell.cellId) ?? [];
    if (!waiting || pending.length === 0) return [];
    try {
      const outcomes = [];
      for (const p of pending) outcomes.push(await decidePrediction(p.cell, p, ctx));
      waiting.delete(cell.cellId);
      return outcomes;
    } catch {
      return []; // stopped: the predictions wait on, decided when the cell runs again
    }
  }

  private context(
    captured: Record<string, unknown>,
    source: 'panel' | 'cell',
    signal: AbortSignal,
    cell: CellRun | null,
    progress: RunContext['progress'],
  ): RunContext {
    return {
      backend: this.watchedBackend(),
      guard: this.guard,
      clientSession: this.clientSession,
      captured,
      snapshot: () => this.snapshot(),
      progress,
      signal,
      history: () => this.log.sinceReset(),
      ...(this.following ? { recorded: () => this.recorder.eventsSinceReset() } : {}),
      view: (directive) => this.hub.publish({ type: 'view', directive }),
      mode: cell?.mode ?? 'learner',
      answer: cell?.answer,
      afterCellId: cell?.afterCellId,
      actionDone: (a, acted) => {
        this.recorder.action({ at: a.at ?? Date.now(), text: a.text, ok: a.ok, detail: a.detail, source });
        const record = this.log.add({
          action: acted.action,
          text: a.text,
          shown: a.shown ?? a.text,
          ok: a.ok,
          detail: a.detail,
          source,
          nodes: acted.nodes,
        });
        this.hub.publish({ type: 'action', ...historyItem(record), generation: this.generation });
      },
      requestSent: async (sent) => {
        const node = this.guard.nodeFor(sent.url);
        const fresh =
          this.lastSnapshot && Date.now() - this.lastSnapshot.at < ROLE_FRESH_MS
            ? this.lastSnapshot
            : await this.snapshot().catch(() => null);
        const view = fresh?.nodes.find((n) => n.id === node?.id);
        this.log.add({
          action: 'send',
          text: `${sent.method} ${sent.url}`,
          shown: `${sent.method} ${node?.name ?? sent.url}${new URL(sent.url).pathname}`,
          ok: sent.status !== null,
          detail: sent.status === null ? 'no answer' : `answered ${sent.status}`,
          source,
          nodes: node
            ? [
                {
                  id: node.id,
                  name: node.name,
                  role: view?.status?.state ?? (view?.error === 'paused' ? 'paused' : 'unknown'),
                },
              ]
            : [],
          request: { method: sent.method, path: new URL(sent.url).pathname, status: sent.status },
        });
      },
    };
  }

  /** The backend, with `reset` starting a new generation and telling the safety watch. */
  private watchedBackend(): ClusterBackend {
    const backend = this.backend;
    const reset = async () => {
      this.resetting = true;
      this.recorder.reset(Date.now());
      try {
        await backend.reset();
      } finally {
        this.newCluster();
        this.resetting = false;
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

  /** What the lab knew about the cluster's history is forgotten: a new generation begins. */
  private newCluster(): void {
    this.safety.forget();
    this.clientSession.forget();
    this.lastKnownTerm = 0;
    this.generation = newGeneration(++this.generations);
    this.quietUntil = Date.now() + AFTER_RESET_QUIET_MS;
  }

  /** Whether the node event streams are followed (and so recorded). */
  private get following(): boolean {
    return this.options.followEvents ?? true;
  }

  private onSnapshot(snapshot: ClusterSnapshot): void {
    this.lastSnapshot = snapshot;
    this.hub.publish({ type: 'snapshot', snapshot: this.forBrowser(snapshot) });
    // A node added or removed (lesson 15): follow exactly the members' event streams.
    if (this.streams.size !== snapshot.nodes.length || snapshot.nodes.some((n) => !this.streams.has(n.url)))
      this.followEvents();
    this.recorder.sample(snapshot);
    if (this.resetting || Date.now() < this.quietUntil) return;
    for (const w of this.safety.observe(snapshot)) {
      console.warn(`SAFETY: ${w.detail}`);
      this.hub.publish({ type: 'warning', ...w });
    }
  }
}

/** A generation id: unique per lab process and per reset. */
function newGeneration(n: number): string {
  return `${Date.now().toString(36)}-${n}`;
}

/** A record as the history panel shows it. */
function historyItem(r: HistoryRecord) {
  return { text: r.text, shown: r.shown, ok: r.ok, detail: r.detail, source: r.source, at: r.at };
}

/** The result of a run that Stop cancelled before it started. */
function stoppedBeforeStart(cell: CellRun, runId: string, count: number, generation: string): RunResult {
  return {
    runId,
    lessonId: cell.lessonId,
    cellId: cell.cellId,
    type: cell.type,
    ok: false,
    count,
    startedAt: Date.now(),
    durationMs: 0,
    error: { ...STOPPED_ERROR, message: 'Not run: Stop was pressed while it was waiting its turn.' },
    variables: {},
    http: null,
    cluster: null,
    check: null,
    stopped: true,
    clusterGeneration: generation,
  };
}
