// @vitest-environment happy-dom
// A learner step as the learner sees it: the question and options from the lesson's own parser
// (before anything ran), captured values instead of placeholders, and a prediction's outcome.
import { afterEach, describe, expect, it } from 'vitest';
import type { NotebookCell, RunResult } from '../../../server/contract/lab-api.ts';
import './learner-step.ts';
import type { LearnerStep } from './learner-step.ts';
import { withValues } from './prose-block.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

const PREDICT = [
  'Who leads after node {{old_leader}} is killed?',
  '- old: node {{old_leader}} again',
  '  if: leader.node_id == {{old_leader}}',
  '- other: another node',
  '  if: leader.node_id != {{old_leader}}',
  'default: other',
  'explain: A **majority** is still up (§5.2).',
].join('\n');

const cell = (type: NotebookCell['type'], source: string): NotebookCell => ({
  id: 'p',
  type,
  source,
  original: source,
  edited: false,
  scratch: false,
  line: 1,
});

async function render(c: NotebookCell, result: RunResult | null, values: Record<string, unknown> = {}) {
  const el = document.createElement('learner-step') as LearnerStep;
  el.cell = c;
  el.result = result;
  el.values = values;
  document.body.append(el);
  await el.updateComplete;
  return el.shadowRoot!;
}

describe('prose values', () => {
  it('writes a captured value where the prose names it, with the placeholder on hover', () => {
    const out = withValues('<p>term <code>{{first_term}}</code>, leader {{leader}}, x {{x}}</p>', {
      first_term: 3,
    });
    const box = document.createElement('div');
    box.innerHTML = out;
    const spans = [...box.querySelectorAll('span.var')];
    expect(spans.map((s) => [s.textContent, s.getAttribute('title')])).toEqual([
      ['3', '{{first_term}}'],
      ['{{leader}}', '{{leader}}: resolved when a cell runs'],
      ['{{x}}', '{{x}}: shown once the cell that captures it has run'],
    ]);
    expect(box.querySelector('code')!.textContent).toBe('3');
  });
});

describe('learner step', () => {
  it('shows the question and the options before it ran, with captured values filled in', async () => {
    const root = await render(cell('predict', PREDICT), null, { old_leader: '3' });
    expect(root.querySelector('.text')!.textContent!.trim()).toBe('Who leads after node 3 is killed?');
    expect([...root.querySelectorAll('label')].map((l) => l.textContent!.trim())).toEqual([
      'node 3 again',
      'another node',
    ]);
    expect(root.querySelector('button[data-step="answer"]')!.getAttribute('aria-disabled')).toBe('true');
    expect(root.querySelector('.note')!.textContent).toBe('Pick one first.');
  });

  it('after the deciding cell: who was right, the lines that decided it, and why', async () => {
    const result = {
      cellId: 'p',
      ok: true,
      predict: {
        question: 'Who leads after node 3 is killed?',
        options: [
          { key: 'old', text: 'node 3 again' },
          { key: 'other', text: 'another node' },
        ],
        answer: 'old',
        by: 'learner',
        afterCellId: 'kill',
        outcome: {
          predictCellId: 'p',
          afterCellId: 'kill',
          answer: 'old',
          by: 'learner',
          happened: ['other'],
          correct: false,
          determined: true,
          options: [
            {
              key: 'old',
              holds: false,
              lines: [
                {
                  text: 'leader.node_id == {{old_leader}}',
                  shown: 'leader.node_id == "3"',
                  ok: false,
                  expected: '== "3"',
                  seen: '"1"',
                  hint: null,
                },
              ],
            },
            {
              key: 'other',
              holds: true,
              lines: [
                {
                  text: 'leader.node_id != {{old_leader}}',
                  shown: 'leader.node_id != "3"',
                  ok: true,
                  expected: '!= "3"',
                  seen: '"1"',
                  hint: null,
                },
              ],
            },
          ],
          explain: 'A **majority** is still up (§5.2).',
        },
      },
    } as unknown as RunResult;
    const root = await render(cell('predict', PREDICT), result);
    expect(root.querySelector('.verdict')!.textContent).toBe(
      '✗ Not this time: you said “node 3 again”, the cluster did “another node”.',
    );
    expect(
      [...root.querySelectorAll('ul.evidence li')].map((l) => l.textContent!.replace(/\s+/g, ' ').trim()),
    ).toEqual(['✗ leader.node_id == "3" — seen "1"', '✓ leader.node_id != "3" — seen "1"']);
    expect(root.querySelector('.explain strong')!.textContent).toBe('majority');
    expect(root.querySelector('label.right')!.textContent).toContain('another node');
    expect(root.querySelector('label.wrong')!.textContent).toContain('node 3 again');
  });

  it('an act step offers "I did it: check" and "Do it for me"', async () => {
    const root = await render(
      cell('act', 'Kill a follower.\ndone: you killed a follower\ndo: kill {{follower}}'),
      null,
    );
    expect([...root.querySelectorAll('button')].map((b) => b.textContent!.trim())).toEqual([
      'I did it: check',
      'Do it for me',
    ]);
  });
});
