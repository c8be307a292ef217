// One node's log as RaftScope draws it: a strip of entries aligned by index across nodes,
// each coloured by its term (and labelled with it), committed entries solid, the rest
// dashed and faded.
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LogEntry } from '../../../server/contract/raft-rpc.ts';

/** Which of the theme's term colours a term has: 1–7 cycle, 0 (no term yet) is grey. */
export function termSlot(term: number): number {
  return term <= 0 ? 0 : ((term - 1) % 7) + 1;
}

/** The CSS colour of a term (`--term-N`). */
export function termColor(term: number): string {
  return `var(--term-${termSlot(term)})`;
}

export interface StripSlot {
  index: number;
  entry: LogEntry | null;
  committed: boolean;
}

/** The slots from..to (inclusive), each holding the node's entry at that index if it has one. */
export function stripSlots(
  entries: readonly LogEntry[],
  commitIndex: number,
  from: number,
  to: number,
): StripSlot[] {
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  const slots: StripSlot[] = [];
  for (let i = from; i <= to; i++) {
    const entry = byIndex.get(i) ?? null;
    slots.push({ index: i, entry, committed: entry !== null && i <= commitIndex });
  }
  return slots;
}

@customElement('log-strip')
export class LogStrip extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    ol {
      display: flex;
      gap: 2px;
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      flex: 0 0 var(--slot, 18px);
      height: 20px;
      border-radius: 3px;
      font: 700 11px/18px var(--mono);
      text-align: center;
      color: var(--term-text);
      border: 1px solid transparent;
    }
    li.empty {
      border: 1px dotted var(--border);
    }
    li.uncommitted {
      border: 2px dashed var(--text);
      line-height: 16px;
      opacity: 0.65;
    }
    li.committed {
      border: 1px solid var(--text);
    }
  `;

  @property({ attribute: false }) entries: LogEntry[] = [];
  @property({ type: Number }) commitIndex = 0;
  @property({ type: Number }) from = 1;
  @property({ type: Number }) to = 0;
  @property() node = '';

  override render() {
    const slots = stripSlots(this.entries, this.commitIndex, this.from, this.to);
    const last = this.entries.at(-1)?.index ?? 0;
    const label =
      last === 0
        ? `${this.node} log: empty`
        : `${this.node} log: ${last} entries, committed up to ${this.commitIndex}, last term ${this.entries.at(-1)?.term}`;
    return html`<ol aria-label=${label}>
      ${slots.map((s) =>
        s.entry
          ? html`<li
              class=${s.committed ? 'committed' : 'uncommitted'}
              style="background:${termColor(s.entry.term)}"
              title="#${s.index} term ${s.entry.term}: ${s.entry.command ?? '(no-op)'}${s.committed ? ' — committed' : ' — not committed'}"
            >
              ${s.entry.term}
            </li>`
          : html`<li class="empty" aria-hidden="true"></li>`,
      )}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'log-strip': LogStrip;
  }
}
