// The `cluster`-cell words for messages, links, timers and the picture (docs/lesson-format.md).
import { describe, expect, it } from 'vitest';
import { CLUSTER_ACTION_WORDS, parseClusterCell } from '../../server/lessons/parse-cluster-cell.ts';
import { parseLesson } from '../../server/lessons/parse-lesson.ts';
import { lessonErrorOf } from './lesson-error-of.ts';

const actions = (text: string) => parseClusterCell(text).map((l) => l.action);
const problem = (text: string) => lessonErrorOf(() => parseClusterCell(text)).problems[0]!.message;
const node = (id: string) => ({ kind: 'node', id });

describe('message-level cluster actions', () => {
  it('reads hold, release, deliver and drop with a choice of held requests', () => {
    expect(
      actions(
        'hold\nrelease\ndeliver next\ndeliver next request_vote\ndeliver all to node2\ndrop next heartbeat from node1 to {{follower}}\ndrop 3.17\ndeliver 2.5-dup',
      ),
    ).toEqual([
      { kind: 'hold' },
      { kind: 'release' },
      { kind: 'deliver', pick: { which: 'next', select: {} } },
      { kind: 'deliver', pick: { which: 'next', select: { rpc: 'request_vote' } } },
      { kind: 'deliver', pick: { which: 'all', select: { to: node('2') } } },
      {
        kind: 'drop',
        pick: {
          which: 'next',
          select: { rpc: 'heartbeat', from: node('1'), to: { kind: 'variable', name: 'follower' } },
        },
      },
      { kind: 'drop', pick: { which: 'id', id: '3.17' } },
      { kind: 'deliver', pick: { which: 'id', id: '2.5-dup' } },
    ]);
  });

  it('reads a directed link’s faults, “normal”, and the same for every wire', () => {
    expect(
      actions(
        'link node1->node2 delay 200ms jitter 50ms loss 20% duplicate 0.1 reorder 30%\nlink node2 -> node1 normal\nwires delay 1s',
      ),
    ).toEqual([
      {
        kind: 'link',
        from: node('1'),
        to: node('2'),
        setting: { delayMs: 200, jitterMs: 50, loss: 0.2, duplicate: 0.1, reorder: 0.3 },
      },
      { kind: 'link', from: node('2'), to: node('1'), setting: {} },
      { kind: 'wires', setting: { delayMs: 1000 } },
    ]);
  });

  it('reads election timer actions for some nodes, all of them or every follower, and `wait candidate`', () => {
    expect(
      actions(
        'pause timer node3\npause timers\nresume timer node1,node2\nresume timers\ntimeout followers\ntimeout {{leader}}\nwait candidate 30s\npause node2',
      ),
    ).toEqual([
      { kind: 'timer', paused: true, nodes: { kind: 'nodes', nodes: [node('3')] } },
      { kind: 'timer', paused: true, nodes: { kind: 'all' } },
      { kind: 'timer', paused: false, nodes: { kind: 'nodes', nodes: [node('1'), node('2')] } },
      { kind: 'timer', paused: false, nodes: { kind: 'all' } },
      { kind: 'timeout', nodes: { kind: 'followers' } },
      { kind: 'timeout', nodes: { kind: 'nodes', nodes: [{ kind: 'variable', name: 'leader' }] } },
      { kind: 'wait-candidate', timeoutMs: 30_000 },
      { kind: 'pause', node: node('2') },
    ]);
  });

  it('reads what the picture shows', () => {
    expect(
      actions(
        'show heartbeats\nhide timeline\nhighlight node3\nhighlight next request_vote from node2\nhighlight off',
      ),
    ).toEqual([
      { kind: 'view', view: { kind: 'show', part: 'heartbeats' } },
      { kind: 'view', view: { kind: 'hide', part: 'timeline' } },
      { kind: 'view', view: { kind: 'highlight', node: node('3') } },
      {
        kind: 'view',
        view: {
          kind: 'highlight',
          message: { which: 'next', select: { rpc: 'request_vote', from: node('2') } },
        },
      },
      { kind: 'view', view: { kind: 'highlight-off' } },
    ]);
  });

  it('says what to write when a line is not right', () => {
    expect(problem('deliver')).toContain('`deliver` needs which held message');
    expect(problem('drop next votes')).toContain('`votes` is not part of a message choice');
    expect(problem('deliver next from')).toContain('`from` is not part of a message choice');
    expect(problem('link node1 node2 delay 5ms')).toContain('`link` needs a direction first');
    expect(problem('link node1->node2 loss 150%')).toContain('from 0 to 100%');
    expect(problem('wires delay 20s')).toContain('at most 10s');
    expect(problem('wires')).toContain('`wires` needs what the link does');
    expect(problem('timeout')).toContain('`timeout` needs nodes');
    expect(problem('show everything')).toContain('heartbeats, timeline, ring');
    expect(problem('hold node3')).toContain('`hold` takes nothing after it');
  });

  it('has one word list, which the editor colours from', () => {
    for (const w of [
      'hold',
      'release',
      'deliver',
      'drop',
      'link',
      'wires',
      'pause timer',
      'timeout',
      'show',
      'highlight',
      'wait candidate',
    ]) {
      expect(CLUSTER_ACTION_WORDS).toContain(w);
    }
  });

  it('reads a lesson’s `view:` front matter, and refuses what is not a show/hide line', () => {
    const lesson = (view: string) => `---\ntitle: T\nview: ${view}\n---\n\n# T\n`;
    expect(parseLesson(lesson('show heartbeats'), 'x.md').view).toEqual([
      { kind: 'show', part: 'heartbeats' },
    ]);
    expect(parseLesson(lesson('[show heartbeats, hide timeline]'), 'x.md').view).toEqual([
      { kind: 'show', part: 'heartbeats' },
      { kind: 'hide', part: 'timeline' },
    ]);
    expect(() => parseLesson(lesson('highlight node3'), 'x.md')).toThrow(
      /`view:` lines are `show` or `hide`/,
    );
  });
});
