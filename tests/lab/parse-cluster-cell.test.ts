import { describe, expect, it } from 'vitest';
import { parseClusterCell } from '../../server/lessons/parse-cluster-cell.ts';
import { lessonErrorOf } from './lesson-error-of.ts';

describe('parseClusterCell', () => {
  it('reads every action, one a line, ignoring comments and blank lines', () => {
    const node = (id: string) => ({ kind: 'node', id });
    const variable = (name: string) => ({ kind: 'variable', name });
    // Each line of the cell, and the action it reads as (null: ignored).
    const cell: [string, object | null][] = [
      ['# break things', null],
      ['kill node3', { kind: 'kill', node: node('3') }],
      ['kill {{leader}}', { kind: 'kill', node: variable('leader') }],
      ['restart node3', { kind: 'restart', node: node('3') }],
      ['pause node2', { kind: 'pause', node: node('2') }],
      ['resume node2', { kind: 'resume', node: node('2') }],
      ['', null],
      [
        'partition node1,node2 | node3, node4,node5',
        {
          kind: 'partition',
          groups: [
            [node('1'), node('2')],
            [node('3'), node('4'), node('5')],
          ],
        },
      ],
      ['heal', { kind: 'heal' }],
      ['speed 0.1', { kind: 'speed', factor: 0.1 }],
      ['noop off', { kind: 'noop', enabled: false }],
      ['noop on', { kind: 'noop', enabled: true }],
      ['wait leader', { kind: 'wait-leader', timeoutMs: 10_000 }],
      ['wait leader 20s', { kind: 'wait-leader', timeoutMs: 20_000 }],
      ['wait node3 caught up', { kind: 'wait-caught-up', node: node('3'), timeoutMs: 10_000 }],
      [
        'wait {{follower}} caught up 5s',
        { kind: 'wait-caught-up', node: variable('follower'), timeoutMs: 5000 },
      ],
      ['wait 500ms', { kind: 'sleep', ms: 500 }],
      ['reset   # fresh cluster', { kind: 'reset' }],
    ];
    const lines = parseClusterCell(cell.map(([line]) => line).join('\n'));
    expect(lines.map((l) => l.action)).toEqual(cell.flatMap(([, action]) => (action ? [action] : [])));
    expect(lines[0]).toMatchObject({ text: 'kill node3', lineIndex: 1 });
    expect(lines.at(-1)!.text).toBe('reset');
  });

  it('names the line and the fix for each bad action', () => {
    const error = lessonErrorOf(() =>
      parseClusterCell(
        'kill\nspeed fast\npartition node1 node2\nwait forever\nexplode node1\nheal now\nnoop false',
        { file: 'lessons/l.md', firstLine: 20 },
      ),
    );
    const problems = error.problems;
    expect(problems.map((p) => p.line)).toEqual([20, 21, 22, 23, 24, 25, 26]);
    expect(problems[0]!.message).toContain('`kill` needs one node');
    expect(problems[1]!.message).toContain('speed 0.1');
    expect(problems[2]!.message).toContain('groups of nodes split by |');
    expect(problems[3]!.message).toContain('wait leader');
    expect(problems[4]!.message).toContain('unknown action `explode`');
    expect(problems[5]!.message).toContain('takes nothing after it');
    expect(problems[6]!.message).toContain('`noop` needs `on` or `off`');
    expect(error.message).toMatch(/^lessons\/l\.md:20: /);
  });

  it('reads the Raft switch words and the transfer word (dissertation §9.6, §6.2, §6.4, §3.10)', () => {
    const actions = parseClusterCell(
      'prevote off\ncheckquorum on\nreads unsafe_local\nreads lease\ntransfer leadership to node3\ntransfer leadership to {{follower}}',
    ).map((l) => l.action);
    expect(actions).toEqual([
      { kind: 'switches', switches: { pre_vote: false } },
      { kind: 'switches', switches: { check_quorum: true } },
      { kind: 'switches', switches: { read_mode: 'unsafe_local' } },
      { kind: 'switches', switches: { read_mode: 'lease' } },
      { kind: 'transfer', to: { kind: 'node', id: '3' } },
      { kind: 'transfer', to: { kind: 'variable', name: 'follower' } },
    ]);
  });

  it('says what to write for a malformed switch or transfer', () => {
    expect(() => parseClusterCell('prevote maybe')).toThrow(/`prevote` needs `on` or `off`/);
    expect(() => parseClusterCell('checkquorum')).toThrow(/`checkquorum` needs `on` or `off`/);
    expect(() => parseClusterCell('reads stale')).toThrow(
      /`reads` needs one of read_index, lease, log, unsafe_local/,
    );
    expect(() => parseClusterCell('transfer node3')).toThrow(/transfer leadership to node3/);
  });

  it('rejects an empty cell', () => {
    expect(() => parseClusterCell('# nothing\n')).toThrow(/no action/);
  });
});
