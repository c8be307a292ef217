// One cell of the notebook: execution counter [n] (or [*] while it runs), the source (an
// editor for `http`/`cluster`, read-only text for `check`), its buttons and its output.
// Rendered into the page (light DOM) because Monaco lives inside it.
import { css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { NotebookCell as Cell, RunResult } from '../../../server/contract/lab-api.ts';
import type { RunningCell } from '../live-state.ts';
import type { CellEditor, RunKeys } from './cell-editor.ts';
import { LightDomElement } from './light-dom-element.ts';
import { smallButtonLook } from './shared-styles.ts';
import './cell-editor.ts';
import './check-output.ts';
import './cluster-output.ts';
import './http-output.ts';
import './learner-step.ts';
import type { StepRun } from './learner-step.ts';

const styles = css`
  notebook-cell {
    display: block;
    margin: 0.8rem 0;
    /* Below the sticky toolbar when scrolled to. */
    scroll-margin-top: 4.5rem;
  }
  notebook-cell .cell {
    display: grid;
    grid-template-columns: 3.2rem minmax(0, 1fr);
    gap: 0 0.4rem;
    border-left: 4px solid transparent;
    padding: 0.2rem 0.4rem 0.2rem 0;
  }
  notebook-cell .cell.active {
    border-left-color: var(--accent);
  }
  notebook-cell .count {
    font: 0.85rem var(--mono);
    color: var(--muted);
    text-align: right;
    padding-top: 0.3rem;
  }
  notebook-cell .running .count {
    color: var(--accent);
    font-weight: 700;
  }
  notebook-cell .head {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    flex-wrap: wrap;
    margin-bottom: 0.25rem;
    font-size: 0.8rem;
  }
  notebook-cell .kind {
    font-weight: 700;
    text-transform: uppercase;
    letter-spacing: 0.05em;
    color: var(--muted);
  }
  notebook-cell .badge {
    border: 1px solid var(--border);
    border-radius: 3px;
    padding: 0 0.3rem;
    color: var(--muted);
  }
  notebook-cell .spacer {
    flex: 1;
  }
  notebook-cell .head button {
    ${smallButtonLook}
  }
  notebook-cell .head button.run {
    background: var(--accent);
    color: var(--accent-text);
    border-color: var(--accent);
    font-weight: 700;
  }
  notebook-cell .head button:disabled {
    opacity: 0.5;
  }
  notebook-cell .head button.run.stop {
    background: var(--bad);
    border-color: var(--bad);
    color: var(--accent-text);
  }
  notebook-cell .waiting {
    margin-top: 0.3rem;
    font-size: 0.85rem;
    color: var(--text);
    border-left: 3px solid var(--accent);
    padding: 0.2rem 0.5rem;
    background: var(--surface);
  }
  notebook-cell .waiting code {
    font: 0.85rem var(--mono);
  }
  notebook-cell .output.stale {
    border-style: dashed;
    border-color: var(--warn);
  }
  notebook-cell .stale-note {
    font-size: 0.8rem;
    color: var(--warn);
    font-weight: 600;
    margin-bottom: 0.3rem;
  }
  notebook-cell .busy {
    color: var(--accent);
    font-weight: 700;
  }
  notebook-cell pre.check-source {
    margin: 0;
    padding: 6px 10px;
    font: 13px/19px var(--mono);
    background: var(--code-bg);
    border: 1px dashed var(--border);
    border-radius: 4px;
    white-space: pre-wrap;
  }
  notebook-cell .output {
    margin-top: 0.4rem;
    padding: 0.4rem 0.6rem;
    border-radius: 4px;
    background: var(--surface);
    border: 1px solid var(--border);
  }
  notebook-cell .output.failed {
    border-color: var(--bad);
  }
  notebook-cell .run-error {
    color: var(--bad);
  }
  notebook-cell .run-error .hint {
    color: var(--text);
    margin-top: 0.2rem;
  }
  notebook-cell .meta {
    font-size: 0.75rem;
    color: var(--muted);
    margin-top: 0.3rem;
  }
`;

const KIND_LABEL = {
  http: 'HTTP request',
  cluster: 'Cluster actions',
  check: 'Check',
  predict: 'Predict',
  choose: 'Your choice',
  act: 'Your turn',
} as const;

/** Cells the learner answers with their own buttons (no Run button, no editor). */
const isStep = (type: Cell['type']) => type === 'predict' || type === 'choose' || type === 'act';

@customElement('notebook-cell')
export class NotebookCell extends LightDomElement {
  @property({ attribute: false }) cell!: Cell;
  @property({ attribute: false }) result: RunResult | null = null;
  @property({ type: Boolean }) running = false;
  /** While it runs: its attempt and what a waiting check or `wait` still waits for. */
  @property({ attribute: false }) progress: RunningCell | null = null;
  /** The lab's clock (epoch ms), for the time left of a wait. */
  @property({ attribute: false }) clock: () => number = () => Date.now();
  /** The output is from an earlier cluster (reset or lab restarted since). */
  @property({ type: Boolean }) stale = false;
  @property({ type: Boolean }) active = false;
  @property({ attribute: false }) variables: readonly string[] = [];
  /** The lesson's captured values (a learner step's question shows them). */
  @property({ attribute: false }) values: Readonly<Record<string, unknown>> = {};
  @query('cell-editor') private editor?: CellEditor;
  @query('button.run') private runButton?: HTMLButtonElement;

  static override documentStyles = styles;
  private ticker: ReturnType<typeof setInterval> | null = null;

  protected override updated(): void {
    // A wait's time left counts down while it runs.
    const counting = this.running && (this.progress?.deadlineAt ?? 0) > 0;
    if (counting && !this.ticker) this.ticker = setInterval(() => this.requestUpdate(), 500);
    if (!counting && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Puts the keyboard in this cell: its editor, or its Run button for a check. */
  focusCell(): void {
    if (this.editor) this.editor.focus();
    else this.runButton?.focus();
  }

  /** The source as typed right now (ahead of any debounced save). */
  get source(): string {
    return this.editor?.source ?? this.cell.source;
  }

  override render() {
    const c = this.cell;
    const r = this.result;
    const counter = this.running ? '*' : r ? String(r.count) : ' ';
    return html`<section
      class="cell ${this.active ? 'active' : ''} ${this.running ? 'running' : ''}"
      aria-label="${KIND_LABEL[c.type]} cell ${c.id}"
      data-cell-id=${c.id}
      data-cell-type=${c.type}
      @focusin=${this.onFocus}
      @keydown=${this.onKey}
      @run-keys=${this.onRunKeys}
      @leave-editor=${() => this.runButton?.focus()}
    >
      <div class="count" aria-label=${this.running ? 'running' : r ? `run number ${r.count}` : 'not run yet'}>
        [${counter}]
      </div>
      <div>
        <div class="head">
          <span class="kind">${KIND_LABEL[c.type]}</span>
          ${c.scratch ? html`<span class="badge">scratch</span>` : nothing}
          ${c.edited && !c.scratch ? html`<span class="badge">edited</span>` : nothing}
          ${this.running ? html`<span class="busy" role="status">${this.busyText()}</span>` : nothing}
          <span class="spacer"></span>
          ${
            isStep(c.type) && !this.running
              ? nothing
              : html`<button
                class="run ${this.running ? 'stop' : ''}"
                aria-label=${`${this.running ? 'Stop' : 'Run'} cell ${c.id}${this.running ? ' (Escape)' : ''}`}
                aria-keyshortcuts=${this.running ? 'Escape' : 'Shift+Enter'}
                @click=${() => (this.running ? this.emit('cell-stop') : this.emit('cell-run', { keys: 'stay' }))}
              >
                ${this.running ? '■ Stop' : '▶ Run'}
              </button>`
          }
          ${
            c.edited && !c.scratch
              ? html`<button @click=${() => this.emit('cell-reset')} title="Back to the lesson's text">Reset</button>`
              : nothing
          }
          ${c.scratch ? html`<button @click=${() => this.emit('cell-delete')}>Delete</button>` : nothing}
          <button @click=${() => this.emit('cell-add')} title="Add a scratch HTTP cell below this one">+ Cell below</button>
        </div>
        ${
          isStep(c.type)
            ? html`<learner-step
              .cell=${c}
              .result=${r}
              .running=${this.running}
              .values=${this.values}
              @step-run=${(e: CustomEvent<StepRun>) => this.emit('cell-run', { keys: 'stay', ...e.detail })}
            ></learner-step>`
            : c.type === 'check'
              ? html`<pre class="check-source" aria-label="Check (read-only)">${c.source}</pre>`
              : html`<cell-editor
              .value=${c.source}
              .language=${c.type === 'cluster' ? 'cluster' : 'http'}
              .label=${`${KIND_LABEL[c.type]} ${c.id}`}
              .variables=${this.variables}
              @source-change=${(e: CustomEvent<{ source: string }>) => this.emit('cell-source', { source: e.detail.source })}
            ></cell-editor>`
        }
        ${this.running ? this.waiting() : nothing}
        ${r ? this.output(r) : nothing}
      </div>
    </section>`;
  }

  private busyText(): string {
    const p = this.progress;
    if (p && p.waitingFor.length > 0) return 'Waiting…';
    return !p || p.attempt <= 1 ? 'Running…' : `Running… attempt ${p.attempt}`;
  }

  /** What a waiting check or `wait` still waits for, and the time it has left. */
  private waiting() {
    const p = this.progress;
    if (!p || p.waitingFor.length === 0) return nothing;
    const left = p.deadlineAt > 0 ? Math.max(0, Math.ceil((p.deadlineAt - this.clock()) / 1000)) : null;
    return html`<div class="waiting" role="status" aria-live="off">
      Waiting for ${p.waitingFor.map((w, i) => html`${i > 0 ? ', ' : ''}<code>${w}</code>`)}
      ${left !== null ? html`· <strong>${left} s</strong> left` : nothing} · <kbd>Esc</kbd> stops
    </div>`;
  }

  private output(r: RunResult) {
    return html`<div
      class="output ${r.ok ? '' : 'failed'} ${this.stale ? 'stale' : ''}"
      data-ok=${r.ok ? 'true' : 'false'}
      data-stale=${this.stale ? 'true' : 'false'}
      aria-live="polite"
    >
      ${
        this.stale
          ? html`<div class="stale-note">From an earlier run: the cluster has been reset (or the lab restarted) since. Run the cell again to see the cluster as it is now.</div>`
          : nothing
      }
      ${
        r.error
          ? html`<div class="run-error" role="alert">
            ✗ ${r.error.message}${r.error.line ? ` (line ${r.error.line})` : ''}
            ${r.error.hint ? html`<div class="hint">${r.error.hint}</div>` : nothing}
          </div>`
          : nothing
      }
      ${r.http?.entries?.length ? html`<http-output .entries=${r.http.entries}></http-output>` : nothing}
      ${r.cluster?.actions?.length ? html`<cluster-output .actions=${r.cluster.actions}></cluster-output>` : nothing}
      ${r.check?.assertions?.length ? html`<check-output .assertions=${r.check.assertions}></check-output>` : nothing}
      <div class="meta">
        ${r.stopped ? '■ stopped' : r.ok ? '✓ passed' : '✗ failed'} · ${Math.round(r.durationMs)} ms ·
        <time datetime=${new Date(r.startedAt).toISOString()}>${new Date(r.startedAt).toLocaleTimeString()}</time>
      </div>
    </div>`;
  }

  private onFocus = () => {
    if (!this.active) this.emit('cell-focus');
  };

  private onKey = (e: KeyboardEvent) => {
    // Shift+Enter anywhere in a cell outside its editor (e.g. on a check's Run button).
    if (
      e.key === 'Enter' &&
      (e.shiftKey || e.ctrlKey || e.metaKey) &&
      !(e.target as Element).closest('cell-editor')
    ) {
      e.preventDefault();
      this.emit('cell-run', { keys: e.shiftKey ? 'advance' : 'stay' });
    }
  };

  private onRunKeys = (e: CustomEvent<{ keys: RunKeys }>) => {
    e.stopPropagation();
    this.emit('cell-run', { keys: e.detail.keys });
  };

  private emit(name: string, detail: Record<string, unknown> = {}): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { cellId: this.cell.id, ...detail }, bubbles: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'notebook-cell': NotebookCell;
  }
}
