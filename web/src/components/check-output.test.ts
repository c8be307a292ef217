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

describe('check output, a failed check with a recorded moment', () => {
  it('links to the moment it stopped holding: the picture is asked to jump there', async () => {
    const el = document.createElement('check-output') as CheckOutput;
    el.assertions = [
      {
        text: 'leaders == 1',
        ok: false,
        expected: '== 1',
        seen: '0 (no node says leader)',
        hint: null,
        moment: { at: 12_345, event_id: 'p-7', node_id: '2' },
      },
    ];
    document.body.append(el);
    await el.updateComplete;
    const jumps: unknown[] = [];
    document.body.addEventListener('jump-to-moment', (e) => jumps.push((e as CustomEvent).detail));
    const button = el.shadowRoot!.querySelector('button.moment') as HTMLButtonElement;
    expect(button.textContent).toContain('Show the moment it stopped holding');
    button.click();
    expect(jumps).toEqual([{ at: 12_345, eventId: 'p-7' }]);
  });
});
