// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import './json-tree.ts';
import type { JsonTree } from './json-tree.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

async function mount(value: unknown, openDepth = 1): Promise<JsonTree> {
  const el = document.createElement('json-tree');
  el.value = value;
  el.openDepth = openDepth;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** The button that opens and closes the `log` key. */
const logToggle = (el: JsonTree) =>
  [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.getAttribute('aria-label')?.includes('log'))!;
/** Clicks the `log` key's toggle, which must say it is `expanded` ('true'/'false') before the click. */
async function clickLogToggle(el: JsonTree, expanded: 'true' | 'false'): Promise<void> {
  const toggle = logToggle(el);
  expect(toggle.getAttribute('aria-expanded')).toBe(expanded);
  toggle.click();
  await el.updateComplete;
}
const text = (el: JsonTree) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

describe('json-tree', () => {
  it('shows the top level open with values coloured by type', async () => {
    const el = await mount({ state: 'leader', term: 3, up: true, leader_id: null });
    const root = el.shadowRoot!;
    expect(root.querySelector('.string')!.textContent).toBe('"leader"');
    expect(root.querySelector('.number')!.textContent).toBe('3');
    expect(root.querySelector('.boolean')!.textContent).toBe('true');
    expect(root.querySelector('.null')!.textContent).toBe('null');
    expect(text(el)).toContain('"state": "leader"');
  });

  it('keeps nested objects closed (with a count) until opened, and closes them again', async () => {
    const el = await mount({
      log: [
        { index: 1, term: 1 },
        { index: 2, term: 1 },
      ],
    });
    expect(text(el)).toContain('… 2 items');
    expect(text(el)).not.toContain('"index"');
    await clickLogToggle(el, 'false');
    // Opening the log shows its entries, each still closed.
    expect(text(el)).toContain('{ … 2 keys }');
    expect(text(el)).not.toContain('… 2 items');
    await clickLogToggle(el, 'true');
    expect(text(el)).toContain('… 2 items');
    expect(text(el)).not.toContain('2 keys');
  });

  it('shows empty containers and bare scalars without a toggle', async () => {
    const el = await mount({ kv: {}, log: [] });
    expect(text(el)).toContain('"kv": {}');
    expect(text(el)).toContain('"log": []');
    const scalar = await mount('just text');
    expect(scalar.shadowRoot!.querySelectorAll('button')).toHaveLength(0);
    expect(text(scalar)).toContain('"just text"');
  });
});
