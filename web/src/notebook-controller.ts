// Everything a notebook does besides drawing it: which lesson is open, its cells and their
// newest outputs (saved with the learner's workspace, so a reload keeps them), which cells run,
// Run all and Stop, saving edits a moment after typing stops, and the captured variables.
// A Lit ReactiveController: notebook-view.ts renders what it holds and calls its methods;
// the DOM (focus, scrolling, the editors' text) stays with the view, through `NotebookDom`.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  NotebookBlock as Block,
  NotebookCell as Cell,
  NotebookLesson as Lesson,
  RunMode,
  RunResult,
} from '../../server/contract/lab-api.ts';
import { decidingCell } from '../../server/lessons/deciding-cell.ts';
import { parsePredictCell } from '../../server/lessons/parse-learner-cells.ts';
import type { LabClient } from './lab-client.ts';
import type { LiveState } from './live-state.ts';

/** Edits are saved this long after the last keystroke (and always before a run). */
export const SAVE_DELAY_MS = 600;
const SCRATCH_SOURCE = 'GET {{leader}}/status\n\nHTTP 200\n';

/** What the controller needs from the page. */
export interface NotebookDom {
  /** The text in a cell's editor right now (ahead of any save). */
  sourceOf(cellId: string): string | undefined;
  /**
   * Brings a cell into view: `focus` also puts the keyboard in it (centred), `reveal` scrolls
   * as little as needed (Run all), `top` puts it at the top (a lesson opened where it was left).
   */
  showCell(cellId: string, how: 'focus' | 'reveal' | 'top'): void;
  /** Scrolls the notebook to its top. */
  showTop(): void;
}

export interface StepAnswer {
  answer?: string;
  mode?: RunMode;
}

export class NotebookController implements ReactiveController {
  lesson: Lesson | null = null;
  blocks: Block[] = [];
  results = new Map<string, RunResult>();
  running = new Set<string>();
  activeId: string | null = null;
  /** Captured variables, from this lesson's newest outputs. */
  variables: Record<string, unknown> = {};
  note = '';
  noteBad = false;
  /** Run all (or Run from here) is going. */
  batch = false;
  /** Which fresh cluster runs now; outputs of another one are from an earlier run. */
  generation = '';
  /** A prediction the learner skipped once: the next Run of the cell it waits for goes ahead. */
  private skippedPrediction = new Set<string>();
  private stopRequested = false;
  private saveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private unsaved = new Map<string, { lessonId: string; cellId: string; source: string }>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: LabClient,
    private readonly live: LiveState,
    private readonly dom: NotebookDom,
    /** Told when a check's outcome changed, so the lesson list's progress follows. */
    private readonly onProgress: () => void = () => {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.live.on(['run', 'history'], () => {
      if (this.live.generation) this.generation = this.live.generation;
      this.host.requestUpdate();
    });
    window.addEventListener('beforeunload', this.flushAll);
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    window.removeEventListener('beforeunload', this.flushAll);
    void this.flushAll();
  }

  get cells(): Cell[] {
    return this.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
  }

  /** True while anything of this notebook runs: the toolbar's and Escape's Stop applies. */
  get busy(): boolean {
    return this.batch || this.running.size > 0;
  }

  /** Whether an output is from an earlier cluster (a reset or a lab restart since). */
  isStale(result: RunResult): boolean {
    return !!this.generation && !!result.clusterGeneration && result.clusterGeneration !== this.generation;
  }

