// A lesson's prose: Markdown rendered by marked, then sanitized by DOMPurify (lessons are
// files anyone can send a pull request to, so their HTML is not trusted). A captured
// `{{variable}}` in the prose shows its value once a cell captured it (the placeholder on hover).
import DOMPurify from 'dompurify';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { marked } from 'marked';

export function renderMarkdown(markdown: string): string {
  const raw = marked.parse(markdown, { async: false, gfm: true }) as string;
  return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true } });
}

/** A `{{name}}` (split() keeps the name); no `g` flag, so test() keeps no state between calls. */
const VARIABLE = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/;
/** Built-ins name whatever node it is when a cell runs: they have no one value to show. */
const BUILT_IN = /^(node\d+|leader|follower)$/;

/**
 * The sanitized HTML with each captured {{variable}} (in text, not in attributes) as its value
 * in a span whose title is the placeholder. Works on the parsed DOM, so markup stays intact.
 */
export function withValues(htmlText: string, values: Readonly<Record<string, unknown>>): string {
  if (!VARIABLE.test(htmlText) || typeof document === 'undefined') return htmlText;
  const box = document.createElement('template');
  box.innerHTML = htmlText;
  const walker = document.createTreeWalker(box.content, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  while (walker.nextNode()) texts.push(walker.currentNode as Text);
  for (const text of texts) {
    const parts = text.data.split(VARIABLE);
    if (parts.length === 1) continue;
    const frag = document.createDocumentFragment();
    parts.forEach((part, i) => {
      if (i % 2 === 0) {
        if (part) frag.append(part);
        return;
      }
      const span = document.createElement('span');
      span.className = 'var';
      span.title = `{{${part}}}`;
      const known = Object.hasOwn(values, part) && !BUILT_IN.test(part);
      const v = values[part];
      span.textContent = known ? (typeof v === 'string' ? v : JSON.stringify(v)) : `{{${part}}}`;
      if (!known) {
        span.classList.add('unknown');
        span.title = BUILT_IN.test(part)
          ? `{{${part}}}: resolved when a cell runs`
          : `{{${part}}}: shown once the cell that captures it has run`;
      }
      frag.append(span);
    });
    text.replaceWith(frag);
  }
  return box.innerHTML;
}

@customElement('prose-block')
export class ProseBlock extends LitElement {
  static override styles = css`
    :host {
      display: block;
      line-height: 1.55;
      max-width: 72ch;
    }
    h1 {
      font-size: 1.6rem;
      margin: 0.4rem 0 0.6rem;
    }
    h2 {
      font-size: 1.25rem;
      margin: 1.2rem 0 0.4rem;
    }
    h3 {
      font-size: 1.05rem;
    }
    code {
      font: 0.9em var(--mono);
      background: var(--code-bg);
      padding: 0.05rem 0.25rem;
      border-radius: 3px;
    }
    pre {
      background: var(--code-bg);
      padding: 0.5rem;
      border-radius: 4px;
      overflow: auto;
    }
    pre code {
      background: none;
      padding: 0;
    }
    a {
      color: var(--accent);
    }
    blockquote {
      margin: 0.5rem 0;
      padding-left: 0.8rem;
      border-left: 4px solid var(--border);
      color: var(--muted);
    }
    table {
      border-collapse: collapse;
    }
    th,
    td {
      border: 1px solid var(--border);
      padding: 0.2rem 0.5rem;
    }
    img {
      max-width: 100%;
    }
    .var {
      font-weight: 700;
      border-bottom: 1px dotted var(--muted);
    }
    .var.unknown {
      font-weight: 400;
      font-family: var(--mono);
      color: var(--muted);
    }
  `;

  @property() markdown = '';
  /** The lesson's captured variables, shown where the prose names them. */
  @property({ attribute: false }) variables: Readonly<Record<string, unknown>> = {};
  private cache: [string, string] = ['', ''];

  override render() {
    if (this.cache[0] !== this.markdown) this.cache = [this.markdown, renderMarkdown(this.markdown)];
    return html`${unsafeHTML(withValues(this.cache[1], this.variables))}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prose-block': ProseBlock;
  }
}
