// A learner step (predict, choose, act): the question or instruction, the answers to pick
// from, the buttons, and afterwards what happened. The options come from the lesson's own
// parser (browser-safe), so the question shows before anything ran.
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type {
  NotebookCell as Cell,
  CheckAssertionResult,
  PredictionOutcome,
  RunMode,
  RunResult,
} from '../../../server/contract/lab-api.ts';
import {
  parseActCell,
  parseChooseCell,
  parsePredictCell,
} from '../../../server/lessons/parse-learner-cells.ts';
import { renderMarkdown, withValues } from './prose-block.ts';
import { controlStyles } from './shared-styles.ts';
import './check-output.ts';

interface Step {
  text: string;
  options: { key: string; text: string }[];
  defaultKey: string | null;
}

/** The parsed question of a predict/choose/act cell (null when the source does not parse). */
export function stepOf(cell: Pick<Cell, 'type' | 'source'>): Step | null {
  try {
    if (cell.type === 'predict') {
      const p = parsePredictCell(cell.source);
      return { text: p.question, options: p.options, defaultKey: p.defaultKey };
    }
    if (cell.type === 'choose') {
      const c = parseChooseCell(cell.source);
      return { text: c.question, options: c.options, defaultKey: c.defaultKey };
    }
    if (cell.type === 'act')
      return { text: parseActCell(cell.source).instruction, options: [], defaultKey: null };
  } catch {
    // The lab reports a malformed cell when it runs.
  }
  return null;
}

/** A run the step asks for: the learner's answer, or the lesson's default. */
export type StepRun = { answer?: string; mode: RunMode };

