// Check cells judged on hand-made snapshots: what is expected, what is seen, and the hints.
import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot, NodeView } from '../../server/contract/cluster-view.ts';
import { snapshotFromViews } from '../../server/lab/cluster/snapshot.ts';
import { evaluateCheckLines } from '../../server/lab/run/run-check-cell.ts';
import { parseCheckCell } from '../../server/lessons/parse-check-cell.ts';
import { statusOf } from '../support/node-status.ts';

type Role = 'leader' | 'follower' | 'candidate';

function node(
  id: string,
  role: Role | 'down' | 'paused',
  term = 2,
  commands: string[] = [],
  commit = commands.length,
): NodeView {
  const base = { id, name: `node${id}`, url: `http://127.0.0.1:1600${id}`, partitionedFrom: [] };
  if (role === 'down') return { ...base, up: false, paused: false, status: null, error: 'down' };
  if (role === 'paused') return { ...base, up: true, paused: true, status: null, error: 'paused' };
  const kv: Record<string, string> = {};
  for (const c of commands.slice(0, commit)) {
    const m = /^set (\w+)=(.*)$/.exec(c);
    if (m) kv[m[1]!] = m[2]!;
  }
  return {
    ...base,
    up: true,
    paused: false,
    error: null,
    status: statusOf({
      node_id: id,
      state: role,
      term,
      voted_for: null,
      leader_id: role === 'candidate' ? null : '1',
      leader_url: null,
      commit_index: commit,
      last_applied: commit,
      log: commands.map((command, i) => ({ index: i + 1, term: 1, type: 'command' as const, command })),
      kv,
      peers: [],
    }),
  };
}

const healthy = (): ClusterSnapshot =>
  snapshotFromViews([
    node('1', 'leader', 2, ['set x=42']),
    node('2', 'follower', 2, ['set x=42']),
    node('3', 'follower', 2, ['set x=42']),
  ]);

function judge(source: string, snapshot: ClusterSnapshot, captured: Record<string, unknown> = {}) {
  const cell = parseCheckCell(source);
  return evaluateCheckLines(cell.lines, cell.hints, snapshot, captured);
}

