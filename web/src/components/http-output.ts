// The output of an `http` cell: for each request, what was sent (variables filled in),
// each redirect hop, the status and time, headers (collapsed), the body as a JSON tree,
// then every assertion and capture with ✓/✗.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type {
  HttpEntryResult as HttpEntry,
  SentRequest as HttpRequestSent,
} from '../../../server/contract/lab-api.ts';
import { controlStyles } from './shared-styles.ts';
import './json-tree.ts';

@customElement('http-output')
export class HttpOutput extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 0.9rem;
      }
      .entry + .entry {
        border-top: 1px dashed var(--border);
        margin-top: 0.6rem;
        padding-top: 0.6rem;
      }
      .line {
        font-family: var(--mono);
        overflow-wrap: anywhere;
      }
      .method {
        font-weight: 700;
      }
      .status {
        font-weight: 700;
      }
      .hop {
        font-family: var(--mono);
        color: var(--muted);
        padding-left: 1rem;
      }
      details {
        margin: 0.25rem 0;
      }
      summary {
        cursor: pointer;
        color: var(--muted);
      }
      pre {
        margin: 0.25rem 0;
        padding: 0.4rem;
        background: var(--code-bg);
        border-radius: 4px;
        font: 0.85rem/1.4 var(--mono);
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-height: 20rem;
        overflow: auto;
      }
      table {
        border-collapse: collapse;
        font: 0.8rem/1.4 var(--mono);
      }
      td {
        padding: 0 0.6rem 0 0;
        vertical-align: top;
      }
      ul.results {
        list-style: none;
        margin: 0.3rem 0 0;
        padding: 0;
      }
      ul.results li {
        font-family: var(--mono);
        font-size: 0.85rem;
      }
      .detail {
        color: var(--muted);
        padding-left: 1.4rem;
        font-family: var(--font);
      }
      .note {
        color: var(--muted);
        font-size: 0.82rem;
        margin: 0.2rem 0;
      }
      .note code {
        font: 0.8rem var(--mono);
      }
      .body {
        background: var(--code-bg);
        border-radius: 4px;
        padding: 0.3rem 0.4rem;
        max-height: 24rem;
        overflow: auto;
      }
    `,
  ];

  @property({ attribute: false }) entries: HttpEntry[] = [];

  override render() {
    return this.entries.map((e, i) => this.entry(e, i));
  }

  private entry(e: HttpEntry, i: number) {
    const r = e.response;
    return html`<section class="entry" aria-label="Request ${i + 1}">
      ${e.request ? this.request(e.request) : nothing}
      ${(e.hops ?? []).map(
        (h) =>
          html`<div class="hop">
            ↪ ${h.method} ${h.url} → <strong>${h.status}</strong>${h.location ? html` Location: ${h.location}` : nothing}
            (${ms(h.durationMs)})
          </div>`,
      )}
      ${this.session(e)}
      ${e.error ? html`<div class="bad">✗ ${e.error.message}${e.error.hint ? html`<div class="detail">${e.error.hint}</div>` : nothing}</div>` : nothing}
      ${
        r
          ? html`<div class="line">
              <span class="muted">←</span>
              <span class="status ${r.status < 400 ? 'ok' : 'bad'}">HTTP ${r.status}</span>
              <span class="muted">in ${ms(r.durationMs)}${e.attempts > 1 ? `, after ${e.attempts} attempts` : ''}</span>
            </div>
            <details>
              <summary>Headers (${Object.keys(r.headers ?? {}).length})</summary>
              <table>
                ${Object.entries(r.headers ?? {}).map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}
              </table>
            </details>
            ${this.body(r.body, r.bodyText)}`
          : nothing
      }
      ${this.results(e)}
      ${e.notResent ? html`<div class="note" role="note">↺ ${e.notResent}</div>` : nothing}
    </section>`;
  }

  /** The client session a write carried, so a retry is applied at most once (§6.3). */
  private session(e: HttpEntry) {
    const s = e.session;
    if (!s) return nothing;
    const opened = s.opened
      ? html` The lab opened this session first with the command <code>register</code>${s.opened.index !== null ? html` (log entry ${s.opened.index})` : nothing}.`
      : nothing;
    return html`<div class="note" role="note">
      ${s.by === 'lab' ? 'Sent with a client session the lab added' : 'Sent with your client session'}:
      <code>client_id ${JSON.stringify(s.clientId)}</code>, <code>request_id ${JSON.stringify(s.requestId)}</code> —
      if it has to be sent again, the cluster applies it at most once (dissertation §6.3).${opened}
    </div>`;
  }

  /** The request as sent (an entry whose request could not be built, e.g. for an unknown variable, has none). */
  private request(req: HttpRequestSent) {
    const headers = Object.entries(req.headers ?? {});
    return html`<div class="line">
        <span class="muted">→</span> <span class="method">${req.method}</span> ${req.url}
      </div>
      ${
        headers.length || req.body != null
          ? html`<details>
            <summary>Request as sent</summary>
            <pre>${headers.map(([k, v]) => `${k}: ${v}\n`).join('')}${bodyText(req.body)}</pre>
          </details>`
          : nothing
      }`;
  }

  private body(body: unknown, text: string) {
    if (body !== null && body !== undefined && typeof body === 'object') {
      return html`<div class="body"><json-tree .value=${body} .openDepth=${1}></json-tree></div>`;
    }
    if (body !== null && body !== undefined) return html`<pre>${JSON.stringify(body)}</pre>`;
    return text ? html`<pre>${text}</pre>` : nothing;
  }

  private results(e: HttpEntry) {
    const asserts = e.asserts ?? [];
    const captures = e.captures ?? [];
    if (!asserts.length && !captures.length) return nothing;
    return html`<ul class="results">
      ${asserts.map(
        (
          a,
        ) => html`<li class=${a.ok ? 'ok' : 'bad'} title=${a.shown && a.shown !== a.text ? a.text : nothing}>
          ${a.ok ? '✓' : '✗'} ${a.shown ?? a.text}
          ${
            a.ok
              ? nothing
              : html`<div class="detail">
                ${a.message ?? html`expected ${show(a.expected)}, got ${show(a.actual)}`}
              </div>`
          }
        </li>`,
      )}
      ${captures.map(
        (c) => html`<li class=${c.ok ? 'ok' : 'bad'}>
          ${c.ok ? '✓' : '✗'} captured <strong>${c.name}</strong> = ${show(c.value)}
          ${c.ok || !c.message ? nothing : html`<div class="detail">${c.message}</div>`}
        </li>`,
      )}
    </ul>`;
  }
}

function ms(n: number | undefined): string {
  return n === undefined ? '?' : `${Math.round(n)} ms`;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function bodyText(body: unknown): string {
  if (body === null || body === undefined) return '';
  return `\n${typeof body === 'string' ? body : JSON.stringify(body, null, 2)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'http-output': HttpOutput;
  }
}
