// A JSON value as a collapsible, highlighted tree. Children are rendered only when their
// node is open, so a 100-entry log costs nothing until someone looks at it.
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

@customElement('json-tree')
export class JsonTree extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font: 0.85rem/1.5 var(--mono);
      }
      ul {
        list-style: none;
        margin: 0;
        padding-left: 1.2rem;
      }
      .toggle {
        border: none;
        background: none;
        padding: 0 0.2rem;
        font: inherit;
        color: var(--muted);
      }
      .key {
        color: var(--json-key);
      }
      .string {
        color: var(--json-string);
      }
      .number {
        color: var(--json-number);
      }
      .boolean,
      .null {
        color: var(--json-literal);
      }
      .summary {
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) value: unknown = null;
  /** Objects and arrays at a depth below this start open. */
  @property({ type: Number }) openDepth = 1;
  /** Paths the learner opened or closed by hand, e.g. "$.log". */
  @state() private toggled = new Map<string, boolean>();

  override render() {
    return this.node(this.value as Json, '$', 0, null, true);
  }

  private node(v: Json, path: string, depth: number, key: string | null, last: boolean): TemplateResult {
    const keyPart = key === null ? nothing : html`<span class="key">${JSON.stringify(key)}</span>: `;
    const comma = last ? '' : ',';
    if (v === null || typeof v !== 'object') {
      return html`<div>${keyPart}${this.scalar(v)}${comma}</div>`;
    }
    const isArray = Array.isArray(v);
    const entries: [string | null, Json][] = isArray
      ? (v as Json[]).map((x) => [null, x])
      : Object.entries(v as Record<string, Json>);
    const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return html`<div>${keyPart}${open}${close}${comma}</div>`;
    const isOpen = this.toggled.get(path) ?? (depth < this.openDepth && entries.length <= 50);
    const count = isArray ? `${entries.length} items` : `${entries.length} keys`;
    return html`<div>
      <button
        class="toggle"
        aria-expanded=${isOpen ? 'true' : 'false'}
        aria-label="${isOpen ? 'Collapse' : 'Expand'} ${key ?? 'value'} (${count})"
        @click=${() => this.toggle(path, !isOpen)}
      >
        ${isOpen ? '▾' : '▸'}</button
      >${keyPart}${open}${
        isOpen
          ? html`<ul>
              ${entries.map(
                ([k, x], i) =>
                  html`<li>
                    ${this.node(x, isArray ? `${path}[${i}]` : `${path}.${k}`, depth + 1, k, i === entries.length - 1)}
                  </li>`,
              )}
            </ul>
            ${close}${comma}`
          : html`<span class="summary"> … ${count} </span>${close}${comma}`
      }
    </div>`;
  }

  private scalar(v: null | boolean | number | string) {
    const t = v === null ? 'null' : typeof v;
    return html`<span class=${t}>${JSON.stringify(v)}</span>`;
  }

  private toggle(path: string, open: boolean): void {
    this.toggled = new Map(this.toggled).set(path, open);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'json-tree': JsonTree;
  }
}