  /**
   * Opens a lesson with its saved outputs, at its top — or, when the learner has been here,
   * at the first cell not yet run.
   */
  async open(lesson: Lesson): Promise<void> {
    if (this.lesson && this.lesson.id !== lesson.id) void this.flushAll();
    const same = this.lesson?.id === lesson.id;
    this.lesson = lesson;
    this.blocks = lesson.blocks;
    if (same) return;
    this.results = new Map();
    this.running = new Set();
    this.variables = {};
    this.activeId = null;
    this.say('');
    this.host.requestUpdate();
    let saved: RunResult[] = [];
    try {
      const outputs = await this.client.outputs(lesson.id);
      if (this.lesson?.id !== lesson.id) return;
      this.generation = this.live.generation || outputs.generation;
      saved = outputs.results;
    } catch (err) {
      this.say(`Could not load this lesson's saved outputs: ${(err as Error).message}`, true);
    }
    this.results = new Map(saved.map((r) => [r.cellId, r]));
    const newest = saved.reduce<RunResult | null>((a, r) => (!a || r.count > a.count ? r : a), null);
    // Captures of an earlier cluster are gone from the lab: prose shows placeholders until re-run.
    this.variables = newest && !this.isStale(newest) ? newest.variables : {};
    this.host.requestUpdate();
    await (this.host as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const firstNotRun = saved.length > 0 ? this.cells.find((c) => !this.results.has(c.id)) : undefined;
    if (firstNotRun) {
      this.activeId = firstNotRun.id;
      this.dom.showCell(firstNotRun.id, 'top');
      this.say(`Welcome back: the first cell you have not run is ${firstNotRun.id}.`);
    } else this.dom.showTop();
  }

  /** Runs one cell; resolves to its result (never throws: a failure is shown in the cell). */
  async runCell(
    cellId: string,
    keys: 'advance' | 'stay' = 'stay',
    step: StepAnswer = {},
  ): Promise<RunResult | null> {
    const lesson = this.lesson;
    const cell = this.cells.find((c) => c.id === cellId);
    if (!lesson || !cell || this.running.has(cellId)) return null;
    this.activeId = cellId;
    if (!this.batch) this.say(''); // an old "Stopped at…" is no longer news
    if (!this.batch && this.waitsForPrediction(cellId)) return null;
    if (keys === 'advance') this.focusNext(cellId);
    const editable = cell.type === 'http' || cell.type === 'cluster';
    const source = editable
      ? (this.unsaved.get(editKey(lesson.id, cellId))?.source ?? this.dom.sourceOf(cellId))
      : undefined;
    await this.flush(lesson.id, cellId);
    this.running = new Set(this.running).add(cellId);
    this.host.requestUpdate();
    let result: RunResult;
    try {
      result = await this.client.run(lesson.id, cellId, source, step);
    } catch (err) {
      result = failedRun(lesson.id, cell, this.results.get(cellId)?.count ?? 0, (err as Error).message);
    }
    const running = new Set(this.running);
    running.delete(cellId);
    this.running = running;
    if (this.lesson?.id !== lesson.id) return null; // another lesson is open now; its cells share ids
    const results = new Map(this.results).set(cellId, result);
    // A prediction this run decided: its outcome shows in the prediction's own cell.
    for (const outcome of result.predictions ?? []) {
      const p = results.get(outcome.predictCellId);
      if (p?.predict) results.set(outcome.predictCellId, { ...p, predict: { ...p.predict, outcome } });
    }
    this.results = results;
    if (result.clusterGeneration) this.generation = result.clusterGeneration;
    if (result.variables) this.variables = { ...result.variables };
    if (cell.type === 'check') this.onProgress();
    this.host.requestUpdate();
    return result;
  }

  /**
   * "Predict, then run": running the cell a prediction waits for, before it was answered, first
   * sends the learner to the question. Running it again goes ahead without a prediction.
   */
  private waitsForPrediction(cellId: string): boolean {
    const cells = this.cells;
    // The predictions that wait for this cell (the next cell, or the one their `after:` names).
    const decidedHere = (q: Cell) => {
      try {
        const d = decidingCell(cells, q.id, parsePredictCell(q.source).after);
        return 'id' in d && d.id === cellId;
      } catch {
        return false; // a prediction that does not parse waits for nothing
      }
    };
    const before = cells.find(
      (q) =>
        q.type === 'predict' &&
        !this.results.get(q.id)?.predict &&
        !this.skippedPrediction.has(q.id) &&
        decidedHere(q),
    );
    if (!before) return false;
    this.skippedPrediction.add(before.id);
    this.activeId = before.id;
    this.dom.showCell(before.id, 'focus');
    this.say('First make your prediction above; press Run again to go ahead without one.');
    return true;
  }

  /** Runs every cell from the index on, in order; stops at the first that fails, or at Stop. */
  async runAll(from: number): Promise<void> {
    const lesson = this.lesson;
    if (this.batch || !lesson) return;
    this.batch = true;
    this.stopRequested = false;
    this.say('');
    const cells = this.cells.slice(from);
    try {
      for (const c of cells) {
        if (this.lesson?.id !== lesson.id || this.stopRequested) return;
        this.dom.showCell(c.id, 'reveal');
        // Run all answers for the learner only where they have not: their own answer is kept.
        const prev = this.results.get(c.id);
        const answer =
          prev?.predict?.by === 'learner'
            ? prev.predict.answer
            : prev?.choose?.by === 'learner'
              ? prev.choose.choice
              : undefined;
        const r = await this.runCell(c.id, 'stay', { answer, mode: 'default' });
        if (this.stopRequested || r?.stopped) {
          this.say(`Stopped at cell ${c.id}. Nothing after it ran.`, true);
          return;
        }
        if (r && !r.ok) {
          this.say(
            `Stopped at cell ${c.id}: it failed. Fix it (or the cluster), then use “Run from here”.`,
            true,
          );
          this.activeId = c.id;
          this.dom.showCell(c.id, 'focus');
          return;
        }
      }
      this.say(`Ran ${cells.length} cells.`);
    } finally {
      this.batch = false;
      this.host.requestUpdate();
    }
  }

  /** Stop: the running cell ends, queued ones are cancelled, Run all goes no further. */
  async stop(): Promise<void> {
    if (!this.busy) return;
    this.stopRequested = true;
    try {
      await this.client.stop();
    } catch (err) {
      this.say(`Could not stop: ${(err as Error).message}`, true);
    }
  }

  onSource(cellId: string, source: string): void {
    if (!this.lesson) return;
    const lessonId = this.lesson.id;
    const key = editKey(lessonId, cellId);
    this.unsaved.set(key, { lessonId, cellId, source });
    const old = this.saveTimers.get(key);
    if (old) clearTimeout(old);
    this.saveTimers.set(
      key,
      setTimeout(() => void this.flush(lessonId, cellId), SAVE_DELAY_MS),
    );
  }

  private async flush(lessonId: string, cellId: string): Promise<void> {
    const key = editKey(lessonId, cellId);
    const timer = this.saveTimers.get(key);
    if (timer) clearTimeout(timer);
    this.saveTimers.delete(key);
    const edit = this.unsaved.get(key);
    if (edit === undefined) return;
    this.unsaved.delete(key);
    try {
      const saved = await this.client.saveCell(lessonId, cellId, edit.source);
      // Only the flags change; the editor already shows the text, and the learner may be typing.
      if (this.lesson?.id === lessonId)
        this.replaceCell({ ...saved, source: this.unsaved.get(key)?.source ?? saved.source });
      this.say('Saved.');
    } catch (err) {
      if (!this.unsaved.has(key)) this.unsaved.set(key, edit);
      this.say(`Could not save cell ${cellId}: ${(err as Error).message}`, true);
    }
  }

  readonly flushAll = async (): Promise<void> => {
    await Promise.all([...this.unsaved.values()].map((e) => this.flush(e.lessonId, e.cellId)));
  };

  async resetCell(cellId: string): Promise<void> {
    if (!this.lesson) return;
    this.unsaved.delete(editKey(this.lesson.id, cellId));
    try {
      this.replaceCell(await this.client.resetCell(this.lesson.id, cellId));
      this.say(`Cell ${cellId} is back to the lesson's text.`);
    } catch (err) {
      this.say(`Could not reset cell ${cellId}: ${(err as Error).message}`, true);
    }
  }

  /** Back to the lesson as written: edits, scratch cells and outputs dropped. */
  async resetLesson(): Promise<void> {
    if (!this.lesson) return;
    const id = this.lesson.id;
    for (const [key, e] of this.unsaved) if (e.lessonId === id) this.unsaved.delete(key);
    try {
      const lesson = await this.client.resetLesson(id);
      this.blocks = lesson.blocks;
      this.results = new Map();
      this.variables = {};
      this.skippedPrediction.clear();
      this.say('The lesson is back to its original text, without outputs.');
      this.onProgress();
    } catch (err) {
      this.say(`Could not reset the lesson: ${(err as Error).message}`, true);
    }
  }

  async freshCluster(): Promise<void> {
    this.say('Starting a fresh cluster…');
    try {
      const res = await this.client.action('reset');
      this.say(
        res.ok ? 'Fresh cluster started.' : `Fresh cluster failed: ${res.actions?.[0]?.detail ?? ''}`,
        !res.ok,
      );
    } catch (err) {
      this.say(`Fresh cluster failed: ${(err as Error).message}`, true);
    }
  }

  async addCell(after: string | null): Promise<void> {
    if (!this.lesson) return;
    try {
      const cell = await this.client.addCell(this.lesson.id, after, SCRATCH_SOURCE);
      const at = after === null ? -1 : this.blocks.findIndex((b) => b.kind === 'cell' && b.cell.id === after);
      const blocks = [...this.blocks];
      blocks.splice(at + 1, 0, { kind: 'cell', cell });
      this.blocks = blocks;
      this.activeId = cell.id;
      this.host.requestUpdate();
      await (this.host as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      this.dom.showCell(cell.id, 'focus');
    } catch (err) {
      this.say(`Could not add a cell: ${(err as Error).message}`, true);
    }
  }

  async deleteCell(cellId: string): Promise<void> {
    if (!this.lesson) return;
    try {
      await this.client.deleteCell(this.lesson.id, cellId);
      this.unsaved.delete(editKey(this.lesson.id, cellId));
      this.blocks = this.blocks.filter((b) => b.kind !== 'cell' || b.cell.id !== cellId);
      const results = new Map(this.results);
      results.delete(cellId);
      this.results = results;
      this.say(`Scratch cell ${cellId} deleted.`);
    } catch (err) {
      this.say(`Could not delete cell ${cellId}: ${(err as Error).message}`, true);
    }
  }

  focus(cellId: string): void {
    this.activeId = cellId;
    this.host.requestUpdate();
  }

  private replaceCell(cell: Cell): void {
    this.blocks = this.blocks.map((b) =>
      b.kind === 'cell' && b.cell.id === cell.id ? { kind: 'cell', cell } : b,
    );
    this.host.requestUpdate();
  }

  private focusNext(cellId: string): void {
    const cells = this.cells;
    const next = cells[cells.findIndex((c) => c.id === cellId) + 1];
    if (next) {
      this.activeId = next.id;
      this.dom.showCell(next.id, 'focus');
    }
  }

  private say(text: string, bad = false): void {
    this.note = text;
    this.noteBad = bad;
    this.host.requestUpdate();
  }
}

function editKey(lessonId: string, cellId: string): string {
  return `${lessonId}/${cellId}`;
}

/** The result shown when the lab could not be asked at all (it is down, or refused the run). */
function failedRun(lessonId: string, cell: Cell, count: number, message: string): RunResult {
  return {
    runId: '',
    lessonId,
    cellId: cell.id,
    type: cell.type,
    ok: false,
    count,
    startedAt: Date.now(),
    durationMs: 0,
    error: { message, hint: null, line: null },
    variables: {},
    http: null,
    cluster: null,
    check: null,
  };
}
