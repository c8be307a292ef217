// The notebook's keys, one button away, so nobody has to guess that Shift+Enter runs a cell
// or that Escape gets them out of an editor.
import { css, html, LitElement } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

const KEYS: [string, string][] = [
  ['Shift+Enter', 'run the cell and move to the next one'],
  ['Ctrl+Enter (⌘+Enter)', 'run the cell and stay on it'],
  ['Escape', "leave the editor, to the cell's Run button; while a cell runs: Stop it and everything queued"],
  ['{{ or Ctrl+Space', 'complete a variable: node1…node5, leader, follower, captures'],
  ['Tab / Shift+Tab', 'move between lessons, buttons, editors and the cluster panel (Tab does not indent)'],
];

@customElement('keyboard-help')
export class KeyboardHelp extends LitElement {
  static override styles = [
    controlStyles,
    css`
      dialog {
        background: var(--surface);
        color: var(--text);
        border: 2px solid var(--border);
        border-radius: 8px;
        max-width: 34rem;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.4);
      }
      h2 {
        margin-top: 0;
        font-size: 1.1rem;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.3rem 1rem;
      }
      dt {
        font: 700 0.9rem var(--mono);
      }
      dd {
        margin: 0;
      }
    `,
  ];

  @query('dialog') private dialog!: HTMLDialogElement;

  override render() {
    return html`<button @click=${() => this.dialog.showModal()} aria-haspopup="dialog">⌨ Keys</button>
      <dialog aria-labelledby="keys-title">
        <h2 id="keys-title">Keyboard</h2>
        <dl>${KEYS.map(([k, what]) => html`<dt>${k}</dt><dd>${what}</dd>`)}</dl>
        <form method="dialog"><button class="primary" autofocus>Close</button></form>
      </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'keyboard-help': KeyboardHelp;
  }
}
