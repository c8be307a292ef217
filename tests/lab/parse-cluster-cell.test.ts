import { describe, expect, it } from 'vitest';
import { LessonError } from '../../server/lessons/lesson-error.ts';
import { parseClusterCell } from '../../server/lessons/parse-cluster-cell.ts';

describe('parseClusterCell', () => {
  it('reads every action, one a line, ignoring comments and blank lines', () => {
    const lines = parseClusterCell(
      [
        '# break things',
        'kill node3',
        'kill {{leader}}',
        'restart node3',
        'pause node2',
        'resume node2',
        '',
        'partition node1,node2 | node3, node4,node5',
        'heal',
        'speed 0.1',
        'noop off',
        'noop on',
        'wait leader',
        'wait leader 20s',
        'wait node3 caught up',
        'wait {{follower}} caught up 5s',
        'wait 500ms',
        'reset   # fresh cluster',
      ].join('\n'),
    );
    expect(lines.map((l) => l.action)).toEqual([
      { kind: 'kill', node: { kind: 'node', id: '3' } },
      { kind: 'kill', node: { kind: 'variable', name: 'leader' } },
      { kind: 'restart', node: { kind: 'node', id: '3' } },
      { kind: 'pause', node: { kind: 'node', id: '2' } },
      { kind: 'resume', node: { kind: 'node', id: '2' } },
      {
        kind: 'partition',
        groups: [
          [
            { kind: 'node', id: '1' },
            { kind: 'node', id: '2' },
          ],
          [
            { kind: 'node', id: '3' },
            { kind: 'node', id: '4' },
            { kind: 'node', id: '5' },
          ],
        ],
      },
      { kind: 'heal' },
      { kind: 'speed', factor: 0.1 },
      { kind: 'noop', enabled: false },
      { kind: 'noop', enabled: true },
      { kind: 'wait-leader', timeoutMs: 10_000 },
      { kind: 'wait-leader', timeoutMs: 20_000 },
      { kind: 'wait-caught-up', node: { kind: 'node', id: '3' }, timeoutMs: 10_000 },
      { kind: 'wait-caught-up', node: { kind: 'variable', name: 'follower' }, timeoutMs: 5000 },
      { kind: 'sleep', ms: 500 },
      { kind: 'reset' },
    ]);
    expect(lines[0]).toMatchObject({ text: 'kill node3', lineIndex: 1 });
    expect(lines.at(-1)!.text).toBe('reset');
  });

  it('names the line and the fix for each bad action', () => {
    let error: unknown;
    try {
      parseClusterCell(
        'kill\nspeed fast\npartition node1 node2\nwait forever\nexplode node1\nheal now\nnoop false',
        {
          file: 'lessons/l.md',
          firstLine: 20,
        },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LessonError);
    const problems = (error as LessonError).problems;
    expect(problems.map((p) => p.line)).toEqual([20, 21, 22, 23, 24, 25, 26]);
    expect(problems[0]!.message).toContain('`kill` needs one node');
    expect(problems[1]!.message).toContain('speed 0.1');
    expect(problems[2]!.message).toContain('groups of nodes split by |');
    expect(problems[3]!.message).toContain('wait leader');
    expect(problems[4]!.message).toContain('unknown action `explode`');
    expect(problems[5]!.message).toContain('takes nothing after it');
    expect(problems[6]!.message).toContain('`noop` needs `on` or `off`');
    expect((error as LessonError).message).toMatch(/^lessons\/l\.md:20: /);
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
