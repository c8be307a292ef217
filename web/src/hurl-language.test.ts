import { describe, expect, it } from 'vitest';
import { completionsAt, variableNames } from './hurl-language.ts';

const vars = variableNames(5, ['term_before']);

describe('cell completion', () => {
  it('offers every node, leader, follower and the captures inside {{', () => {
    const { items, replaceFrom } = completionsAt('GET {{', 'http', vars);
    expect(items.map((i) => i.label)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
      'leader',
      'follower',
      'term_before',
    ]);
    expect(replaceFrom).toBe(4);
    expect(items[5].insertText).toBe('{{leader}}');
  });

  it('narrows variables to what was typed after {{', () => {
    expect(completionsAt('POST {{le', 'http', vars).items.map((i) => i.label)).toEqual(['leader']);
    expect(completionsAt('jsonpath "$.term" > {{term', 'http', vars).items.map((i) => i.label)).toEqual([
      'term_before',
    ]);
  });

  it('offers no variables once the braces are closed', () => {
    const { items } = completionsAt('GET {{node1}}/st', 'http', vars);
    expect(items.every((i) => i.kind === 'keyword')).toBe(true);
  });

  it('offers request methods and sections at the start of an http line', () => {
    const labels = completionsAt('PO', 'http', vars).items.map((i) => i.label);
    expect(labels).toEqual(['POST']);
    expect(completionsAt('[A', 'http', vars).items.map((i) => i.label)).toEqual(['[Asserts]']);
  });

  it('offers actions at the start of a cluster line and node names after one', () => {
    expect(completionsAt('ki', 'cluster', vars).items.map((i) => i.label)).toEqual(['kill']);
    expect(completionsAt('kill no', 'cluster', vars).items.map((i) => i.label)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
    ]);
  });

  it('does not list a capture twice when it shadows a node name', () => {
    expect(variableNames(3, ['node2', 'x'])).toEqual(['node1', 'node2', 'node3', 'leader', 'follower', 'x']);
  });
});
