// The learner-step cells (predict, choose, act) and the history facts of check lines, as the
// lesson format documents them; and the problems a lesson's author gets for each mistake.
import { describe, expect, it } from 'vitest';
import { LessonError } from '../../server/lessons/lesson-error.ts';
import { parseCheckAssertion, parseCheckCell } from '../../server/lessons/parse-check-cell.ts';
import { parseActCell, parseChooseCell, parsePredictCell } from '../../server/lessons/parse-learner-cells.ts';
import { parseLesson } from '../../server/lessons/parse-lesson.ts';

const PREDICT = `After you kill the leader, who leads?
- old: The old leader, when it comes back
  if: leader.node_id == {{old_leader}}
- other: Another node, in a higher term
  if: leader.node_id != {{old_leader}}
  if: leader.term > {{old_term}}
  hint if no leader: No leader yet: wait a moment.
- nobody: Nobody: four nodes cannot elect one
  if: leaders == 0
default: other
explain: Four of five is a majority, so a follower
  whose timer runs out first wins (§5.2).
timeout: 8s`;

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof LessonError) return e.problems.map((p) => `${p.line}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('predict cells', () => {
  it('read the question, the options with their if: lines, the default and the explanation', () => {
    const p = parsePredictCell(PREDICT);
    expect(p.question).toBe('After you kill the leader, who leads?');
    expect(p.options.map((o) => [o.key, o.text, o.conditions.map((c) => c.text)])).toEqual([
      ['old', 'The old leader, when it comes back', ['leader.node_id == {{old_leader}}']],
      [
        'other',
        'Another node, in a higher term',
        ['leader.node_id != {{old_leader}}', 'leader.term > {{old_term}}'],
      ],
      ['nobody', 'Nobody: four nodes cannot elect one', ['leaders == 0']],
    ]);
    expect(p.options[1]!.conditions[1]!.hints['no leader']).toBe('No leader yet: wait a moment.');
    expect(p.defaultKey).toBe('other');
    expect(p.explain).toBe(
      'Four of five is a majority, so a follower\n  whose timer runs out first wins (§5.2).',
    );
    expect(p.timeoutMs).toBe(8000);
    expect(p.after).toBeNull();
    expect(p.answer).toBeNull();
  });

  it('take a fixed answer instead of if: lines for a question the run does not decide', () => {
    const p = parsePredictCell(
      'How many votes win an election of five?\n- two: 2\n- three: 3\nanswer: three\ndefault: three\nexplain: A majority of 5 is 3 (§5.2).',
    );
    expect(p.answer).toBe('three');
    expect(p.options.every((o) => o.conditions.length === 0)).toBe(true);
  });

  it('name every mistake with its line', () => {
    const problems = problemsOf(() =>
      parsePredictCell('Who?\n- a: A\n  if: leaders = 1\n- a: again\ndefault: zz\nfrobnicate: 1'),
    );
    expect(problems.join('\n')).toMatch(/^3: expected an operator/m);
    expect(problems.join('\n')).toMatch(/^4: two options are called `a`/m);
    expect(problems.join('\n')).toMatch(/^5: `default: zz` names no option/m);
    expect(problems.join('\n')).toMatch(/^6: unknown word `frobnicate:`/m);
    expect(problems.join('\n')).toMatch(/needs an `explain:`/);
    expect(
      problemsOf(() => parsePredictCell('Who?\n- a: A\n  if: leaders == 1\n- b: B\nexplain: x')),
    ).toContain(
      '1: every option needs an `if:` line saying what the cluster shows when it is right (e.g. `  if: leaders == 1`), or the cell needs an `answer:`',
    );
  });

  it('must have a cell after it in the lesson, or name one with after:', () => {
    const lesson = (body: string) => `---\ntitle: T\n---\n${body}`;
    const predict =
      '```predict\nQ?\n- a: A\n  if: leaders == 1\n- b: B\n  if: leaders == 0\ndefault: a\nexplain: E\n```\n';
    expect(problemsOf(() => parseLesson(lesson(predict), 'l.md'))).toEqual([
      '4: a predict cell needs a cell after it whose run decides it',
    ]);
    expect(
      parseLesson(lesson(`${predict}\n\`\`\`cluster\nwait leader\n\`\`\`\n`), 'l.md').blocks,
    ).toHaveLength(2);
    const named = predict.replace('explain: E', 'explain: E\nafter: nope');
    expect(
      problemsOf(() => parseLesson(lesson(`${named}\n\`\`\`check\nleaders == 1\n\`\`\`\n`), 'l.md')),
    ).toEqual(['4: `after: nope` names no cell of this lesson']);
  });
});

