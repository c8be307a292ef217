// The notebook's components render into the page (light DOM) because Monaco's styles are
// global and do not reach into shadow roots. Their styles are adopted by the document once.
import { type CSSResult, LitElement } from 'lit';

const adopted = new WeakSet<CSSResult>();

function adoptDocumentStyles(styles: CSSResult): void {
  if (adopted.has(styles) || typeof document === 'undefined') return;
  adopted.add(styles);
  const sheet = styles.styleSheet;
  if (sheet && 'adoptedStyleSheets' in document) {
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } else {
    const el = document.createElement('style');
    el.textContent = styles.cssText;
    document.head.append(el);
  }
}

/** A Lit component without a shadow root; its `documentStyles` are adopted by the document. */
export class LightDomElement extends LitElement {
  static documentStyles?: CSSResult;

  constructor() {
    super();
    const styles = (this.constructor as typeof LightDomElement).documentStyles;
    if (styles) adoptDocumentStyles(styles);
  }

  protected override createRenderRoot() {
    return this;
  }
}
