// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import './check-output.ts';
import type { CheckOutput } from './check-output.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('check output', () => {
  it('says all checks passed and ticks each', async () => {
    const el = document.createElement('check-output') as CheckOutput;
    el.assertions = [
      { text: 'leaders == 1', ok: true, expected: '== 1', seen: '1', hint: null },
      { text: 'logs match', ok: true, expected: 'committed logs agree', seen: 'they agree', hint: null },
    ];
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('.summary')!.textContent!.trim()).toBe('✓ All 2 checks passed');
    expect(root.querySelectorAll('dl')).toHaveLength(0);
  });

  it('for a failed assertion shows expected, seen and the hint', async () => {
    const el = document.createElement('check-output') as CheckOutput;
    el.assertions = [
      { text: 'leaders == 1', ok: true, expected: '== 1', seen: '1', hint: null },
      {
        text: 'node1 is down',
        ok: false,
        expected: 'node1 down',
        seen: 'node1 is up (follower, term 3)',
        hint: 'Run the cell that kills node1 first.',
      },
    ];
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('.summary')!.textContent!.trim()).toBe('✗ 1 of 2 checks failed');
    const dl = root.querySelector('dl')!;
    const pairs = [...dl.querySelectorAll('dt')].map((dt) => [
      dt.textContent,
      dt.nextElementSibling!.textContent,
    ]);
    expect(pairs).toEqual([
      ['expected', 'node1 down'],
      ['seen', 'node1 is up (follower, term 3)'],
      ['hint', 'Run the cell that kills node1 first.'],
    ]);
  });
});