@customElement('learner-step')
export class LearnerStep extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        border: 1px solid var(--border);
        border-left: 4px solid var(--accent);
        border-radius: 4px;
        padding: 0.5rem 0.8rem;
        background: var(--surface);
        line-height: 1.5;
      }
      .text :first-child {
        margin-top: 0;
      }
      .text :last-child {
        margin-bottom: 0.3rem;
      }
      .text code {
        font: 0.9em var(--mono);
        background: var(--code-bg);
        padding: 0 0.25rem;
        border-radius: 3px;
      }
      fieldset {
        border: none;
        margin: 0.2rem 0 0.4rem;
        padding: 0;
      }
      legend {
        font-weight: 700;
        font-size: 0.85rem;
        color: var(--muted);
        padding: 0;
      }
      label {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        padding: 0.15rem 0.2rem;
        border-radius: 4px;
        cursor: pointer;
      }
      label:hover {
        background: var(--surface-2);
      }
      label.right {
        outline: 2px solid var(--ok);
      }
      label.wrong {
        outline: 2px dashed var(--bad);
      }
      .tag {
        font-size: 0.75rem;
        font-weight: 700;
        margin-left: auto;
        white-space: nowrap;
      }
      button[aria-disabled='true'] {
        opacity: 0.5;
        cursor: not-allowed;
      }
      .buttons {
        display: flex;
        gap: 0.4rem;
        flex-wrap: wrap;
        align-items: center;
      }
      .note {
        font-size: 0.85rem;
        color: var(--muted);
      }
      .var {
        font-weight: 700;
      }
      .var.unknown {
        font-weight: 400;
        font-family: var(--mono);
        color: var(--muted);
      }
      .outcome {
        margin-top: 0.5rem;
        padding-top: 0.4rem;
        border-top: 1px dashed var(--border);
      }
      .verdict {
        font-weight: 700;
      }
      .explain {
        margin-top: 0.3rem;
      }
      ul.evidence {
        list-style: none;
        margin: 0.3rem 0;
        padding: 0;
        font-size: 0.88rem;
      }
      ul.evidence code {
        font: 0.85rem var(--mono);
      }
    `,
  ];

  @property({ attribute: false }) cell!: Cell;
  @property({ attribute: false }) result: RunResult | null = null;
  @property({ type: Boolean }) running = false;
  /** The lesson's captured variables, shown where the question names them. */
  @property({ attribute: false }) values: Readonly<Record<string, unknown>> = {};
  @state() private picked: string | null = null;

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('result') || changed.has('cell')) {
      this.picked = this.result?.predict?.answer ?? this.result?.choose?.choice ?? this.picked;
    }
  }

  override render() {
    const step = stepOf(this.cell);
    if (!step) return html`<p class="bad">This ${this.cell.type} cell cannot be read; run it to see why.</p>`;
    const name = `${this.cell.id}-answer`;
    return html`<div class="text">${unsafeHTML(withValues(renderMarkdown(this.shownText(step.text)), this.values))}</div>
      ${this.cell.type === 'act' ? this.actButtons() : this.choices(step, name)}
      ${this.outcome()}`;
  }

  /** The question as the learner reads it: the lab's version (captured values filled in) once it ran. */
  private shownText(text: string): string {
    return (
      this.result?.predict?.question ?? this.result?.choose?.question ?? this.result?.act?.instruction ?? text
    );
  }

  /** An option's text, from the lab's run when there is one (captured values filled in). */
  private optionText(o: { key: string; text: string }): string {
    const ran = this.result?.predict?.options ?? this.result?.choose?.options;
    return ran?.find((x) => x.key === o.key)?.text ?? o.text;
  }

  private choices(step: Step, name: string) {
    const outcome = this.result?.predict?.outcome ?? null;
    const locked = this.result?.predict?.answer ?? this.result?.choose?.choice ?? null;
    // Once the cluster has decided, the verdict stands; a new prediction waits for the next run.
    const verb =
      this.cell.type === 'predict' ? (outcome ? 'Predict again' : 'Lock in my prediction') : 'Choose';
    return html`<fieldset>
        <legend>${this.cell.type === 'predict' ? 'Your prediction' : 'Your choice'}</legend>
        ${step.options.map((o) => {
          const happened = outcome?.happened.includes(o.key);
          const cls = outcome ? (happened ? 'right' : o.key === outcome.answer ? 'wrong' : '') : '';
          return html`<label class=${cls}>
            <input
              type="radio"
              name=${name}
              value=${o.key}
              .checked=${this.picked === o.key}
              @change=${() => {
                this.picked = o.key;
              }}
            />
            <span>${unsafeHTML(withValues(escapeHtml(this.optionText(o)), this.values))}</span>
            ${happened ? html`<span class="tag ok">what happened</span>` : nothing}
            ${locked === o.key && !happened ? html`<span class="tag muted">your answer</span>` : nothing}
          </label>`;
        })}
      </fieldset>
      <div class="buttons">
        <button
          class="primary"
          data-step="answer"
          aria-disabled=${this.picked === null || this.running ? 'true' : 'false'}
          @click=${() => this.picked !== null && !this.running && this.ask({ answer: this.picked, mode: 'learner' })}
        >
          ${verb}
        </button>
        ${
          outcome
            ? nothing
            : html`<button
              data-step="default"
              aria-disabled=${this.running ? 'true' : 'false'}
              @click=${() => !this.running && this.ask({ mode: 'default' })}
            >
              Use the lesson's ${this.cell.type === 'predict' ? 'answer' : 'choice'}
            </button>`
        }
        <span class="note" role="status">${this.lockedNote(locked)}</span>
      </div>`;
  }

  private lockedNote(locked: string | null): string {
    const r = this.result;
    if (this.picked === null && !locked) return 'Pick one first.';
    if (r?.predict && !r.predict.outcome)
      return `Locked in${r.predict.by === 'default' ? ' (the lesson’s answer)' : ''}. Now run the next cell and see.`;
    if (r?.choose)
      return `Chosen${r.choose.by === 'default' ? ' (the lesson’s choice)' : ''}: ${setText(r.choose.shown ?? r.choose.set)}`;
    return '';
  }

  private actButtons() {
    return html`<div class="buttons">
      <button
        class="primary"
        data-step="check"
        aria-disabled=${this.running ? 'true' : 'false'}
        @click=${() => !this.running && this.ask({ mode: 'learner' })}
      >
        I did it: check
      </button>
      <button
        data-step="default"
        aria-disabled=${this.running ? 'true' : 'false'}
        @click=${() => !this.running && this.ask({ mode: 'default' })}
      >
        Do it for me
      </button>
    </div>`;
  }

  private outcome() {
    const r = this.result;
    if (r?.predict?.outcome) return predictionOutcome(r.predict.outcome, r.predict.options);
    if (r?.act) {
      const did = r.act.by === 'default' ? 'The lab did it for you:' : 'What you did:';
      return html`<div class="outcome">
        ${r.act.actions.length ? html`<div class="note">${did} ${r.act.actions.map((a) => a.shown ?? a.text).join(', ')}</div>` : nothing}
        <check-output .assertions=${r.act.done}></check-output>
      </div>`;
    }
    return nothing;
  }

  private ask(run: StepRun): void {
    this.dispatchEvent(new CustomEvent('step-run', { detail: run, bubbles: true, composed: true }));
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function setText(set: Record<string, unknown>): string {
  return Object.entries(set)
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** "You predicted X; the cluster did Y", the lines that decided it, and the explanation. */
function predictionOutcome(o: PredictionOutcome, options: { key: string; text: string }[]) {
  const text = (key: string) => options.find((x) => x.key === key)?.text ?? key;
  const verdict =
    o.correct === null
      ? html`<span class="verdict bad">None of the answers happened.</span>`
      : o.correct
        ? html`<span class="verdict ok">✓ Right: ${text(o.answer ?? '')}</span>`
        : html`<span class="verdict bad">✗ Not this time: you said “${text(o.answer ?? '')}”, the cluster did “${o.happened.map(text).join('”, “')}”.</span>`;
  // What decided it: the lines of what happened, and of the learner's answer when it did not.
  const shown = o.options.filter((x) => o.happened.includes(x.key) || x.key === o.answer);
  return html`<div class="outcome" role="status">
    ${verdict}${o.by === 'default' ? html` <span class="note">(the lesson’s answer, picked by Run all)</span>` : nothing}
    ${
      shown.some((x) => x.lines.length)
        ? html`<ul class="evidence" aria-label="What the cluster showed">
          ${shown.flatMap((x) => x.lines.map((l) => evidence(l)))}
        </ul>`
        : nothing
    }
    <div class="explain">${unsafeHTML(renderMarkdown(o.explain))}</div>
  </div>`;
}

function evidence(l: CheckAssertionResult) {
  return html`<li class=${l.ok ? 'ok' : 'bad'} title=${l.shown && l.shown !== l.text ? l.text : nothing}>
    ${l.ok ? '✓' : '✗'} <code>${l.shown ?? l.text}</code> <span class="muted">— seen ${l.seen}</span>
  </li>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'learner-step': LearnerStep;
  }
}