describe('choose cells', () => {
  it('read options that set variables for later cells', () => {
    const c = parseChooseCell(
      'Which node will you crash?\n- leader: The leader\n  set: victim = {{leader}}\n- follower: A follower\n  set: victim = {{follower}}\n  set: why = "to see nothing happen"\ndefault: follower',
    );
    expect(c.question).toBe('Which node will you crash?');
    expect(c.options[1]!.sets).toEqual([
      { name: 'victim', value: { kind: 'variable', name: 'follower' }, lineIndex: 4 },
      { name: 'why', value: { kind: 'literal', value: 'to see nothing happen' }, lineIndex: 5 },
    ]);
    expect(c.defaultKey).toBe('follower');
  });

  it('refuse an option that sets nothing and a set: that is no assignment', () => {
    const problems = problemsOf(() =>
      parseChooseCell('Q\n- a: A\n- b: B\n  set: victim {{leader}}\ndefault: a'),
    );
    expect(problems).toEqual([
      '2: option `a` sets nothing: add `  set: name = value` for later cells to use',
      '4: `set: victim {{leader}}` is not `set: name = value` (a value is "text", a number or a {{variable}} such as {{follower}})',
    ]);
  });
});

describe('act cells', () => {
  it('read the instruction, the done: checks (with hints) and the do: actions', () => {
    const a = parseActCell(
      'Crash a follower **yourself**: press its Kill button.\n\n- any follower will do\ndone: you killed a follower\nhint if not yet: Press Kill on a FOLLOWER card.\ndone: leaders == 1\ndo: kill {{follower}}\ntimeout: 15s',
    );
    expect(a.instruction).toBe(
      'Crash a follower **yourself**: press its Kill button.\n\n- any follower will do',
    );
    expect(a.done.map((d) => d.text)).toEqual(['you killed a follower', 'leaders == 1']);
    expect(a.done[0]!.hints['not yet']).toBe('Press Kill on a FOLLOWER card.');
    expect(a.actions.map((x) => x.action)).toEqual([
      { kind: 'kill', node: { kind: 'variable', name: 'follower' } },
    ]);
    expect(a.timeoutMs).toBe(15_000);
  });

  it('need both done: and do:, so Run all can do the step unattended', () => {
    expect(problemsOf(() => parseActCell('Kill one.\ndone: you killed a node'))).toEqual([
      '1: an act cell needs `do:` lines: what Run all and lessons:check do instead of the learner (e.g. `do: kill {{follower}}`)',
    ]);
  });
});

describe('history facts in check lines', () => {
  it('read what the learner did: verb, target, how many and from where', () => {
    const fact = (s: string) => {
      const a = parseCheckAssertion(s);
      if (!a.ok || a.value.kind !== 'history') throw new Error(`${s}: ${a.ok ? a.value.kind : a.message}`);
      return a.value.fact;
    };
    expect(fact('you killed a follower')).toEqual({
      action: 'kill',
      target: { kind: 'role', role: 'follower' },
      count: 1,
      source: null,
    });
    expect(fact('you paused the leader from the panel')).toMatchObject({
      action: 'pause',
      target: { kind: 'role', role: 'leader' },
      source: 'panel',
    });
    expect(fact('you killed 2 nodes')).toMatchObject({ count: 2, target: { kind: 'role', role: 'node' } });
    expect(fact('you restarted {{old_leader}}')).toMatchObject({
      target: { kind: 'node', node: { variable: 'old_leader' } },
    });
    expect(fact('you healed')).toMatchObject({ action: 'heal', target: null });
    expect(fact('you sent POST /request_vote to a follower from a cell')).toMatchObject({
      action: 'send',
      request: { method: 'POST', path: '/request_vote' },
      target: { kind: 'role', role: 'follower' },
      source: 'cell',
    });
  });

  it('explain a fact that does not parse', () => {
    const bad = parseCheckAssertion('you smashed node3');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/the learner's actions are killed, restarted, paused/);
    const plural = parseCheckAssertion('you killed 2 follower');
    expect(!plural.ok && plural.message).toMatch(/write `a follower` or `2 followers`/);
  });

  it('take hints for one cause, and refuse an unknown cause', () => {
    const cell = parseCheckCell(
      'node3 is down\nhint if mismatch: Kill node3.\nhint: Run the cell above.\nleaders == 1\nhint if down: Restart some nodes.',
    );
    expect(cell.lines[0]!.hints).toEqual({ any: 'Run the cell above.', mismatch: 'Kill node3.' });
    expect(cell.hints).toEqual({ any: null, down: 'Restart some nodes.' });
    expect(problemsOf(() => parseCheckCell('leaders == 1\nhint if bored: x\nlogs match'))[0]).toMatch(
      /a hint can be for one cause: mismatch, down, no leader, no value, not yet/,
    );
  });
});
