// The cluster actions taken so far, from cells and from the panel, newest first, so a lesson
// can say "after you killed the leader…" and the learner can see what they did.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { HistoryItem } from '../live-state.ts';
import { controlStyles } from './shared-styles.ts';

@customElement('action-history')
export class ActionHistory extends LitElement {
  static override styles = [
    controlStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 7.5rem;
        overflow: auto;
        font-size: 0.8rem;
      }
      li {
        display: flex;
        gap: 0.4rem;
        padding: 0.1rem 0;
        border-bottom: 1px solid var(--surface-2);
      }
      time {
        color: var(--muted);
        font-family: var(--mono);
      }
      .text {
        font-family: var(--mono);
        font-weight: 600;
      }
      .source,
      .detail {
        color: var(--muted);
      }
      .detail {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
    `,
  ];

  @property({ attribute: false }) items: HistoryItem[] = [];

  override render() {
    if (!this.items.length)
      return html`<p class="muted">No actions yet. Buttons above and cluster cells add here.</p>`;
    // Focusable: it scrolls, and a keyboard must be able to scroll it too.
    return html`<ol aria-label="Cluster action history, newest first" tabindex="0">
      ${this.items.map(
        (h) => html`<li>
          <time>${new Date(h.at).toLocaleTimeString()}</time>
          <span class=${h.ok ? 'ok' : 'bad'}>${h.ok ? '✓' : '✗'}</span>
          <span class="text" title=${h.shown !== h.text ? h.text : nothing}>${h.shown}</span>
          <span class="source">(${h.source === 'panel' ? 'panel' : 'cell'})</span>
          <span class="detail">${h.detail}</span>
        </li>`,
      )}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'action-history': ActionHistory;
  }
}
