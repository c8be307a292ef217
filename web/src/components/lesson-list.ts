// The lessons, in order, each with its progress (checks passed) in words and as a bar.
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LessonSummary } from '../../../server/contract/lab-api.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * A lesson's number as the lessons and the README say it: its front matter's `order` (2.5 → "2½"),
 * not its place in the list, so "lesson 11" in a lesson's text stays lesson 11 when one is inserted.
 */
export function lessonNumber(order: number): string {
  if (Number.isInteger(order)) return String(order);
  return Number.isInteger(order - 0.5) ? `${Math.floor(order)}½` : String(order);
}

@customElement('lesson-list')
export class LessonList extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      h2 {
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--muted);
        margin: 0.6rem 0.8rem 0.3rem;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      a {
        display: block;
        padding: 0.45rem 0.8rem;
        color: var(--text);
        text-decoration: none;
        border-left: 4px solid transparent;
      }
      a:hover {
        background: var(--surface-2);
      }
      a[aria-current='page'] {
        border-left-color: var(--accent);
        background: var(--surface-2);
        font-weight: 700;
      }
      .title {
        display: block;
      }
      .progress {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        font-size: 0.72rem;
        color: var(--muted);
        font-weight: 400;
        white-space: nowrap;
      }
      meter {
        width: 2.5rem;
        height: 0.5rem;
      }
      .done {
        color: var(--ok);
        font-weight: 700;
      }
    `,
  ];

  @property({ attribute: false }) lessons: LessonSummary[] = [];
  @property() current = '';

  override render() {
    return html`<nav aria-label="Lessons">
      <h2>Lessons</h2>
      <ol>
        ${this.lessons.map((l) => {
          const passed = Math.min(l.passed ?? 0, l.checks);
          const done = l.checks > 0 && passed === l.checks;
          return html`<li>
            <a href="#/lesson/${encodeURIComponent(l.id)}" aria-current=${l.id === this.current ? 'page' : 'false'} title=${l.summary}>
              <span class="title">${lessonNumber(l.order)}. ${l.title}</span>
              <span class="progress">
                ${
                  l.checks
                    ? html`<meter min="0" max=${l.checks} value=${passed} aria-hidden="true"></meter>
                      <span class=${done ? 'done' : ''}>${done ? '✓ ' : ''}${passed}/${l.checks} checks passed</span>`
                    : html`<span>no checks</span>`
                }
              </span>
            </a>
          </li>`;
        })}
      </ol>
    </nav>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lesson-list': LessonList;
  }
}
