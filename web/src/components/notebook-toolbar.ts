// The notebook's toolbar, like Jupyter's: run all (Stop while anything runs), run from the
// active cell, reset the active cell or the whole lesson, add a scratch cell, and a fresh
// cluster. It only says what was asked for; the notebook controller does it.
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

@customElement('notebook-toolbar')
export class NotebookToolbar extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        gap: 0.3rem;
        flex-wrap: wrap;
        align-items: center;
      }
      .sep {
        width: 1px;
        align-self: stretch;
        background: var(--border);
      }
      button {
        font-size: 0.8rem;
        padding: 0.2rem 0.45rem;
      }
      /* Still focusable while the notebook runs, so the keyboard is not thrown to the page. */
      button[aria-disabled='true'] {
        opacity: 0.5;
        cursor: not-allowed;
      }
      button.stop {
        background: var(--bad);
        border-color: var(--bad);
        color: var(--accent-text);
        font-weight: 700;
      }
    `,
  ];

  @property({ type: Boolean }) busy = false;
  @property({ type: Boolean }) canResetCell = false;

  override render() {
    return html`<div role="toolbar" aria-label="Notebook" style="display:contents">
      <button
        class=${this.busy ? 'stop' : 'primary'}
        data-action=${this.busy ? 'stop' : 'run-all'}
        aria-keyshortcuts=${this.busy ? 'Escape' : ''}
        title=${this.busy ? 'Stop the running cell and every cell after it (Escape)' : 'Run every cell from the top; stops at the first that fails'}
        @click=${() => this.emit(this.busy ? 'stop' : 'run-all')}
      >
        ${this.busy ? '■ Stop' : '▶▶ Run all'}
      </button>
      <button
        data-action="run-from"
        aria-disabled=${this.busy ? 'true' : 'false'}
        @click=${() => !this.busy && this.emit('run-from')}
      >
        ▶ Run from here
      </button>
      <span class="sep"></span>
      <button data-action="add-cell" @click=${() => this.emit('add-cell')}>+ Cell</button>
      <button data-action="reset-cell" ?disabled=${!this.canResetCell} @click=${() => this.emit('reset-cell')}>
        Reset cell
      </button>
      <button data-action="reset-lesson" @click=${() => this.emit('reset-lesson')}>Reset lesson</button>
      <span class="sep"></span>
      <button
        data-action="fresh-cluster"
        aria-disabled=${this.busy ? 'true' : 'false'}
        @click=${() => !this.busy && this.emit('fresh-cluster')}
        title="Wipe every node and start a new cluster"
      >
        ⟳ Fresh cluster
      </button>
    </div>`;
  }

  private emit(name: string): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'notebook-toolbar': NotebookToolbar;
  }
}
