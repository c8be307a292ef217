// A lesson as a notebook: prose and cells in order, the toolbar, and everything a run
// involves (saving the edit first, the execution counter, captures for later cells,
// progress of checks). Edits are saved through the lab after a short pause in typing.
import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type {
  NotebookBlock as Block,
  NotebookCell as Cell,
  NotebookLesson as Lesson,
  RunMode,
  RunResult,
} from '../../../server/contract/lab-api.ts';
import { variableNames } from '../hurl-language.ts';
import type { LabClient } from '../lab-client.ts';
import type { LiveState } from '../live-state.ts';
import type { ProgressStore } from '../progress-store.ts';
import { LightDomElement } from './light-dom-element.ts';
import type { NotebookCell } from './notebook-cell.ts';
import './notebook-cell.ts';
import './notebook-toolbar.ts';
import './prose-block.ts';

const SAVE_DELAY_MS = 600;
const SCRATCH_SOURCE = 'GET {{leader}}/status\n\nHTTP 200\n';

const styles = css`
  notebook-view {
    display: block;
  }
  notebook-view .bar {
    position: sticky;
    top: 0;
    z-index: 5;
    background: var(--bg);
    padding: 0.5rem 0;
    border-bottom: 1px solid var(--border);
    display: flex;
    gap: 0.6rem;
    align-items: center;
    flex-wrap: wrap;
  }
  notebook-view .note {
    font-size: 0.82rem;
    color: var(--muted);
  }
  notebook-view .note.bad {
    color: var(--bad);
    font-weight: 600;
  }
  notebook-view .blocks {
    padding: 0.5rem 0 40vh;
  }
  notebook-view prose-block {
    margin-left: 3.6rem;
  }
`;

type CellDetail = CustomEvent<{
  cellId: string;
  keys?: 'advance' | 'stay';
  source?: string;
  answer?: string;
  mode?: RunMode;
}>;

@customElement('notebook-view')
export class NotebookView extends LightDomElement {
  @property({ attribute: false }) lesson!: Lesson;
  @property({ attribute: false }) client!: LabClient;
  @property({ attribute: false }) live!: LiveState;
  @property({ attribute: false }) progress!: ProgressStore;

  @state() private blocks: Block[] = [];
  @state() private results = new Map<string, RunResult>();
  @state() private running = new Set<string>();
  @state() private activeId: string | null = null;
  @state() private variables: Record<string, unknown> = {};
  @state() private note = '';
  @state() private noteBad = false;
  @state() private batch = false;

  /** Outputs and captures of lessons opened earlier in this visit, so going back shows them again. */
  private kept = new Map<string, { results: Map<string, RunResult>; variables: Record<string, unknown> }>();
  /** Edits not saved yet, by `lessonId/cellId` (a save may finish after another lesson opened). */
  private saveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private unsaved = new Map<string, { lessonId: string; cellId: string; source: string }>();
  private unsubscribe: (() => void) | null = null;

