// The output of a `cluster` cell: each action with ✓/✗ and what the lab did, and a link that
// takes the cluster picture back to the moment it was done.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ActionResult } from '../../../server/contract/lab-api.ts';
import { controlStyles } from './shared-styles.ts';

@customElement('cluster-output')
export class ClusterOutput extends LitElement {
  static override styles = [
    controlStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        font-size: 0.9rem;
      }
      .text {
        font-family: var(--mono);
      }
      .detail {
        color: var(--muted);
        margin-left: 0.5rem;
      }
      button.moment {
        padding: 0 0.3rem;
        font-size: 0.75rem;
        margin-left: 0.3rem;
      }
    `,
  ];

  @property({ attribute: false }) actions: ActionResult[] = [];

  private jump(at: number): void {
    this.dispatchEvent(
      new CustomEvent('jump-to-moment', { detail: { at, eventId: null }, bubbles: true, composed: true }),
    );
  }

  override render() {
    return html`<ul>
      ${this.actions.map(
        (a) => html`<li>
          <span class="text ${a.ok ? 'ok' : 'bad'}" title=${a.shown && a.shown !== a.text ? a.text : nothing}
            >${a.ok ? '✓' : '✗'} ${a.shown ?? a.text}</span
          >
          <span class="detail">${a.detail}${a.durationMs != null ? ` (${Math.round(a.durationMs)} ms)` : ''}</span>
          ${
            a.at != null
              ? html`<button class="moment" title="Show this moment in the cluster picture" aria-label="Show the moment of ${a.text}"
                  @click=${() => this.jump(a.at! + a.durationMs)}>◀ show</button>`
              : ''
          }
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cluster-output': ClusterOutput;
  }
}
