// The output of a `check` cell: each assertion ✓/✗; a failed one says what was expected,
// what was seen and the lesson's hint, so the learner knows what to try next.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CheckAssertionResult as CheckAssertion } from '../../../server/contract/lab-api.ts';
import { controlStyles } from './shared-styles.ts';

@customElement('check-output')
export class CheckOutput extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 0.15rem 0;
      }
      .text {
        font-family: var(--mono);
        font-size: 0.9rem;
      }
      dl {
        margin: 0.2rem 0 0.3rem 1.4rem;
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0 0.6rem;
        color: var(--text);
        font-size: 0.88rem;
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
        font-family: var(--mono);
      }
      dd.hint {
        font-family: var(--font);
      }
      .summary {
        font-weight: 700;
        margin-bottom: 0.2rem;
      }
    `,
  ];

  @property({ attribute: false }) assertions: CheckAssertion[] = [];

  /** The cluster picture jumps to the recorded moment (raft-lab-app listens). */
  private jump(a: CheckAssertion): void {
    const detail = { at: a.moment!.at, eventId: a.moment!.event_id };
    this.dispatchEvent(new CustomEvent('jump-to-moment', { detail, bubbles: true, composed: true }));
  }

  override render() {
    const failed = this.assertions.filter((a) => !a.ok).length;
    return html`<div class="summary ${failed ? 'bad' : 'ok'}" role="status">
        ${
          failed
            ? `✗ ${failed} of ${this.assertions.length} checks failed`
            : `✓ All ${this.assertions.length} checks passed`
        }
      </div>
      <ul>
        ${this.assertions.map(
          (a) => html`<li>
            <span class="text ${a.ok ? 'ok' : 'bad'}" title=${a.shown && a.shown !== a.text ? a.text : nothing}
              >${a.ok ? '✓' : '✗'} ${a.shown ?? a.text}</span
            >
            ${
              a.ok
                ? nothing
                : html`<dl>
                  ${a.expected != null ? html`<dt>expected</dt><dd>${a.expected}</dd>` : nothing}
                  ${a.seen != null ? html`<dt>seen</dt><dd>${a.seen}</dd>` : nothing}
                  ${a.hint ? html`<dt>hint</dt><dd class="hint">${a.hint}</dd>` : nothing}
                  ${
                    a.moment
                      ? html`<dt>when</dt><dd class="hint"><button class="moment" @click=${() => this.jump(a)}>
                          ◀ Show the moment it stopped holding
                        </button></dd>`
                      : nothing
                  }
                </dl>`
            }
          </li>`,
        )}
      </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'check-output': CheckOutput;
  }
}
