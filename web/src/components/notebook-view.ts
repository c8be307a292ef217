// A lesson as a notebook: the toolbar, then prose and cells in order. It only draws: what a
// run involves (saving the edit first, Run all, Stop, outputs kept with the workspace,
// captures) is the NotebookController's (notebook-controller.ts).
import { css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { NotebookLesson as Lesson, RunMode } from '../../../server/contract/lab-api.ts';
import { variableNames } from '../hurl-language.ts';
import type { LabClient } from '../lab-client.ts';
import type { LiveState } from '../live-state.ts';
import { NotebookController } from '../notebook-controller.ts';
import { LightDomElement } from './light-dom-element.ts';
import type { NotebookCell } from './notebook-cell.ts';
import './notebook-cell.ts';
import './notebook-toolbar.ts';
import './prose-block.ts';

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
  /** Called when a check's outcome may have changed the lesson's progress. */
  @property({ attribute: false }) onProgress: () => void = () => {};

  private controller!: NotebookController;

  static override documentStyles = styles;

  override connectedCallback(): void {
    this.controller ??= new NotebookController(
      this,
      this.client,
      this.live,
      {
        sourceOf: (id) => this.cellEl(id)?.source,
        showCell: (id, how) => {
          const el = this.cellEl(id);
          if (how === 'focus') el?.focusCell();
          const block = how === 'focus' ? 'center' : how === 'top' ? 'start' : 'nearest';
          // After this frame's layout: outputs drawn just now change where the cell is.
          requestAnimationFrame(() => el?.scrollIntoView({ block }));
        },
        showTop: () => this.closest('main')?.scrollTo({ top: 0 }),
      },
      () => this.onProgress(),
    );
    super.connectedCallback();
    document.addEventListener('keydown', this.onEscape);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onEscape);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('lesson') && this.lesson) void this.controller.open(this.lesson);
  }

  /** The controller, for tests and for the app's console handle. */
  get notebook(): NotebookController {
    return this.controller;
  }

  override render() {
    const c = this.controller;
    if (!this.lesson || !c.lesson) return nothing;
    const names = variableNames(this.lesson.nodes || 5, Object.keys(c.variables));
    const active = c.cells.find((x) => x.id === c.activeId);
    const firstIsTitle = c.blocks[0]?.kind === 'prose' && /^\s*# /.test(c.blocks[0].markdown);
    return html`<div class="bar">
        <notebook-toolbar
          .busy=${c.busy}
          .canResetCell=${!!active && active.edited && !active.scratch}
          @run-all=${() => c.runAll(0)}
          @run-from=${() =>
            c.runAll(
              Math.max(
                0,
                c.cells.findIndex((x) => x.id === c.activeId),
              ),
            )}
          @stop=${() => c.stop()}
          @add-cell=${() => c.addCell(c.activeId ?? c.cells.at(-1)?.id ?? null)}
          @reset-cell=${() => c.activeId && c.resetCell(c.activeId)}
          @reset-lesson=${() => {
            if (confirm('Reset this lesson? Every edit, scratch cell and output of it is dropped.'))
              void c.resetLesson();
          }}
          @fresh-cluster=${() => c.freshCluster()}
        ></notebook-toolbar>
        <span class="note ${c.noteBad ? 'bad' : ''}" role="status" aria-live="polite">${c.note}</span>
      </div>
      <div
        class="blocks"
        @cell-run=${(e: CellDetail) =>
          c.runCell(e.detail.cellId, e.detail.keys ?? 'stay', {
            answer: e.detail.answer,
            mode: e.detail.mode,
          })}
        @cell-stop=${() => c.stop()}
        @cell-source=${(e: CellDetail) => c.onSource(e.detail.cellId, e.detail.source ?? '')}
        @cell-reset=${(e: CellDetail) => c.resetCell(e.detail.cellId)}
        @cell-delete=${(e: CellDetail) => c.deleteCell(e.detail.cellId)}
        @cell-add=${(e: CellDetail) => c.addCell(e.detail.cellId)}
        @cell-focus=${(e: CellDetail) => c.focus(e.detail.cellId)}
      >
        ${firstIsTitle ? nothing : html`<h1>${this.lesson.title}</h1>`}
        ${c.blocks.map((b) => {
          if (b.kind === 'prose')
            return html`<prose-block .markdown=${b.markdown} .variables=${c.variables}></prose-block>`;
          const result = c.results.get(b.cell.id) ?? null;
          return html`<notebook-cell
            .cell=${b.cell}
            .result=${result}
            .stale=${result !== null && c.isStale(result)}
            .running=${c.running.has(b.cell.id)}
            .progress=${this.live.running.get(`${this.lesson.id}/${b.cell.id}`) ?? null}
            .clock=${() => this.live.now()}
            .active=${b.cell.id === c.activeId}
            .variables=${names}
            .values=${c.variables}
          ></notebook-cell>`;
        })}
      </div>`;
  }

  /** Escape stops what runs (the editor's own Escape, leaving it, still happens too). */
  private onEscape = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this.controller.busy) return;
    if ((e.target as Element | null)?.closest?.('dialog')) return;
    void this.controller.stop();
  };

  private cellEl(cellId: string): NotebookCell | null {
    return this.querySelector(`notebook-cell > [data-cell-id="${CSS.escape(cellId)}"]`)
      ?.parentElement as NotebookCell | null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'notebook-view': NotebookView;
  }
}
