// Light or high-contrast dark; the choice is remembered (theme-before-paint.js applies it before paint).
import { html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles.ts';

const KEY = 'raft-lab:theme';

export function currentTheme(): 'light' | 'dark' {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

@customElement('theme-toggle')
export class ThemeToggle extends LitElement {
  static override styles = controlStyles;

  @state() private theme = currentTheme();

  override render() {
    const next = this.theme === 'dark' ? 'light' : 'dark';
    return html`<button @click=${this.toggle} aria-label="Switch to the ${next === 'dark' ? 'high-contrast dark' : 'light'} theme">
      ${this.theme === 'dark' ? '☀ Light' : '◐ Dark'}
    </button>`;
  }

  private toggle(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = this.theme;
    try {
      localStorage.setItem(KEY, this.theme);
    } catch {
      // Private mode: the theme still applies for this visit.
    }
    window.dispatchEvent(new CustomEvent('raft-lab-theme', { detail: this.theme }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'theme-toggle': ThemeToggle;
  }
}
