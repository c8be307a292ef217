// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../server/contract/raft-rpc.ts';
import { type LogStrip, stripSlots, termColor } from './log-strip.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

const entry = (index: number, term: number, command: string | null = `set k=${index}`): LogEntry => ({
  index,
  term,
  type: command ? 'command' : 'noop',
  command,
});

describe('log strip', () => {
  it('aligns entries by index and marks the committed prefix', () => {
    const slots = stripSlots([entry(3, 1), entry(4, 2), entry(5, 2)], 4, 2, 6);
    expect(slots.map((s) => [s.index, s.entry?.term ?? null, s.committed])).toEqual([
      [2, null, false],
      [3, 1, true],
      [4, 2, true],
      [5, 2, false],
      [6, null, false],
    ]);
  });

  it('gives each term its colour and cycles through seven', () => {
    expect(termColor(0)).toBe('var(--term-0)');
    expect(termColor(1)).toBe('var(--term-1)');
    expect(termColor(8)).toBe('var(--term-1)');
    expect(termColor(3)).not.toBe(termColor(4));
  });

  it('draws committed entries solid, uncommitted dashed, each labelled with its term', async () => {
    const el = document.createElement('log-strip') as LogStrip;
    Object.assign(el, {
      node: 'node2',
      entries: [entry(1, 1, null), entry(2, 1), entry(3, 2)],
      commitIndex: 2,
      from: 1,
      to: 4,
    });
    document.body.append(el);
    await el.updateComplete;
    const items = [...el.shadowRoot!.querySelectorAll('li')];
    expect(items.map((li) => li.className)).toEqual(['committed', 'committed', 'uncommitted', 'empty']);
    expect(items.map((li) => li.textContent!.trim())).toEqual(['1', '1', '2', '']);
    expect(items[0].title).toContain('(no-op)');
    expect(items[2].title).toContain('not committed');
    expect(el.shadowRoot!.querySelector('ol')!.getAttribute('aria-label')).toBe(
      'node2 log: 3 entries, committed up to 2, last term 2',
    );
  });
});
