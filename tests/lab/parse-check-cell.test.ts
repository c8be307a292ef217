import { describe, expect, it } from 'vitest';
import type { LessonError } from '../../server/lessons/lesson-error.ts';
import { parseCheckCell } from '../../server/lessons/parse-check-cell.ts';

describe('parseCheckCell', () => {
  it('reads every assertion form of the lesson format, with per-line and cell hints', () => {
    const cell = parseCheckCell(
      [
        'timeout: 20s',
        'leaders == 1',
        'hint: Wait for an election.',
        'leader.term > {{term_before}}',
        'node3.state == "follower"',
        'every node: kv.x == "42"',
        'every up node: committed log contains "set x=42"',
        'some node: is leader',
        'no node: state == "candidate"',
        'node1 is down',
        'node2 log contains "set y=1"',
        'node4.commit_index == leader.commit_index',
        'terms == 1',
        'logs match',
        'hint: Run the cell above that kills the leader, then wait a moment.',
      ].join('\n'),
    );
    expect(cell.timeoutMs).toBe(20_000);
    expect(cell.hints.any).toBe('Run the cell above that kills the leader, then wait a moment.');
    expect(cell.lines[0]).toMatchObject({
      text: 'leaders == 1',
      hints: { any: 'Wait for an election.' },
      lineIndex: 1,
    });
    expect(cell.lines.map((l) => l.assertion)).toEqual([
      {
        kind: 'compare',
        left: { kind: 'leaders' },
        op: '==',
        right: { kind: 'value', value: { kind: 'literal', value: 1 } },
      },
      {
        kind: 'compare',
        left: { kind: 'node-path', node: 'leader', path: ['term'] },
        op: '>',
        right: { kind: 'value', value: { kind: 'variable', name: 'term_before' } },
      },
      {
        kind: 'compare',
        left: { kind: 'node-path', node: { id: '3' }, path: ['state'] },
        op: '==',
        right: { kind: 'value', value: { kind: 'literal', value: 'follower' } },
      },
      {
        kind: 'quantified',
        quantifier: 'every',
        fact: {
          kind: 'compare',
          path: ['kv', 'x'],
          op: '==',
          right: { kind: 'value', value: { kind: 'literal', value: '42' } },
        },
      },
      {
        kind: 'quantified',
        quantifier: 'every-up',
        fact: { kind: 'log-contains', committed: true, command: { kind: 'literal', value: 'set x=42' } },
      },
      { kind: 'quantified', quantifier: 'some', fact: { kind: 'is', what: 'leader' } },
      {
        kind: 'quantified',
        quantifier: 'no',
        fact: {
          kind: 'compare',
          path: ['state'],
          op: '==',
          right: { kind: 'value', value: { kind: 'literal', value: 'candidate' } },
        },
      },
      { kind: 'node-fact', node: { id: '1' }, fact: { kind: 'is', what: 'down' } },
      {
        kind: 'node-fact',
        node: { id: '2' },
        fact: { kind: 'log-contains', committed: false, command: { kind: 'literal', value: 'set y=1' } },
      },
      {
        kind: 'compare',
        left: { kind: 'node-path', node: { id: '4' }, path: ['commit_index'] },
        op: '==',
        right: { kind: 'subject', subject: { kind: 'node-path', node: 'leader', path: ['commit_index'] } },
      },
      {
        kind: 'compare',
        left: { kind: 'terms' },
        op: '==',
        right: { kind: 'value', value: { kind: 'literal', value: 1 } },
      },
      { kind: 'logs-match' },
    ]);
  });

  it('names the line of every problem', () => {
    let error: unknown;
    try {
      parseCheckCell(
        'timeout: soon\nhint: zero\nleaders = 1\nnode3 is sleeping\nleaders == 1\nhint: one\nhint: two\nfollowers == 4\nlogs match',
        {
          file: 'lessons/l.md',
          firstLine: 30,
        },
      );
    } catch (e) {
      error = e;
    }
    const problems = (error as LessonError).problems;
    expect(problems.map((p) => p.line)).toEqual([30, 31, 32, 33, 36, 37]);
    expect(problems[0]!.message).toContain('is not a timeout');
    expect(problems[1]!.message).toContain('`hint:` must follow');
    expect(problems[2]!.message).toContain('expected an operator');
    expect(problems[3]!.message).toContain('`is sleeping`');
    expect(problems[4]!.message).toContain('two hints for the same assertion');
    expect(problems[5]!.message).toContain('is not a check');
  });

  it('reads a captured variable as a node: `{{old_leader}}.state`, `{{old_leader}} is down`', () => {
    const cell = parseCheckCell(
      '{{old_leader}}.state == "follower"\n{{ old_leader }} is down\n{{s1}} committed log contains "set f=2"\nleader.term > {{s1}}.term',
    );
    expect(cell.lines.map((l) => l.assertion)).toEqual([
      {
        kind: 'compare',
        left: { kind: 'node-path', node: { variable: 'old_leader' }, path: ['state'] },
        op: '==',
        right: { kind: 'value', value: { kind: 'literal', value: 'follower' } },
      },
      { kind: 'node-fact', node: { variable: 'old_leader' }, fact: { kind: 'is', what: 'down' } },
      {
        kind: 'node-fact',
        node: { variable: 's1' },
        fact: { kind: 'log-contains', committed: true, command: { kind: 'literal', value: 'set f=2' } },
      },
      {
        kind: 'compare',
        left: { kind: 'node-path', node: 'leader', path: ['term'] },
        op: '>',
        right: { kind: 'subject', subject: { kind: 'node-path', node: { variable: 's1' }, path: ['term'] } },
      },
    ]);
  });

  it('rejects a cell with no assertion', () => {
    expect(() => parseCheckCell('hint: nothing to check')).toThrow(/no assertion/);
  });
});