describe('evaluating check cells', () => {
  it('passes every form of assertion on a healthy cluster', () => {
    const results = judge(
      [
        'leaders == 1',
        'terms == 1',
        'term == 2',
        'leader.term > {{term_before}}',
        'node2.state == "follower"',
        'every node: kv.x == "42"',
        'every node: kv.x == 42',
        'every up node: committed log contains "set x=42"',
        'some node: is leader',
        'no node: is candidate',
        'node3 is up',
        'node2 log contains "set x=42"',
        'node3.commit_index == leader.commit_index',
        'leader.log.length >= 1',
        'logs match',
      ].join('\n'),
      healthy(),
      { term_before: 1 },
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('says how many leaders it saw, and who', () => {
    const [r] = judge(
      'leaders == 1\nhint: wait for an election',
      snapshotFromViews([node('1', 'candidate', 3), node('2', 'follower', 2)]),
    );
    expect(r).toEqual({
      text: 'leaders == 1',
      shown: 'leaders == 1',
      ok: false,
      expected: '== 1',
      seen: '0 (no node says leader)',
      hint: 'wait for an election',
      cause: 'mismatch',
    });
  });

  it('writes values as the lesson does, never as the parser stores them (issue 11: no {"kind":"literal"})', () => {
    const [every, fact] = judge(
      'every node: kv.x == "42"\nnode2 log contains "set x=7"',
      snapshotFromViews([node('1', 'leader', 2, ['set x=7']), node('2', 'follower', 2, ['set x=7'])]),
    );
    expect(every).toMatchObject({
      ok: false,
      expected: 'every node: kv.x == "42"',
      seen: 'node1: "7"; node2: "7"',
      cause: 'mismatch',
    });
    expect(fact).toMatchObject({ ok: true, expected: 'log contains "set x=7"' });
    for (const r of [every, fact]) expect(JSON.stringify(r)).not.toContain('kind');
  });

  it('shows the value a {{variable}} had, with the node it names (the placeholder stays in `text`)', () => {
    const captured = { leader_id: '1', old: 'http://127.0.0.1:16002' };
    expect(
      judge('leader.node_id == {{leader_id}}\n{{old}}.state == "follower"', healthy(), captured),
    ).toMatchObject([
      { ok: true, text: 'leader.node_id == {{leader_id}}', shown: 'leader.node_id == "1"' },
      { ok: true, shown: 'node2.state == "follower"' },
    ]);
  });

  it('gives the hint written for the cause of the failure, and the general one otherwise', () => {
    const source = [
      'node3.kv.x == "42"',
      'hint if down: node3 is down: restart it (`restart node3`).',
      'hint if mismatch: x is not 42: did you change the command? Reset the cell.',
      'hint: general advice',
    ].join('\n');
    const down = snapshotFromViews([node('1', 'leader', 2, ['set x=42']), node('3', 'down')]);
    const wrong = snapshotFromViews([
      node('1', 'leader', 2, ['set x=7']),
      node('3', 'follower', 2, ['set x=7']),
    ]);
    expect(judge(source, down)[0]).toMatchObject({
      cause: 'down',
      hint: 'node3 is down: restart it (`restart node3`).',
    });
    expect(judge(source, wrong)[0]).toMatchObject({
      cause: 'mismatch',
      hint: 'x is not 42: did you change the command? Reset the cell.',
    });
    const noLeader = judge(
      'leader.term == 2\nhint if down: not this\nhint: general advice',
      snapshotFromViews([node('2', 'follower')]),
    );
    expect(noLeader[0]).toMatchObject({ cause: 'no leader', hint: 'general advice' });
  });

  it('counts only leaders of the newest term (a deposed leader cut off in a minority is not a second leader)', () => {
    const s = snapshotFromViews([node('1', 'leader', 2), node('2', 'leader', 3), node('3', 'follower', 3)]);
    expect(judge('leaders == 1', s)[0]!.ok).toBe(true);
    expect(judge('leader.term == 3', s)[0]!.ok).toBe(true);
  });

  it('explains a node that does not answer, and judges down and paused nodes', () => {
    const s = snapshotFromViews([node('1', 'leader'), node('2', 'down'), node('3', 'paused')]);
    const [state, down, paused, every] = judge(
      'node2.state == "follower"\nnode2 is down\nnode3 is paused\nevery node: is up',
      s,
    );
    expect(state).toMatchObject({ ok: false, seen: 'node2 is down' });
    expect(down!.ok).toBe(true);
    expect(paused!.ok).toBe(true);
    expect(every).toMatchObject({
      ok: false,
      expected: 'every node: is up',
      seen: 'node2 is down; node3 is paused',
    });
  });

  it('tells an uncommitted entry from a missing one', () => {
    const s = snapshotFromViews([
      node('1', 'leader', 2, ['set x=1', 'set y=2'], 1),
      node('2', 'follower', 2, ['set x=1'], 1),
    ]);
    const [y, z] = judge('node1 committed log contains "set y=2"\nnode2 log contains "set z=3"', s);
    expect(y!.seen).toBe('node1 has it at index 2, not committed (commit index 1)');
    expect(z!.seen).toBe(`node2's log (1 entries) has no "set z=3"`);
  });

  it('finds committed logs that disagree', () => {
    const s = snapshotFromViews([node('1', 'leader', 2, ['set x=1']), node('2', 'follower', 2, ['set x=2'])]);
    const [r] = judge('logs match', s);
    expect(r).toMatchObject({
      ok: false,
      seen: 'node1 and node2 differ at index 1: term 1 "set x=1" vs term 1 "set x=2"',
    });
  });

  it('uses the cell hint for failures without their own, and names a variable nothing captured', () => {
    const [unset, missing] = judge(
      'leader.term > {{term_before}}\nnode9.term == 1\nhint: run the cells above first',
      healthy(),
    );
    // The cell hint stands in for the line's own.
    expect(unset).toMatchObject({ ok: false, hint: 'run the cells above first' });
    expect(unset!.seen).toBe('{{term_before}} has no value: run the cell that captures it first');
    expect(missing).toMatchObject({ ok: false, seen: 'there is no node9' });
  });

  it('takes a captured node — name, id or URL — as the subject of a check', () => {
    const snapshot = snapshotFromViews([
      node('1', 'leader', 2, ['set x=42']),
      node('2', 'follower', 2, ['set x=42']),
      node('3', 'down'),
    ]);
    const results = judge(
      [
        '{{old_leader}}.state == "follower"',
        '{{old_leader}} is up',
        '{{gone}} is down',
        '{{by_url}} committed log contains "set x=42"',
        '{{old_leader}}.commit_index == {{by_url}}.commit_index',
      ].join('\n'),
      snapshot,
      { old_leader: 'node2', gone: '3', by_url: 'http://127.0.0.1:16001' },
    );
    expect(results.map((r) => [r.text, r.ok])).toEqual([
      ['{{old_leader}}.state == "follower"', true],
      ['{{old_leader}} is up', true],
      ['{{gone}} is down', true],
      ['{{by_url}} committed log contains "set x=42"', true],
      ['{{old_leader}}.commit_index == {{by_url}}.commit_index', true],
    ]);
    const [wrong] = judge('{{old_leader}}.state == "leader"', snapshot, { old_leader: 2 });
    expect(wrong).toMatchObject({ ok: false, seen: '"follower" ({{old_leader}} = node2)' });
  });

  it('says what is wrong with a captured node that is not one', () => {
    const [notNode, missing] = judge('{{who}} is down\n{{nobody}}.term == 2', healthy(), { who: 'node7' });
    expect(notNode).toMatchObject({ ok: false });
    expect(notNode!.seen).toContain(
      '{{who}} is "node7", which is not a node of this cluster (node1, node2, node3)',
    );
    expect(missing).toMatchObject({
      ok: false,
      seen: '{{nobody}} has no value: run the cell that captures it first',
    });
  });
});
