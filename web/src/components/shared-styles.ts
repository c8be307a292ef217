// Buttons and focus rings look the same in every component; shadow DOM does not inherit
// these from the page, so components include this sheet in their `static styles`.
import { css } from 'lit';

/**
 * A button's look, as declarations: the light-DOM components (notebook, dashboard) put it in
 * their own rules, since their buttons are selected by the page's sheet.
 */
export const buttonLook = css`
  font: inherit;
  font-size: 0.85rem;
  color: var(--text);
  background: var(--surface-2);
  border: 1px solid var(--border);
  border-radius: 6px;
  padding: 0.2rem 0.6rem;
  cursor: pointer;
  white-space: nowrap;
`;

/** The smaller buttons of a cell's head and the dashboard's rows. */
export const smallButtonLook = css`
  ${buttonLook}
  font-size: 0.8rem;
  border-radius: 5px;
  padding: 0.1rem 0.5rem;
`;

export const controlStyles = css`
  :host {
    font-family: var(--font);
    color: var(--text);
  }
  button {
    ${buttonLook}
  }
  button:hover:not(:disabled) {
    border-color: var(--accent);
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-text);
    border-color: var(--accent);
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  .ok {
    color: var(--ok);
  }
  .bad {
    color: var(--bad);
  }
  .muted {
    color: var(--muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
