// The banner nobody should ever see: the lab saw two leaders in one term or committed logs
// that disagree. If it appears, the learner found a bug in the nodes worth reporting.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SafetyWarning } from '../../../server/contract/live.ts';
import type { ShownWarning } from '../live-state.ts';
import { controlStyles } from './shared-styles.ts';

const TITLES: Record<SafetyWarning['kind'], string> = {
  'two-leaders': 'Two leaders in the same term',
  'log-divergence': 'Committed logs disagree',
};

@customElement('safety-warning')
export class SafetyWarningBanner extends LitElement {
  static override styles = [
    controlStyles,
    css`
      div {
        background: var(--bad);
        color: var(--surface);
        padding: 0.5rem 1rem;
        display: flex;
        gap: 1rem;
        align-items: flex-start;
      }
      ul {
        margin: 0.2rem 0 0;
        padding-left: 1.2rem;
      }
      strong {
        font-size: 1rem;
      }
      button {
        margin-left: auto;
      }
    `,
  ];

  @property({ attribute: false }) warnings: ShownWarning[] = [];

  override render() {
    if (!this.warnings.length) return nothing;
    return html`<div role="alert">
      <section>
        <strong>⚠ Raft safety violated — this should never happen.</strong>
        <ul>
          ${this.warnings.map((w) => html`<li><strong>${TITLES[w.kind] ?? w.kind}:</strong> ${w.detail}</li>`)}
        </ul>
        The nodes broke a Raft guarantee. Note what you did (the history lists it) and report it as a bug.
      </section>
      <button @click=${() => this.dispatchEvent(new CustomEvent('dismiss'))}>Dismiss</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'safety-warning': SafetyWarningBanner;
  }
}
