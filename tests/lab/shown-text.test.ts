// Values, not placeholders: a line as the learner reads it in an output (issue 11).
import { describe, expect, it } from 'vitest';
import { shownText } from '../../server/lab/run/shown-text.ts';

const nodes = [1, 2, 3].map((i) => ({ id: String(i), name: `node${i}`, url: `http://127.0.0.1:500${i}` }));
const values = new Map<string, unknown>([
  ['leader_url', 'http://127.0.0.1:5003/'],
  ['old', '2'],
  ['term_before', 4],
  ['x', '42'],
]);

describe('a line with the values its variables had', () => {
  it('names a node by its name, wherever the line means a node', () => {
    expect(shownText('kill {{leader_url}}', values, nodes)).toBe('kill node3');
    expect(shownText('{{old}}.state == "follower"', values, nodes)).toBe('node2.state == "follower"');
    expect(shownText('{{old}} is down', values, nodes)).toBe('node2 is down');
    expect(shownText('you restarted {{old}} from the panel', values, nodes)).toBe(
      'you restarted node2 from the panel',
    );
  });

  it('writes other values as a lesson writes them, and leaves unknown variables alone', () => {
    expect(shownText('leader.term > {{term_before}}', values, nodes)).toBe('leader.term > 4');
    expect(shownText('kv.x == {{x}}', values, nodes)).toBe('kv.x == "42"');
    expect(shownText('set x={{x}}', values, nodes, false)).toBe('set x=42');
    expect(shownText('leader.term > {{nothing_yet}}', values, nodes)).toBe('leader.term > {{nothing_yet}}');
  });
});