  static override documentStyles = styles;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.live.on(['run'], () => this.requestUpdate());
    window.addEventListener('beforeunload', this.flushAll);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    window.removeEventListener('beforeunload', this.flushAll);
    void this.flushAll();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('lesson') && this.lesson) {
      const previous = changed.get('lesson') as Lesson | undefined;
      if (previous && previous.id !== this.lesson.id) {
        void this.flushAll();
        this.kept.set(previous.id, { results: this.results, variables: this.variables });
      }
      if (!previous || previous.id !== this.lesson.id) {
        const kept = this.kept.get(this.lesson.id);
        this.results = kept?.results ?? new Map();
        this.running = new Set();
        this.variables = kept?.variables ?? {};
        this.activeId = null;
        this.note = '';
      }
      this.blocks = this.lesson.blocks;
    }
  }

  private get cells(): Cell[] {
    return this.blocks.flatMap((b) => (b.kind === 'cell' ? [b.cell] : []));
  }

  override render() {
    if (!this.lesson) return nothing;
    const names = variableNames(this.lesson.nodes || 5, Object.keys(this.variables));
    const active = this.cells.find((c) => c.id === this.activeId);
    const firstIsTitle = this.blocks[0]?.kind === 'prose' && /^\s*# /.test(this.blocks[0].markdown);
    return html`<div class="bar">
        <notebook-toolbar
          .busy=${this.batch}
          .canResetCell=${!!active && active.edited && !active.scratch}
          @run-all=${() => this.runAll(0)}
          @run-from=${() =>
            this.runAll(
              Math.max(
                0,
                this.cells.findIndex((c) => c.id === this.activeId),
              ),
            )}
          @add-cell=${() => this.addCell(this.activeId ?? this.cells.at(-1)?.id ?? null)}
          @reset-cell=${() => this.activeId && this.resetCell(this.activeId)}
          @reset-lesson=${this.resetLesson}
          @fresh-cluster=${this.freshCluster}
        ></notebook-toolbar>
        <span class="note ${this.noteBad ? 'bad' : ''}" role="status" aria-live="polite">${this.note}</span>
      </div>
      <div
        class="blocks"
        @cell-run=${(e: CellDetail) =>
          this.runCell(e.detail.cellId, e.detail.keys ?? 'stay', {
            answer: e.detail.answer,
            mode: e.detail.mode,
          })}
        @cell-source=${(e: CellDetail) => this.onSource(e.detail.cellId, e.detail.source ?? '')}
        @cell-reset=${(e: CellDetail) => this.resetCell(e.detail.cellId)}
        @cell-delete=${(e: CellDetail) => this.deleteCell(e.detail.cellId)}
        @cell-add=${(e: CellDetail) => this.addCell(e.detail.cellId)}
        @cell-focus=${(e: CellDetail) => {
          this.activeId = e.detail.cellId;
        }}
      >
        ${firstIsTitle ? nothing : html`<h1>${this.lesson.title}</h1>`}
        ${this.blocks.map((b) =>
          b.kind === 'prose'
            ? html`<prose-block .markdown=${b.markdown}></prose-block>`
            : html`<notebook-cell
                .cell=${b.cell}
                .result=${this.results.get(b.cell.id) ?? null}
                .running=${this.running.has(b.cell.id)}
                .attempt=${this.live.running.get(`${this.lesson.id}/${b.cell.id}`) ?? 0}
                .active=${b.cell.id === this.activeId}
                .variables=${names}
              ></notebook-cell>`,
        )}
      </div>`;
  }

  /** Runs one cell; resolves to its result (never throws: a failure is shown in the cell). */
  async runCell(
    cellId: string,
    keys: 'advance' | 'stay' = 'stay',
    step: { answer?: string; mode?: RunMode } = {},
  ): Promise<RunResult | null> {
    const cell = this.cells.find((c) => c.id === cellId);
    if (!cell || this.running.has(cellId)) return null;
    this.activeId = cellId;
    if (keys === 'advance') this.focusNext(cellId);
    const source =
      cell.type !== 'http' && cell.type !== 'cluster'
        ? undefined
        : (this.unsaved.get(editKey(this.lesson.id, cellId))?.source ?? this.cellEl(cellId)?.source);
    await this.flush(this.lesson.id, cellId);
    const lessonId = this.lesson.id;
    this.running = new Set(this.running).add(cellId);
    let result: RunResult;
    try {
      result = await this.client.run(lessonId, cellId, source, step);
    } catch (err) {
      result = {
        runId: '',
        lessonId,
        cellId,
        type: cell.type,
        ok: false,
        count: this.results.get(cellId)?.count ?? 0,
        startedAt: Date.now(),
        durationMs: 0,
        error: { message: (err as Error).message, hint: null, line: null },
        variables: {},
        http: null,
        cluster: null,
        check: null,
      };
    }
    if (this.lesson.id !== lessonId) return null; // another lesson is open now; its cells share ids
    const running = new Set(this.running);
    running.delete(cellId);
    this.running = running;
    const results = new Map(this.results).set(cellId, result);
    // A prediction this run decided: show its outcome in the prediction's own cell.
    for (const outcome of result.predictions ?? []) {
      const p = results.get(outcome.predictCellId);
      if (p?.predict) results.set(outcome.predictCellId, { ...p, predict: { ...p.predict, outcome } });
    }
    this.results = results;
    if (result.variables) this.variables = { ...this.variables, ...result.variables };
    if (cell.type === 'check') this.progress.record(this.lesson.id, cellId, result.ok);
    return result;
  }

  /** Runs every cell from the index on, in order; stops at the first that fails. */
  async runAll(from: number): Promise<void> {
    if (this.batch) return;
    this.batch = true;
    this.say('');
    const cells = this.cells.slice(from);
    const lessonId = this.lesson.id;
    try {
      for (const c of cells) {
        if (this.lesson.id !== lessonId) return; // the learner opened another lesson
        this.cellEl(c.id)?.scrollIntoView({ block: 'nearest' });
        // Run all answers for the learner only where they have not: their own answer is kept.
        const prev = this.results.get(c.id);
        const answer =
          prev?.predict?.by === 'learner'
            ? prev.predict.answer
            : prev?.choose?.by === 'learner'
              ? prev.choose.choice
              : undefined;
        const r = await this.runCell(c.id, 'stay', { answer, mode: 'default' });
        if (r && !r.ok) {
          this.say(
            `Stopped at cell ${c.id}: it failed. Fix it (or the cluster), then use “Run from here”.`,
            true,
          );
          this.activeId = c.id;
          return;
        }
      }
      this.say(`Ran ${cells.length} cells.`);
    } finally {
      this.batch = false;
    }
  }

  private onSource(cellId: string, source: string): void {
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
      if (this.lesson.id === lessonId)
        this.replaceCell({ ...saved, source: this.unsaved.get(key)?.source ?? saved.source });
      this.say('Saved.');
    } catch (err) {
      if (!this.unsaved.has(key)) this.unsaved.set(key, edit);
      this.say(`Could not save cell ${cellId}: ${(err as Error).message}`, true);
    }
  }

  private flushAll = async () => {
    await Promise.all([...this.unsaved.values()].map((e) => this.flush(e.lessonId, e.cellId)));
  };

  private async resetCell(cellId: string): Promise<void> {
    this.unsaved.delete(editKey(this.lesson.id, cellId));
    try {
      this.replaceCell(await this.client.resetCell(this.lesson.id, cellId));
      this.say(`Cell ${cellId} is back to the lesson's text.`);
    } catch (err) {
      this.say(`Could not reset cell ${cellId}: ${(err as Error).message}`, true);
    }
  }

  private resetLesson = async () => {
    if (!confirm('Reset this lesson? Every edit and scratch cell of it is dropped.')) return;
    for (const [key, e] of this.unsaved) if (e.lessonId === this.lesson.id) this.unsaved.delete(key);
    try {
      const lesson = await this.client.resetLesson(this.lesson.id);
      this.blocks = lesson.blocks;
      this.results = new Map();
      this.variables = {};
      this.say('The lesson is back to its original text.');
    } catch (err) {
      this.say(`Could not reset the lesson: ${(err as Error).message}`, true);
    }
  };

  private freshCluster = async () => {
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
  };

  private async addCell(after: string | null): Promise<void> {
    try {
      const cell = await this.client.addCell(this.lesson.id, after, SCRATCH_SOURCE);
      const at = after === null ? -1 : this.blocks.findIndex((b) => b.kind === 'cell' && b.cell.id === after);
      const blocks = [...this.blocks];
      blocks.splice(at + 1, 0, { kind: 'cell', cell });
      this.blocks = blocks;
      this.activeId = cell.id;
      await this.updateComplete;
      this.cellEl(cell.id)?.focusCell();
    } catch (err) {
      this.say(`Could not add a cell: ${(err as Error).message}`, true);
    }
  }

  private async deleteCell(cellId: string): Promise<void> {
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

  private replaceCell(cell: Cell): void {
    this.blocks = this.blocks.map((b) =>
      b.kind === 'cell' && b.cell.id === cell.id ? { kind: 'cell', cell } : b,
    );
  }

  private focusNext(cellId: string): void {
    const cells = this.cells;
    const next = cells[cells.findIndex((c) => c.id === cellId) + 1];
    if (next) {
      this.activeId = next.id;
      const el = this.cellEl(next.id);
      el?.scrollIntoView({ block: 'nearest' });
      el?.focusCell();
    }
  }

  private cellEl(cellId: string): NotebookCell | null {
    return this.querySelector(`notebook-cell > [data-cell-id="${CSS.escape(cellId)}"]`)
      ?.parentElement as NotebookCell | null;
  }

  private say(text: string, bad = false): void {
    this.note = text;
    this.noteBad = bad;
  }
}

function editKey(lessonId: string, cellId: string): string {
  return `${lessonId}/${cellId}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'notebook-view': NotebookView;
  }
}
