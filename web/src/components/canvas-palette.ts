// The theme's colours for the pictures drawn on canvas (the ring, the message timeline): a canvas
// cannot read CSS custom properties, so they are read once from the element and re-read when the
// theme changes ('raft-lab-theme').

export interface CanvasPalette {
  text: string;
  muted: string;
  border: string;
  surface: string;
  rv: string;
  ae: string;
  hb: string;
  bad: string;
  leader: string;
  candidate: string;
  down: string;
  focus: string;
  warn: string;
  termText: string;
  /** --term-0 … --term-7. */
  terms: string[];
}

/** The palette as `el` sees the theme now (a colour the theme lacks is grey, #888). */
export function readCanvasPalette(el: Element): CanvasPalette {
  const cs = getComputedStyle(el);
  const v = (n: string) => cs.getPropertyValue(`--${n}`).trim() || '#888';
  return {
    text: v('text'),
    muted: v('muted'),
    border: v('border'),
    surface: v('surface'),
    rv: v('rv'),
    ae: v('ae'),
    hb: v('hb'),
    bad: v('bad'),
    leader: v('leader'),
    candidate: v('candidate'),
    down: v('down'),
    focus: v('focus'),
    warn: v('warn'),
    termText: v('term-text'),
    terms: Array.from({ length: 8 }, (_, i) => v(`term-${i}`)),
  };
}
