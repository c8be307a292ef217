// A lesson's prose: Markdown rendered by marked, then sanitized by DOMPurify (lessons are
// files anyone can send a pull request to, so their HTML is not trusted).
import DOMPurify from 'dompurify';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { marked } from 'marked';

export function renderMarkdown(markdown: string): string {
  const raw = marked.parse(markdown, { async: false, gfm: true }) as string;
  return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true } });
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
  `;

  @property() markdown = '';
  private cache: [string, string] = ['', ''];

  override render() {
    if (this.cache[0] !== this.markdown) this.cache = [this.markdown, renderMarkdown(this.markdown)];
    return html`${unsafeHTML(this.cache[1])}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prose-block': ProseBlock;
  }
}
