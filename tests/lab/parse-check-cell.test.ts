import { describe, expect, it } from 'vitest';
import { parseCheckCell } from '../../server/lessons/parse-check-cell.ts';
import { lessonErrorOf } from './lesson-error-of.ts';

// The trees check lines parse to, written short (lesson-types.ts's CheckAssertion).
const literal = (value: string | number) => ({ kind: 'value', value: { kind: 'literal', value } });
const variable = (name: string) => ({ kind: 'value', value: { kind: 'variable', name } });
const nodePath = (node: unknown, ...path: string[]) => ({ kind: 'node-path', node, path });
const subject = (of: object) => ({ kind: 'subject', subject: of });
const compare = (left: object, op: string, right: object) => ({ kind: 'compare', left, op, right });
/** A node fact comparing a /status path (after `every node:`, …). */
const pathFact = (path: string[], op: string, right: object) => ({ kind: 'compare', path, op, right });
const logContains = (committed: boolean, command: string) => ({
  kind: 'log-contains',
  committed,
  command: { kind: 'literal', value: command },
});

describe('parseCheckCell', () => {
  it('reads every assertion form of the lesson format, with per-line and cell hints', () => {
    // Each line of the cell, and the assertion it reads as (null: a timeout or a hint).
    const source: [string, object | null][] = [
      ['timeout: 20s', null],
      ['leaders == 1', compare({ kind: 'leaders' }, '==', literal(1))],
      ['hint: Wait for an election.', null],
      ['leader.term > {{term_before}}', compare(nodePath('leader', 'term'), '>', variable('term_before'))],
      ['node3.state == "follower"', compare(nodePath({ id: '3' }, 'state'), '==', literal('follower'))],
      [
        'every node: kv.x == "42"',
        { kind: 'quantified', quantifier: 'every', fact: pathFact(['kv', 'x'], '==', literal('42')) },
      ],
      [
        'every up node: committed log contains "set x=42"',
        { kind: 'quantified', quantifier: 'every-up', fact: logContains(true, 'set x=42') },
      ],
      [
        'some node: is leader',
        { kind: 'quantified', quantifier: 'some', fact: { kind: 'is', what: 'leader' } },
      ],
      [
        'no node: state == "candidate"',
        { kind: 'quantified', quantifier: 'no', fact: pathFact(['state'], '==', literal('candidate')) },
      ],
      ['node1 is down', { kind: 'node-fact', node: { id: '1' }, fact: { kind: 'is', what: 'down' } }],
      [
        'node2 log contains "set y=1"',
        { kind: 'node-fact', node: { id: '2' }, fact: logContains(false, 'set y=1') },
      ],
      [
        'node4.commit_index == leader.commit_index',
        compare(nodePath({ id: '4' }, 'commit_index'), '==', subject(nodePath('leader', 'commit_index'))),
      ],
      ['terms == 1', compare({ kind: 'terms' }, '==', literal(1))],
      ['logs match', { kind: 'logs-match' }],
      ['hint: Run the cell above that kills the leader, then wait a moment.', null],
    ];
    const cell = parseCheckCell(source.map(([line]) => line).join('\n'));
    expect(cell.timeoutMs).toBe(20_000);
    expect(cell.hints.any).toBe('Run the cell above that kills the leader, then wait a moment.');
    expect(cell.lines[0]).toMatchObject({
      text: 'leaders == 1',
      hints: { any: 'Wait for an election.' },
      lineIndex: 1,
    });
    expect(cell.lines.map((l) => l.assertion)).toEqual(source.flatMap(([, assertion]) => assertion ?? []));
  });

  it('names the line of every problem', () => {
    const { problems } = lessonErrorOf(() =>
      parseCheckCell(
        'timeout: soon\nhint: zero\nleaders = 1\nnode3 is sleeping\nleaders == 1\nhint: one\nhint: two\nfollowers == 4\nlogs match',
        { file: 'lessons/l.md', firstLine: 30 },
      ),
    );
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
      compare(nodePath({ variable: 'old_leader' }, 'state'), '==', literal('follower')),
      { kind: 'node-fact', node: { variable: 'old_leader' }, fact: { kind: 'is', what: 'down' } },
      { kind: 'node-fact', node: { variable: 's1' }, fact: logContains(true, 'set f=2') },
      compare(nodePath('leader', 'term'), '>', subject(nodePath({ variable: 's1' }, 'term'))),
    ]);
  });

  it('rejects a cell with no assertion', () => {
    expect(() => parseCheckCell('hint: nothing to check')).toThrow(/no assertion/);
  });
});
